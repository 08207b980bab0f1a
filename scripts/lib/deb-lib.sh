# Shared by make deb, make deb-check and make distro-check (scripts/deb.sh,
# deb-check.sh, distro-check.sh); sourced after lib.sh and gates-lib.sh.
# They build the series as committed (base + patches/, gates_chain), not
# build/linux's worktree, in build/deb-$ARCH/: linux (a worktree at the
# series' tip), kernel-$DEB_CONFIG (the build), debs-$DEB_CONFIG (packages).
# shellcheck shell=bash

# DEB_CONFIG=debian: Debian's own config (DISTRO_CONFIG from
# linux-config-6.12 of the pinned version) with DISTRO_OVERRIDES; harness:
# the harness's small config, the same packaging in minutes (make check
# uses it to test the packaging; such packages are for the VM only).
DEB_CONFIG=${DEB_CONFIG:-debian}
case $DEB_CONFIG in
debian)
	[ -n "${DISTRO_CONFIG:-}" ] || die "config/$ARCH.env sets no DISTRO_CONFIG: no Debian config for $ARCH here"
	_flavour=$DEB_FLAVOUR ;;
harness) _flavour=harness ;;
*) die "DEB_CONFIG=$DEB_CONFIG: debian (Debian's config) or harness (the harness's small one)" ;;
esac
DEB_DIR=$BUILD/deb-$ARCH
DEB_TREE=$DEB_DIR/linux
DEB_OUT=$DEB_DIR/kernel-$DEB_CONFIG
DEB_DEBS=$DEB_DIR/debs-$DEB_CONFIG
# Versions (config/base.env, DEB_SUFFIX): 6.12.118+deb12-gmemfd1-amd64,
# 6.12.118-1~deb12u1+gmemfd1.
DEB_LOCALVERSION=$(sed -nE 's/.*~(deb[0-9]+)u[0-9]+$/+\1/p' <<<"$BASE_VERSION")-$DEB_SUFFIX-$_flavour
DEB_RELEASE=${BASE_VERSION%%-*}$DEB_LOCALVERSION
DEB_PKGVERSION=$BASE_VERSION+$DEB_SUFFIX
unset _flavour

# take_deb_lock: one make deb, deb-check or (debian) distro-check of
# DEB_CONFIG at a time in this checkout (make deb replaces the packages
# deb-check reads; both use the VM dirs of that config; distro-check
# builds in make deb's dir). Held until the calling script exits; the
# deb.sh that deb-check --in-check runs finds it held.
take_deb_lock() {
	[ "${DEB_LOCKED:-}" != "$DEB_CONFIG" ] || return 0
	mkdir -p "$DEB_DIR"
	exec 8>"$DEB_DIR/.lock-$DEB_CONFIG"
	flock_waiting 8 "another make deb, deb-check or distro-check (DEB_CONFIG=$DEB_CONFIG)"
	export DEB_LOCKED=$DEB_CONFIG
}

# deb_prepare GIB WHAT: the deb and build locks, GIB GiB free (else die naming
# WHAT), the worktree at the series' tip and DEB_OUT/.config.
deb_prepare() {
	need_disk_gib "$DEB_DIR" "$1" "$2"
	take_deb_lock
	take_build_lock
	local chain tip cfg
	chain=$(gates_chain) || die "patches/series does not apply (see above): nothing built"
	tip=$(gates_tip)
	gates_worktree "$DEB_TREE" "$tip"
	log "deb: $DEB_RELEASE, $(wc -l <<<"$chain") patches on $BASE_VERSION, $DEB_CONFIG config, in ${DEB_OUT#"$ROOT"/}"
	if [ "$DEB_CONFIG" = debian ]; then
		cfg=$("$ROOT/scripts/lib/distro-config-fetch.sh")
		"$ROOT/scripts/lib/deb-config.sh" "$cfg" "$DEB_TREE" "$DEB_OUT"
	else
		HARNESS_TREE=$DEB_TREE HARNESS_KOUT=$DEB_OUT "$ROOT/scripts/lib/kernel-config.sh"
	fi
}

# dmake ARGS...: kmake in the worktree with DEB_OUT, the release and the
# revision debian/rules passes (so bindeb-pkg finds what was built before).
dmake() {
	(TREE=$DEB_TREE KOUT=$DEB_OUT kmake LOCALVERSION="$DEB_LOCALVERSION" \
		KBUILD_BUILD_VERSION="${DEB_PKGVERSION##*-}" "$@")
}

# dmake_logged WHAT LOG ARGS...: dmake ARGS with its output in LOG, a
# heartbeat each minute (objects built; for bindeb-pkg, which compiles
# nothing, the modules it has put in the package); on failure the errors
# and the log named, exit.
dmake_logged() {
	local what=$1 logf=$2 s=$SECONDS rc=0
	shift 2
	if [ "$1" = bindeb-pkg ]; then
		heartbeat_start "deb: $what" "$logf" '^ *INSTALL .*\.ko$' "modules packaged"
	else
		heartbeat_start "deb: $what" "$logf"
	fi
	dmake "$@" >"$logf" 2>&1 || rc=$?
	heartbeat_stop
	if [ "$rc" -ne 0 ]; then
		grep -E 'error|Error' "$logf" | head -n 10 >&2 || true
		die "deb: $what failed (exit $rc); log: ${logf#"$ROOT"/}"
	fi
	log "deb: $what: $(elapsed_since "$s")"
}

# deb_vm_kout NAME IMAGE: DEB_DIR/vm-kout-NAME made anew, the VM's kernel
# build dir (HARNESS_KOUT), with IMAGE where KERNEL_IMAGE says; printed.
deb_vm_kout() {
	local kout=$DEB_DIR/vm-kout-$1
	rm -rf "$kout"
	mkdir -p "$kout/$(dirname "$KERNEL_IMAGE")"
	cp "$2" "$kout/$KERNEL_IMAGE"
	echo "$kout"
}

# deb_boot_vm NAME LABEL OUT MODULE...: the harness VM (its dir
# DEB_DIR/vm-NAME) boots vm-kout-NAME's kernel, loads MODULE... (paths
# in it, in this order) and runs the test list as make check's VM does
# (check-vm.sh: OUT/vm-tests.tap, OUT/vm.tap). Debian's config has no
# KVM_SW_PROTECTED_VM: under it the tests may skip (tap-run --may-skip),
# but only for a reason DISTRO_MAY_SKIP matches (OUT/skips.tap,
# scripts/lib/skips-allowed.sh).
deb_boot_vm() {
	local name=$1 label=$2 out=$3 flags=
	shift 3
	[ "$DEB_CONFIG" = harness ] || flags=--may-skip
	rm -f "$out/skips.tap"
	(
		export HARNESS_KOUT=$DEB_DIR/vm-kout-$name HARNESS_VMDIR=$DEB_DIR/vm-$name \
			HARNESS_KVM_MODULES="$*"
		"$ROOT/scripts/initramfs.sh"
		CHECK_VM_LABEL=$label TAP_RUN_FLAGS=$flags "$ROOT/scripts/lib/check-vm.sh" "$out"
	)
	[ -z "$flags" ] ||
		"$ROOT/scripts/lib/skips-allowed.sh" "$out/vm-tests.tap" "$DISTRO_MAY_SKIP" | tee "$out/skips.tap"
}
