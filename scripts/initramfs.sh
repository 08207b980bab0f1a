#!/bin/bash
# Build build/vm-$ARCH/base.cpio: busybox, the KVM modules, the tests named
# in the test list (TESTS_LIST, default tests/vm-tests-$ARCH.list), guest/init and
# guest/tap-run. Replaced only when its content changed.
set -euo pipefail
. "$(dirname "$0")/lib/lib.sh"

s0=$SECONDS
list=$TESTS_LIST
[ -f "$list" ] || die "test list $list not found"
busybox=$("$ROOT/scripts/lib/busybox-fetch.sh")
# The applet list comes from the host's busybox, which can run here: the
# same busybox-static version has the same applets on every architecture.
host_busybox=$(command -v busybox || true)
[ -n "$host_busybox" ] || die "busybox not found: run make deps"

mkdir -p "$VMDIR"
stage=$(mktemp -d "$VMDIR/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,job,etc/harness,lib/modules,t/kvm,t/progs}

cp "$busybox" "$root/bin/busybox"
for applet in $("$host_busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
install -m 755 "$ROOT/guest/init" "$root/init"
install -m 755 "$ROOT/guest/tap-run" "$root/bin/tap-run"
echo "JOB_TTY=$JOB_TTY" >"$root/etc/harness/env"

: >"$root/etc/harness/modules" # KVM may be built in (arm64): no modules
for mod in $KVM_MODULES; do
	[ -f "$KOUT/$mod" ] || die "module $mod not built in $KOUT: run make kernel"
	# A signed module (Debian's config signs them) as it is: strip would drop
	# its signature, and loading it unsigned taints the kernel.
	if tail -c 28 "$KOUT/$mod" | grep -q 'Module signature appended'; then
		cp "$KOUT/$mod" "$root/lib/modules/$(basename "$mod")"
	else
		"${CROSS_COMPILE}strip" --strip-debug -o "$root/lib/modules/$(basename "$mod")" "$KOUT/$mod"
	fi
	basename "$mod" >>"$root/etc/harness/modules"
done

list_paths "$list" | while read -r path; do
	src=$(guest_prog_host_path "$path")
	[ -f "$src" ] || die "test list names $path, but $src was not built"
	mkdir -p "$(dirname "$root/t/$path")"
	"${CROSS_COMPILE}strip" -o "$root/t/$path" "$src" 2>/dev/null || cp "$src" "$root/t/$path"
done
cp "$list" "$root/etc/harness/vm-tests.list"

# Fixed times and inode numbers: same inputs, same bytes.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet --renumber-inodes --ignore-devno) >"$stage/base.cpio"
if cmp -s "$stage/base.cpio" "$VMDIR/base.cpio"; then
	log "initramfs: unchanged"
else
	mv "$stage/base.cpio" "$VMDIR/base.cpio"
	log "initramfs: ${VMDIR#"$ROOT"/}/base.cpio ($(du -h "$VMDIR/base.cpio" | cut -f1))"
fi
step_time "$ARCH: make initramfs (${VMDIR#"$ROOT"/})" "$s0"
