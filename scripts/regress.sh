#!/bin/bash
# make regress: run the KVM selftest suite on the patched kernel in the
# harness VM and compare it with the base results recorded in
# $REGRESS_BASE_RESULTS (make regress-base). Prints the table (test, base,
# patched) and a TAP stream: a test that passed on base and does not pass
# on the patched kernel is "not ok", as are a new test that fails or
# skips, a test of the base run that is gone, and any kernel splat in that
# run (scripts/lib/regress-verdict.sh).
#   regress.sh           the table and the TAP stream on stdout
#   regress.sh --tap DIR also write DIR/regress.tap (make check counts it)
#   REGRESS_REUSE=1      compare the last run's results again (no VM)
# Exits 1 on a regression, or when the recorded results' provenance does
# not match the base, config or QEMU in use.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

tapdir=
if [ "${1:-}" = --tap ]; then
	[ $# -eq 2 ] || die "usage: regress.sh [--tap DIR]"
	tapdir=$2
	mkdir -p "$tapdir"
	rm -f "$tapdir/regress.tap"
	# Whatever goes wrong, make check gets a result that says so.
	trap 'tap_ensure "$tapdir/regress.tap" "regress: scripts/regress.sh failed (see its output)"' EXIT
fi
recorded=$ROOT/$REGRESS_BASE_RESULTS
out=$BUILD/regress-$ARCH
mkdir -p "$out"
tap=$out/regress.tap

# One failed TAP result instead of the table (no base results to compare).
refuse() {
	{
		echo "TAP version 13"
		echo "1..1"
		printf '%s\n' "$@" | sed 's/^/# /'
		echo "not ok 1 regress: $1"
	} | tee "$tap"
	[ -z "$tapdir" ] || cp "$tap" "$tapdir/regress.tap"
	exit 1
}

[ -f "$recorded" ] || refuse "no recorded base results ($REGRESS_BASE_RESULTS)" \
	"record them with: make regress-base"
"$ROOT/scripts/lib/regress-provenance.sh" >"$out/provenance"
if ! diff <(grep '^provenance ' "$recorded") "$out/provenance" >"$out/provenance.diff"; then
	refuse "the recorded base results do not match what is in use" \
		"$REGRESS_BASE_RESULTS was recorded for (<) but the harness now uses (>):" \
		"$(grep '^[<>]' "$out/provenance.diff")" \
		"re-record them with: make regress-base (builds the base kernel, runs the suite)"
fi

# REGRESS_REUSE=1: compare the results of the last run again, run nothing.
if [ "${REGRESS_REUSE:-0}" = 1 ] && [ -f "$out/patched.results" ]; then
	log "regress: REGRESS_REUSE=1: comparing the last run's ${out#"$ROOT"/}/patched.results"
else
	rm -f "$out/retry.results"
	HARNESS_VMDIR=$out/vm "$ROOT/scripts/lib/regress-run.sh" regress "$out/patched.results"
	# Tests that passed on base and not here run once more, alone, in a
	# fresh VM, with 3x the timeout: on a loaded host, timing tests
	# (apic_bus_clock_test's 5% APIC frequency window) miss under TCG and
	# slow ones (kvm_page_table_test, 66 s) can pass 120 s. Passing on
	# retry is "flaky", not a regression; at most 10: more is no accident.
	awk '$1 == "result" { if (FILENAME == ARGV[1]) b[$2] = $3; else if (b[$2] == "pass" && $3 != "pass") print $2 }' \
		"$recorded" "$out/patched.results" >"$out/retry.list"
	n=$(wc -l <"$out/retry.list")
	if [ "$n" -gt 0 ] && [ "$n" -le 10 ]; then
		log "regress: retrying $n test(s) that passed on base: $(tr '\n' ' ' <"$out/retry.list")"
		REGRESS_ONLY=$out/retry.list REGRESS_TIMEOUT=$((REGRESS_TIMEOUT * 3)) HARNESS_VMDIR=$out/vm \
			"$ROOT/scripts/lib/regress-run.sh" regress-retry "$out/retry.results"
	fi
fi
[ -f "$out/retry.results" ] || : >"$out/retry.results"

# Table and TAP from the two result files and the excluded list.
"$ROOT/scripts/lib/regress-verdict.sh" "$recorded" "$out/patched.results" \
	"$out/retry.results" "$ROOT/$REGRESS_EXCLUDED" "$out/table.txt" >"$tap"

{
	echo "No-regressions table (base: $REGRESS_BASE_RESULTS; patched: this run)"
	cat "$out/table.txt"
	awk '$1 == "info" && $2 == "duration" { print "patched suite: " $3 " in one VM" }' "$out/patched.results"
} | sed 's/^/# /' >"$out/table.tap"
cat "$out/table.tap" "$tap" >"$out/regress-full.tap"
mv "$out/regress-full.tap" "$tap"
if [ -z "$tapdir" ]; then
	cat "$tap"
else
	# make check: the table, the failures and the flaky count; the
	# stream goes to the file.
	cp "$tap" "$tapdir/regress.tap"
	cat "$out/table.tap"
	grep '^not ok' "$tap" || true
	sed -n 's/^# \(regress: [0-9]* flaky\)/\1/p' "$tap"
	# grep -c prints 0 and fails when nothing matches.
	echo "regress: $(grep -c '^ok' "$tap" || true) ok, $(grep -c '^not ok' "$tap" || true) not ok (${tapdir#"$ROOT"/}/regress.tap)"
fi
! grep -q '^not ok' "$tap"
