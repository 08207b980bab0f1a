#!/bin/bash
# Self-tests of the harness on recorded data in tests/harness/, as TAP:
#   clean-*.log   console logs the splat scanner must pass
#   splat-*.log   console logs it must fail
#   summary-*.tap TAP streams; their "# expect: ..." line is tap-summary's
#                 last line and "# expect-exit: N" its exit status; if
#                 there is a summary-*.expected, it is all its output
#   regress-*/    inputs of the no-regressions verdict and its expected.tap
#   list-*.list   list files whose entries (list_entries) must be
#                 list-*.expected, their paths (list_paths, without the
#                 must-run mark) list-*.paths; the guest's tap-run must
#                 count as many
#   warnings-*/   base.txt and tip.txt warning lists: gates_new_warnings
#                 must find expected.txt (and its lines of one file alone)
#   cover-*.patch cover letters whose description must read back as
#                 cover-*.expected (what make export wrote into it)
#   dep3-*/       a patch (input.patch) and its origins (origins):
#                 scripts/lib/dep3.sh must write expected.patch
#   skips-*/      a test list's TAP (vm-tests.tap) and the skip reasons
#                 allowed (ere): scripts/lib/skips-allowed.sh must print
#                 expected.tap
#   times-*/      a time table's steps (times) and wall clock (wall):
#                 time-table.sh must print expected
#   taprun-*/     guest/tap-run over tests.list with t/ as its test root:
#                 expected.tap, expected-may-skip.tap with --may-skip,
#                 expected-stop-at-failure.tap with --stop-at-failure and
#                 expected-debug.tap over the list as the debug kernel
#                 gets it (scripts/lib/debug-list.sh, timeouts x2)
# and the fresh-machine cases of scripts/deps.sh and scripts/lib/base-fetch.sh
# against the stub dpkg, dpkg-query, apt-get, apt-cache, id and df of
# tests/harness/stubs/ (the SCENARIOS below). The recorded data are the
# same for every architecture; the scenarios are x86_64's unless they set
# ARCH themselves.
set -euo pipefail
export ARCH=x86_64
. "$(dirname "$0")/lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"

dir=$ROOT/tests/harness
cases=("$dir"/clean-*.log "$dir"/splat-*.log "$dir"/summary-*.tap "$dir"/regress-*/
	"$dir"/cover-*.patch "$dir"/list-*.list "$dir"/warnings-*/ "$dir"/times-*/ "$dir"/taprun-*/
	"$dir"/dep3-*/ "$dir"/skips-*/)

# name | setup (shell, in $STUB_DIR) | command | exit | output regex (ERE)
# [| regex the output must not match]
SCENARIOS=(
"deps: nothing installed, root: installs every package|:|deps.sh|0|deps: installed [0-9]+ package"
"deps: nothing installed, not root: names the apt-get command|export STUB_UID=1000|deps.sh|1|ERROR: missing host packages: .*as root run: apt-get update && apt-get install --no-install-recommends .*qemu-system-x86"
"deps: all installed: nothing to do, no apt-get|all_installed|deps.sh|0|deps: all host packages installed|stub apt-get"
"deps: one missing, no network: says so|all_installed; sed -i /^quilt/d installed; touch no-network|deps.sh|1|ERROR: apt-get update failed \\(no network\\?\\).*apt-get install --no-install-recommends quilt"
"deps: arm64, dpkg lacks arm64, not root: names dpkg --add-architecture|export ARCH=arm64 STUB_UID=1000|deps.sh|1|ERROR: dpkg does not know the arm64 architecture .*as root run: dpkg --add-architecture arm64 && apt-get update"
"deps: arm64, root: adds arm64, installs the cross packages|export ARCH=arm64|deps.sh|0|deps: dpkg --add-architecture arm64 \\(for busybox-static:arm64\\)"
"deps: linux-source at another version: left alone|all_installed; echo linux-source-6.12 6.12.1-1 >>installed|deps.sh|0|deps: all host packages installed|stub apt-get"
"base: pinned version gone from apt|echo 6.12.999-1 >versions|lib/base-fetch.sh|1|ERROR: apt offers no linux-source-6.12=$BASE_VERSION"
"base: download fails (no network)|touch no-network|lib/base-fetch.sh|1|ERROR: download of linux-source-6.12=$BASE_VERSION failed \\(no network"
"base: .deb sha256 differs from apt's metadata|echo 0123 >bad-sha|lib/base-fetch.sh|1|ERROR: sha256 of the downloaded .* is [0-9a-f]+; apt's metadata says 0123"
"distro config: pinned version gone from apt|echo 6.12.999-1 >versions|lib/distro-config-fetch.sh|1|ERROR: apt offers no linux-config-6.12=$BASE_VERSION, the Debian config of the pinned base"
"distro config: download fails (no network)|touch no-network|lib/distro-config-fetch.sh|1|ERROR: download of linux-config-6.12=$BASE_VERSION failed \\(no network"
"distro config: none for arm64|export ARCH=arm64|lib/distro-config-fetch.sh|1|ERROR: config/arm64.env sets no DISTRO_CONFIG"
"deb: too little disk: says how much, builds nothing|touch disk-full|deb.sh|1|ERROR: not enough disk in .*/deb-x86_64: make deb DEB_CONFIG=debian needs 16 GiB, 1 GiB free|deb: 6\\.12"
"deb: unknown DEB_CONFIG|export DEB_CONFIG=fedora|deb.sh|1|ERROR: DEB_CONFIG=fedora: debian \\(Debian's config\\) or harness"
"deb: arm64 has no Debian config|export ARCH=arm64|deb.sh|1|ERROR: config/arm64.env sets no DISTRO_CONFIG"
"deb-check: no packages built yet|:|deb-check.sh|1|ERROR: no packages in .*/deb-x86_64/debs-debian: run make deb DEB_CONFIG=debian"
"distro-check: too little disk|touch disk-full|distro-check.sh|1|ERROR: not enough disk in .*/deb-x86_64: make distro-check needs 5 GiB, 1 GiB free"
"tree: too little disk|touch disk-full|lib/tree-create.sh|1|ERROR: not enough disk in .*/build: the tree, a kernel build and the selftests needs 8 GiB, 1 GiB free"
)

