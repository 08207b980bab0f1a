#!/bin/bash
# Install the host packages the harness needs (as root), or name the
# apt-get command to run. The kernel source is not installed from here:
# scripts/lib/base-fetch.sh downloads the pinned linux-source into build/.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

# installed_version PKG: its installed version, empty if not installed
# (dpkg-query fails for a package it has never seen).
installed_version() {
	{ dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null || true; } |
		awk '$3 == "installed" { print $4 }'
}

# A guest of another architecture takes its busybox from that
# architecture's Debian package (scripts/lib/busybox-fetch.sh): dpkg must
# know the architecture and apt must have its package lists.
foreign=${BUSYBOX_DEB_ARCH:-}
if [ -n "$foreign" ] && ! dpkg --print-foreign-architectures | grep -qx "$foreign"; then
	cmd="dpkg --add-architecture $foreign && apt-get update"
	[ "$(id -u)" -eq 0 ] || die "dpkg does not know the $foreign architecture (for the guest's busybox); as root run: $cmd"
	log "deps: dpkg --add-architecture $foreign (for busybox-static:$foreign)"
	dpkg --add-architecture "$foreign"
	apt-get update -q || die "apt-get update failed (no network?); then run as root: apt-get update"
fi

missing=()
for pkg in $HOST_PACKAGES $ARCH_PACKAGES; do
	[ -n "$(installed_version "$pkg")" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
	log "deps: all host packages installed"
	exit 0
fi

cmd="apt-get update && apt-get install --no-install-recommends ${missing[*]}"
[ "$(id -u)" -eq 0 ] || die "missing host packages: ${missing[*]}; as root run: $cmd"
log "deps: installing ${missing[*]}"
apt-get update -q || die "apt-get update failed (no network?); then run as root: $cmd"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
	die "apt-get install failed (apt's message is above); as root run: $cmd"
for pkg in "${missing[@]}"; do
	[ -n "$(installed_version "$pkg")" ] || die "apt-get install did not install $pkg"
done
log "deps: installed ${#missing[@]} package(s)"
