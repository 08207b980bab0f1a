#!/bin/bash
# Gate 3: gate-w1-sparse.sh OUTDIR. W=1 (extra gcc warnings and kernel-doc)
# and sparse (C=2) on the objects of every .c file the series touches, and
# on every other built object that includes a header the series touches.
# Compiled at the tip (build/gates-$ARCH/kernel-$ARCH-w1) and, only for the
# objects that warn there, at the base (build/base-$ARCH/kernel-$ARCH-w1);
# warnings are compared by file and message (no line numbers), counted, so
# a second copy of a known warning is new too. Any warning at the tip that
# the base does not have fails, naming the file, the warning, and the patch
# that last changed that line (git blame).
# KVM is built without -Werror here (config/kernel-$ARCH-nowerror.config):
# a W=1 warning must not stop the object before sparse has looked at it.
# One TAP result per touched .c file, one for all header includers.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"

command -v sparse >/dev/null || die "sparse not found: run make deps"
gate_start w1-sparse "$@"

gates_series "nothing checked"
gates_worktree "$GATES_TREE" "$tip"
nowerror=config/kernel-$ARCH-nowerror.config
tout=$GATES/kernel-$ARCH-w1
bout=$BUILD/base-$ARCH/kernel-$ARCH-w1

mapfile -t changed < <(git -C "$TREE" diff --name-only "$base" "$tip" | grep -vE '^(Documentation|tools)/' || true)
cfiles=() hdrs=()
for f in "${changed[@]}"; do
	case $f in
	*.c) cfiles+=("$f") ;;
	*.h) hdrs+=("$f") ;;
	esac
done

# A fully built tree of the same config tells which objects exist and what
# they include (kbuild's .cmd files): the bisect build, else make kernel's.
ref=
for d in "$GATES/kernel-$ARCH" "$KOUT"; do
	[ -f "$d/vmlinux" ] && { ref=$d; break; }
done
[ -n "$ref" ] || die "no built kernel to take the object list from: run gate-bisect.sh or make kernel first"
# kbuild names sources relative to the build dir (../linux/...) or
# absolute: strip either prefix.
refsrc=$(readlink -f "$ref/source")
relsrc=$(realpath --relative-to="$ref" "$refsrc")
strip_src='function rel(s) { if (index(s, a) == 1) return substr(s, length(a) + 1)
	if (index(s, r) == 1) return substr(s, length(r) + 1); return s }'

# Object target (as kbuild names it) of every .c file: from .cmd files.
declare -A target_of=()
while IFS=$'\t' read -r tgt src; do
	target_of[$src]=$tgt
