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
GATES_BASE_TREE=$GATES/linux-base
# The pristine base (tag base) for "does base warn too?" comparisons.

TAP_N=0
TAP_FILE=
TAP_DONE=

# tap_begin OUTDIR NAME: start OUTDIR/gate-NAME.tap.
tap_begin() {
	mkdir -p "$1"
	TAP_FILE=$1/gate-$2.tap
	TAP_NAME=$2
	echo "TAP version 13" >"$TAP_FILE"
	echo "TAP version 13"
	trap tap_on_exit EXIT
}

tap_line() {
	printf '%s\n' "$*" >>"$TAP_FILE"
	printf '%s\n' "$*"
}

# tap_diag TEXT...: "# " lines (a result's details; not counted).
tap_diag() {
	printf '%s\n' "$@" | sed 's/^/# /' | tee -a "$TAP_FILE"
}

tap_ok()   { TAP_N=$((TAP_N + 1)); tap_line "ok $TAP_N $*"; }
tap_fail() { TAP_N=$((TAP_N + 1)); tap_line "not ok $TAP_N $*"; }
# tap_skip DESC REASON
tap_skip() { TAP_N=$((TAP_N + 1)); tap_line "ok $TAP_N $1 # SKIP $2"; }

# tap_end: the plan (at the end: the number of results is known only now).
tap_end() {
	tap_line "1..$TAP_N"
	TAP_DONE=1
}

tap_on_exit() {
	local rc=$?
	[ -n "$TAP_DONE" ] && return 0
	[ -n "$TAP_FILE" ] || return 0
	tap_fail "gate-$TAP_NAME: aborted (exit status $rc) before it finished; see the messages above"
	tap_end
}

# elapsed_since START: "Ns" since $SECONDS was START.
elapsed_since() { echo "$((SECONDS - $1))s"; }
