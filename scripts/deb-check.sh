#!/bin/bash
# make deb-check [DEB_CONFIG=debian|harness] [OUTDIR]: the linux-image
# package of make deb, checked and booted. dpkg-deb --info must name it
# linux-image-RELEASE at BASE_VERSION+DEB_SUFFIX (sorting above Debian's
# own upload), --contents must hold vmlinuz, config and System.map of that
# release and the modules the VM loads (KVM_MODULES; under Debian's
# config DISTRO_VM_MODULES). Unpacked, its vmlinuz boots in
# the harness VM, which loads the package's own modules (signatures and
# all) and runs the test list like make check's VM (deb_boot_vm in
# scripts/lib/deb-lib.sh: vm-tests.tap, vm.tap with the console's splat
# scan, and under Debian's config skips.tap); deb.tap holds the package
# checks and that the console names the package's release.
# deb-check.sh --in-check OUTDIR (make check): first make deb with
# CHECK_DEB_CONFIG of config/$ARCH.env (nothing if it is empty); a failed
# build is one failed result in deb.tap.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"

in_check=
if [ "${1:-}" = --in-check ]; then
	[ $# -eq 2 ] || die "usage: deb-check.sh --in-check OUTDIR"
	[ -n "${CHECK_DEB_CONFIG:-}" ] || exit 0
	export DEB_CONFIG=$CHECK_DEB_CONFIG
	in_check=1
	shift
fi
. "$ROOT/scripts/lib/deb-lib.sh"

[ $# -le 1 ] || die "usage: deb-check.sh [OUTDIR]"
out=${1:-$DEB_DIR/check-$DEB_CONFIG}
mkdir -p "$out"
take_deb_lock
if [ -n "$in_check" ] && ! "$ROOT/scripts/deb.sh"; then
	tap_single "$out/deb.tap" fail "make deb DEB_CONFIG=$DEB_CONFIG failed (its error is above)"
	exit 0
fi
s0=$SECONDS
[ -f "$DEB_DEBS/release" ] || die "no packages in ${DEB_DEBS#"$ROOT"/}: run make deb DEB_CONFIG=$DEB_CONFIG"
release=$(cat "$DEB_DEBS/release")
image=$(find "$DEB_DEBS" -name "linux-image-${release}_*.deb")
[ -n "$image" ] || die "no linux-image-$release package in ${DEB_DEBS#"$ROOT"/}"

# The modules the VM loads: KVM_MODULES, or under Debian's config
# DISTRO_VM_MODULES (also loop and ccp, which Debian builds as modules).
vm_mods=$KVM_MODULES
[ "$DEB_CONFIG" = harness ] || vm_mods=$DISTRO_VM_MODULES

tap_open "$out/deb.tap" "deb-check"
info=$(dpkg-deb --info "$image")
pkg=$(awk '$1 == "Package:" { print $2 }' <<<"$info")
ver=$(awk '$1 == "Version:" { print $2 }' <<<"$info")
if [ "$pkg" = "linux-image-$release" ] && [ "$ver" = "$DEB_PKGVERSION" ] &&
	dpkg --compare-versions "$ver" gt "$BASE_VERSION"; then
	tap_ok "${image##*/}: package $pkg, version $ver, above Debian's $BASE_VERSION"
else
	tap_fail "${image##*/}: package '$pkg' version '$ver'; expected linux-image-$release $DEB_PKGVERSION"
fi
contents=$(dpkg-deb --contents "$image" | awk '{ print $NF }')
missing=()
for f in "boot/vmlinuz-$release" "boot/config-$release" "boot/System.map-$release"; do
	grep -qxF "./$f" <<<"$contents" || missing+=("$f")
done
for m in $vm_mods; do
	grep -qxF -e "./lib/modules/$release/kernel/$m" -e "./lib/modules/$release/kernel/$m.xz" <<<"$contents" ||
		missing+=("$m")
done
nmod=$(grep -cE '\.ko(\.xz)?$' <<<"$contents" || true)
if [ ${#missing[@]} -eq 0 ]; then
	tap_ok "${image##*/}: vmlinuz, config, System.map, $nmod modules incl. $vm_mods"
else
	tap_fail "${image##*/}: lacks ${missing[*]}"
fi

# Unpacked: the VM boots the package's vmlinuz with its modules of
# vm_mods, uncompressed, each after what the package's modules.dep says
# it needs.
root=$DEB_DIR/root-$DEB_CONFIG
rm -rf "$root"
dpkg-deb -x "$image" "$root"
moddir=$root/lib/modules/$release
[ -f "$moddir/modules.dep" ] || depmod -b "$root" "$release"
kout=$(deb_vm_kout "$DEB_CONFIG" "$root/boot/vmlinuz-$release")
# load_order PATH: the modules.dep paths PATH needs, then PATH.
declare -A seen=()
order=()
load_order() {
	local dep
	[ -z "${seen[$1]:-}" ] || return 0
	seen[$1]=1
	for dep in $(awk -v m="$1:" '$1 == m { $1 = ""; print }' "$moddir/modules.dep"); do
		load_order "$dep"
	done
	order+=("$1")
}
for m in $vm_mods; do
	want=$(awk -F: -v a="kernel/$m" -v b="kernel/$m.xz" '$1 == a || $1 == b { print $1 }' "$moddir/modules.dep")
	[ -n "$want" ] || die "deb-check: kernel/$m is not in the package's modules.dep"
	load_order "$want"
done
mods=()
for p in "${order[@]}"; do
	mkdir -p "$kout/$(dirname "$p")"
	case $p in
	*.xz) xz -dc "$moddir/$p" >"$kout/${p%.xz}" ;;
	*) cp "$moddir/$p" "$kout/$p" ;;
	esac
	mods+=("${p%.xz}")
done
log "deb-check: booting $release from ${image##*/}, loading ${mods[*]##*/}"

deb_boot_vm "$DEB_CONFIG" "$ARCH ($release package)" "$out" "${mods[@]}"
console=$DEB_DIR/vm-$DEB_CONFIG/logs/check.console.log
if grep -q "Linux version $release " "$console" 2>/dev/null; then
	tap_ok "the VM ran the package's kernel (console: Linux version $release)"
else
	tap_fail "the VM's console does not say 'Linux version $release' (${console#"$ROOT"/})"
fi
tap_end
step_time "$ARCH: make deb-check DEB_CONFIG=$DEB_CONFIG" "$s0"
# Alone (make deb-check), the verdict; make check sums up its own.
[ $# -eq 1 ] || [ -n "$in_check" ] || exec "$ROOT/scripts/lib/tap-summary.sh" "$out"/*.tap
