#!/bin/bash
# mutate.sh [OUTDIR] [--smoke] (make mutate [MUTANTS="NAME..."]): how
# strong the tests are. Each mutant
# tests/mutants/$ARCH/NAME.patch is a small semantic change to the series'
# kernel code: its first "# " line says what it breaks. It is applied to the
# series' tip (patches/, as the gates build it) in the worktree
# build/mutate-$ARCH/linux, the kernel is rebuilt incrementally in
# build/mutate-$ARCH/kernel-$ARCH, and the test list (TESTS_LIST) runs in
# one VM with the selftests and programs already built from the series
# (mutants change only the kernel), then, while nothing failed, once per
# KVM_VARIANTS entry (x86_64: legacy TDP MMU, shadow paging), as make check
# runs them. The mutant is killed when a test fails, a VM does not finish
# or a console has a splat; it survives when everything passes.
# Header lines of a mutant, after the description:
#   # equivalent: WHY   no test can tell it from the series, and why; it
#                       must survive (killed: the claim, or the harness, is
#                       wrong)
#   # kernel: debug     built with config/kernel-$ARCH-debug.config (a
#                       locking or leak bug that only the debug kernel sees)
#   # tests: PATH...    only these entries of the test list (the debug
#                       kernel runs them DEBUG_TIMEOUT_FACTOR times slower)
# MUTANTS: these mutants (names without .patch) instead of all; --smoke:
# MUTATE_SMOKE of config/$ARCH.env (make check: one that must be killed and
# one equivalent that must survive, so that neither a dead harness nor one
# that kills everything passes; nothing if it is empty).
# Writes OUTDIR/mutate.tap (default OUTDIR build/mutate-$ARCH), logs in
# OUTDIR/mutate/NAME/: one result per mutant, ok when killed (or, if
# equivalent, survived); prints "mutants: N killed, M survived" and names
# each survivor. Exit 1 if a result is not ok.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"

mdir=$BUILD/mutate-$ARCH
out=$mdir smoke=
for a in "$@"; do
	case $a in
	--smoke) smoke=1 ;;
	-*) die "usage: mutate.sh [OUTDIR] [--smoke]" ;;
	*) out=$a ;;
	esac
done
if [ -n "$smoke" ]; then
	[ -n "${MUTATE_SMOKE:-}" ] || { log "mutate: no MUTATE_SMOKE in config/$ARCH.env"; exit 0; }
	MUTANTS=$MUTATE_SMOKE
