# Helpers for the quality gates (scripts/gate-*.sh), sourced after lib.sh.
# Each gate writes ONE TAP stream, OUTDIR/gate-NAME.tap, and shows it on
# stdout as it goes. A gate that dies half-way still ends its stream with a
# failed result naming the log, so tap-summary counts it.
# shellcheck shell=bash

# Debian's python3 (checkpatch's spdxcheck needs python3-ply/python3-git,
# sphinx is python3-sphinx): a pyenv or venv python3 earlier on PATH has
# neither.
DEBIAN_PATH=/usr/bin:/bin:$PATH

# Where the gates keep their source trees and build dirs. Source and build
# dirs are siblings named like build/linux and build/kernel-$ARCH, so that
# with CCACHE_BASEDIR the compiler sees the same relative paths ("../linux")
# and ccache hits across them.
GATES=$BUILD/gates-$ARCH
GATES_TREE=$GATES/linux        # worktree of build/linux: base + patches/

# tap_begin OUTDIR NAME: start the gate's stream OUTDIR/gate-NAME.tap
# (scripts/lib/tap.sh).
tap_begin() { tap_open "$1/gate-$2.tap" "gate-$2"; }

# gate_start NAME OUTDIR: the common start of a building gate: the one
# argument, the build lock, the stream OUTDIR/gate-NAME.tap, and $gstart.
gate_start() {
	[ $# -eq 2 ] || die "usage: gate-$1.sh OUTDIR"
	take_build_lock
	# The gate's time is one line of make check's time table (gates.sh):
	# the builds it runs (selftests.sh) are not lines of their own.
	unset STEP_TIMES
	tap_begin "$2" "$1"
	gstart=$SECONDS
}

# elapsed_since START: "Ns" since $SECONDS was START.
elapsed_since() { echo "$((SECONDS - $1))s"; }

# gates_chain: commits base + each patch of patches/series, made with a
# scratch index (no worktree is touched), printed as "COMMIT PATCHFILE" per
# patch. Cached in $GATES/series.chain, keyed by base and the patch files.
# Exit 1, naming the patch and showing git apply's complaint, if one does
# not apply.
gates_chain() {
	local chain=$GATES/series.chain key parent idx p info tree commit
	mkdir -p "$GATES"
	key=$( { git -C "$TREE" rev-parse 'base^{commit}'; series_patches | xargs -r cat; } | sha256sum | cut -d' ' -f1)
	if [ "$(head -n 1 "$chain" 2>/dev/null)" = "key $key" ] &&
		tail -n +2 "$chain" | awk '{ print $1 }' | git -C "$TREE" cat-file --batch-check 2>/dev/null |
		awk '$2 != "commit" { bad = 1 } END { exit bad }'; then
		tail -n +2 "$chain"
		return 0
	fi
	parent=$(git -C "$TREE" rev-parse 'base^{commit}')
	idx=$(mktemp "$GATES/.index.XXXXXX")
	local msg=$idx.msg
	GIT_INDEX_FILE=$idx git -C "$TREE" read-tree "$parent"
	echo "key $key" >"$chain.tmp"
	while read -r p; do
		if ! GIT_INDEX_FILE=$idx git -C "$TREE" apply --cached "$p" >"$idx.err" 2>&1; then
			warn "patch $(basename "$p") does not apply on the previous ones:"
			cat "$idx.err" >&2
			rm -f "$idx" "$idx".*
			return 1
		fi
		tree=$(GIT_INDEX_FILE=$idx git -C "$TREE" write-tree)
		info=$(git -C "$TREE" mailinfo "$msg" /dev/null <"$p")
		{ sed -n 's/^Subject: //p' <<<"$info"; echo; cat "$msg"; } >"$msg.full"
		commit=$(GIT_AUTHOR_NAME=$(sed -n 's/^Author: //p' <<<"$info") \
			GIT_AUTHOR_EMAIL=$(sed -n 's/^Email: //p' <<<"$info") \
			GIT_AUTHOR_DATE=$(sed -n 's/^Date: //p' <<<"$info") \
			GIT_COMMITTER_NAME=$HARNESS_GIT_NAME GIT_COMMITTER_EMAIL=$HARNESS_GIT_EMAIL \
			GIT_COMMITTER_DATE=$(sed -n 's/^Date: //p' <<<"$info") \
			git -C "$TREE" commit-tree "$tree" -p "$parent" -F "$msg.full")
		echo "$commit $p" >>"$chain.tmp"
		parent=$commit
	done < <(series_patches)
	rm -f "$idx" "$idx".*
	mv "$chain.tmp" "$chain"
	tail -n +2 "$chain"
}

# gates_worktree DIR COMMIT: a detached worktree of build/linux at COMMIT
# (created, or moved there: git rewrites only the files that differ, so
# builds from it stay incremental). A worktree left behind by a re-created
# build/linux is replaced.
gates_worktree() {
	local wt=$1 want
	want=$(git -C "$TREE" rev-parse "$2^{commit}")
	if [ -e "$wt" ] && ! git -C "$wt" rev-parse HEAD >/dev/null 2>&1; then
		log "gates: replacing stale worktree ${wt#"$ROOT"/}"
		rm -rf "$wt"
		git -C "$TREE" worktree prune
	fi
	if [ ! -e "$wt" ]; then
		mkdir -p "$(dirname "$wt")"
		git -C "$TREE" worktree add -q --detach "$wt" "$want"
	elif [ "$(git -C "$wt" rev-parse HEAD)" != "$want" ] || [ -n "$(git -C "$wt" status --porcelain)" ]; then
		git -C "$wt" checkout -q -f --detach "$want"
		git -C "$wt" clean -q -fd
	fi
}

# gates_tip: commit of the last patch (base if the series is empty).
gates_tip() {
	local c
	c=$(gates_chain | tail -n 1 | awk '{ print $1 }')
	echo "${c:-$(git -C "$TREE" rev-parse 'base^{commit}')}"
}

# gates_series WHAT: set chain (gates_chain's lines), base and tip
# (commits) and logs (build logs dir) for a gate; if a patch does not
# apply, end the stream with one failed result, "...; WHAT", and exit.
gates_series() {
	if ! chain=$(gates_chain); then
		tap_fail "patches/series: a patch does not apply (see above); $1"
		tap_end
		exit 0
	fi
	base=$(git -C "$TREE" rev-parse 'base^{commit}')
	tip=$(gates_tip)
	logs=$GATES/logs
	mkdir -p "$logs"
}

# The pristine base worktree (shared with scripts/regress-base.sh).
BASE_WT=$BUILD/base-$ARCH/linux

# gmake OUT ARGS...: kmake in the gates worktree with O=OUT (or another
# tree: GTREE=...).
gmake() {
	local out=$1
	shift
	(TREE=${GTREE:-$GATES_TREE} KOUT=$out kmake "$@")
}

# gconfig OUT [FRAGMENT...]: .config in OUT from the harness fragment plus
# FRAGMENTs (repo-relative), checked (scripts/lib/kernel-config.sh). With
# GBASE=FRAGMENT, that fragment instead of the harness's.
gconfig() {
	local out=$1
	shift
	HARNESS_TREE=${GTREE:-$GATES_TREE} HARNESS_KOUT=$out HARNESS_EXTRA_FRAGMENTS="$*" \
		HARNESS_FRAGMENT=${GBASE:-} "$ROOT/scripts/lib/kernel-config.sh"
}

# gates_warnings TREE: compiler/sparse/kernel-doc diagnostics on stdin to
# "FILE<TAB>LINE<TAB>KIND: MESSAGE" lines, FILE relative to TREE (also for
# objects like arch/x86/kvm/../../../virt/kvm/x.c), LINE empty if none.
gates_warnings() {
	local tree=$1
	sed -e 's/\x1b\[[0-9;]*[mK]//g' |
		{ grep -E '^[^ :]+:[0-9]+(:[0-9]+)?: (warning|error): ' || true; } |
		sed -E -e "s#^$tree/##" -e 's#^\.\./linux/##' \
			-e ':a' -e 's#^(([^:/]+/)*)[^:/.][^:/]*/\.\./#\1#' -e 'ta' |
		sed -E 's#^([^:]+):([0-9]+)(:[0-9]+)?: (warning|error): (.*)$#\1\t\2\t\4: \5#'
}

# gates_blame TREE COMMIT FILE LINE: the patch that last changed FILE:LINE
# in COMMIT (series commits from gates_chain), or "base" (the line is from
# the base: the warning comes from a change elsewhere, e.g. in a header).
# gates_new_warnings BASE TIP [FILE]: the warnings in TIP beyond those in
# BASE (both "file<TAB>line<TAB>kind: message" lines, from gates_warnings),
# of FILE only if given. Compared by file and message, counted, never by
# line number (lines move): a second copy of a known warning is new too.
# Tested on recorded lists in tests/harness/warnings-*/.
gates_new_warnings() {
	awk -F'\t' -v base="$1" -v f="${3:-}" '
		BEGIN { while ((getline l < base) > 0) { split(l, b, "\t"); have[b[1] "\t" b[3]]++ } }
		f != "" && $1 != f { next }
		{ k = $1 "\t" $3; if (have[k] > 0) { have[k]--; next } print }' "$2"
}

# gates_tip_vs_base NAME BUILD_FN WHAT: the common end of a gate that
# builds the tip and, only if the tip warns, the base the same way.
# BUILD_FN TREE OUT LOGNAME builds in OUT and leaves its normalized
# warnings (gates_warnings) in OUT/.gate-NAME; WHAT says what was built,
# as in "tip: WHAT builds". Results: the tip builds; no warning the base
# does not have (each new one with the patch that last changed its line).
gates_tip_vs_base() {
	local name=$1 build=$2 what=$3 s=$SECONDS tout bout errs bad
	gates_worktree "$GATES_TREE" "$tip"
	tout=$GATES/kernel-$ARCH-$name
	if "$build" "$GATES_TREE" "$tout" "$name-tip"; then
		tap_ok "tip: $what builds [$(elapsed_since "$s")]"
	else
		mapfile -t errs < <(grep -E '	error: ' "$tout/.gate-$name" | head -n 5)
		tap_diag "${errs[@]}" "log: ${logs#"$ROOT"/}/$name-tip.log"
		tap_fail "tip: $what does not build: ${errs[0]:-see log} [$(elapsed_since "$s")]"
	fi

	bout=$BUILD/base-$ARCH/kernel-$ARCH-$name
	: >"$GATES/.gate-$name-base"
	if [ -s "$tout/.gate-$name" ]; then
		gates_worktree "$BASE_WT" "$base"
		"$build" "$BASE_WT" "$bout" "$name-base" || true
		cp "$bout/.gate-$name" "$GATES/.gate-$name-base"
	fi
	mapfile -t bad < <(gates_new_warnings "$GATES/.gate-$name-base" "$tout/.gate-$name" |
		while IFS=$'\t' read -r file ln msg; do
			echo "$file:$ln: $msg [$(gates_blame "$GATES_TREE" "$tip" "$file" "$ln")]"
		done)
	if [ ${#bad[@]} -eq 0 ]; then
		tap_ok "tip: no warning in $what that the base does not have ($(wc -l <"$tout/.gate-$name") at the tip)"
	else
		tap_diag "${bad[@]}"
		tap_fail "tip: ${#bad[@]} new warning(s) in $what: ${bad[0]}${bad[1]:+ (+$((${#bad[@]} - 1)) more)}"
	fi
}

gates_blame() {
	local c
	c=$(git -C "$1" blame --porcelain -L "$4,$4" "$2" -- "$3" 2>/dev/null | awk 'NR == 1 { print $1 }')
	[ -n "$c" ] || { echo "?"; return 0; }
	gates_chain | awk -v c="$c" '$1 == c { n = split($2, p, "/"); print p[n]; found = 1 } END { if (!found) print "base" }'
}

# gates_seed SRC DST: make build dir DST as a copy of SRC (same source tree
# and relative layout), so that building DST with another config rebuilds
# only the objects whose CONFIG_ symbols changed (kbuild tracks them per
# object) instead of everything. objtool (under tools/) is built with
# absolute output paths: they are re-pointed to DST, or objtool would be
# rebuilt and, being newer than every object, force a full rebuild.
gates_seed() {
	local src=$1 dst=$2
	[ ! -e "$dst" ] && [ -f "$src/.config" ] || return 0
	log "gates: seeding ${dst#"$ROOT"/} from ${src#"$ROOT"/}"
	rm -rf "$dst.tmp"
	cp -a "$src" "$dst.tmp"
	grep -rlIF "$src/" "$dst.tmp/tools" 2>/dev/null | xargs -r sed -i "s#$src/#$dst/#g"
	mv "$dst.tmp" "$dst"
}
