#!/bin/bash
# base-fetch.sh [VERSION]: the kernel source tarball of linux-source
# VERSION (default: the pinned BASE_VERSION), fetched from apt without
# installing the package: `apt-get download` into a temporary directory,
# the .deb's sha256 checked against apt's metadata, the tarball taken out
# of it into build/source/VERSION/. The pinned version's tarball must also
# match BASE_SHA256. Prints the tarball's path; a second call reuses it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=${1:-$BASE_VERSION}
tarball=$(source_tarball "$version")

check_pin() {
	local sum
	[ "$version" = "$BASE_VERSION" ] || return 0
	sum=$(sha256sum "$tarball" | awk '{ print $1 }')
	[ "$sum" = "$BASE_SHA256" ] ||
		die "sha256 of ${tarball#"$ROOT"/} is $sum; config/base.env pins $BASE_SHA256 for $version (remove the file to fetch it again)"
}

if [ -f "$tarball" ]; then
	check_pin
	echo "$tarball"
	exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found: the base comes from Debian's $BASE_PKG package"
meta=$(apt-cache show "$BASE_PKG=$version" 2>/dev/null || true)
want=$(awk '$1 == "SHA256:" { print $2; exit }' <<<"$meta")
if [ -z "$want" ]; then
	die "apt offers no $BASE_PKG=$version (apt-cache madison $BASE_PKG lists what it has; its lists may be stale: apt-get update, as root)"
fi

mkdir -p "$BUILD/source"
avail_mib=$(df -Pm "$BUILD/source" | awk 'NR == 2 { print $4 }')
[ "$avail_mib" -ge 1024 ] || die "not enough disk in build/source: need 1 GiB for $BASE_PKG, have $avail_mib MiB"
tmp=$(mktemp -d "$BUILD/source/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log "base-fetch: apt-get download $BASE_PKG=$version (about 150 MB)"
if ! (cd "$tmp" && apt-get download -q "$BASE_PKG=$version") >"$tmp/apt.log" 2>&1; then
	sed 's/^/  apt: /' "$tmp/apt.log" >&2
	die "download of $BASE_PKG=$version failed (no network, or apt's lists are stale: apt-get update, as root)"
fi
debs=("$tmp"/*.deb)
[ -f "${debs[0]}" ] || die "apt-get download left no .deb for $BASE_PKG=$version"
got=$(sha256sum "${debs[0]}" | awk '{ print $1 }')
[ "$got" = "$want" ] || die "sha256 of the downloaded ${debs[0]##*/} is $got; apt's metadata says $want"

dpkg-deb --fsys-tarfile "${debs[0]}" | tar -xO "$BASE_MEMBER" >"$tmp/linux-source.tar.xz" ||
	die "${debs[0]##*/} has no $BASE_MEMBER"
mkdir -p "${tarball%/*}"
mv "$tmp/linux-source.tar.xz" "$tarball"
check_pin
log "base-fetch: ${tarball#"$ROOT"/}, sha256 $(sha256sum "$tarball" | awk '{ print $1 }')"
echo "$tarball"
