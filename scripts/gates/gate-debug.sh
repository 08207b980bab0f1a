#!/bin/bash
# Gate 6: gate-debug.sh OUTDIR [--build | --run]. The debug kernel:
# build/linux built with config/kernel-$ARCH-debug.config on top of the
# harness fragment (KASAN, PROVE_LOCKING, DEBUG_VM, DEBUG_LIST,
# DEBUG_ATOMIC_SLEEP, KMEMLEAK) in build/kernel-$ARCH-debug, its own
# initramfs (its KVM modules, the same selftests and programs) in
# build/vm-$ARCH-debug, booted in the same QEMU to run the same test list
# (TESTS_LIST) with DEBUG_TIMEOUT_FACTOR (default 8) times the timeouts:
# the debug kernel runs the tests 6-15 times slower under TCG. Then
# kmemleak is scanned twice and read: any leak fails. The console must have
# no splat (scripts/lib/scan-splats.sh).
# One TAP stream, OUTDIR/gate-debug.tap: the build, each test, kmemleak,
# the splat scan. --build only builds (and records the result); --run then
# does the rest: make check runs the VM (one host core) while the other
# gates build.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$ROOT/scripts/gates/gates-lib.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: gate-debug.sh OUTDIR [--build | --run]"
outdir=$1 mode=${2:-all}
use_debug_kernel
factor=${DEBUG_TIMEOUT_FACTOR:-8}
mkdir -p "$VMDIR/logs" "$outdir"
result=$outdir/.gate-debug-build # the build's TAP line and diagnostics

if [ "$mode" != --run ]; then
	blog=$VMDIR/logs/build.log
	s=$SECONDS
	heartbeat_start "gate-debug: building the debug kernel" "$blog"
	brc=0
	"$ROOT/scripts/kernel.sh" >"$blog" 2>&1 || brc=$?
	heartbeat_stop
	if [ "$brc" -eq 0 ]; then
		echo "ok debug kernel builds ($HARNESS_EXTRA_FRAGMENTS, ${KOUT#"$ROOT"/}) [$(elapsed_since "$s")]" >"$result"
	else
		{ awk '/error:|ERROR/ && n++ < 10 { print "# " $0 }' "$blog"; echo "# log: ${blog#"$ROOT"/}"
		  echo "not ok debug kernel does not build: $(grep -m1 -E 'error:|ERROR' "$blog" || tail -n 1 "$blog") [$(elapsed_since "$s")]"; } >"$result"
	fi
	log "gate-debug: $(tail -n 1 "$result")"
	[ "$mode" = --build ] && exit 0
fi

tap_begin "$outdir" debug
gstart=$SECONDS
mapfile -t tests < <(list_paths "$TESTS_LIST")

# not_run REASON: a failed result for each test of the list, kmemleak and
# the console (nothing ran).
not_run() {
	local t
	for t in "${tests[@]}"; do
		tap_fail "debug kernel: $t: not run ($1)"
	done
	tap_fail "debug kernel: kmemleak: not scanned ($1)"
	tap_fail "debug kernel: console: not scanned ($1)"
}

line=$(tail -n 1 "$result" 2>/dev/null || echo "not ok debug kernel: not built (run gate-debug.sh OUTDIR --build first)")
while IFS= read -r d; do
	tap_diag "${d#\# }"
done < <(grep '^# ' "$result" 2>/dev/null || true)
case $line in
ok*) tap_ok "${line#ok }" ;;
*)
	tap_fail "${line#not ok }"
	not_run "no debug kernel"
	tap_end
	exit 0 ;;
esac

# The test list with longer timeouts and no skips allowed for what this
# kernel has, then the initramfs with this kernel's modules.
list=$VMDIR/vm-tests.list
"$ROOT/scripts/lib/debug-list.sh" "$TESTS_LIST" "$factor" >"$list"
if ! TESTS_LIST=$list "$ROOT/scripts/initramfs.sh" >"$VMDIR/logs/initramfs.log" 2>&1; then
	tap_diag "$(cat "$VMDIR/logs/initramfs.log")"
	not_run "initramfs failed"
	tap_end
	exit 0
fi

