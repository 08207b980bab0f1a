#!/bin/bash
# Gate 1: gate-checkpatch.sh OUTDIR. checkpatch.pl --strict on every patch
# of patches/series: one TAP result per patch, which fails on any ERROR,
# WARNING or CHECK that no entry of config/checkpatch-exceptions matches,
# plus one result for the exceptions file itself (well formed, no unused
# entry). Writes OUTDIR/gate-checkpatch.tap.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"

[ $# -eq 1 ] || die "usage: gate-checkpatch.sh OUTDIR"
exceptions=$ROOT/config/checkpatch-exceptions
checkpatch=$TREE/scripts/checkpatch.pl
[ -x "$checkpatch" ] || die "$checkpatch missing: run make tree"
PATH=$DEBIAN_PATH python3 -c 'import ply, git' 2>/dev/null ||
	die "checkpatch's spdxcheck needs Debian's python3-ply and python3-git: run make deps"

tap_begin "$1" checkpatch
start=$SECONDS

# Exceptions: arrays of the five fields; bad lines are reported at the end.
ex_patch=() ex_file=() ex_type=() ex_re=() ex_reason=() ex_used=() ex_bad=()
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
lineno=0
while IFS= read -r line; do
	lineno=$((lineno + 1))
	case $line in '#'* | '') continue ;; esac
	IFS='|' read -r f1 f2 f3 f4 f5 extra <<<"$line"
	f5=$(trim "${f5:-}")
	if [ -n "${extra:-}" ] || [ -z "$f5" ] || [ -z "$(trim "${f4:-}")" ]; then
		ex_bad+=("line $lineno: want 'patch glob | file glob | TYPE | message regex | reason': $line")
		continue
	fi
	ex_patch+=("$(trim "$f1")") ex_file+=("$(trim "$f2")") ex_type+=("$(trim "$f3")")
	ex_re+=("^$(trim "$f4")\$") ex_reason+=("$f5") ex_used+=(0)
done <"$exceptions"

# excepted PATCHNAME FILE TYPE MESSAGE: index of the first matching entry.
excepted() {
	local i
	for i in "${!ex_re[@]}"; do
		# shellcheck disable=SC2053 # globs on purpose
		[[ $1 == ${ex_patch[i]} && ${2:--} == ${ex_file[i]} && $3 == "${ex_type[i]}" && $4 =~ ${ex_re[i]} ]] &&
			{ echo "$i"; return 0; }
	done
	return 1
}

mapfile -t patches < <(series_patches)
[ ${#patches[@]} -gt 0 ] || die "patches/series names no patch"
for p in "${patches[@]}"; do
	name=$(basename "$p")
	if [ ! -f "$p" ]; then
		tap_fail "$name: named by patches/series but missing"
		continue
	fi
	# --terse --showfile --show-types: "FILE:LINE: LEVEL:TYPE: message"
	# (FILE empty for the commit message). Run from the tree: spdxcheck
	# and the commit-id check use its git repository.
	out=$(cd "$TREE" && PATH=$DEBIAN_PATH perl "$checkpatch" --strict --no-color --terse \
		--showfile --show-types --no-summary "$p" 2>&1) || true
	bad=() excused=()
	while IFS= read -r r; do
		[ -n "$r" ] || continue
		if [[ $r =~ ^([^:]*):([0-9]+):\ (ERROR|WARNING|CHECK):([A-Z0-9_]+):\ (.*)$ ]]; then
			file=${BASH_REMATCH[1]} ln=${BASH_REMATCH[2]} type=${BASH_REMATCH[4]} msg=${BASH_REMATCH[5]}
			if i=$(excepted "$name" "$file" "$type" "$msg"); then
				ex_used[i]=$((ex_used[i] + 1))
				excused+=("$r")
				continue
			fi
			bad+=("${file:-commit message}:$ln: ${BASH_REMATCH[3]}:$type: $msg")
		else
			bad+=("checkpatch said: $r")   # anything else (perl/python errors) fails too
		fi
	done <<<"$out"
	note=${excused[*]:+ (${#excused[@]} excepted)}
	if [ ${#bad[@]} -eq 0 ]; then
		tap_ok "$name: checkpatch --strict clean$note"
	else
		tap_diag "${bad[@]}"
		summary=$(printf '%s; ' "${bad[@]}")
		tap_fail "$name: ${#bad[@]} checkpatch report(s): ${summary%; }"
	fi
done

unused=()
for i in "${!ex_re[@]}"; do
	[ "${ex_used[i]}" -gt 0 ] ||
		unused+=("unused entry: ${ex_patch[i]} | ${ex_file[i]} | ${ex_type[i]} | ${ex_re[i]}")
done
if [ ${#ex_bad[@]} -eq 0 ] && [ ${#unused[@]} -eq 0 ]; then
	tap_ok "config/checkpatch-exceptions: ${#ex_re[@]} entries, each with a reason, each used"
else
	tap_diag "${ex_bad[@]}" "${unused[@]}"
	tap_fail "config/checkpatch-exceptions: $(( ${#ex_bad[@]} + ${#unused[@]} )) bad or unused entr(y/ies)"
fi
tap_end
log "gate-checkpatch: ${#patches[@]} patches in $(elapsed_since "$start")"
