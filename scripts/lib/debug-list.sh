#!/bin/bash
# debug-list.sh LIST FACTOR: the test list LIST as the debug kernel runs it
# (scripts/gates/gate-debug.sh), on stdout: every timeout FACTOR times
# longer, and without its "# may-skip unless debug:" lines. Those name
# subtests that need what only the debug kernel has (CONFIG_MEMORY_FAILURE,
# USERFAULTFD, KSM): elsewhere they may skip, there they must run.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: debug-list.sh LIST FACTOR" >&2; exit 2; }
awk -v f="$2" '/^# may-skip unless debug: / { next }
	/^[[:space:]]*(#|$)/ { print; next }
	{ $2 = int($2 * f); print }' "$1"
