#!/bin/bash
# Gate 4: gate-clang.sh OUTDIR. Build KVM (arch/x86/kvm/, which compiles
# virt/kvm/ too, and virt/lib/) at the tip with Debian's clang and the LLVM
# tools (LLVM=1) in build/gates-$ARCH/kernel-$ARCH-clang, harness config
# without KVM_WERROR (config/kernel-$ARCH-nowerror.config: every warning is
# seen, none stops the build). Any warning fails unless the base has the
# same one (file and message, no line numbers, counted); the base is built
# (build/base-$ARCH/kernel-$ARCH-clang) only when the tip warns.
# TAP: clang version, tip build, no new warning.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"

gate_start clang "$@"

# 6.12 needs clang >= 13 (Documentation/process/changes.rst); bookworm: 14.
min=13
ver=$(clang -dumpversion 2>/dev/null || echo 0)
if [ "${ver%%.*}" -ge "$min" ] && command -v ld.lld >/dev/null && command -v llvm-ar >/dev/null; then
	tap_ok "clang $ver (>= $min), ld.lld and llvm-ar present"
else
	tap_fail "clang $ver: need clang >= $min with lld and llvm (make deps installs Debian's clang llvm lld)"
	tap_end
	exit 0
fi

gates_series "nothing built"
nowerror=config/kernel-$ARCH-nowerror.config
read -r -a targets <<<"$CLANG_GATE_DIRS"

# clang_build TREE OUT LOGNAME: writes OUT/.gate-clang (normalized
# warnings) and returns the build's status. Objects are removed first so
# that every warning is printed again (ccache replays them).
clang_build() {
	local tree=$1 out=$2 logname=$3 s=$SECONDS rc=0
	[ -d "$out" ] && (cd "$out" && find "${targets[@]}" virt -name '*.o' -delete 2>/dev/null) || true
	heartbeat_start "gate-clang: $logname" "$logs/$logname.log"
	{ GTREE=$tree HARNESS_LLVM=1 gconfig "$out" "$nowerror" &&
		GTREE=$tree HARNESS_LLVM=1 gmake "$out" -k "${targets[@]}"; } >"$logs/$logname.log" 2>&1 || rc=$?
	heartbeat_stop
	gates_warnings "$tree" <"$logs/$logname.log" >"$out/.gate-clang"
	log "gate-clang: $logname in $(elapsed_since "$s") (status $rc, $(wc -l <"$out/.gate-clang") warnings)"
	return "$rc"
}

gates_tip_vs_base clang clang_build "KVM with LLVM=1 (${targets[*]})"
tap_end
log "gate-clang: done in $(elapsed_since "$gstart")"
