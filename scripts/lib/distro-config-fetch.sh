#!/bin/bash
# distro-config-fetch.sh: Debian's own kernel config for this architecture
# (DISTRO_CONFIG of config/$ARCH.env) from linux-config-6.12 of the pinned
# base version, fetched like the base (`apt-get download`, sha256 checked
# against apt's metadata, never installed) into build/source/VERSION/.
# The package and the base come from the same Debian upload, so the config
# matches the tree. Prints its path; a second call reuses it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -n "${DISTRO_CONFIG:-}" ] || die "config/$ARCH.env sets no DISTRO_CONFIG: no Debian config for $ARCH here"
pkg=${BASE_PKG/linux-source/linux-config}
out=$BUILD/source/$BASE_VERSION/$DISTRO_CONFIG
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi

want=$(apt_deb_sha256 "$BASE_VERSION" "$pkg")
[ -n "$want" ] || die "apt offers no $pkg=$BASE_VERSION, the Debian config of the pinned base (apt-cache madison $pkg; as root: apt-get update)"
mkdir -p "${out%/*}"
tmp=$(mktemp -d "$BUILD/source/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log "distro-config: apt-get download $pkg=$BASE_VERSION"
deb=$(apt_download "$pkg=$BASE_VERSION" "$want" "$tmp")
member=./usr/src/$pkg/$DISTRO_CONFIG.xz
dpkg-deb --fsys-tarfile "$deb" | tar -xO "$member" | xz -d >"$tmp/config" ||
	die "${deb##*/} has no $member"
mv "$tmp/config" "$out"
log "distro-config: ${out#"$ROOT"/} ($(grep -c '^CONFIG_' "$out") options set)"
echo "$out"
