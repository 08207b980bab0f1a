#!/bin/bash
# time-table.sh TIMES_FILE WALL_SECONDS: where make check's time went,
# printed before its summary line. TIMES_FILE has a line
# "SECONDS<TAB>LABEL" per step (lib.sh's step_time), in the order the steps
# ended; each is shown with its minutes and share of the wall clock, then
# the wall clock itself. Steps labelled "(background)" ran beside the
# others, so the column adds up to more than the wall clock. A line that is
# not "SECONDS<TAB>LABEL" is shown as it is, marked "?".
set -euo pipefail
[ $# -eq 2 ] && [[ $2 =~ ^[0-9]+$ ]] || { echo "usage: $0 TIMES_FILE WALL_SECONDS" >&2; exit 2; }
[ -f "$1" ] || { echo "time-table.sh: no such file: $1" >&2; exit 2; }

awk -F '\t' -v wall="$2" '
	function mmss(s) { return sprintf("%3dm%02ds", int(s / 60), s % 60) }
	BEGIN { print "Where the time went (steps in the order they ended):" }
	NF == 2 && $1 ~ /^[0-9]+$/ {
		printf "  %s %3d%%  %s\n", mmss($1), wall ? int(100 * $1 / wall + 0.5) : 0, $2
		next
	}
	{ printf "        ?        %s\n", $0 }
	END { printf "  %s 100%%  wall clock\n", mmss(wall) }
' "$1"
