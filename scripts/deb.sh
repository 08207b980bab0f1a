#!/bin/bash
# make deb [DEB_CONFIG=debian|harness]: Debian binary packages of the
# patched kernel, by the kernel's bindeb-pkg: vmlinuz and every module of
# the config (scripts/lib/deb-lib.sh: which config, where, which versions).
# Packages in build/deb-$ARCH/debs-$DEB_CONFIG/, replaced only by a build
# that completed; the last line printed is the install command.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"
. "$ROOT/scripts/lib/deb-lib.sh"

command -v dh_builddeb >/dev/null || die "dh_builddeb not found (bindeb-pkg needs debhelper): run make deps"
gib=$DEB_DISK_GIB
[ "$DEB_CONFIG" = debian ] || gib=$DISK_NEEDED_GIB
deb_prepare "$gib" "make deb DEB_CONFIG=$DEB_CONFIG"
s0=$SECONDS
dmake_logged "building" "$DEB_DIR/build-$DEB_CONFIG.log" all

# bindeb-pkg writes the packages next to the build dir: earlier ones are
# removed first, the new ones move to DEB_DEBS once all are there.
D=$DEB_DIR
rm -f "$D"/*.deb "$D"/*.buildinfo "$D"/*.changes
trap 'rm -f "$D"/*.deb "$D"/*.buildinfo "$D"/*.changes' EXIT
DEBFULLNAME=$HARNESS_GIT_NAME DEBEMAIL=$HARNESS_GIT_EMAIL KDEB_CHANGELOG_DIST=bookworm \
	KDEB_PKGVERSION=$DEB_PKGVERSION \
	dmake_logged "packaging (bindeb-pkg)" "$D/package-$DEB_CONFIG.log" bindeb-pkg

arch=$(cat "$DEB_OUT/debian/arch")
image=linux-image-${DEB_RELEASE}_${DEB_PKGVERSION}_$arch.deb
headers=linux-headers-${DEB_RELEASE}_${DEB_PKGVERSION}_$arch.deb
for f in "$image" "$headers"; do
	[ -f "$D/$f" ] || die "deb: bindeb-pkg made no $f (log: ${D#"$ROOT"/}/package-$DEB_CONFIG.log)"
done
# linux-libc-dev would replace bookworm's own (6.1), which glibc's headers
# go with, and sort above every 6.1 update: not kept.
rm -f "$D"/linux-libc-dev_*.deb
rm -rf "$DEB_DEBS.new" "$DEB_DEBS.old"
mkdir -p "$DEB_DEBS.new"
mv "$D"/*.deb "$DEB_DEBS.new/"
echo "$DEB_RELEASE" >"$DEB_DEBS.new/release"
[ ! -e "$DEB_DEBS" ] || mv "$DEB_DEBS" "$DEB_DEBS.old"
mv "$DEB_DEBS.new" "$DEB_DEBS"
rm -rf "$DEB_DEBS.old"

step_time "$ARCH: make deb DEB_CONFIG=$DEB_CONFIG" "$s0"
rel=${DEB_DEBS#"$ROOT"/}
log "deb: done in $(elapsed_since "$s0"); packages in $rel:"
for f in "$DEB_DEBS"/*.deb; do
	printf '  %s (%s)\n' "${f##*/}" "$(du -h "$f" | cut -f1)" >&2
done
[ "$DEB_CONFIG" = debian ] || warn "DEB_CONFIG=harness: the harness's small kernel, for its VM only (no disk, network or graphics drivers)"
# Absolute paths: the command works from any directory.
log "deb: install (as root): apt install $DEB_DEBS/$image $DEB_DEBS/$headers"
