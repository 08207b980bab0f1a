#!/bin/bash
# make stress [STRESS_SECONDS=60] [DEBUG=1]: the long run of the guest_memfd
# concurrency stress test (make check runs it for 10 s) in the harness VM,
# on the patched kernel or, with DEBUG=1, on the debug kernel of the quality
# gates (KASAN, lockdep, DEBUG_VM/LIST, ...; built here if needed, in
# build/kernel-$ARCH-debug: use_debug_kernel in scripts/lib/lib.sh). Fails on a test
# failure, a timeout or a kernel splat on the console (scripts/vm-run.sh).
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

secs=${STRESS_SECONDS:-60}
[[ "$secs" =~ ^[1-9][0-9]*$ ]] || die "STRESS_SECONDS=$secs: not a number of seconds"
prog=$STOUT/guest_memfd_stress_test
[ -x "$prog" ] || die "$prog not built: run make selftests"

# The test stops after -d seconds whatever the kernel; setup and teardown
# are what a debug kernel slows down (6-15 times under TCG).
slack=60 kernel="the patched kernel"
if [ "${DEBUG:-0}" = 1 ]; then
	use_debug_kernel
	"$ROOT/scripts/kernel.sh"
	"$ROOT/scripts/initramfs.sh"
	slack=600 kernel="the debug kernel"
fi
log "stress: guest_memfd_stress_test -d $secs on $kernel"
PROG=$prog ARGS="-d $secs" TIMEOUT=$((secs * 2 + slack)) NAME=stress \
	exec "$ROOT/scripts/vm-run.sh"