echo "TAP version 13"
echo "1..$((${#cases[@]} + ${#SCENARIOS[@]}))"

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

# scenario "NAME|SETUP|SCRIPT|EXIT|REGEX": run scripts/SCRIPT with the stubs
# first on PATH, a fresh $STUB_DIR and a scratch build directory.
scenario() {
	local name setup script want_rc regex unwanted tmp got rc=0
	IFS='|' read -r name setup script want_rc regex unwanted <<<"$1"
	tmp=$(mktemp -d)
	got=$(
		export STUB_DIR=$tmp HARNESS_BUILD=$tmp/build PATH=$dir/stubs:$PATH
		cd "$tmp"
		: >installed
		echo "$BASE_VERSION" >versions
		all_installed() {
			local p
			for p in $HOST_PACKAGES $ARCH_PACKAGES; do echo "$p 1.0"; done >installed
		}
		eval "$setup"
		"$ROOT/scripts/$script" 2>&1
	) || rc=$?
	rm -rf "$tmp"
	if [ "$rc" = "$want_rc" ] && grep -qE -- "$regex" <<<"$got" &&
		{ [ -z "$unwanted" ] || ! grep -qE -- "$unwanted" <<<"$got"; }; then
		result yes "harness/$name" ""
	else
		result no "harness/$name" "exit $rc (want $want_rc), output:
$got"
	fi
}

# taprun DIR [OPTION [LIST]]: guest/tap-run in the guest's shell (busybox
# sh) over LIST (default DIR/tests.list), DIR/t standing for the guest's
# /t; the seconds a test took read "N" (they vary).
taprun() {
	local tmp
	tmp=$(mktemp -d)
	TMPDIR=$tmp TAP_RUN_ROOT=$1/t busybox sh "$ROOT/guest/tap-run" ${2:+"$2"} "${3:-$1/tests.list}" |
		sed -E 's/^(# exit=[0-9]+ after )[0-9]+s$/\1Ns/'
	rm -rf "$tmp"
}

