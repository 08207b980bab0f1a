#!/bin/bash
# scan-splats.sh CONSOLE_LOG: fail (exit 1) if the kernel log holds a splat,
# printing each hit with context and the log path. Only the kernel's own
# markers count, case-sensitive: a clean boot says "report a bug".
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 CONSOLE_LOG" >&2; exit 2; }
log=$1
[ -f "$log" ] || { echo "scan-splats: $log: no such file" >&2; exit 2; }

patterns=(
	'BUG:'                            # BUG: kernel NULL pointer ..., soft lockup, sleeping function ...
	'kernel BUG at'
	'WARNING:'                        # WARN_ON splats and lockdep reports
	'KASAN:'
	'UBSAN:'
	'Oops'
	'general protection fault'
	'Unable to handle kernel'
	'Kernel panic'
	'possible circular locking'
	'possible recursive locking'
	'suspicious RCU usage'
	'detected stalls? on CPU'         # rcu: INFO: rcu_sched detected stalls on CPUs/tasks
	'self-detected stall'
	'INFO: task .* blocked for more than'
	'detected hard LOCKUP'            # Watchdog detected hard LOCKUP on cpu N
	'harness: kernel tainted'         # guest/init, after the job
	'kmemleak: [0-9]+ new suspected memory leak'
	'Call Trace:'
)
args=()
for p in "${patterns[@]}"; do
	args+=(-e "$p")
done

if ! grep -qE "${args[@]}" "$log"; then
	echo "scan-splats: no kernel splat in $log"
	exit 0
fi
echo "scan-splats: kernel splat(s) in $log:"
# awk, not head: it reads to the end, so grep never dies of SIGPIPE (141).
grep -nE -B2 -A8 "${args[@]}" "$log" | awk 'NR <= 200'

echo "scan-splats: full log: $log"
exit 1
