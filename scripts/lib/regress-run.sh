#!/bin/bash
# regress-run.sh NAME RESULTS: run every KVM selftest of the tree in use
# (scripts/lib/regress-list.sh) in ONE VM booted on that tree's kernel, each
# under its own timeout ($REGRESS_TIMEOUT), and write RESULTS with one line
#   result <test> <pass|fail|skip|timeout|missing> <seconds>
# per test, then "info splats N" (kernel splats on the console) and
# "info duration Ns". Tests of the excluded list are not run, unless
# REGRESS_ALL=1; REGRESS_ONLY=FILE runs only the tests it lists. The tree, kernel, selftests and VM directory are the
# harness defaults (the patched tree) or HARNESS_TREE/KOUT/STOUT/VMDIR.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: regress-run.sh NAME RESULTS"
name=$1 results=$2
excluded=$ROOT/$REGRESS_EXCLUDED

mkdir -p "$VMDIR"
work=$(mktemp -d "$VMDIR/.regress.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The guest runner's list: "kvm/<test> <timeout>".
"$ROOT/scripts/lib/regress-list.sh" >"$work/all"
if [ -n "${REGRESS_ONLY:-}" ]; then
	grep -xF -f "$REGRESS_ONLY" "$work/all" >"$work/run" || die "REGRESS_ONLY: none of its tests exist"
elif [ "${REGRESS_ALL:-0}" = 1 ]; then
	cp "$work/all" "$work/run"
else
	# "<test> <reason>" lines; a reason may hold "#" (e.g. #UD).
	list_entries "$excluded" | awk '{ print $1 }' >"$work/excluded"
	grep -vxF -f "$work/excluded" "$work/all" >"$work/run" || true
fi
awk -v t="$REGRESS_TIMEOUT" '{ print "kvm/" $1, t }' "$work/run" >"$work/list"
log "regress: $name: $(wc -l <"$work/run") of $(wc -l <"$work/all") tests, ${REGRESS_TIMEOUT}s each at most"

TESTS_LIST=$work/list "$ROOT/scripts/initramfs.sh"
mkdir -p "$work/root/job"
echo 'exec /bin/tap-run /etc/harness/vm-tests.list' >"$work/root/job/run"
budget=$(($(wc -l <"$work/run") * REGRESS_TIMEOUT + VM_SLACK_TIMEOUT))
start=$SECONDS
# Progress on stderr: the result lines only (the full output is in the log).
set +e
# One NUMA node, as the base's results were recorded (make regress-base).
QEMU_NUMA_NODES=1 "$ROOT/scripts/lib/vm-boot.sh" "$name" "$budget" "$work/root" |
	grep --line-buffered -E '^(not )?ok ' >&2
rc=${PIPESTATUS[0]}
set -e
duration=$((SECONDS - start))
output=$VMDIR/logs/$name.output.log
console=$VMDIR/logs/$name.console.log
[ "$rc" -eq 0 ] || warn "regress: $name: the VM ended with status $rc (console: $console)"

# guest/tap-run prints "# exit=RC after Ns" then "ok N kvm/<test>[ # SKIP REASON]"
# or "not ok N kvm/<test> # TIMEOUT|exit=RC". Tests with no result line
# (the VM died) are "missing". A SIGKILL well before the timeout (the OOM
# killer) is a failure, not a timeout.
awk -v runlist="$work/run" -v limit="$REGRESS_TIMEOUT" '
	BEGIN { while ((getline t <runlist) > 0) order[++n] = t }
	/^# exit=[0-9]+ after [0-9]+s$/ { secs = $4; sub(/s$/, "", secs); next }
	/^(not )?ok [0-9]+ kvm\// {
		ok = ($1 == "ok")
		t = ok ? $3 : $4
		sub(/^kvm\//, "", t)
		if (ok) st = ($0 ~ /# SKIP/) ? "skip" : "pass"
		else st = ($0 ~ /# TIMEOUT/ && secs + 2 >= limit) ? "timeout" : "fail"
		status[t] = st; took[t] = secs; secs = "-"
	}
	END {
		for (i = 1; i <= n; i++) {
			t = order[i]
			if (t in status) print "result", t, status[t], took[t]
			else print "result", t, "missing", "-"
		}
	}
' "$output" >"$work/results"
# Splats: count the scanner's hit lines ("NNN:"), keep the first few.
scan=$("$ROOT/scripts/lib/scan-splats.sh" "$console" 2>&1) || true
hits=$(printf '%s\n' "$scan" | grep -E '^[0-9]+:' || true)
{
	cat "$work/results"
	echo "info splats $(printf '%s' "$hits" | grep -c . || true)"
	printf '%s\n' "$hits" | head -n 5 | grep . | sed 's/^[0-9]*:/info splat /' || true
	echo "info duration ${duration}s"
	echo "info vm-status $rc"
} >"$results"
log "regress: $name: $(awk '$1 == "result" { n[$3]++ } END { for (s in n) printf "%d %s, ", n[s], s }' "$results")${duration}s (console: ${console#"$ROOT"/})"