done < <(find "$ref" -name '.*.o.cmd' -print0 | xargs -0 awk -v a="$refsrc/" -v r="$relsrc/" "$strip_src"'
	FNR == 1 { t = $1; sub(/^savedcmd_/, "", t) }
	FNR > 1 && /^source_/ { s = rel($NF); if (s ~ /\.c$/) print t "\t" s; nextfile }')

touched=() includers=()
for f in "${cfiles[@]}"; do
	if [ -n "${target_of[$f]:-}" ]; then
		touched+=("$f")
	else
		tap_skip "$f: W=1 + sparse" "not built in this config (no object in ${ref#"$ROOT"/})"
	fi
done
if [ ${#hdrs[@]} -gt 0 ]; then
	pat=$(for h in "${hdrs[@]}"; do printf '%s/%s\n%s/%s\n' "$refsrc" "$h" "$relsrc" "$h"; done)
	mapfile -t incl < <(find "$ref" -name '.*.o.cmd' -print0 | xargs -0 grep -lF "$pat" |
		xargs -r awk -v a="$refsrc/" -v r="$relsrc/" "$strip_src"' /^source_/ { print rel($NF); nextfile }' |
		sort -u)
	for f in "${incl[@]}"; do
		[[ " ${touched[*]} " == *" $f "* ]] || [ -z "${target_of[$f]:-}" ] || includers+=("$f")
	done
fi
all=("${touched[@]}" "${includers[@]}")
if [ ${#all[@]} -eq 0 ]; then
	tap_skip "W=1 + sparse" "the series touches no built .c file and no header a built object includes"
	tap_end
	exit 0
fi
log "gate-w1-sparse: ${#touched[@]} touched .c files, ${#includers[@]} more including ${hdrs[*]}"

# check TREE OUT LOGNAME FILE...: W=1 C=2 build of the files' objects;
# writes OUT/.gate-w1/<file> with the normalized warnings of each file's
# object (output-sync groups each object's messages after its CC line).
check() {
	local tree=$1 out=$2 logname=$3 f s=$SECONDS
	shift 3
	local targets=()
	rm -rf "$out/.gate-w1"
	mkdir -p "$out/.gate-w1"
	for f in "$@"; do
		targets+=("${target_of[$f]}")
		rm -f "$out/${target_of[$f]}" # recompile (ccache replays gcc's warnings)
	done
	heartbeat_start "gate-w1-sparse: $logname" "$logs/$logname.log"
	{ GTREE=$tree gconfig "$out" "$nowerror" &&
		GTREE=$tree gmake "$out" -k -O W=1 C=2 "${targets[@]}"; } >"$logs/$logname.log" 2>&1 || true
	heartbeat_stop
	# Each object's messages follow its "CC" line (make -O keeps them
	# together): split the log into one raw file per source file.
	local map=$out/.gate-w1/.targets
	for f in "$@"; do
		printf '%s\t%s\n' "${target_of[$f]}" "${f//\//%}"
	done >"$map"
	awk -v dir="$out/.gate-w1" -v map="$map" '
		BEGIN { FS = "\t"; while ((getline l < map) > 0) { split(l, m, "\t"); key[m[1]] = m[2] } FS = " " }
		/^  CC / { t = $NF; cur = (t in key) ? key[t] : ""; next }
		cur != "" { print > (dir "/" cur ".raw") }' "$logs/$logname.log"
	for f in "$@"; do
		gates_warnings "$tree" <"$out/.gate-w1/${f//\//%}.raw" >"$out/.gate-w1/${f//\//%}" 2>/dev/null ||
			: >"$out/.gate-w1/${f//\//%}"
	done
	# An object that did not build at all is a failure of its own.
	for f in "$@"; do
		[ -f "$out/${target_of[$f]}" ] || echo "$f	0	error: object not built, see $logs/$logname.log" >>"$out/.gate-w1/${f//\//%}"
	done
	log "gate-w1-sparse: $logname: $# objects in $(elapsed_since "$s")"
}

gates_seed "$GATES/kernel-$ARCH" "$tout"
check "$GATES_TREE" "$tout" w1-sparse-tip "${all[@]}"

# Base, only for the objects with a warning at the tip (and that exist).
warned=()
for f in "${all[@]}"; do
	[ -s "$tout/.gate-w1/${f//\//%}" ] || continue
	git -C "$TREE" cat-file -e "$base:$f" 2>/dev/null && warned+=("$f")
done
if [ ${#warned[@]} -gt 0 ]; then
	gates_worktree "$BASE_WT" "$base"
	gates_seed "$BUILD/base-$ARCH/kernel-$ARCH" "$bout" # if make regress-base built it
	check "$BASE_WT" "$bout" w1-sparse-base "${warned[@]}"
fi

# new_warnings FILE: tip warnings of FILE's object beyond the base's count,
# as "FILE:LINE: KIND: MESSAGE [patch]".
new_warnings() {
	local key=${1//\//%} w
	gates_new_warnings "$bout/.gate-w1/$key" "$tout/.gate-w1/$key" |
		while IFS=$'\t' read -r file ln msg; do
			w=$(gates_blame "$GATES_TREE" "$tip" "$file" "$ln")
			echo "$file:$ln: $msg [$w]"
		done
}

report() { # report DESC FILE...
	local desc=$1 f tipw=0
	shift
	local bad=()
	for f in "$@"; do
		[ -f "$tout/.gate-w1/${f//\//%}" ] || continue
		tipw=$((tipw + $(wc -l <"$tout/.gate-w1/${f//\//%}")))
		mapfile -t -O "${#bad[@]}" bad < <(new_warnings "$f")
	done
	if [ ${#bad[@]} -eq 0 ]; then
		tap_ok "$desc: W=1 + sparse: no new warning ($tipw at the tip, all also at the base)"
	else
		tap_diag "${bad[@]}"
		tap_fail "$desc: ${#bad[@]} new W=1/sparse warning(s): ${bad[0]}${bad[1]:+ (+$((${#bad[@]} - 1)) more)}"
	fi
}
for f in "${touched[@]}"; do
	report "$f" "$f"
done
if [ ${#includers[@]} -gt 0 ]; then
	report "${#includers[@]} more objects including ${hdrs[*]}" "${includers[@]}"
fi
tap_end
log "gate-w1-sparse: done in $(elapsed_since "$gstart")"
