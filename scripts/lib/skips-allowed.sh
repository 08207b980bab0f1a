#!/bin/bash
# skips-allowed.sh TAP_FILE ERE: one TAP result: the reason of every skip
# in TAP_FILE (a test list's stream: "ok N PATH # SKIP REASON", and a
# program's own subtests, "# ok N # SKIP REASON") matches ERE; a skip
# whose reason does not is listed and fails it. Only the reason is
# matched, never the test's path. make distro-check and deb-check under
# Debian's config: it may skip only what it lacks by design. Tested on
# recorded streams (tests/harness/skips-*).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: skips-allowed.sh TAP_FILE ERE" >&2; exit 2; }
tap=$1 ere=$2
mapfile -t skips < <(grep -E '^(# )?ok [0-9]+ .*# SKIP' "$tap" || true)
bad=()
for l in "${skips[@]}"; do
	grep -qE -- "$ere" <<<"${l#*# SKIP }" || bad+=("$l")
done
echo "TAP version 13"
echo "1..1"
if [ ${#bad[@]} -eq 0 ]; then
	echo "ok 1 skips: all ${#skips[@]} for a reason matching '$ere'"
else
	printf '# unexpected: %s\n' "${bad[@]}"
	echo "not ok 1 skips: ${#bad[@]} of ${#skips[@]} for another reason than '$ere': ${bad[0]}"
fi
