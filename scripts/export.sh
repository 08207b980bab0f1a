#!/bin/bash
# Regenerate patches/ from the commits base..HEAD of build/linux: numbered
# patches, a cover letter from the branch description, and a quilt series.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "$TREE does not exist: run make tree"
if tree_is_dirty; then
	die "build/linux has uncommitted changes: commit them first"
fi

mkdir -p "$BUILD"
tmp=$(mktemp -d "$BUILD/.export.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=$(git -C "$TREE" rev-list --count base..HEAD)
if [ "$n" -gt 0 ]; then
	git -C "$TREE" config branch.main.description >/dev/null ||
		warn "no branch description: the cover letter will say *** SUBJECT HERE ***" \
			"(git -C build/linux branch --edit-description)"
	git -C "$TREE" format-patch -q --base=base --cover-letter \
		--cover-from-description=subject --numbered --zero-commit \
		--no-signature -o "$tmp" base..HEAD
	# format-patch dates the cover letter "now"; use the tip's author date so
	# an unchanged series exports byte-identical.
	date=$(git -C "$TREE" log -1 --format=%aD HEAD)
	sed -i "0,/^Date: .*/s//Date: $date/" "$tmp/0000-cover-letter.patch"
fi
(cd "$tmp" && find . -name '*.patch' ! -name '0000-cover-letter.patch' | sed 's|^\./||' | sort) >"$tmp/series"

mkdir -p "$PATCHES"
rm -f "$PATCHES"/*.patch
mv "$tmp"/*.patch "$PATCHES"/ 2>/dev/null || true
mv "$tmp/series" "$PATCHES/series"
tree_patch_ids >"$SYNC_STAMP"
log "export: wrote $n patch(es) and series to patches/"
