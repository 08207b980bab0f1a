#!/bin/bash
# Boot the test VM once: vm-boot.sh NAME TIMEOUT JOBROOT
# JOBROOT/job/run is a guest shell script; JOBROOT/job/ is added to the
# initramfs as /job. The job's output (second serial port) streams to stdout
# and to build/vm-$ARCH/logs/NAME.output.log; the kernel console (first
# serial port) goes to NAME.console.log. Exits with the job's status, or
# non-zero when the guest reported none (hang, panic, crash).
# HARNESS_CMDLINE_EXTRA: more kernel parameters after KERNEL_CMDLINE.
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

log "vm: booting $name (timeout ${secs}s; console log: ${console#"$ROOT"/})"
start=$SECONDS
set +e
# --foreground: QEMU stays in this process group, so Ctrl-C (or a kill of
# the group) reaches it; without it timeout gives QEMU a group of its own.
timeout --foreground -k 10 "$secs" "$QEMU" -M "$QEMU_MACHINE" -cpu "$QEMU_CPU" -accel "$QEMU_ACCEL" \
	-smp "$QEMU_SMP" -m "$QEMU_MEM" "${firmware[@]}" -nodefaults -display none \
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
