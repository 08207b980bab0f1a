#!/bin/bash
# Boot the test VM once: vm-boot.sh NAME TIMEOUT JOBROOT
# JOBROOT/job/run is a guest shell script; JOBROOT/job/ is added to the
# initramfs as /job. The job's output (second serial port) streams to stdout
# and to build/vm-$ARCH/logs/NAME.output.log; the kernel console (first
# serial port) goes to NAME.console.log. Exits with the job's status, or
# non-zero when the guest reported none (hang, panic, crash).
# HARNESS_CMDLINE_EXTRA: more kernel parameters after KERNEL_CMDLINE.
# QEMU_NUMA_NODES (config/$ARCH.env, or the environment): the guest's NUMA
# nodes, QEMU_MEM and the vCPUs split evenly among them; 1: no -numa options.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: vm-boot.sh NAME TIMEOUT JOBROOT"
name=$1 secs=$2 jobroot=$3
image=$KOUT/$KERNEL_IMAGE
[ -f "$image" ] || die "no kernel image $image: run make kernel"
[ -f "$VMDIR/base.cpio" ] || die "no initramfs: run make initramfs"
[ -f "$jobroot/job/run" ] || die "$jobroot/job/run missing"

logs=$VMDIR/logs
mkdir -p "$logs"
console=$logs/$name.console.log
output=$logs/$name.output.log
initrd=$logs/$name.initrd.cpio
marker=@@HARNESS-EXIT@@

# A log left by an earlier run must never be read as this run's.
rm -f "$console" "$output"
# The kernel unpacks concatenated cpio archives in order.
cp "$VMDIR/base.cpio" "$initrd"
(cd "$jobroot" && find job | cpio -o -H newc -R 0:0 --quiet) >>"$initrd"

# Per-architecture QEMU options (config/$ARCH.env), as words.
read -r -a serial <<<"${QEMU_SERIAL//@CONSOLE@/$console}"
firmware=()
[ -z "$QEMU_BIOS" ] || firmware=(-bios "$QEMU_BIOS")
numa=()
smp=$QEMU_SMP
nodes=${QEMU_NUMA_NODES:-1}
if [ "$nodes" -gt 1 ]; then
	case $QEMU_MEM in
	*G) mem_mb=$((${QEMU_MEM%G} * 1024)) ;;
	*M) mem_mb=${QEMU_MEM%M} ;;
	*) die "QEMU_MEM=$QEMU_MEM: QEMU_NUMA_NODES=$nodes needs a size in M or G" ;;
	esac
	[ $((mem_mb % nodes)) -eq 0 ] && [ $((QEMU_SMP % nodes)) -eq 0 ] ||
		die "QEMU_NUMA_NODES=$nodes must divide QEMU_MEM ($mem_mb M) and QEMU_SMP ($QEMU_SMP)"
	per_cpu=$((QEMU_SMP / nodes))
	# A socket per node: CPUs that share a cache must share a node (x86
	# warns at boot otherwise).
	smp=$QEMU_SMP,sockets=$nodes
	for ((n = 0; n < nodes; n++)); do
		numa+=(-object "memory-backend-ram,id=node$n,size=$((mem_mb / nodes))M"
			-numa "node,nodeid=$n,memdev=node$n,cpus=$((n * per_cpu))-$(((n + 1) * per_cpu - 1))")
	done
fi

log "vm: booting $name (timeout ${secs}s, $nodes NUMA node(s); console log: ${console#"$ROOT"/})"
start=$SECONDS
set +e
# --foreground: QEMU stays in this process group, so Ctrl-C (or a kill of
# the group) reaches it; without it timeout gives QEMU a group of its own.
timeout --foreground -k 10 "$secs" "$QEMU" -M "$QEMU_MACHINE" -cpu "$QEMU_CPU" -accel "$QEMU_ACCEL" \
	-smp "$smp" -m "$QEMU_MEM" "${numa[@]}" "${firmware[@]}" -nodefaults -display none \
	-no-reboot -kernel "$KOUT/$KERNEL_IMAGE" -initrd "$initrd" \
	-append "$KERNEL_CMDLINE${HARNESS_CMDLINE_EXTRA:+ $HARNESS_CMDLINE_EXTRA}" \
	"${serial[@]}" \
	</dev/null | tee "$output" | sed -u -e 's/\r$//' -e "/^$marker /d"
qemu_rc=${PIPESTATUS[0]}
set -e
sed -i 's/\r$//' "$output" "$console"
elapsed=$((SECONDS - start))

if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	echo "vm: timeout after ${secs}s; console log: $console" >&2
	exit 124
fi
rc=$(sed -n "s/^$marker \([0-9]*\)$/\1/p" "$output" | tail -n 1)
if [ -z "$rc" ]; then
	echo "vm: the guest reported no exit status (qemu exit $qemu_rc: panic or crash?); console log: $console" >&2
	exit 125
fi
log "vm: $name finished in ${elapsed}s, job exit status $rc"
exit "$rc"
