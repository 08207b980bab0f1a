#!/bin/bash
# regress-verdict.sh BASE PATCHED RETRY EXCLUDED TABLE: the no-regressions
# verdict. BASE and PATCHED are "result TEST pass|fail|skip SECONDS" files
# (scripts/lib/regress-run.sh), RETRY the results of the tests run once more
# alone, EXCLUDED the list of tests not run ("TEST reason" lines, "#"
# comments). Prints one TAP result per test and one for kernel splats in
# the patched run, then a "# regress: N flaky" line, and writes the table
# (test, base, patched, note) to TABLE. Not ok: a test that passed on base
# and does not pass now (REGRESSION), one skipped on base that fails now,
# a new test that fails or skips (a new test that cannot run proves
# nothing), one of the base run that is neither run nor excluded now
# (gone), a splat. A test that failed and passed on retry is ok, but says
# FLAKY in its description. Tested on recorded inputs in
# tests/harness/regress-*/.
set -euo pipefail

[ $# -eq 5 ] || { echo "usage: $0 BASE PATCHED RETRY EXCLUDED TABLE" >&2; exit 2; }
base=$1 patched=$2 retry=$3 excluded=$4 table=$5
for f in "$base" "$patched" "$retry" "$excluded"; do
	[ -f "$f" ] || { echo "regress-verdict: $f: no such file" >&2; exit 2; }
done

awk -v excluded="$excluded" -v table="$table" '
	BEGIN {
		while ((getline line <excluded) > 0) {
			if (line ~ /^[ \t]*#/ || split(line, f) < 1) continue
			reason = line
			sub(/^[ \t]*[^ \t]+[ \t]+/, "", reason)
			excl[f[1]] = reason
		}
	}
	FNR == 1 { side++ }
	$1 == "result" && side == 3 { if ($3 == "pass" && patched[$2] != "pass") patched[$2] = "flaky"; next }
	$1 == "result" {
		if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
		if (side == 1) base[$2] = $3; else patched[$2] = $3
		if (side == 2) took[$2] = $4
	}
	$1 == "info" && $2 == "splats" { splats[side > 2 ? 2 : side] += $3 }
	END {
		printf "%-48s %-9s %-9s %s\n", "test", "base", "patched", "" >table
		printf "TAP version 13\n1..%d\n", n + 1
		for (i = 1; i <= n; i++) {
			t = order[i]
			b = (t in base) ? base[t] : "-"
			p = (t in patched) ? patched[t] : ((t in excl) ? "excluded" : "-")
			note = ""
			if (p == "excluded") {
				res = "ok"; dir = " # SKIP excluded: " excl[t]
			} else if (p == "-") {
				res = "not ok"; dir = ""; note = "gone: in the base run, missing now"
			} else if (p == "flaky") {
				res = "ok"; dir = ""; note = "FLAKY: failed once, passed on retry"
				flaky = flaky " " t; nflaky++
			} else if (b == "pass" && p != "pass") {
				res = "not ok"; dir = ""; note = "REGRESSION"
			} else if (b == "-" && p == "skip") {
				res = "not ok"; dir = ""; note = "new test skips"
			} else if (b == "-" && p != "pass") {
				res = "not ok"; dir = ""; note = "new test fails"
			} else if (b == "skip" && p != "pass" && p != "skip") {
				res = "not ok"; dir = ""; note = "skipped on base, fails now"
			} else if (p == "skip") {
				res = "ok"; dir = " # SKIP"
			} else {
				res = "ok"; dir = ""
			}
			if (b == "-") b = "(new)"
			if (p == "-") p = "(gone)"
			printf "%-48s %-9s %-9s %s\n", t, b, p, note >table
			if (took[t] != "" && took[t] != "-") secs = ", " took[t] "s"; else secs = ""
			printf "%s %d regress: %s (base %s, patched %s%s)%s%s\n", res, i, t, b, p, secs,
				(note != "" && dir == "") ? ": " note : "", dir
		}
		# The base run has the excluded tests splats (the OOM killer
		# prints a Call Trace); the patched run must have none.
		if (splats[2] > 0)
			printf "not ok %d regress: %d kernel splat line(s) in the patched run (base run with the excluded tests: %d)\n", n + 1, splats[2], splats[1]
		else
			printf "ok %d regress: no kernel splat in the patched run\n", n + 1
		printf "# regress: %d flaky (failed, then passed alone on retry)%s\n", nflaky,
			nflaky ? ":" flaky : ""
	}
' "$base" "$patched" "$retry"
