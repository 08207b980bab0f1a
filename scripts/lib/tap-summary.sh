#!/bin/bash
# tap-summary.sh TAP_FILE...: sum the top-level TAP results of all files
# (indented or "# " lines are a test's own output and do not count). A plan
# "1..N" with fewer results counts the missing ones as failed. Last line:
# "N passed, N failed, N skipped". Exit 1 on any failure or if no test ran.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 TAP_FILE..." >&2; exit 2; }

awk '
	function check_plan() {
		if (plan > seen) {
			printf "FAILED: %s: planned %d tests, saw %d results\n", file, plan, seen
			failed += plan - seen
		}
	}
	FNR == 1 { if (NR > 1) check_plan(); file = FILENAME; plan = -1; seen = 0 }
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
	/^(not )?ok [0-9]+/ { seen++ }
	/^ok [0-9]+/ && toupper($0) ~ /# *SKIP/ { skipped++; next }
	/^ok [0-9]+/ { passed++; next }
	/^not ok [0-9]+/ { failed++; print "FAILED: " FILENAME ": " $0; next }
	END {
		check_plan()
		printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
		exit (failed > 0 || passed + skipped == 0)
	}
' "$@"