fi
read -r -a want <<<"${MUTANTS:-}"
mutants=()
if [ ${#want[@]} -eq 0 ]; then
	mutants=("$ROOT"/tests/mutants/"$ARCH"/*.patch)
	[ -f "${mutants[0]}" ] || die "no mutants in tests/mutants/$ARCH/"
else
	for m in "${want[@]}"; do
		f=$ROOT/tests/mutants/$ARCH/${m%.patch}.patch
		[ -f "$f" ] || die "MUTANTS names $m, but ${f#"$ROOT"/} does not exist"
		mutants+=("$f")
	done
fi
for t in $(list_paths "$TESTS_LIST"); do
	[ -x "$(guest_prog_host_path "$t")" ] || die "$t of ${TESTS_LIST#"$ROOT"/} is not built: run make initramfs ARCH=$ARCH"
done

take_build_lock
# make check's time table has one line for the whole run, not its builds.
unset STEP_TIMES
rm -rf "$out/mutate" "$out/mutate.tap"
mkdir -p "$out/mutate"
tap_open "$out/mutate.tap" mutate
tip=$(gates_tip) || { tap_fail "patches/series does not apply (see above): no mutant run"; tap_end; exit 1; }
wt=$mdir/linux
factor=${DEBUG_TIMEOUT_FACTOR:-8}
all_tests=$TESTS_LIST

# header MUTANT KEY: the value of its "# KEY: value" line (empty if none).
header() { sed -n "/^diff /q; s/^# $2: //p" "$1"; }

killed=0 survived=0 broken=0
survivors=()
for f in "${mutants[@]}"; do
	name=$(basename "$f" .patch)
	desc=$(sed -n '1s/^# //p' "$f")
	equiv=$(header "$f" equivalent)
	kind=$(header "$f" kernel)
	only=$(header "$f" tests)
	mout=$out/mutate/$name
	mkdir -p "$mout"
	s=$SECONDS
	log "mutate: $name: $desc"

	gates_worktree "$wt" "$tip"
	if ! git -C "$wt" apply "$f" 2>"$mout/apply.log"; then
		broken=$((broken + 1))
		tap_diag "$(cat "$mout/apply.log")"
		tap_fail "$name: does not apply to the series' tip (update the mutant)"
		continue
	fi

	# Its own kernel, initramfs and VM directory; the debug kernel's
	# fragment and slower timeouts for "kernel: debug".
	export HARNESS_TREE=$wt HARNESS_KOUT=$mdir/kernel-$ARCH HARNESS_VMDIR=$mdir/vm-$ARCH
	export HARNESS_EXTRA_FRAGMENTS=''
	# An oops or WARN ends the VM at once (panic=-1 reboots, QEMU has
	# -no-reboot): a mutant that crashes a task holding mmap_lock would
	# otherwise hang its test until the (debug: 8 times longer) timeout.
	export HARNESS_CMDLINE_EXTRA="oops=panic panic_on_warn=1"
	# The first failed test kills the mutant: the rest of the list need
	# not run (a mutant that makes the guest fault forever would otherwise
	# run every test into its timeout).
	export TAP_RUN_FLAGS=--stop-at-failure
	list=$mout/tests.list mult=1
	if [ "$kind" = debug ]; then
		HARNESS_KOUT=$mdir/kernel-$ARCH-debug HARNESS_VMDIR=$mdir/vm-$ARCH-debug
		HARNESS_EXTRA_FRAGMENTS=config/kernel-$ARCH-debug.config mult=$factor
	fi
	# "# tests:" names paths; the entries keep their must-run mark, the
	# list its "# may-skip" comments (guest/tap-run), on the debug kernel
	# without the "unless debug" ones (scripts/lib/debug-list.sh).
	skips='^# may-skip( unless debug)?: '
	[ "$kind" != debug ] || skips='^# may-skip: '
	{ grep -E "$skips" "$all_tests" || true
	  list_entries "$all_tests" | awk -v only=" $only " -v m="$mult" '
		{ path = $1; sub(/^!/, "", path) }
		only == "  " || index(only, " " path " ") { $2 = $2 * m; print }'; } >"$list"
	list_entries "$list" | grep -q . || die "$name: its tests line ($only) names nothing of ${all_tests#"$ROOT"/}"
	export TESTS_LIST=$list

	if ! { "$ROOT/scripts/kernel.sh" && "$ROOT/scripts/initramfs.sh"; } >"$mout/build.log" 2>&1; then
		broken=$((broken + 1))
		tap_diag "$(grep -m5 -E 'error:|ERROR' "$mout/build.log" || tail -n 5 "$mout/build.log")"
		tap_fail "$name: does not build (log: ${mout#"$ROOT"/}/build.log)"
		continue
	fi
	failed=
	for v in '' $("$ROOT/scripts/lib/check-vm.sh" --variants); do
		vout=$mout${v:+/$v}
		"$ROOT/scripts/lib/check-vm.sh" "$vout" ${v:+"$v"} >"$mout/vm${v:+-$v}.log" 2>&1 || true
		# The first three failures name what killed it (not the tests
		# --stop-at-failure did not run after it).
		failed=$({ grep -hE '^not ok ' "$vout/vm-tests.tap" "$vout/vm.tap" || true; } |
			awk '!/ # not run: /' |
			sed -E -e "s/^not ok [0-9]+ /${v:+$v: }/" -e 's/ # (.*)$/ (\1)/' | awk 'NR <= 3' | paste -sd';' -)
		[ -z "$failed" ] || break
	done
	secs=$((SECONDS - s))

	if [ -n "$failed" ]; then
		killed=$((killed + 1))
		if [ -n "$equiv" ]; then
			tap_fail "$name: killed, but it is marked equivalent ($equiv); by: $failed [${secs}s]"
		else
			tap_ok "$name: killed by: $failed [${secs}s]"
		fi
	else
		survived=$((survived + 1))
		survivors+=("$name: $desc${equiv:+ (equivalent: $equiv)}")
		if [ -n "$equiv" ]; then
			tap_ok "$name: survived, as its equivalence says [${secs}s]"
		else
			tap_fail "$name: SURVIVED: every test passed with: $desc [${secs}s]"
		fi
	fi
done
gates_worktree "$wt" "$tip"
tap_end

echo "mutants: $killed killed, $survived survived"
[ "$broken" -eq 0 ] || echo "mutants that did not apply or build: $broken (see the results above)"
for s in "${survivors[@]}"; do
	echo "  survived: $s"
done
! grep -q '^not ok ' "$out/mutate.tap"
