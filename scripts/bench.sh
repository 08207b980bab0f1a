#!/bin/bash
# make bench: run tests/progs/gmem-bench.c (built by scripts/progs.sh) in the
# VM on the patched kernel, then natively on this machine when its own
# /dev/kvm can mmap guest_memfd (KVM_CAP_GUEST_MEMFD_FLAGS; the bench skips
# with exit 4 otherwise). Not a pass/fail test: it prints the figures and
# keeps them in build/bench-$ARCH/{vm,native}.txt.
#   BENCH_ARGS='...'   options for both runs (gmem-bench --help)
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

prog=$PROGS_OUT/gmem-bench
[ -x "$prog" ] || die "$prog not built: run make progs"
out=$BUILD/bench-$ARCH
mkdir -p "$out"
args=${BENCH_ARGS:-}

log "bench: in the VM on the patched kernel"
rc=0
PROG=$prog ARGS="$args" TIMEOUT=${BENCH_TIMEOUT:-1800} NAME=bench \
	"$ROOT/scripts/vm-run.sh" | tee "$out/vm.txt" || rc=$?
[ "$rc" -eq 0 ] || die "bench: the VM run failed (status $rc; logs: ${VMDIR#"$ROOT"/}/logs/bench.*.log)"

# This host's KVM (mainline-based) reads guest memory through
# userspace_addr, so the guest_memfd-only slot gets the mapping too; and
# other processes move MemFree, so accounting is reported, not enforced.
if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	log "bench: natively on $(uname -r)"
	rc=0
	# shellcheck disable=SC2086 # BENCH_ARGS are words
	"$prog" --userspace-addr --no-strict $args | tee "$out/native.txt" || rc=$?
	case $rc in
	0) ;;
	4) log "bench: native run skipped: this kernel cannot mmap guest_memfd" ;;
	*) warn "bench: native run failed (status $rc)" ;;
	esac
else
	log "bench: no usable /dev/kvm on this machine: no native run"
	: >"$out/native.txt"
fi

echo
echo "ratios (baseline time / guest_memfd time; 1.0 = as fast, higher = faster)"
for f in vm native; do
	[ -s "$out/$f.txt" ] || continue
	sed -n "s/^ratio /  $f: /p" "$out/$f.txt"
done
log "bench: results in ${out#"$ROOT"/}/{vm,native}.txt"
