#!/bin/bash
# check-vm.sh OUTDIR: make check's test VM for $ARCH. One boot runs the
# guest TAP runner over TESTS_LIST (tests/vm-tests-$ARCH.list); its TAP
# goes to OUTDIR/vm-tests.tap, and OUTDIR/vm.tap gets two more results:
# the VM itself (booted, ran the list, powered off) and its console (no
# kernel splat, scripts/lib/scan-splats.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: check-vm.sh OUTDIR"
out=$1
mkdir -p "$out"
budget=$(list_entries "$TESTS_LIST" | awk '{ s += $2 } END { print s + 0 }')
jobroot=$out/jobroot
rm -rf "$jobroot"
mkdir -p "$jobroot/job"
echo 'exec /bin/tap-run /etc/harness/vm-tests.list' >"$jobroot/job/run"

rc=0
"$ROOT/scripts/lib/vm-boot.sh" check $((budget + VM_SLACK_TIMEOUT)) "$jobroot" || rc=$?
console=$VMDIR/logs/check.console.log
output=$VMDIR/logs/check.output.log
cp "$output" "$out/vm-tests.tap" 2>/dev/null || : >"$out/vm-tests.tap"

{
	echo "TAP version 13"
	echo "1..2"
	# Status 0: the guest's runner got through the list (a failing test is
	# its own "not ok"); anything else is a hang, a crash or a broken job.
	if [ "$rc" -eq 0 ] && grep -q '^1\.\.[0-9]' "$output"; then
		echo "ok 1 $ARCH vm: booted, ran the test list, powered off"
	else
		echo "not ok 1 $ARCH vm: no complete run (status $rc); console log: $console"
	fi
	if scan=$("$ROOT/scripts/lib/scan-splats.sh" "$console"); then
		echo "ok 2 $ARCH vm: no kernel splat on the console"
	else
		printf '%s\n' "$scan" | sed 's/^/# /'
		echo "not ok 2 $ARCH vm: kernel splat on the console ($console)"
	fi
} | tee "$out/vm.tap"
echo "logs: ${VMDIR#"$ROOT"/}/logs/check.{output,console}.log"
