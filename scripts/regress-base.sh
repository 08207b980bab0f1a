#!/bin/bash
# make regress-base: build the pristine base kernel and its own selftests
# (a git worktree of the tag `base` in build/base-$ARCH/linux, same config
# fragment, same ccache) and record their results in the harness VM into
# $REGRESS_BASE_RESULTS, with the provenance that make check verifies.
# Every test runs, the excluded ones too, so the file shows why they are.
#   regress-base.sh [--no-build]   --no-build: the base is built already
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

base=$BUILD/base-$ARCH
wt=$base/linux
main=$BUILD/linux
want=$(git -C "$main" rev-parse base)

# The worktree must be the tag `base`, untouched. A worktree left behind
# by a re-created build/linux is stale: prune it and add it again.
if [ -e "$wt" ] && [ "$(git -C "$wt" rev-parse HEAD 2>/dev/null || true)" != "$want" ]; then
	log "regress-base: replacing stale worktree ${wt#"$ROOT"/}"
	rm -rf "$wt"
	git -C "$main" worktree prune
fi
if [ ! -e "$wt" ]; then
	mkdir -p "$base"
	git -C "$main" worktree prune	# e.g. after make clean removed it
	git -C "$main" worktree add -q --detach "$wt" base
fi
[ -z "$(git -C "$wt" status --porcelain)" ] || die "$wt has local changes; it must be the pristine base (rm -rf it and rerun)"

export HARNESS_TREE=$wt HARNESS_KOUT=$base/kernel-$ARCH \
	HARNESS_STOUT=$base/selftests-$ARCH HARNESS_VMDIR=$base/vm-$ARCH
if [ "${1:-}" = --no-build ]; then
	# Record again from the base already built (no build lock needed).
	[ -f "$HARNESS_KOUT/$KERNEL_IMAGE" ] || die "--no-build: no base kernel in $HARNESS_KOUT"
else
	start=$SECONDS
	"$ROOT/scripts/kernel.sh"
	"$ROOT/scripts/selftests.sh"
	log "regress-base: base kernel and selftests built in $((SECONDS - start))s"
fi

raw=$base/base.results
REGRESS_ALL=1 "$ROOT/scripts/lib/regress-run.sh" base "$raw"

out=$ROOT/$REGRESS_BASE_RESULTS
{
	echo "# Results of the KVM selftests of the pristine base kernel in the harness VM."
	echo "# Written by scripts/regress-base.sh; regenerate with: make regress-base"
	echo "# make check compares the patched kernel against these results and refuses"
	echo "# them when a provenance line differs from what is in use."
	echo "# Every test ran here, the excluded ones too ($REGRESS_EXCLUDED)."
	"$ROOT/scripts/lib/regress-provenance.sh"
	echo "info date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "info qemu-full $("$QEMU" --version | awk 'NR == 1')"
	echo "info host $(nproc) cpus, $(uname -r)"
	cat "$raw"
} >"$out.tmp"
mv "$out.tmp" "$out"
log "regress-base: recorded ${out#"$ROOT"/}"
