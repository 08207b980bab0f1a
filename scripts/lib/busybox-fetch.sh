#!/bin/bash
# busybox-fetch.sh: print the path of a static busybox for the guest of
# $ARCH. The host's own (package busybox-static) when the guest runs the
# host's architecture; otherwise (BUSYBOX_DEB_ARCH in config/$ARCH.env)
# Debian's busybox-static for that architecture, at the host package's
# version, fetched with `apt-get download` (the .deb's sha256 checked
# against apt's metadata) into build/busybox-DEBARCH/. scripts/deps.sh adds
# the foreign architecture to dpkg so that apt has its package lists.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkg="busybox-static"
version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
[ -n "$version" ] || die "$pkg is not installed: run make deps"

if [ -z "${BUSYBOX_DEB_ARCH:-}" ]; then
	busybox=$(command -v busybox || true)
	[ -n "$busybox" ] || die "busybox not found: run make deps"
	[[ $(file -L "$busybox") == *"statically linked"* ]] || die "$busybox is not static (install $pkg)"
	echo "$busybox"
	exit 0
fi

dir=$BUILD/busybox-$BUSYBOX_DEB_ARCH
busybox=$dir/$version/bin/busybox
if [ -x "$busybox" ]; then
	echo "$busybox"
	exit 0
fi

spec=$pkg:$BUSYBOX_DEB_ARCH
want=$(apt_deb_sha256 "$version" "$spec")
if [ -z "$want" ]; then
	die "apt offers no $spec=$version: run make deps ARCH=$ARCH (it adds $BUSYBOX_DEB_ARCH to dpkg's architectures and updates apt's lists), or as root: dpkg --add-architecture $BUSYBOX_DEB_ARCH && apt-get update"
fi
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log "busybox: apt-get download $spec=$version"
mkdir "$tmp/deb"
deb=$(apt_download "$spec=$version" "$want" "$tmp/deb")
dpkg-deb -x "$deb" "$tmp/root"
[ -x "$tmp/root/bin/busybox" ] || die "${deb##*/} has no bin/busybox"
[[ $(file -L "$tmp/root/bin/busybox") == *"statically linked"* ]] || die "busybox of ${deb##*/} is not static"
mkdir -p "$dir/$version/bin"
mv "$tmp/root/bin/busybox" "$busybox"
log "busybox: ${busybox#"$ROOT"/}"
echo "$busybox"
