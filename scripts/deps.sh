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
