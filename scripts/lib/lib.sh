# Shared helpers: sourced by every script in scripts/ (not executed).
# shellcheck shell=bash

# Fail loudly: command substitutions keep set -e (a failing step inside
# $(...) fails the assignment), and any command that stops a script under
# set -e names itself, its script and line before the script exits.
shopt -s inherit_errexit
set -E
on_err() { # on_err STATUS LINE COMMAND FILE
	printf '[%s] ERROR: %s:%s: "%s" failed (exit %s)\n' "$(date +%H:%M:%S)" \
		"${4##*/}" "$2" "$3" "$1" >&2
}
trap 'on_err "$?" "$LINENO" "$BASH_COMMAND" "${BASH_SOURCE[0]}"' ERR
# Ctrl-C stops every script of the chain. bash only ends itself on SIGINT
# when its foreground child died of it, and QEMU (or make) exits normally on
# SIGINT, so without these traps a script would carry on with its next step
# after Ctrl-C. The traps run as soon as the foreground command returns.
trap 'exit 130' INT
trap 'exit 143' TERM

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ARCH=${ARCH:-x86_64}

log()  { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

[ -f "$ROOT/config/$ARCH.env" ] || die "unsupported ARCH=$ARCH (no config/$ARCH.env)"
# shellcheck source=../../config/base.env
. "$ROOT/config/base.env"
# shellcheck source=../../config/x86_64.env
. "$ROOT/config/$ARCH.env"

# HARNESS_KVM_MODULES: other modules to load, paths under KOUT (make
# deb-check: a package's; make distro-check: those built with Debian's config).
KVM_MODULES=${HARNESS_KVM_MODULES:-$KVM_MODULES}

# HARNESS_FRAGMENT: another base fragment instead of KERNEL_FRAGMENT (a
# gate's stand-alone configuration, e.g. config/kernel-ARCH-nokvm.config).
KERNEL_FRAGMENT=${HARNESS_FRAGMENT:-$KERNEL_FRAGMENT}

# HARNESS_BUILD: another build directory (the harness self-tests).
BUILD=${HARNESS_BUILD:-$ROOT/build}

# Numeric settings (make help lists them) must be numbers: a typo must not
# turn into a timeout of 0 or a shell arithmetic error halfway through.
for _v in TIMEOUT QEMU_SMP REGRESS_TIMEOUT STRESS_SECONDS DEBUG_TIMEOUT_FACTOR \
	DEBUG_VM_TIMEOUT BENCH_TIMEOUT; do
	[ -z "${!_v:-}" ] || [[ ${!_v} =~ ^[1-9][0-9]*$ ]] ||
		die "$_v=${!_v}: not a positive whole number"
done
unset _v

# The kernel source tarball of linux-source VERSION, where
# scripts/lib/base-fetch.sh leaves it. BASE_TARBALL: the pinned one's.
source_tarball() { printf '%s/source/%s/linux-source.tar.xz\n' "$BUILD" "$1"; }
BASE_TARBALL=$(source_tarball "$BASE_VERSION")
# HARNESS_TREE/KOUT/STOUT/VMDIR point the scripts at another source tree and
# its outputs (scripts/regress-base.sh builds and boots the pristine base).
TREE=${HARNESS_TREE:-$BUILD/linux}
KOUT=${HARNESS_KOUT:-$BUILD/kernel-$ARCH}
STOUT=${HARNESS_STOUT:-$BUILD/selftests-$ARCH}
PROGS_OUT=$BUILD/progs-$ARCH
VMDIR=${HARNESS_VMDIR:-$BUILD/vm-$ARCH}
# guest_prog_host_path PATH: the host file of a program the guest runs as
# /t/PATH (test lists, RUN_DEFAULT): kvm/... is a KVM selftest, progs/... a
# program of scripts/progs.sh.
guest_prog_host_path() {
	case $1 in
	kvm/*) echo "$STOUT/${1#kvm/}" ;;
	progs/*) echo "$PROGS_OUT/${1#progs/}" ;;
	*) die "'$1' is neither kvm/... nor progs/..." ;;
	esac
}
# More config fragments (repo-relative, space-separated) merged after
# KERNEL_FRAGMENT: later ones override earlier ones (debug kernel, gates).
EXTRA_FRAGMENTS=${HARNESS_EXTRA_FRAGMENTS:-}
PATCHES=$ROOT/patches
# Tests that make check runs in the VM (one per line, "[!]PATH TIMEOUT
# [ARGS...]"; see guest/tap-run).
TESTS_LIST=${TESTS_LIST:-$ROOT/tests/vm-tests-$ARCH.list}
# Where the tree records the patch-ids it was last synced with (apply/export).
SYNC_STAMP=$TREE/.git/harness-synced

# use_debug_kernel: point this script, and the scripts it runs, at the
# debug kernel (config/kernel-$ARCH-debug.config on top of the harness
# fragment) and its VM directory: scripts/gates/gate-debug.sh, make stress DEBUG=1.
use_debug_kernel() {
	export HARNESS_KOUT=$BUILD/kernel-$ARCH-debug HARNESS_VMDIR=$BUILD/vm-$ARCH-debug
	export HARNESS_EXTRA_FRAGMENTS=config/kernel-$ARCH-debug.config
	KOUT=$HARNESS_KOUT VMDIR=$HARNESS_VMDIR EXTRA_FRAGMENTS=$HARNESS_EXTRA_FRAGMENTS
}

# apt_newest_version: the newest version of $BASE_PKG in apt's lists
# (empty if none); `apt-cache madison` lists them, in no promised order.
apt_newest_version() {
	local v newest=
	while read -r v; do
		if [ -z "$newest" ] || dpkg --compare-versions "$v" gt "$newest"; then
			newest=$v
		fi
	done < <(apt-cache madison "$BASE_PKG" 2>/dev/null | awk -F' *[|] *' '{ print $2 }')
	echo "$newest"
}

# list_entries FILE: the entries of a list file (test lists, excluded
# lists, patches/series): every line except blank ones and comments, a
# comment being a line whose first non-blank character is "#" (a "#" later
# in a line is text: "raises #UD"). The same rule in guest/tap-run and
# scripts/lib/regress-verdict.sh.
list_entries() {
	awk '!/^[ \t]*#/ && NF' "$1"
}

# list_paths FILE: the program paths of a test list's entries (kvm/...,
# progs/...), without the must-run mark "!" some carry (guest/tap-run).
list_paths() {
	list_entries "$1" | awk '{ sub(/^!/, "", $1); print $1 }'
}

# apt_deb_sha256 VERSION [PKG]: the sha256 apt's metadata records for the
# .deb of PKG (default $BASE_PKG; "name:arch" for another architecture's)
# at VERSION; empty if apt does not offer that version.
apt_deb_sha256() {
	{ apt-cache show "${2:-$BASE_PKG}=$1" 2>/dev/null || true; } |
		awk '$1 == "SHA256:" { print $2; exit }'
}

# apt_download PKG=VERSION SHA256 DIR: `apt-get download` of that .deb
# into the empty directory DIR, its sha256 checked against SHA256 (apt's
# metadata, apt_deb_sha256); prints the .deb's path.
apt_download() {
	local what=$1 want=$2 dir=$3 got
	if ! (cd "$dir" && apt-get download -q "$what") >"$dir/apt.log" 2>&1; then
		sed 's/^/  apt: /' "$dir/apt.log" >&2
		die "download of $what failed (no network, or apt's lists are stale: apt-get update, as root)"
	fi
	local debs=("$dir"/*.deb)
	[ -f "${debs[0]}" ] || die "apt-get download left no .deb for $what"
	got=$(sha256_of "${debs[0]}")
	[ "$got" = "$want" ] || die "sha256 of the downloaded ${debs[0]##*/} is $got; apt's metadata says $want"
	echo "${debs[0]}"
}

