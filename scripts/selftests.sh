#!/bin/bash
# Install the kernel's uapi headers into build/kernel-$ARCH/usr/include and
# build the KVM selftests statically into build/selftests-$ARCH.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

take_build_lock
s0=$SECONDS
[ -f "$KOUT/.config" ] || die "no kernel config in $KOUT: run make kernel"
log "selftests: headers_install"
kmake -s headers_install

log "selftests: building tools/testing/selftests/kvm (static) into ${STOUT#"$ROOT"/}"
start=$SECONDS
mkdir -p "$STOUT"
make -C "$TREE/tools/testing/selftests/kvm" -j"$(nproc)" \
	ARCH="$SELFTESTS_ARCH" CC="ccache ${CROSS_COMPILE}gcc" EXTRA_CFLAGS=-static \
	KHDR_INCLUDES="-isystem $KOUT/usr/include" OUTPUT="$STOUT"
log "selftests: built in $((SECONDS - start)) s"
step_time "$ARCH: make selftests (${STOUT#"$ROOT"/})" "$s0"