# expect_output DESCRIPTION EXPECTED COMMAND...: one result, ok if
# COMMAND's output (stdout and stderr) is the file EXPECTED; else the diff.
expect_output() {
	local desc=$1 want=$2 got rc=0
	shift 2
	got=$("$@" 2>&1 | diff - "$want" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then result yes "$desc" ""; else result no "$desc" "$got"; fi
}

for s in "${SCENARIOS[@]}"; do
	scenario "$s"
done

for f in "${cases[@]}"; do
	name=harness/$(basename "$f")
	rc=0
	case $f in
	*/clean-*)
		got=$("$ROOT/scripts/lib/scan-splats.sh" "$f" 2>&1) || rc=$?
		[ "$rc" -eq 0 ] && ok=yes || ok=no
		result "$ok" "$name: scanner passes it" "$got" ;;
	*/splat-*)
		got=$("$ROOT/scripts/lib/scan-splats.sh" "$f" 2>&1) || rc=$?
		[ "$rc" -eq 1 ] && ok=yes || ok=no
		result "$ok" "$name: scanner catches it" "$got" ;;
	*/regress-*/)
		name=harness/$(basename "$f")
		got=$("$ROOT/scripts/lib/regress-verdict.sh" "$f/base.results" "$f/patched.results" \
			"$f/retry.results" "$f/excluded.list" /dev/null 2>&1 | diff - "$f/expected.tap" 2>&1) || rc=$?
		[ "$rc" -eq 0 ] && ok=yes || ok=no
		result "$ok" "$name: regression verdict as expected.tap" "$got" ;;
	*/warnings-*/)
		name=harness/$(basename "$f")
		got=$(gates_new_warnings "$f/base.txt" "$f/tip.txt" | diff - "$f/expected.txt" 2>&1) || rc=$?
		one=$(head -n 1 "$f/expected.txt" | cut -f1)
		got+=$(gates_new_warnings "$f/base.txt" "$f/tip.txt" "$one" |
			diff - <(awk -F'\t' -v f="$one" '$1 == f' "$f/expected.txt") 2>&1) || rc=$?
		[ "$rc" -eq 0 ] && ok=yes || ok=no
		result "$ok" "$name: new warnings as expected.txt, by file too" "$got" ;;
	*/list-*)
		got=$(list_entries "$f" | diff - "${f%.list}.expected" 2>&1) || rc=$?
		got+=$(list_paths "$f" | diff - "${f%.list}.paths" 2>&1) || rc=$?
		# guest/tap-run applies the same rule to count the tests it runs.
		n_guest=$(grep -v '^[[:space:]]*#' "$f" | grep -c '[^[:space:]]') || true
		[ "$rc" -eq 0 ] && [ "$n_guest" -eq "$(wc -l <"${f%.list}.expected")" ] && ok=yes || ok=no
		result "$ok" "$name: entries and paths as expected, tap-run counts $n_guest" "$got" ;;
	*/taprun-*/)
		name=harness/$(basename "$f")
		got=$(taprun "$f" | diff - "$f/expected.tap" 2>&1) || rc=$?
		got+=$(taprun "$f" --may-skip | diff - "$f/expected-may-skip.tap" 2>&1) || rc=$?
		got+=$(taprun "$f" --stop-at-failure | diff - "$f/expected-stop-at-failure.tap" 2>&1) || rc=$?
		if [ -f "$f/expected-debug.tap" ]; then
			dlist=$(mktemp)
			"$ROOT/scripts/lib/debug-list.sh" "$f/tests.list" 2 >"$dlist"
			got+=$(taprun "$f" "" "$dlist" | diff - "$f/expected-debug.tap" 2>&1) || rc=$?
			rm -f "$dlist"
		fi
		[ "$rc" -eq 0 ] && ok=yes || ok=no
		result "$ok" "$name: tap-run's TAP as expected.tap, with --may-skip, --stop-at-failure and the debug kernel's list as expected-*.tap" "$got" ;;
	*/cover-*)
		expect_output "$name: description reads back" "${f%.patch}.expected" \
			"$ROOT/scripts/lib/cover-description.sh" "$f" ;;
	*/dep3-*/)
		expect_output "$name: DEP-3 fields as expected.patch" "$f/expected.patch" \
			"$ROOT/scripts/lib/dep3.sh" "$f/input.patch" "$f/origins" ;;
	*/skips-*/)
		expect_output "$name: skips-allowed.sh's verdict as expected.tap" "$f/expected.tap" \
			"$ROOT/scripts/lib/skips-allowed.sh" "$f/vm-tests.tap" "$(cat "$f/ere")" ;;
	*/times-*/)
		expect_output "$name: time table as expected" "$f/expected" \
			"$ROOT/scripts/lib/time-table.sh" "$f/times" "$(cat "$f/wall")" ;;
	*/summary-*)
		want=$(sed -n 's/^# expect: //p' "$f")
		want_rc=$(sed -n 's/^# expect-exit: //p' "$f")
		# In its directory: the output names the file.
		got=$(cd "$dir" && "$ROOT/scripts/lib/tap-summary.sh" "${f##*/}") || rc=$?
		all=${f%.tap}.expected
		[ "$(tail -n 1 <<<"$got")" = "$want" ] && [ "$rc" = "$want_rc" ] &&
			{ [ ! -f "$all" ] || [ "$got" = "$(cat "$all")" ]; } && ok=yes || ok=no
		result "$ok" "$name: summary '$want', exit $want_rc" "$got (exit $rc)" ;;
	esac
done