jobroot=$VMDIR/jobroot
rm -rf "$jobroot"
mkdir -p "$jobroot/job"
cat >"$jobroot/job/run" <<'EOF'
/bin/tap-run /etc/harness/vm-tests.list
rc=$?
k=/sys/kernel/debug/kmemleak
if [ -w $k ]; then
	# Objects younger than 5 s are never reported: wait, scan, wait, scan.
	# A kmemleak that disabled itself (e.g. out of metadata) refuses the
	# scan: that must not read as "no leak".
	sleep 6
	if echo scan >$k && sleep 6 && echo scan >$k; then
		cat $k >/tmp/kmemleak
		sed 's/^/# kmemleak: /' /tmp/kmemleak
		echo "@@KMEMLEAK@@ $(grep -c '^unreferenced object' /tmp/kmemleak)"
	else
		echo "@@KMEMLEAK@@ failed"
	fi
else
	echo "@@KMEMLEAK@@ missing"
fi
exit $rc
EOF
budget=$(list_entries "$list" | awk '{ s += $2 } END { print s + 0 }')
# The per-test timeouts catch a hung test; a hung VM is cut at
# DEBUG_VM_TIMEOUT (default 1 h; the run takes about 25 min alone).
budget=$((budget + VM_SLACK_TIMEOUT + 300))
[ "$budget" -le "${DEBUG_VM_TIMEOUT:-3600}" ] || budget=${DEBUG_VM_TIMEOUT:-3600}
rc=0
s=$SECONDS
log "gate-debug: running ${#tests[@]} tests on the debug kernel (timeouts x$factor)"
"$ROOT/scripts/lib/vm-boot.sh" debug "$budget" "$jobroot" >/dev/null || rc=$?
vmsecs=$(elapsed_since "$s")
console=$VMDIR/logs/debug.console.log
output=$VMDIR/logs/debug.output.log

# The guest's TAP results, renumbered into this stream; tests without a
# result (the VM died or timed out) fail.
seen=0
while IFS= read -r line; do
	case $line in
	'# kmemleak: '*) ;;
	'# '*) printf '%s\n' "$line" >>"$TAP_FILE" ;;
	'ok '* | 'not ok '*)
		seen=$((seen + 1))
		desc=$(sed -E 's/^(not )?ok [0-9]+ //' <<<"$line")
		case $line in
		ok*) tap_ok "debug kernel: $desc" ;;
		*) tap_fail "debug kernel: $desc" ;;
		esac ;;
	esac
done <"$output"
case $rc in
124) why="VM timed out after ${budget}s" ;;
125) why="VM ended without an exit status (panic?)" ;;
*) why="VM exit status $rc" ;;
esac
for t in "${tests[@]:$seen}"; do
	tap_fail "debug kernel: $t: no result ($why; console: ${console#"$ROOT"/})"
done

leaks=$(sed -n 's/^@@KMEMLEAK@@ //p' "$output" | tail -n 1)
case $leaks in
0) tap_ok "debug kernel: kmemleak: no leak after the tests (scanned twice)" ;;
'') tap_fail "debug kernel: kmemleak: not scanned ($why)" ;;
missing | failed) tap_fail "debug kernel: kmemleak: /sys/kernel/debug/kmemleak $leaks (kmemleak disabled? see ${console#"$ROOT"/})" ;;
*)
	tap_diag "$(awk 'sub(/^# kmemleak: /, "") && n++ < 200' "$output")"
	tap_fail "debug kernel: kmemleak: $leaks suspected leak(s), first: $(grep -m1 -A1 '^# kmemleak: unreferenced object' "$output" | sed 's/^# kmemleak: *//' | tr '\n' ' ')" ;;
esac

if scan=$("$ROOT/scripts/lib/scan-splats.sh" "$console" 2>&1); then
	tap_ok "debug kernel: no splat on the console (KASAN, lockdep, DEBUG_VM/LIST, sleep-in-atomic) [VM ${vmsecs}]"
else
	tap_diag "$scan"
	tap_fail "debug kernel: splat on the console: $(grep -m1 -E 'BUG:|WARNING:|KASAN:|Oops|circular|recursive|suspicious|stall|blocked for|kmemleak|panic|Call Trace' <<<"$scan" | sed -E 's/^[0-9]+[:-]//') (${console#"$ROOT"/})"
fi
tap_end
# --run is make check's background VM: its own line of the time table.
[ "$mode" != --run ] || step_time "$ARCH: debug kernel's VM (background)" "$gstart"
log "gate-debug: done in $(elapsed_since "$gstart"); logs: ${VMDIR#"$ROOT"/}/logs/debug.{output,console}.log"
