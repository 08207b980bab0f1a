#!/bin/bash
# Run one static program as root in the test VM, with the KVM modules loaded:
#   PROG=/abs/path [ARGS='...'] [TIMEOUT=secs] [NAME=vm-run] vm-run.sh [--check]
# Streams its output and exits with its status; non-zero also on a kernel
# splat, a timeout, or a guest that reported no status.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

PROG=${PROG:-}
ARGS=${ARGS:-}
TIMEOUT=${TIMEOUT:-$VM_RUN_TIMEOUT}
NAME=${NAME:-vm-run}
# make run without RUN_PROG: this architecture's RUN_DEFAULT.
if [ -z "$PROG" ] && [ "$NAME" = run ]; then
	PROG=$(guest_prog_host_path "$RUN_DEFAULT")
	ARGS=${ARGS:-$RUN_DEFAULT_ARGS}
fi

[ -n "$PROG" ] || die "usage: make vm-run PROG=/abs/path/static-binary [ARGS='...'] [TIMEOUT=secs]"
[ -e "$PROG" ] || die "PROG=$PROG: no such file"
[ -f "$PROG" ] && [ -x "$PROG" ] || die "PROG=$PROG: not an executable file"
machine=$(readelf -h "$PROG" 2>/dev/null | sed -n 's/^ *Machine: *//p') || true
[ -n "$machine" ] || die "PROG=$PROG: not an ELF binary"
[ "$machine" = "$ELF_MACHINE" ] || die "PROG=$PROG: built for '$machine', the $ARCH guest needs '$ELF_MACHINE'"
if [[ $(readelf -l "$PROG") == *INTERP* ]]; then
	die "PROG=$PROG is dynamically linked (it has an ELF interpreter); the guest has no libc: link it with -static"
fi
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "TIMEOUT=$TIMEOUT: not a number of seconds"
# --check: validate PROG only (make does this before building anything).
[ "${1:-}" != --check ] || exit 0

jobroot=$(mktemp -d)
trap 'rm -rf "$jobroot"' EXIT
mkdir "$jobroot/job"
cp "$PROG" "$jobroot/job/prog"
# ARGS is parsed by the guest shell, as words.
printf 'exec timeout -s KILL %s /job/prog %s\n' "$TIMEOUT" "$ARGS" >"$jobroot/job/run"

rc=0
"$ROOT/scripts/lib/vm-boot.sh" "$NAME" $((TIMEOUT + VM_SLACK_TIMEOUT)) "$jobroot" || rc=$?
[ "$rc" -ne 137 ] || echo "vm-run: $(basename "$PROG") killed after ${TIMEOUT}s (TIMEOUT)" >&2
if ! "$ROOT/scripts/lib/scan-splats.sh" "$VMDIR/logs/$NAME.console.log" >&2; then
	[ "$rc" -ne 0 ] || rc=1
fi
log "vm-run: exit status $rc (logs: ${VMDIR#"$ROOT"/}/logs/$NAME.*.log)"
exit "$rc"
