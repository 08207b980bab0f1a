#!/bin/bash
# make base-status: the pinned base, the newest linux-source apt offers,
# and whether patches/ applies to that newest one at fuzz 0 (quilt), in
# about a minute (apt-get update, a 150 MB download, a partial extract).
#   base-status.sh              the report; exit 1 only if the series no
#                               longer applies to the pinned base
#   base-status.sh --tap FILE   also one TAP result in FILE for make check:
#                               ok when the pin is apt's newest and the series
#                               applies to it; SKIP with the reason when apt
#                               has a newer base (a new Debian upload must not
#                               turn unrelated CI red) or cannot be asked
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

tap=
case ${1:-} in
--tap) tap=${2:?usage: base-status.sh [--tap FILE]} ;;
'') ;;
*) die "usage: base-status.sh [--tap FILE]" ;;
esac

# result ok|fail|skip MESSAGE: print the verdict, write the TAP result.
result() {
	echo "base-status: $2"
	[ -z "$tap" ] || tap_single "$tap" "$1" "base-status: $2"
}

echo "pinned:  $BASE_PKG $BASE_VERSION"
if [ "$(id -u)" -eq 0 ]; then
	if ! apt-get update -q >"$BUILD/apt-update.log" 2>&1; then
		result skip "apt-get update failed (no network?), cannot tell whether apt has a newer base; ${BUILD#"$ROOT"/}/apt-update.log"
		exit 0
	fi
else
	warn "not root: apt's lists are not refreshed, they may be old"
fi
newest=$(apt_newest_version)
if [ -z "$newest" ]; then
	result skip "apt lists no $BASE_PKG (no bookworm-security in its sources?)"
	exit 0
fi
echo "newest:  $BASE_PKG $newest (apt)"
if [ -z "$(apt_deb_sha256 "$BASE_VERSION")" ]; then
	echo "note:    apt no longer offers the pinned $BASE_VERSION; a new machine cannot fetch it (make rebase)"
fi

target=$newest
dpkg --compare-versions "$newest" gt "$BASE_VERSION" || target=$BASE_VERSION
if ! tarball=$("$ROOT/scripts/lib/base-fetch.sh" "$target"); then
	result skip "cannot fetch $BASE_PKG $target (no network?), cannot tell whether the series applies there"
	exit 0
fi
rc=0
quilt=$("$ROOT/scripts/lib/series-quilt.sh" "$tarball") || rc=$?
[ "$rc" -le 1 ] || die "series-quilt.sh failed: $quilt"
printf '%s\n' "$quilt" | grep '^  quilt:' || true
verdict=$(tail -n 1 <<<"$quilt")

if [ "$target" = "$BASE_VERSION" ]; then
	if [ "$rc" -eq 0 ]; then
		result ok "the pin $BASE_VERSION is apt's newest; the series $verdict"
	else
		result fail "the series no longer applies to the pinned $BASE_VERSION: $verdict"
		exit 1
	fi
elif [ "$rc" -eq 0 ]; then
	result skip "apt has $newest, newer than the pin $BASE_VERSION; there the series $verdict; make rebase moves the pin"
else
	result skip "apt has $newest, newer than the pin $BASE_VERSION; there the series $verdict; make rebase, then resolve"
fi
