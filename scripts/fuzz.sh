#!/bin/bash
# make fuzz [OPS=1000000] [SEED=N] [FUZZ_THREADS=4]: gmem-fuzz
# (tests/progs/gmem-fuzz.c) on the debug kernel of the quality gates
# (KASAN, lockdep, DEBUG_VM/LIST, kmemleak; built here if needed), through
# scripts/gates/gate-debug.sh: the run, then kmemleak scanned twice, then
# the console scanned for splats, one TAP stream in build/fuzz-$ARCH/.
# Without SEED a random one is drawn and printed; gmem-fuzz --replay SEED
# --threads T --ops N repeats a run's sequences.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

ops=${OPS:-1000000} seed=${SEED:-} threads=${FUZZ_THREADS:-4}
[[ "$ops" =~ ^[1-9][0-9]*$ ]] || die "OPS=$ops: not a number of operations"
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "FUZZ_THREADS=$threads: not a number of threads"
[ -n "$seed" ] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
[[ "$seed" =~ ^[0-9]+$ ]] || die "SEED=$seed: not a number"
[[ " $PROGS " == *" gmem-fuzz "* ]] || die "config/$ARCH.env: PROGS has no gmem-fuzz (it runs vCPUs with x86 code)"
# --check: validate the settings only (make does this before building).
[ "${1:-}" != --check ] || exit 0

out=$BUILD/fuzz-$ARCH
mkdir -p "$out"
# The debug kernel does about 350 operations a second under TCG (2 cores
# shared with a build); the limit allows 100 a second.
secs=$((ops / 100 + 120))
list=$out/fuzz.list
echo "!progs/gmem-fuzz $secs --ops $ops --seed $seed --threads $threads" >"$list"
log "fuzz: $ops operations, seed $seed, $threads threads, on the debug kernel (limit ${secs}s)"
rc=0
TESTS_LIST=$list DEBUG_TIMEOUT_FACTOR=1 DEBUG_VM_TIMEOUT=$((secs + 600)) \
	"$ROOT/scripts/gates/gate-debug.sh" "$out" || rc=$?
# The fuzzer's own totals, then the verdict of the whole stream.
sed -n '/^# gmem-fuzz: seed/p; /^# operations: done/,/operations in/p; /^# MISMATCH/,/^# repeat:/p' \
	"$out/gate-debug.tap"
"$ROOT/scripts/lib/tap-summary.sh" "$out/gate-debug.tap" && [ "$rc" -eq 0 ]
