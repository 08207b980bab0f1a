#!/bin/bash
# Gate 2: gate-bisect.sh OUTDIR. Every step of the series builds.
# In the worktree build/gates-$ARCH/linux, patch after patch:
#   - a patch that touches the kernel: bzImage + modules with the harness
#     config (KVM=m, KVM_AMD=m, KVM_INTEL=m, KVM_WERROR=y), incrementally in
#     build/gates-$ARCH/kernel-$ARCH; no error and no compiler warning;
#   - a patch that touches tools/: the KVM selftests (static, as
#     scripts/selftests.sh builds them) against that step's uapi headers;
#   - a patch that touches only Documentation/: nothing to build (SKIP; the
#     htmldocs gate checks it).
# Then the tip with CONFIG_KVM=n and with CONFIG_KVM_SW_PROTECTED_VM=n, each
# in its own build dir, so stubs and #ifdefs are right both ways (below).
# One TAP result per patch and per variant, with its build time. A step
# whose source tree (git tree id), config and compiler were built before
# is not rebuilt: its result is reused (GATES_NOCACHE=1 rebuilds).
# Writes OUTDIR/gate-bisect.tap; build logs in build/gates-$ARCH/logs/.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"

gate_start bisect "$@"

kout=$GATES/kernel-$ARCH
stout=$GATES/selftests-$ARCH
stamps=$GATES/bisect.stamps
mkdir -p "$stamps"
gates_series "nothing built"

# Cache key of a build kind: fragments, compiler, and this script.
cfgkey() {
	{ echo "$1"; cat "$ROOT/$KERNEL_FRAGMENT"; shift; for f in "$@"; do cat "$ROOT/$f"; done
	  gcc --version | head -n 1; sha256sum <"$0"; } | sha256sum | cut -c1-16
}

# problems LOG: the compiler/linker/modpost errors and warnings of a build
# log, paths relative to the tree.
problems() {
	grep -E ': (fatal )?error:|: warning:|^(ERROR|WARNING): |: undefined reference|\*\*\* ' "$1" |
		grep -vE '^make(\[[0-9]+\])?: \*\*\* .*(Error|Waiting)' |
		sed -e "s|$GATES_TREE/||g" -e 's|\.\./linux/||g' | awk '!seen[$0]++' || true
}

