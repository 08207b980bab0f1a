#!/bin/bash
# make check: every test, for each architecture of CHECK_ARCHES (the
# Makefile's default is "x86_64 arm64"; `make check ARCH=arm64` checks
# one). In this order, so that the long debug VM runs beside the builds:
#  1. the harness self-tests and base-status (architecture-independent);
#  2. per architecture: its kernel, selftests, programs and initramfs
#     (make initramfs), then one VM running its test list
#     (scripts/lib/check-vm.sh), and one more per KVM_VARIANTS entry of
#     config/ARCH.env (x86_64: legacy TDP MMU, shadow paging);
#  3. the debug kernels of the architectures that have one
#     (config/kernel-ARCH-debug.config) are built, and their VMs (one host
#     core, ~25 min under TCG) start in the background;
#  4. per architecture: its quality gates (CHECK_GATES in config/ARCH.env),
#     the no-regressions suite (scripts/regress.sh) and the mutation smoke
#     (MUTATE_SMOKE, scripts/mutate.sh --smoke), and the Debian packages
#     of CHECK_DEB_CONFIG built and booted (scripts/deb-check.sh);
#  5. wait for the debug VMs; the time table (where the time went, each
#     step: scripts/lib/time-table.sh), then tap-summary's
#     "N passed, N failed, N skipped".
# Results in build/check/ARCH/. check.sh --quick (make test): 1's
# self-tests and 2, in build/test/.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

quick=
case ${1:-} in
--quick) quick=1 ;;
'') ;;
*) die "usage: check.sh [--quick]" ;;
esac
read -r -a arches <<<"${CHECK_ARCHES:-$ARCH}"
for a in "${arches[@]}"; do
	[ -f "$ROOT/config/$a.env" ] || die "CHECK_ARCHES names $a, but config/$a.env does not exist"
done
out=$BUILD/check
[ -z "$quick" ] || out=$BUILD/test
rm -rf "$out"
mkdir -p "$out"
taps=()
# Each step adds its line of the time table (lib.sh's step_time, timed).
export STEP_TIMES=$out/times
: >"$STEP_TIMES"

# summary: the time table, then the summary of every TAP stream.
summary() {
	"$ROOT/scripts/lib/time-table.sh" "$STEP_TIMES" "$SECONDS"
	exec "$ROOT/scripts/lib/tap-summary.sh" "${taps[@]}"
}

timed "harness self-tests" "$ROOT/scripts/test-harness.sh" | tee "$out/harness.tap"
taps+=("$out/harness.tap")

# 2. Build and test each architecture. A build that fails is one failed
# result, and that architecture's later steps are left out.
built=()
for a in "${arches[@]}"; do
	log "check: $a: building (make initramfs ARCH=$a)"
	if ARCH=$a make -s --no-print-directory -C "$ROOT" initramfs; then
		built+=("$a")
		ARCH=$a timed "$a: test VM (tests/vm-tests-$a.list)" "$ROOT/scripts/lib/check-vm.sh" "$out/$a"
		taps+=("$out/$a/vm-tests.tap" "$out/$a/vm.tap")
		for v in $(ARCH=$a "$ROOT/scripts/lib/check-vm.sh" --variants); do
			ARCH=$a timed "$a: test VM, KVM $v" "$ROOT/scripts/lib/check-vm.sh" "$out/$a/$v" "$v"
			taps+=("$out/$a/$v/vm-tests.tap" "$out/$a/$v/vm.tap")
		done
	else
		tap_single "$out/$a/build.tap" fail "$a: make initramfs failed (its error is above); no tests ran for $a"
		taps+=("$out/$a/build.tap")
	fi
done

[ -z "$quick" ] || summary

# Is the pin still Debian's newest 6.12, does the series apply to it at fuzz
# 0 (quilt)? A SKIP with the reason when apt has a newer one.
timed base-status "$ROOT/scripts/base-status.sh" --tap "$out/base-status.tap" || true
tap_ensure "$out/base-status.tap" "base-status: did not finish (its error is above)"
taps+=("$out/base-status.tap")

# 3. Debug kernels: built now, their VMs in the background. Each VM has its
# own process group (setsid), so that Ctrl-C or a failure here stops it
# with its QEMU: background jobs of a script ignore SIGINT.
debug_pids=() debug_arches=()
# shellcheck disable=SC2154 # p is the trap's own loop variable
trap 'for p in "${debug_pids[@]}"; do kill -TERM -- -"$p" 2>/dev/null || true; done' EXIT
for a in "${built[@]}"; do
	[ -f "$ROOT/config/kernel-$a-debug.config" ] || continue
	ARCH=$a "$ROOT/scripts/gates/gate-debug.sh" "$out/$a" --build
	ARCH=$a setsid "$ROOT/scripts/gates/gate-debug.sh" "$out/$a" --run >"$out/$a/gate-debug.log" 2>&1 &
	debug_pids+=($!) debug_arches+=("$a")
done

# 4. Gates and the regression suite, one architecture after the other.
for a in "${built[@]}"; do
	ARCH=$a "$ROOT/scripts/gates/gates.sh" "$out/$a" || true
	ARCH=$a timed "$a: regression suite" "$ROOT/scripts/regress.sh" --tap "$out/$a" || true
	ARCH=$a timed "$a: mutation smoke" "$ROOT/scripts/mutate.sh" "$out/$a" --smoke || true
	# (make deb and deb-check record their own times.)
	# It exits 0 without a result where CHECK_DEB_CONFIG is empty; one that
	# fails before its TAP is written is a failure of its own.
	ARCH=$a "$ROOT/scripts/deb-check.sh" --in-check "$out/$a/deb" ||
		tap_ensure "$out/$a/deb/deb.tap" "deb-check ($a): did not finish (its error is above)"
done

# 5. The debug VMs.
for i in "${!debug_pids[@]}"; do
	a=${debug_arches[$i]}
	log "check: waiting for the $a debug kernel's VM (log: build/check/$a/gate-debug.log)"
	s=$SECONDS
	heartbeat_start "check: $a: the debug kernel's VM" "$BUILD/vm-$a-debug/logs/debug.output.log" \
		'^(not )?ok [0-9]' "test results so far"
	wait "${debug_pids[$i]}" || true
	heartbeat_stop
	step_time "$a: waiting for its debug kernel's VM" "$s"
done
trap - EXIT
for a in "${debug_arches[@]}"; do
	tap_ensure "$out/$a/gate-debug.tap" "gate-debug ($a): did not finish, see build/check/$a/gate-debug.log"
	grep -E '^(not )?ok ' "$out/$a/gate-debug.tap"
done

for a in "${built[@]}"; do
	taps+=("$out/$a"/gate-*.tap "$out/$a/regress.tap")
	[ ! -f "$out/$a/mutate.tap" ] || taps+=("$out/$a/mutate.tap")
	if [ -f "$out/$a/deb/deb.tap" ]; then
		tap_ensure "$out/$a/deb/vm.tap" "deb-check ($a): the package's kernel was not booted (the error is above)"
		taps+=("$out/$a/deb"/*.tap)
	fi
done
summary
