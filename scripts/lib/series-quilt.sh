#!/bin/bash
# series-quilt.sh TARBALL [PATCHDIR]: does patches/series (PATCHDIR/series)
# apply to the kernel source TARBALL with `quilt push -a --fuzz=0`, as a
# distro builder applies it?
# Extracts only the files the series touches (about 15 s: xz reads the
# whole tarball). Exit 0 and "applies ..." or exit 1 and the failing patch
# with quilt's output.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: series-quilt.sh TARBALL [PATCHDIR]"
PATCHES=${2:-$PATCHES}
tarball=$1
[ -f "$tarball" ] || die "no such tarball: $tarball"
command -v quilt >/dev/null || die "quilt not found (package quilt; make deps)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t patches < <(series_patches)
[ ${#patches[@]} -gt 0 ] || die "patches/series names no patch"
# The files the series changes that exist before it: not those it creates
# ("--- /dev/null", then "+++ b/FILE"), which later patches may change too.
awk '/^--- \/dev\/null/ { created = 1; next }
	created && /^\+\+\+ b\// { print "new", substr($0, 7) }
	/^--- a\// { print "old", substr($0, 7) }
	{ created = 0 }' "${patches[@]}" |
	awk '$1 == "new" { isnew[$2] = 1 } $1 == "old" { old[$2] = 1 }
		END { for (f in old) if (!(f in isnew)) print f }' | sort >"$tmp/files"
top=$(tar -tJf "$tarball" | head -n 1 | cut -d/ -f1) || true
[ -n "$top" ] || die "cannot list $tarball"
mkdir "$tmp/src"
sed "s|^|$top/|" "$tmp/files" >"$tmp/members"
tar -xJf "$tarball" -C "$tmp/src" -T "$tmp/members" ||
	die "$tarball lacks a file the series changes (see tar's message above)"

if (cd "$tmp/src/$top" && QUILT_PATCHES=$PATCHES QUILT_PC=$tmp/pc \
	quilt push -a --fuzz=0 --quiltrc=/dev/null) >"$tmp/quilt.log" 2>&1; then
	echo "applies at fuzz 0 (quilt push -a --fuzz=0, ${#patches[@]} patches)"
	exit 0
fi
failed=$(sed -n 's/^Patch \(.*\) does not apply.*/\1/p' "$tmp/quilt.log")
sed 's/^/  quilt: /' "$tmp/quilt.log" | tail -n 20
[ -n "$failed" ] || failed="(no patch named; the output of quilt is above)"
echo "does not apply at fuzz 0: $failed"
exit 1
