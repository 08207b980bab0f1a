#!/bin/bash
# Install the host packages the harness needs (as root), or name the
# apt-get command to run; check the pinned kernel source package.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

installed_version() {
	dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null |
		awk '$3 == "installed" { print $4 }'
}

apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

missing=()
for pkg in $HOST_PACKAGES; do
	[ -n "$(installed_version "$pkg")" ] || missing+=("$pkg")
done
base_version=$(installed_version "$BASE_PKG")
base_ok=${base_version:+yes}

if [ ${#missing[@]} -eq 0 ] && [ -n "$base_ok" ]; then
	log "deps: all host packages installed"
else
	want=("${missing[@]}")
	[ -n "$base_ok" ] || want+=("$BASE_PKG=$BASE_VERSION")
	if [ "$(id -u)" -ne 0 ]; then
		die "missing packages; as root run: apt-get update && apt-get install ${want[*]}"
	fi
	log "deps: installing ${want[*]}"
	apt-get update
	if ! apt_install "${want[@]}"; then
		[ -z "$base_ok" ] || die "apt-get install ${missing[*]} failed"
		warn "$BASE_PKG=$BASE_VERSION is not available from apt; trying the candidate version"
		apt_install "${missing[@]}" "$BASE_PKG"
	fi
	base_version=$(installed_version "$BASE_PKG")
fi

if [ "$base_version" != "$BASE_VERSION" ]; then
	warn "=================================================================="
	warn "$BASE_PKG $base_version is installed, not the pinned $BASE_VERSION."
	warn "Building on $base_version; the series must still apply (make tree)."
	warn "=================================================================="
	exit 0
fi
[ -f "$BASE_TARBALL" ] || die "$BASE_PKG is installed but $BASE_TARBALL is missing"
sum=$(sha256sum "$BASE_TARBALL" | awk '{ print $1 }')
if [ "$sum" != "$BASE_SHA256" ]; then
	warn "sha256 of $BASE_TARBALL is $sum, expected $BASE_SHA256 (version $base_version)"
else
	log "deps: $BASE_PKG $base_version, sha256 verified"
fi
