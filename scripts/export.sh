#!/bin/bash
# Regenerate patches/ from the commits base..HEAD of build/linux: numbered
# patches, a cover letter from the branch description, and a quilt series.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

[ -d "$TREE/.git" ] || die "$TREE does not exist: run make tree"
if tree_is_dirty; then
	die "build/linux has uncommitted changes: commit them first"
fi

# The new patches/ is written beside the old one and swapped in by two
# renames at the end: a failure before leaves patches/ as it was.
tmp=$(mktemp -d "$ROOT/.patches-new.XXXXXX")
old=$ROOT/.patches-old
trap 'rm -rf "$tmp"' EXIT
rm -rf "$old"

n=$(git -C "$TREE" rev-list --count base..HEAD)
if [ "$n" -gt 0 ]; then
	git -C "$TREE" config branch.main.description >/dev/null ||
		warn "no branch description: the cover letter will say *** SUBJECT HERE ***" \
			"(git -C build/linux branch --edit-description)"
	# The cover letter is From the series' author (the tip's), whoever
	# runs the export: format-patch would take the committer identity.
	GIT_COMMITTER_NAME=$(git -C "$TREE" log -1 --format=%an HEAD) \
	GIT_COMMITTER_EMAIL=$(git -C "$TREE" log -1 --format=%ae HEAD) \
	git -C "$TREE" format-patch -q --base=base --cover-letter \
		--cover-from-description=subject --numbered --zero-commit \
		--no-signature -o "$tmp" base..HEAD
	# format-patch dates the cover letter "now"; use the tip's author date so
	# an unchanged series exports byte-identical.
	date=$(git -C "$TREE" log -1 --format=%aD HEAD)
	sed -i "0,/^Date: .*/s//Date: $date/" "$tmp/0000-cover-letter.patch"
fi
(cd "$tmp" && find . -name '*.patch' ! -name '0000-cover-letter.patch' | sed 's|^\./||' | sort) >"$tmp/series"

ids=$(tree_patch_ids)
chmod 755 "$tmp"
if [ -d "$PATCHES" ]; then
	mv "$PATCHES" "$old"
fi
mv "$tmp" "$PATCHES"
rm -rf "$old"
echo "$ids" >"$SYNC_STAMP"
log "export: wrote $n patch(es) and series to patches/"
