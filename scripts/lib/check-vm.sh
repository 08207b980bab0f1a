#!/bin/bash
# check-vm.sh OUTDIR [VARIANT] | --variants: make check's test VM for
# $ARCH. One boot runs the guest TAP runner over TESTS_LIST
# (tests/vm-tests-$ARCH.list); its TAP goes to OUTDIR/vm-tests.tap, and
# OUTDIR/vm.tap gets two more results: the VM itself (booted, ran the list,
# powered off) and its console (no kernel splat, scripts/lib/scan-splats.sh).
# VARIANT: an entry of KVM_VARIANTS (config/$ARCH.env), "NAME MODULE.ko
# PARAM=VALUE...": the same run with KVM loaded with those parameters
# (x86_64: the legacy TDP MMU, shadow paging), after the guest checked in
# /sys/module that they took effect; there the tests the list marks "!"
# (must run) may skip (tap-run --may-skip): e.g. the SW_PROTECTED VM type
# needs the TDP MMU. --variants prints their names.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --variants ]; then
	for v in "${KVM_VARIANTS[@]}"; do echo "${v%% *}"; done
	exit 0
fi
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: check-vm.sh OUTDIR [VARIANT] | --variants"
out=$1 variant=${2:-}
mkdir -p "$out"
budget=$(list_entries "$TESTS_LIST" | awk '{ s += $2 } END { print s + 0 }')
jobroot=$out/jobroot
rm -rf "$jobroot"
mkdir -p "$jobroot/job"
: >"$jobroot/job/run"
# TAP_RUN_FLAGS: more options of the guest's tap-run (make mutate:
# --stop-at-failure).
name=check label=${CHECK_VM_LABEL:-$ARCH} runner="/bin/tap-run${TAP_RUN_FLAGS:+ $TAP_RUN_FLAGS}"
if [ -n "$variant" ]; then
	spec=
	for v in "${KVM_VARIANTS[@]}"; do
		[ "${v%% *}" != "$variant" ] || spec=${v#* }
	done
	[ -n "$spec" ] || die "no KVM_VARIANTS entry $variant in config/$ARCH.env"
	read -r mod params <<<"$spec"
	echo "$mod $params" >"$jobroot/job/modparams"
	sysmod=${mod%.ko}
	sysmod=${sysmod//-/_}
	for p in $params; do
		# A boolean reads back as Y/N.
		want=${p#*=}
		case $want in 0) want='(0|N)' ;; 1) want='(1|Y)' ;; esac
		cat >>"$jobroot/job/run" <<-JOB
		got=\$(cat /sys/module/$sysmod/parameters/${p%%=*})
		echo "\$got" | grep -qxE '$want' || { echo "harness: $sysmod.${p%%=*} is \$got, not ${p#*=}"; exit 1; }
		JOB
	done
	name=check-$variant label="$ARCH ($variant: $sysmod $params)"
	runner="$runner --may-skip"
	# One NUMA node: guest_memfd_numa_test's placement cases skip here
	# and say why; the default run has QEMU_NUMA_NODES.
	export QEMU_NUMA_NODES=1
fi
echo "exec $runner /etc/harness/vm-tests.list" >>"$jobroot/job/run"

rc=0
"$ROOT/scripts/lib/vm-boot.sh" "$name" $((budget + VM_SLACK_TIMEOUT)) "$jobroot" || rc=$?
console=$VMDIR/logs/$name.console.log
output=$VMDIR/logs/$name.output.log
cp "$output" "$out/vm-tests.tap" 2>/dev/null || : >"$out/vm-tests.tap"

{
	echo "TAP version 13"
	echo "1..2"
	# Status 0: the guest's runner got through the list (a failing test is
	# its own "not ok"); anything else is a hang, a crash or a broken job.
	if [ "$rc" -eq 0 ] && grep -q '^1\.\.[0-9]' "$output"; then
		echo "ok 1 $label vm: booted, ran the test list, powered off"
	else
		echo "not ok 1 $label vm: no complete run (status $rc); console log: $console"
	fi
	if scan=$("$ROOT/scripts/lib/scan-splats.sh" "$console"); then
		echo "ok 2 $label vm: no kernel splat on the console"
	else
		printf '%s\n' "$scan" | sed 's/^/# /'
		echo "not ok 2 $label vm: kernel splat on the console ($console)"
	fi
} | tee "$out/vm.tap"
echo "logs: ${VMDIR#"$ROOT"/}/logs/$name.{output,console}.log"
