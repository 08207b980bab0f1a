#!/bin/bash
# Remove everything under build/, the edit tree included. Refuses while
# build/linux holds work that is not in patches/, unless FORCE=1.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

if [ -d "$TREE/.git" ] && [ "${FORCE:-0}" != 1 ]; then
	if tree_is_dirty || tree_has_unexported_commits; then
		die "build/linux has work that is not in patches/: commit it and 'make export' first, or FORCE=1 make distclean"
	fi
fi
rm -rf "$BUILD"
log "distclean: removed build/"
