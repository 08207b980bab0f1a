#!/bin/bash
# Reset build/linux to `base` and apply patches/series with git am, one
# commit per patch. On a failing patch: name it, show the failing hunk, leave
# the tree at base and exit non-zero.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "$TREE does not exist: run make tree"
take_build_lock
cd "$TREE"
git checkout -q -B main base
git reset -q --hard base
git clean -q -fdx
: >"$SYNC_STAMP"

# Reproducible commit ids: fixed committer, committer date = author date.
export GIT_COMMITTER_NAME=$HARNESS_GIT_NAME GIT_COMMITTER_EMAIL=$HARNESS_GIT_EMAIL

n=0
while read -r patch; do
	[ -f "$patch" ] || die "patches/series names a missing file: $patch"
	if ! git am -q --committer-date-is-author-date "$patch" >/dev/null; then
		echo "---- git apply --check -v ${patch#"$ROOT"/} ----" >&2
		git apply --check -v "$patch" >&2 || true
		git am --abort || true
		git reset -q --hard base
		die "patch does not apply: ${patch#"$ROOT"/} (tree left at base)"
	fi
	n=$((n + 1))
done < <(series_patches)

cover=$PATCHES/0000-cover-letter.patch
if [ -f "$cover" ]; then
	git config branch.main.description "$("$ROOT/scripts/lib/cover-description.sh" "$cover")"
else
	git config --unset branch.main.description || true
fi
tree_patch_ids >"$SYNC_STAMP"
log "tree: applied $n patch(es) on base"
