#!/bin/bash
# tree-create.sh [VERSION]: create build/linux (or $HARNESS_TREE) from the
# tarball of linux-source VERSION (default: the pinned one), fetched by
# scripts/lib/base-fetch.sh: one reproducible commit tagged `base`. Works in a
# temp dir and renames at the end: nothing half-written.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=${1:-$BASE_VERSION}
[ ! -e "$TREE" ] || die "$TREE already exists"
# Before the download: the tarball is part of what it needs.
need_disk_gib "$BUILD" "$DISK_NEEDED_GIB" "the tree, a kernel build and the selftests"
tarball=$("$ROOT/scripts/lib/base-fetch.sh" "$version")

mkdir -p "$BUILD" "${TREE%/*}"
take_build_lock

tmp=$(mktemp -d "${TREE%/*}/.linux-tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log "tree: extracting ${tarball#"$ROOT"/}"
tar -xJvf "$tarball" -C "$tmp" >"$tmp/tar.list"
top=$(head -n 1 "$tmp/tar.list" | cut -d/ -f1)
src=$tmp/$top
# Files (not directories) in the tarball, to check the commit against.
tar_files=$(grep -vc '/$' "$tmp/tar.list")

# Debian's top-level .gitignore ends with a packaging stanza ("/*" then
# "!/debian/") that ignores every top-level path. Cut it off.
stanza=$(grep -n '^# Debian packaging' "$src/.gitignore" | cut -d: -f1 || true)
if [ -n "$stanza" ]; then
	head -n $((stanza - 2)) "$src/.gitignore" >"$tmp/gitignore"
	mv "$tmp/gitignore" "$src/.gitignore"
fi
if grep -qx '/\*' "$src/.gitignore"; then
	die "tree: $top/.gitignore still ignores '/*'; update scripts/lib/tree-create.sh"
fi

log "tree: committing base ($BASE_PKG $version)"
export GIT_AUTHOR_NAME=$BASE_GIT_NAME GIT_AUTHOR_EMAIL=$BASE_GIT_EMAIL
export GIT_COMMITTER_NAME=$BASE_GIT_NAME GIT_COMMITTER_EMAIL=$BASE_GIT_EMAIL
export GIT_AUTHOR_DATE=$BASE_GIT_DATE GIT_COMMITTER_DATE=$BASE_GIT_DATE
git -C "$src" init -q -b main
# No background auto-gc: it would outlive this script holding the build lock
# (and spend minutes packing 86k objects). Run `git gc` by hand if wanted.
git -C "$src" config gc.auto 0
git -C "$src" add -A -f
git -C "$src" commit -q -m "$BASE_PKG $version" -m \
	"Pristine $BASE_MEMBER of the Debian package, except .gitignore: its Debian packaging stanza
(\"/*\" then \"!/debian/\"), which ignores every top-level path, is removed so
that git sees new files anywhere in the tree."
git -C "$src" tag base

committed=$(git -C "$src" ls-files | wc -l)
if [ "$committed" -ne "$tar_files" ]; then
	die "tree: base commit has $committed files, the tarball $tar_files"
fi
: >"$src/.git/harness-synced"
mv "$src" "$TREE"
log "tree: base $(git -C "$TREE" rev-parse --short base), $committed files"
