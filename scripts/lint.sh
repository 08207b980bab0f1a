#!/bin/bash
# make lint: the static quality gates of $ARCH (CHECK_GATES of
# config/$ARCH.env; x86_64: checkpatch, bisect, W=1 + sparse, clang,
# htmldocs) on patches/, results in build/lint-$ARCH/; ends with
# tap-summary's "N passed, N failed, N skipped".
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

if [ -d "$TREE/.git" ] && { tree_is_dirty || tree_has_unexported_commits; }; then
	warn "the gates check patches/; build/linux has work that is not in patches/ (make export first to check it)"
fi
out=$BUILD/lint-$ARCH
rm -rf "$out"
"$ROOT/scripts/gates/gates.sh" "$out"
exec "$ROOT/scripts/lib/tap-summary.sh" "$out"/gate-*.tap
