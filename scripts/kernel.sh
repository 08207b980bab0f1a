#!/bin/bash
# Build the kernel image and modules out of tree in build/kernel-$ARCH.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

take_build_lock
s0=$SECONDS
"$ROOT/scripts/lib/kernel-config.sh"
log "kernel: make $KERNEL_TARGETS (O=${KOUT#"$ROOT"/})"
start=$SECONDS
kmake $KERNEL_TARGETS
log "kernel: built $KERNEL_IMAGE in $((SECONDS - start)) s"
step_time "$ARCH: make kernel (O=${KOUT#"$ROOT"/})" "$s0"