# sha256_of FILE: the file's sha256, hex.
sha256_of() {
	sha256sum "$1" | awk '{ print $1 }'
}

# Patch files named by patches/series, in order (quilt format: the first
# field is the file name). Empty if no series.
series_patches() {
	[ -f "$PATCHES/series" ] || return 0
	list_entries "$PATCHES/series" | awk -v d="$PATCHES" '{ print d "/" $1 }'
}

# Stable patch-ids, one per line, of a stream of patches/diffs on stdin.
patch_ids() {
	git patch-id --stable | awk '{ print $1 }'
}

# Patch-ids of the commits base..HEAD in the edit tree.
tree_patch_ids() {
	git -C "$TREE" log --reverse --format=email -p base..HEAD | patch_ids
}

# Patch-ids of patches/series. Callers assign the result (ids=$(...)):
# then a missing patch file fails the assignment, not only the subshell.
series_patch_ids() {
	local p
	local -a ps
	mapfile -t ps < <(series_patches)
	for p in "${ps[@]}"; do
		[ -f "$p" ] || die "patches/series names a missing file: ${p#"$ROOT"/}"
		patch_ids <"$p"
	done
}

# Uncommitted changes, or a rebase/am stopped half-way.
tree_is_dirty() {
	[ -n "$(git -C "$TREE" status --porcelain --untracked-files=normal)" ] ||
		[ -e "$TREE/.git/rebase-merge" ] || [ -e "$TREE/.git/rebase-apply" ]
}

# ccache keys relative to the checkout: a fresh clone (CI) hits the cache
# filled by another checkout instead of rebuilding everything.
export CCACHE_BASEDIR=$ROOT

