#!/bin/bash
# make export-debian [DIR=build/debian-patches]: patches/ laid out as
# Debian's kernel team keeps patches in debian/patches/ of the linux
# source package: DIR/features/all/guest-memfd-mmap/*.patch, each with
# DEP-3 fields (Origin, Forwarded, Last-Update) beside git's From, Date
# and Subject (DEP-3 takes Subject for Description), and DIR/series, the
# lines to append to debian/patches/series. The origins are data:
# config/debian-origin.list. Then checks that DIR applies to the pinned
# Debian tarball with quilt at fuzz 0 (scripts/lib/series-quilt.sh).
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

dir=${DIR:-$BUILD/debian-patches}
sub=features/all/guest-memfd-mmap
origins=$ROOT/config/debian-origin.list
mapfile -t patches < <(series_patches)
[ ${#patches[@]} -gt 0 ] || die "patches/series names no patch: run make export"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/$sub"
for p in "${patches[@]}"; do
	name=$(basename "$p")
	"$ROOT/scripts/lib/dep3.sh" "$p" "$origins" >"$tmp/$sub/$name"
	echo "$sub/$name" >>"$tmp/series"
done
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$tmp" "$dir"
trap - EXIT
log "export-debian: wrote ${#patches[@]} patches to ${dir#"$ROOT"/}/$sub and the lines for debian/patches/series to ${dir#"$ROOT"/}/series"
"$ROOT/scripts/lib/base-fetch.sh" >/dev/null
log "export-debian: $("$ROOT/scripts/lib/series-quilt.sh" "$BASE_TARBALL" "$dir")"