# build KIND LOGNAME TREEISH [FRAGMENT...]: build one kind at the worktree's
# current commit. Sets $built_secs; returns non-zero on a failed build or a
# warning (then $why holds the first problem, $log the log path).
build() {
	local kind=$1 out=$2 s=$SECONDS rc=0
	shift 2
	log=$logs/$out.log
	heartbeat_start "gate-bisect: $out" "$log"
	case $kind in
	kernel)
		{ gconfig "$kout" "$@" && gmake "$kout" $KERNEL_TARGETS; } >"$log" 2>&1 || rc=$? ;;
	selftests)
		{ gconfig "$kout" && HARNESS_TREE=$GATES_TREE HARNESS_KOUT=$kout HARNESS_STOUT=$stout \
			"$ROOT/scripts/selftests.sh"; } >"$log" 2>&1 || rc=$? ;;
	variant)
		local vout=$1 targets=$2
		shift 2
		# shellcheck disable=SC2086 # targets are words
		{ gconfig "$vout" "$@" && gmake "$vout" $targets; } >"$log" 2>&1 || rc=$? ;;
	esac
	heartbeat_stop
	built_secs=$((SECONDS - s))
	mapfile -t probs < <(problems "$log")
	why=
	if [ ${#probs[@]} -gt 0 ]; then
		why="${probs[0]}${probs[1]:+ (+$((${#probs[@]} - 1)) more)}"
	elif [ "$rc" -ne 0 ]; then
		why="exit status $rc, no compiler message: $(tail -n 3 "$log" | tr '\n' ' ')"
	fi
	[ "$rc" -eq 0 ] && [ ${#probs[@]} -eq 0 ]
}

# step KIND STAMPNAME DESC LOGNAME COMMIT [BUILD ARGS...]: one TAP result.
step() {
	local kind=$1 stamp=$stamps/$2 desc=$3 logname=$4 commit=$5
	shift 5
	if [ -f "$stamp" ] && [ -z "${GATES_NOCACHE:-}" ]; then
		tap_ok "$desc [cached: $(cat "$stamp")]"
		return 0
	fi
	gates_worktree "$GATES_TREE" "$commit"
	log "gate-bisect: $desc"
	if build "$kind" "$logname" "$@"; then
		echo "same tree built in ${built_secs}s on $(date -u +%Y-%m-%d)" >"$stamp"
		tap_ok "$desc [${built_secs}s]"
	else
		tap_diag "${probs[@]}" "log: ${log#"$ROOT"/}"
		tap_fail "$desc: $why [${built_secs}s]"
	fi
}

kkey=$(cfgkey kernel)
skey=$(cfgkey selftests)
prev=$base
while read -r commit patch; do
	name=$(basename "$patch")
	tree=$(git -C "$TREE" rev-parse "$commit^{tree}")
	files=$(git -C "$TREE" diff --name-only "$prev" "$commit")
	kernel=$(grep -vE '^(Documentation|tools)/' <<<"$files" || true)
	tools=$(grep -E '^tools/' <<<"$files" || true)
	n=${name%%-*}
	if [ -z "$kernel" ] && [ -z "$tools" ]; then
		tap_skip "$name: touches only Documentation/, no build" "documentation only (gate-htmldocs checks it)"
	fi
	if [ -n "$kernel" ]; then
		step kernel "kernel-$tree-$kkey" "$name: kernel builds for $ARCH ($KERNEL_TARGETS), no warning" \
			"$n-kernel" "$commit"
	fi
	if [ -n "$tools" ]; then
		step selftests "selftests-$tree-$skey" "$name: touches tools/: KVM selftests build (static)" \
			"$n-selftests" "$commit"
	fi
	prev=$commit
done <<<"$chain"

# The tip in more configurations (BISECT_VARIANTS of config/$ARCH.env),
# each in its own build dir:
#  - nokvm, CONFIG_KVM=n: what can break is built-in code that includes the
#    touched KVM headers or relies on their stubs, and a link of vmlinux
#    that must not need anything KVM provides: vmlinux is the proof. KVM=n
#    drops PREEMPT_NOTIFIERS and MMU_NOTIFIER, which changes task_struct and
#    mm_struct, so nothing of another build can be reused: this variant is
#    its own small configuration (tinyconfig + config/kernel-ARCH-nokvm.config,
#    which turns on exactly the built-in code that includes KVM headers or
#    is touched by the series), a third of a full build when nothing is
#    cached.
#  - noswprot, CONFIG_KVM_SW_PROTECTED_VM=n on top of the harness config:
#    KVM's own #ifdefs (KVM_GENERIC_PRIVATE_MEM and
#    KVM_GENERIC_MEMORY_ATTRIBUTES go away with it) and modpost's check of
#    kvm.ko against that vmlinux: $KERNEL_TARGETS, like the steps. Seeded
#    from the step dir, so only objects whose CONFIG_ symbols differ are
#    rebuilt (kbuild tracks them per object).
tiptree=$(git -C "$TREE" rev-parse "$tip^{tree}")
for v in $BISECT_VARIANTS; do
	frag=config/kernel-$ARCH-$v.config
	vout=$GATES/kernel-$ARCH-$v
	case $v in
	nokvm)
		what="CONFIG_KVM=n (tinyconfig + ${frag##*/})" targets=vmlinux
		GBASE=$frag step variant "$v-$tiptree-$(cfgkey "$v" "$frag")" \
			"tip: kernel builds with $what ($targets), no warning" "tip-$v" "$tip" "$vout" "$targets"
		;;
	noswprot)
		what="CONFIG_KVM_SW_PROTECTED_VM=n" targets=$KERNEL_TARGETS
		gates_seed "$kout" "$vout"
		step variant "$v-$tiptree-$(cfgkey "$v" "$frag")" "tip: kernel builds with $what ($targets), no warning" \
			"tip-$v" "$tip" "$vout" "$targets" "$frag"
		;;
	*) die "config/$ARCH.env: BISECT_VARIANTS names $v: no such variant (nokvm, noswprot)" ;;
	esac
done

gates_worktree "$GATES_TREE" "$tip" # the other gates build the tip
tap_end
log "gate-bisect: done in $(elapsed_since "$gstart")"
