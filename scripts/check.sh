#!/bin/bash
# make check (after the builds): harness self-tests, then ONE VM that runs
# the guest TAP runner over the test list, then the splat scan of that boot,
# then the quality gates (scripts/gate-*.sh, the debug kernel included)
# and the no-regressions suite (scripts/regress.sh);
# ends with tap-summary's "N passed, N failed, N skipped".
# check.sh --quick (make test): only the harness self-tests and the VM.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

quick=
case ${1:-} in
--quick) quick=1 ;;
'') ;;
*) die "usage: check.sh [--quick]" ;;
esac
out=$BUILD/check-$ARCH
[ -z "$quick" ] || out=$BUILD/test-$ARCH
rm -rf "$out"
mkdir -p "$out"

"$ROOT/scripts/test-harness.sh" | tee "$out/harness.tap"

list=$TESTS_LIST
budget=$(list_entries "$list" | awk '{ s += $2 } END { print s + 0 }')
jobroot=$out/jobroot
mkdir -p "$jobroot/job"
echo 'exec /bin/tap-run /etc/harness/vm-tests.list' >"$jobroot/job/run"

rc=0
"$ROOT/scripts/lib/vm-boot.sh" check $((budget + VM_SLACK_TIMEOUT)) "$jobroot" || rc=$?
console=$VMDIR/logs/check.console.log
output=$VMDIR/logs/check.output.log

# The VM itself and its console are two more TAP results.
{
	echo "TAP version 13"
	echo "1..2"
	# Status 0: the guest's runner got through the list (a failing test is
	# its own "not ok"); anything else is a hang, a crash or a broken job.
	if [ "$rc" -eq 0 ] && grep -q '^1\.\.[0-9]' "$output"; then
		echo "ok 1 vm: booted, ran the test list, powered off"
	else
		echo "not ok 1 vm: no complete run (status $rc); console log: $console"
	fi
	if scan=$("$ROOT/scripts/lib/scan-splats.sh" "$console"); then
		echo "ok 2 vm: no kernel splat on the console"
	else
		printf '%s\n' "$scan" | sed 's/^/# /'
		echo "not ok 2 vm: kernel splat on the console ($console)"
	fi
} | tee "$out/vm.tap"

echo "logs: ${VMDIR#"$ROOT"/}/logs/check.{output,console}.log"

if [ -n "$quick" ]; then
	exec "$ROOT/scripts/lib/tap-summary.sh" "$out/harness.tap" "$output" "$out/vm.tap"
fi

# Is the pin still Debian's newest 6.12, does the series apply to it at fuzz
# 0 (quilt)? A SKIP with the reason when apt has a newer one.
"$ROOT/scripts/base-status.sh" --tap "$out/base-status.tap" || true
tap_ensure "$out/base-status.tap" "base-status: did not finish (its error is above)"

# Quality gates (docs/gates.md): the debug kernel is built first; its VM
# (one host core, ~25 min under TCG) then runs in the background while
# gates 1-5 build on the other core, one build at a time (lock).
s=$SECONDS
"$ROOT/scripts/gates/gate-debug.sh" "$out" --build
# Its own process group (setsid), so that Ctrl-C or a failure here stops
# it with its QEMU: background jobs of a script ignore SIGINT.
setsid "$ROOT/scripts/gates/gate-debug.sh" "$out" --run >"$out/gate-debug.log" 2>&1 &
debug_pid=$!
trap 'kill -TERM -- -"$debug_pid" 2>/dev/null || true' EXIT
"$ROOT/scripts/gates/gates.sh" "$out" checkpatch bisect w1-sparse clang htmldocs || true
# No regressions (docs/regress.md): the whole KVM selftest suite on
# the patched kernel against the recorded base results, on the core the
# gates' builds leave free.
s2=$SECONDS
"$ROOT/scripts/regress.sh" --tap "$out" || true
printf '%-10s %5ss\n' regress $((SECONDS - s2)) | tee -a "$out/gate-times" >&2
log "check: waiting for the debug kernel's VM (log: ${out#"$ROOT"/}/gate-debug.log)"
heartbeat_start "check: the debug kernel's VM" "$BUILD/vm-$ARCH-debug/logs/debug.output.log" \
	'^(not )?ok [0-9]' "test results so far"
wait "$debug_pid" || true
heartbeat_stop
trap - EXIT
tap_ensure "$out/gate-debug.tap" "gate-debug: did not finish, see ${out#"$ROOT"/}/gate-debug.log"
grep -E '^(not )?ok ' "$out/gate-debug.tap"
printf '%-10s %5ss (with the debug kernel build and VM)\n' gates $((SECONDS - s)) | tee -a "$out/gate-times" >&2

exec "$ROOT/scripts/lib/tap-summary.sh" "$out/harness.tap" "$output" "$out/vm.tap" \
	"$out/base-status.tap" "$out"/gate-*.tap "$out/regress.tap"