# make in the edit tree, out of tree in $KOUT, with settings that keep
# ccache hits and incremental builds (fixed build stamps, empty LOCALVERSION
# so setlocalversion appends no "+").
# HARNESS_LLVM=1 builds with clang and the LLVM binutils (LLVM=1).
kmake() {
	local cc=("CC=ccache ${CROSS_COMPILE}gcc")
	[ -z "${HARNESS_LLVM:-}" ] || cc=(LLVM=1 CC="ccache clang")
	[ -z "$CROSS_COMPILE" ] || cc+=(CROSS_COMPILE="$CROSS_COMPILE")
	make -C "$TREE" O="$KOUT" ARCH="$KERNEL_ARCH" "${cc[@]}" \
		LOCALVERSION= KBUILD_BUILD_TIMESTAMP="$BASE_GIT_DATE" \
		KBUILD_BUILD_USER=harness KBUILD_BUILD_HOST=harness \
		-j"$(nproc)" "$@"
}

# True if build/linux has commits that are neither patches/ nor what was
# last applied or exported (i.e. work that only exists in the tree).
tree_has_unexported_commits() {
	local have want
	have=$(tree_patch_ids)
	want=$(series_patch_ids)
	[ "$have" != "$want" ] &&
		[ "$have" != "$(cat "$SYNC_STAMP" 2>/dev/null || true)" ]
}

# heartbeat_start LABEL LOG [REGEX NOUN] / heartbeat_stop: while a long
# step writes its output into LOG, say once a minute that it is still
# going, for how long, and how many lines of LOG match REGEX (default:
# kbuild's CC/LD/AR lines, "objects built"). The ticker ends by itself when
# this script is gone (Ctrl-C).
heartbeat_start() {
	local label=$1 logf=$2 regex=${3:-'^ *(CC|LD|AR) '} noun=${4:-objects built}
	local parent=$$ s=$SECONDS
	(
		trap - ERR
		# Not the locks (fd 9 of take_build_lock, fd 8 of take_deb_lock):
		# its sleep would hold them for up to a minute after this script
		# exits.
		exec 8>&- 9>&-
		while sleep 60 && kill -0 "$parent" 2>/dev/null; do
			n=$(grep -cE "$regex" "$logf" 2>/dev/null || true)
			log "$label: still running after $((SECONDS - s))s, ${n:-0} $noun (${logf#"$ROOT"/})"
		done
	) &
	HEARTBEAT_PID=$!
}
heartbeat_stop() {
	kill "$HEARTBEAT_PID" 2>/dev/null || true
	wait "$HEARTBEAT_PID" 2>/dev/null || true
}

# step_time LABEL START: one line "SECONDS<TAB>LABEL" (the seconds since
# $SECONDS was START) in STEP_TIMES, the file behind the time table that
# make check prints (scripts/lib/time-table.sh); nothing if it is unset.
step_time() {
	[ -z "${STEP_TIMES:-}" ] || printf '%s\t%s\n' $((SECONDS - $2)) "$1" >>"$STEP_TIMES"
}
# timed LABEL COMMAND...: run COMMAND, record its time as LABEL (step_time)
# whatever its outcome, and return its exit status.
timed() {
	local label=$1 s=$SECONDS rc=0
	shift
	"$@" || rc=$?
	step_time "$label" "$s"
	return "$rc"
}

# shellcheck source=tap.sh
. "$ROOT/scripts/lib/tap.sh"

# need_disk_gib DIR GIB WHAT: die unless DIR's filesystem has GIB GiB
# free, naming WHAT needs it and how much there is.
need_disk_gib() {
	local avail_kib
	mkdir -p "$1"
	avail_kib=$(df -Pk "$1" | awk 'NR == 2 { print $4 }')
	[ "$avail_kib" -ge $(($2 * 1024 * 1024)) ] ||
		die "not enough disk in ${1#"$ROOT"/}: $3 needs $2 GiB, $((avail_kib / 1024 / 1024)) GiB free"
}

# Serialise everything that writes build/linux or runs a big build: one at
# a time per checkout (2 cores; a tree re-applied under a running build
# breaks it). Held until the calling script exits.
take_build_lock() {
	[ -z "${HARNESS_BUILD_LOCKED:-}" ] || return 0 # a parent script holds it
	mkdir -p "$BUILD"
	exec 9>"$BUILD/.build.lock"
	flock_waiting 9 "another harness build"
	export HARNESS_BUILD_LOCKED=1 # the scripts this one runs
}

# flock_waiting FD WHO: the lock on the file open as FD, saying first that
# it waits for WHO (in this checkout) if that holds it.
flock_waiting() {
	if ! flock -n "$1"; then
		log "waiting for $2 in this checkout to finish"
		flock "$1"
	fi
}
