# Writing TAP streams: sourced by scripts/lib/lib.sh, so every script has it.
# A stream is a file (and a copy on stdout as it goes); tap-summary.sh sums
# the files. Whatever goes wrong, a stream ends with a plan, so a step that
# died counts as failed instead of vanishing.
# shellcheck shell=bash

TAP_N=0
TAP_FILE=
TAP_LABEL=
TAP_DONE=

# tap_open FILE LABEL: start a stream; if the script exits before tap_end,
# a last failed result "LABEL: aborted ..." and the plan close it.
tap_open() {
	mkdir -p "$(dirname "$1")"
	TAP_FILE=$1 TAP_LABEL=$2 TAP_N=0 TAP_DONE=
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
	[ -z "$TAP_DONE" ] && [ -n "$TAP_FILE" ] || return 0
	tap_fail "$TAP_LABEL: aborted (exit status $rc) before it finished; see the messages above"
	tap_end
}

# tap_single FILE ok|fail|skip TEXT: a stream of one result.
tap_single() {
	local line
	case $2 in
	ok) line="ok 1 $3" ;;
	fail) line="not ok 1 $3" ;;
	skip) line="ok 1 ${3%%:*} # SKIP ${3#*: }" ;;
	*) die "tap_single: $2: not ok, fail or skip" ;;
	esac
	mkdir -p "$(dirname "$1")"
	printf 'TAP version 13\n%s\n1..1\n' "$line" >"$1"
}

# tap_ensure FILE TEXT: FILE is a finished stream (it has a plan), or it
# becomes one failed result "TEXT" (a step that did not finish or run).
tap_ensure() {
	grep -q '^1\.\.[0-9]' "$1" 2>/dev/null || tap_single "$1" fail "$2"
}
