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

# check_pin SUM: the pinned version's tarball must have the pinned sha256.
check_pin() {
	local sum=$1
	[ "$version" = "$BASE_VERSION" ] || return 0
	[ "$sum" = "$BASE_SHA256" ] ||
		die "sha256 of ${tarball#"$ROOT"/} is $sum; config/base.env pins $BASE_SHA256 for $version (remove the file to fetch it again)"
}

if [ -f "$tarball" ]; then
	check_pin "$(sha256_of "$tarball")"
	echo "$tarball"
	exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found: the base comes from Debian's $BASE_PKG package"
want=$(apt_deb_sha256 "$version")
if [ -z "$want" ]; then
	die "apt offers no $BASE_PKG=$version (apt-cache madison $BASE_PKG lists what it has; its lists may be stale: apt-get update, as root)"
fi

mkdir -p "$BUILD/source"
avail_mib=$(df -Pm "$BUILD/source" | awk 'NR == 2 { print $4 }')
[ "$avail_mib" -ge 1024 ] || die "not enough disk in build/source: need 1 GiB for $BASE_PKG, have $avail_mib MiB"
tmp=$(mktemp -d "$BUILD/source/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log "base-fetch: apt-get download $BASE_PKG=$version (about 150 MB)"
mkdir "$tmp/deb"
deb=$(apt_download "$BASE_PKG=$version" "$want" "$tmp/deb")

dpkg-deb --fsys-tarfile "$deb" | tar -xO "$BASE_MEMBER" >"$tmp/linux-source.tar.xz" ||
	die "${deb##*/} has no $BASE_MEMBER"
mkdir -p "${tarball%/*}"
mv "$tmp/linux-source.tar.xz" "$tarball"
sum=$(sha256_of "$tarball")
check_pin "$sum"
log "base-fetch: ${tarball#"$ROOT"/}, sha256 $sum"
echo "$tarball"
