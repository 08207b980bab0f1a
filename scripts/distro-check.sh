#!/bin/bash
# make distro-check [OUTDIR]: the patched kernel built with Debian's own
# config (scripts/lib/deb-lib.sh, DEB_CONFIG=debian: the build dir make deb
# uses) in the harness VM: bzImage (every built-in option Debian's) and the
# modules of DISTRO_VM_MODULES, built alone instead of Debian's ~4000
# (make deb builds them all: hours on 2 cores), each checked to need no
# module outside the list, signed with the build's key as modules_install
# would sign them. The VM runs the test list (TESTS_LIST) like make
# check's (check-vm.sh: vm-tests.tap; vm.tap with the splat scan). Debian's
# config has no KVM_SW_PROTECTED_VM: the list's tests may skip
# (tap-run --may-skip), but only for a reason DISTRO_MAY_SKIP matches
# (skips.tap, scripts/lib/skips-allowed.sh).
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"
DEB_CONFIG=debian
. "$ROOT/scripts/lib/deb-lib.sh"

[ $# -le 1 ] || die "usage: distro-check.sh [OUTDIR]"
out=${1:-$DEB_DIR/check-distro}
mkdir -p "$out"
s0=$SECONDS
deb_prepare "$DISTRO_DISK_GIB" "make distro-check"
read -r -a mods <<<"$DISTRO_VM_MODULES"
dmake_logged "building bzImage" "$DEB_DIR/distro-bzImage.log" bzImage
dmake_logged "building ${mods[*]##*/}" "$DEB_DIR/distro-modules.log" "${mods[@]}"

kout=$(deb_vm_kout distro "$DEB_OUT/$KERNEL_IMAGE")
# Each module's dependencies (modinfo's depends=) come before it in the list.
loaded=" "
for m in "${mods[@]}"; do
	deps=$(modinfo -F depends "$DEB_OUT/$m")
	for dep in ${deps//,/ }; do
		[[ "$loaded" == *" ${dep//_/-} "* || "$loaded" == *" ${dep//-/_} "* ]] ||
			die "distro-check: ${m##*/} needs $dep, which DISTRO_VM_MODULES (config/$ARCH.env) does not list before it"
	done
	loaded+="$(basename "$m" .ko) "
	mkdir -p "$kout/$(dirname "$m")"
	cp "$DEB_OUT/$m" "$kout/$m"
	if grep -qx 'CONFIG_MODULE_SIG_ALL=y' "$DEB_OUT/.config"; then
		hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$DEB_OUT/.config")
		"$DEB_OUT/scripts/sign-file" "$hash" "$DEB_OUT/certs/signing_key.pem" \
			"$DEB_OUT/certs/signing_key.x509" "$kout/$m"
	fi
done
log "distro-check: $DEB_RELEASE with Debian's config, loading ${mods[*]##*/}"

deb_boot_vm distro "$ARCH (Debian's config)" "$out" "${mods[@]}"
step_time "$ARCH: make distro-check" "$s0"
# Without OUTDIR (make distro-check), the verdict; a caller that names
# OUTDIR sums up the TAP files itself.
[ $# -eq 1 ] || exec "$ROOT/scripts/lib/tap-summary.sh" "$out"/*.tap
