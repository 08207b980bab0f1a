#!/bin/bash
# regress-provenance.sh: print what the base kernel's selftest results
# depend on, one "provenance <key> <value>" line each: the pristine base
# (package version, pinned tarball sha256, git tree id of the tag `base`),
# the kernel config fragment, QEMU's major.minor version and options, the
# per-test timeout. scripts/regress-base.sh records these lines with the results;
# scripts/regress.sh refuses recorded results whose lines differ.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

main=$BUILD/linux
command -v "$QEMU" >/dev/null || die "$QEMU not found (package ${ARCH_PACKAGES%% *}; make deps)"
git -C "$main" rev-parse -q --verify base >/dev/null 2>&1 || die "no tag base in $main: run make tree"
echo "provenance base $(git -C "$main" log -1 --format=%s base)"
echo "provenance base-sha256 $BASE_SHA256"
echo "provenance base-tree $(git -C "$main" rev-parse 'base^{tree}')"
# The fragment's settings, not its comments: "# CONFIG_X is not set" is a
# setting, any other line starting with "#" a comment.
echo "provenance kernel-config $(awk '(!/^#/ || /^# CONFIG_[A-Za-z0-9_]+ is not set/) && NF' \
	"$ROOT/$KERNEL_FRAGMENT" | sha256sum | awk '{ print $1 }')"
# QEMU's major.minor decides what TCG emulates; a distro rebuild or stable
# update (7.2.x) does not invalidate the results.
echo "provenance qemu $("$QEMU" --version | sed -n 's/^QEMU emulator version \([0-9]*\.[0-9]*\).*/\1/p')"
echo "provenance vm -M $QEMU_MACHINE -cpu $QEMU_CPU -accel $QEMU_ACCEL -smp $QEMU_SMP -m $QEMU_MEM"
echo "provenance test-timeout ${REGRESS_TIMEOUT}s"
