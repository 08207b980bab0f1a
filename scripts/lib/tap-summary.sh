#!/bin/bash
# tap-summary.sh TAP_FILE...: sum the top-level TAP results of all files
# (indented or "# " lines are a test's own output and do not count). A plan
# "1..N" with fewer results counts the missing ones as failed. Each failure
# is a "FAILED: FILE: ..." line. So that what did not run is seen, each
# skip is a "SKIPPED: FILE: ..." line with its reason: skipped results, and
# the subtests that skip inside a result's output ("# ok 7 # SKIP ...",
# "# 1..0 # SKIP ..."), named after that result (the one that follows
# them) unless it is a skip itself; then "(N subtests skipped inside
# passing programs)". Last line: "N passed, N failed, N skipped" (top-level
# results; CI greps it). Exit 1 on any failure or if no test ran.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 TAP_FILE..." >&2; exit 2; }

awk '
	function check_plan() {
		if (plan > seen) {
			printf "FAILED: %s: planned %d tests, saw %d results\n", file, plan, seen
			failed += plan - seen
		}
	}
	# list_subskips RESULT: the subtest skips seen since the last result,
	# which belong to RESULT (its description).
	function list_subskips(result,   i) {
		for (i = 1; i <= nsub; i++)
			printf "SKIPPED: %s: %s: %s\n", file, result, subskip[i]
		nsub = 0
	}
	FNR == 1 {
		if (NR > 1) { list_subskips("(no result)"); check_plan() }
		file = FILENAME; plan = -1; seen = 0; nsub = 0
	}
	/^[# \t]/ {
		line = $0
		sub(/^[# \t]+/, "", line)
		if (line ~ /^(ok [0-9]+ .*|1\.\.0 .*)#[ \t]*[Ss][Kk][Ii][Pp]/) subskip[++nsub] = line
		next
	}
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
	/^(not )?ok [0-9]+/ {
		seen++
		result = $0
		sub(/^(not )?ok [0-9]+ */, "", result)
		sub(/[ \t]*#.*/, "", result)
	}
	/^ok [0-9]+/ && toupper($0) ~ /# *SKIP/ {
		# Its own line has the reason: its subtests would repeat it.
		nsub = 0
		skipped++
		print "SKIPPED: " FILENAME ": " $0
		next
	}
	/^ok [0-9]+/ { inpassing += nsub; list_subskips(result); passed++; next }
	/^not ok [0-9]+/ { list_subskips(result); failed++; print "FAILED: " FILENAME ": " $0; next }
	END {
		list_subskips("(no result)")
		check_plan()
		if (inpassing > 0)
			printf "(%d subtests skipped inside passing programs)\n", inpassing
		printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
		exit (failed > 0 || passed + skipped == 0)
	}
' "$@"
