#!/bin/bash
# gates.sh OUTDIR [GATE...]: run scripts/gates/gate-GATE.sh OUTDIR for each
# GATE (checkpatch bisect w1-sparse clang htmldocs debug; default: the
# CHECK_GATES of config/$ARCH.env), one after the other;
# each writes OUTDIR/gate-GATE.tap. A gate that failed to write its stream
# gets one written here with a failed result, so nothing is lost from the
# summary. Each gate's time is a line of STEP_TIMES (lib.sh's timed).
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

[ $# -ge 1 ] || die "usage: gates.sh OUTDIR [GATE...]"
out=$1
shift
# shellcheck disable=SC2086 # CHECK_GATES is a list of words
[ $# -gt 0 ] || set -- $CHECK_GATES
mkdir -p "$out"
for g in "$@"; do
	[ -x "$ROOT/scripts/gates/gate-$g.sh" ] || die "no gate $g (scripts/gates/gate-$g.sh)"
	log "gate $g"
	rm -f "$out/gate-$g.tap"
	rc=0
	timed "$ARCH: gate $g" "$ROOT/scripts/gates/gate-$g.sh" "$out" || rc=$?
	if ! grep -q '^1\.\.[0-9]' "$out/gate-$g.tap" 2>/dev/null; then
		tap_single "$out/gate-$g.tap" fail "gate-$g: did not run (exit status $rc), see the messages above"
	fi
done
