#!/bin/bash
# Gate 7: gate-distro.sh OUTDIR. The series under Debian's own kernel
# config (DISTRO_CONFIG of config/$ARCH.env, from linux-config-6.12 of the
# pinned version: scripts/lib/distro-config-fetch.sh), not the harness's
# small one: olddefconfig settles the few symbols that differ, then the
# objects of DISTRO_GATE_TARGETS are built at the tip in
# build/gates-$ARCH/kernel-$ARCH-distro. Any warning fails unless the base,
# built the same way (build/base-$ARCH/kernel-$ARCH-distro) only when the
# tip warns, has it too (file and message, counted).
# TAP: the config, the tip build, no new warning.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"

gate_start distro "$@"
gates_series "nothing built"

if cfg=$("$ROOT/scripts/lib/distro-config-fetch.sh" 2>"$logs/distro-config.log"); then
	tap_ok "Debian's config: ${cfg#"$ROOT"/} ($(grep -c '^CONFIG_' "$cfg") options set)"
else
	tap_diag "$(cat "$logs/distro-config.log")"
	tap_fail "Debian's config: not fetched ($(tail -n 1 "$logs/distro-config.log"))"
	tap_end
	exit 0
fi

read -r -a targets <<<"$DISTRO_GATE_TARGETS"

# distro_build TREE OUT LOGNAME: Debian's config in OUT (olddefconfig),
# the targets built; writes OUT/.gate-distro (normalized warnings) and
# returns the build's status. Objects are removed first so that every
# warning is printed again (ccache replays them).
distro_build() {
	local tree=$1 out=$2 logname=$3 s=$SECONDS rc=0 t
	mkdir -p "$out"
	if ! cmp -s "$cfg" "$out/.config.debian"; then
		cp "$cfg" "$out/.config"
		cp "$cfg" "$out/.config.debian"
	fi
	for t in "${targets[@]}" virt/kvm/; do
		case $t in
		*/) [ ! -d "$out/$t" ] || find "$out/$t" -name '*.o' -delete ;;
		*) rm -f "$out/$t" ;;
		esac
	done
	heartbeat_start "gate-distro: $logname" "$logs/$logname.log"
	{ GTREE=$tree gmake "$out" olddefconfig &&
		GTREE=$tree gmake "$out" -k "${targets[@]}"; } >"$logs/$logname.log" 2>&1 || rc=$?
	heartbeat_stop
	gates_warnings "$tree" <"$logs/$logname.log" >"$out/.gate-distro"
	log "gate-distro: $logname in $(elapsed_since "$s") (status $rc, $(wc -l <"$out/.gate-distro") warnings)"
	return "$rc"
}

gates_tip_vs_base distro distro_build "${targets[*]} with Debian's config"
tap_end
log "gate-distro: done in $(elapsed_since "$gstart")"
