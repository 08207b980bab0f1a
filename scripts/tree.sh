#!/bin/bash
# Make build/linux = base + patches/series, without losing work.
#   tree.sh           create, or bring up to date with patches/; refuse (exit 1)
#                     if the tree holds uncommitted or unexported work.
#   tree.sh --build   same, but keep such work and build it (warn only).
# FORCE=1 discards local work in build/linux and re-applies patches/.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

mode=${1:-strict}
FORCE=${FORCE:-0}

if [ ! -d "$TREE/.git" ]; then
	"$ROOT/scripts/lib/tree-create.sh"
	exec "$ROOT/scripts/lib/tree-apply.sh"
fi

local_work() {
	if [ "$FORCE" = 1 ]; then
		warn "FORCE=1: discarding $1 in build/linux"
		exec "$ROOT/scripts/lib/tree-apply.sh"
	fi
	if [ "$mode" = --build ]; then
		warn "build/linux has $1; building it as it is (make export to save it)"
		exit 0
	fi
	die "build/linux has $1. Keep it: commit, then 'make export' (writes patches/). Discard it: FORCE=1 make tree"
}

if tree_is_dirty; then
	local_work "uncommitted changes"
fi
have=$(tree_patch_ids)
want=$(series_patch_ids)
if [ "$have" = "$want" ]; then
	echo "$have" >"$SYNC_STAMP"
	log "tree: build/linux is up to date with patches/"
	exit 0
fi
if tree_has_unexported_commits; then
	local_work "commits that differ from patches/ (unexported work)"
fi
log "tree: patches/ changed; re-applying on base"
exec "$ROOT/scripts/lib/tree-apply.sh"
