#!/bin/bash
# Self-tests of the harness on recorded data in tests/harness/, as TAP:
#   clean-*.log   console logs the splat scanner must pass
#   splat-*.log   console logs it must fail
#   summary-*.tap TAP streams; their "# expect: ..." line is tap-summary's
#                 last line and "# expect-exit: N" its exit status
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$ROOT/tests/harness
cases=("$dir"/clean-*.log "$dir"/splat-*.log "$dir"/summary-*.tap)
echo "TAP version 13"
echo "1..${#cases[@]}"

n=0
result() { # result OK? NAME OUTPUT
	n=$((n + 1))
	if [ "$1" = yes ]; then
		echo "ok $n $2"
	else
		printf '%s\n' "$3" | sed 's/^/# /'
		echo "not ok $n $2"
	fi
}

for f in "${cases[@]}"; do
	name=harness/$(basename "$f")
	rc=0
	case $f in
	*/clean-*)
		got=$("$ROOT/scripts/scan-splats.sh" "$f" 2>&1) || rc=$?
		[ "$rc" -eq 0 ] && ok=yes || ok=no
		result "$ok" "$name: scanner passes it" "$got" ;;
	*/splat-*)
		got=$("$ROOT/scripts/scan-splats.sh" "$f" 2>&1) || rc=$?
		[ "$rc" -eq 1 ] && ok=yes || ok=no
		result "$ok" "$name: scanner catches it" "$got" ;;
	*/summary-*)
		want=$(sed -n 's/^# expect: //p' "$f")
		want_rc=$(sed -n 's/^# expect-exit: //p' "$f")
		got=$("$ROOT/scripts/tap-summary.sh" "$f") || rc=$?
		[ "$(tail -n 1 <<<"$got")" = "$want" ] && [ "$rc" = "$want_rc" ] && ok=yes || ok=no
		result "$ok" "$name: summary '$want', exit $want_rc" "$got (exit $rc)" ;;
	esac
done
