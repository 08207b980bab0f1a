# Harness for the guest_memfd patch series on Debian's 6.12 kernel source.
# Every target runs one script in scripts/; `make help` lists them.

ARCH ?= x86_64
# The architectures make check and make test cover: all of them, unless
# ARCH was given (make check ARCH=arm64, or ARCH in the environment).
ALL_ARCHES := x86_64 arm64
CHECK_ARCHES ?= $(if $(filter file,$(origin ARCH)),$(ALL_ARCHES),$(ARCH))
# What `make run` runs in the VM: RUN_PROG, a static binary; empty means
# config/$(ARCH).env's RUN_DEFAULT (x86_64: the VMM example gmem-vmm;
# arm64: the guest_memfd guest test).
RUN_PROG ?=
RUN_ARGS ?=

export ARCH CHECK_ARCHES

# Never two kernel builds at once, even under make -j.
.NOTPARALLEL:

.PHONY: help deps tree tree-for-build export kernel selftests progs initramfs \
	vm-run vm-run-prog check lint run test-harness clean distclean bench \
	stress regress regress-base test rebase base-status mutate fuzz fuzz-settings \
	export-debian deb deb-check distro-check

help:
	@echo "Targets (README.md \"Targets and settings\"):"
	@echo "  make run            build the patched kernel, boot it, run RUN_PROG (config/ARCH.env RUN_DEFAULT)"
	@echo "  make check          everything, for CHECK_ARCHES: make test, base-status, the quality gates, the regression suite"
	@echo "  make test           the quick part: harness self-tests, per arch one VM running tests/vm-tests-ARCH.list"
	@echo "  make lint           static gates on patches/: checkpatch, bisect, W=1+sparse, clang, htmldocs"
	@echo "  make vm-run PROG=/abs/static-binary [ARGS='...'] [TIMEOUT=s]   run one program in the VM"
	@echo "  make tree           build/linux = base + patches/ (refuses to drop unexported work)"
	@echo "  make export         patches/ = commits base..HEAD of build/linux"
	@echo "  make export-debian  patches/ as debian/patches/features/all/guest-memfd-mmap with DEP-3 fields, in DIR"
	@echo "  make deb            Debian packages of the patched kernel (DEB_CONFIG: Debian's config, all modules)"
	@echo "  make deb-check      the package of make deb: dpkg-deb checks, its kernel booted in the VM, the test list"
	@echo "  make distro-check   the kernel with Debian's config (bzImage + KVM modules) in the VM, the test list"
	@echo "  make rebase [VERSION=v]  move the series and the pin to linux-source v (default: apt's newest)"
	@echo "  make base-status    pinned base, apt's newest, does the series apply there at fuzz 0"
	@echo "  make regress        KVM selftest suite on the patched kernel vs the recorded base results"
	@echo "  make regress-base   build the pristine base kernel, record its results"
	@echo "  make bench          guest_memfd fault cost vs shmem and anon, in the VM and natively"
	@echo "  make stress         guest_memfd_stress_test for STRESS_SECONDS in the VM; DEBUG=1: on the debug kernel"
	@echo "  make fuzz           gmem-fuzz: OPS random guest_memfd operations on the debug kernel, kmemleak, splats"
	@echo "  make mutate         each mutant of tests/mutants/ARCH/ against the test list: killed or survived"
	@echo "  make deps | kernel | selftests | progs | initramfs | test-harness"
	@echo "  make clean          remove build outputs, keep build/linux, build/source, build/rebase"
	@echo "  make distclean      remove build/ (refuses if build/linux has unexported work; FORCE=1)"
	@echo "Settings (environment or make VAR=value), with their defaults:"
	@echo "  ARCH=x86_64                 architecture: config/ARCH.env (x86_64, arm64)"
	@echo "  CHECK_ARCHES=\"$(ALL_ARCHES)\"   make check, make test: these architectures (ARCH given: that one)"
	@echo "  RUN_PROG, RUN_ARGS          what make run runs (default: RUN_DEFAULT of config/ARCH.env, its RUN_DEFAULT_ARGS)"
	@echo "  PROG, ARGS, TIMEOUT=600     make vm-run: program, its arguments, its time limit (s)"
	@echo "  TESTS_LIST=tests/vm-tests-ARCH.list   the test list of make check and make test"
	@echo "  QEMU_ACCEL=tcg,thread=single, QEMU_SMP=2   QEMU's accelerator and vCPUs"
	@echo "  QEMU_NUMA_NODES=2           the VM's NUMA nodes (regress and KVM_VARIANTS runs: 1)"
	@echo "  VERSION=(apt's newest)      make rebase: the linux-source-6.12 version to move to"
	@echo "  FORCE=0                     1: make tree/distclean discard work in build/linux"
	@echo "  REGRESS_TIMEOUT=120         per-test time limit (s) of the regression suite"
	@echo "  REGRESS_ALL=0, REGRESS_REUSE=0, REGRESS_ONLY=   run excluded tests too; reprint the last run; only these tests"
	@echo "  STRESS_SECONDS=60, DEBUG=0  make stress: duration; 1 = on the debug kernel"
	@echo "  OPS=1000000, SEED=(random), FUZZ_THREADS=4   make fuzz: operations, seed, threads"
	@echo "  DIR=build/debian-patches    make export-debian: where the Debian layout goes"
	@echo "  DEB_CONFIG=debian           make deb, deb-check: debian (Debian's config) or harness (the harness's, minutes)"
	@echo "  DEBUG_TIMEOUT_FACTOR=8, DEBUG_VM_TIMEOUT=3600   debug kernel: test time limits x N; its VM's limit (s)"
	@echo "  BENCH_ARGS=, BENCH_TIMEOUT=1800   make bench: gmem-bench options; its VM's limit (s)"
	@echo "  GATES_NOCACHE=              1: rebuild bisect steps built before"
	@echo "  MUTANTS=(all)               make mutate: these mutants (names of tests/mutants/ARCH/*.patch)"
	@echo "  CCACHE_DIR=~/.ccache        ccache's cache (keys are relative to the checkout)"

deps:
	scripts/deps.sh

tree: deps
	scripts/tree.sh

# Like tree, but keeps (and builds) local work in build/linux.
tree-for-build: deps
	scripts/tree.sh --build

export:
	scripts/export.sh

# A newer Debian 6.12: README "When Debian releases a new 6.12".
rebase: deps
	VERSION="$(VERSION)" scripts/rebase.sh

base-status: deps
	scripts/base-status.sh

kernel: tree-for-build
	scripts/kernel.sh

selftests: kernel
	scripts/selftests.sh

progs: selftests
	scripts/progs.sh

initramfs: progs
	scripts/initramfs.sh

# PROG is checked before the builds, and again once RUN_PROG is built.
vm-run: vm-run-prog initramfs
	scripts/vm-run.sh

vm-run-prog:
	scripts/vm-run.sh --check

run: initramfs
	PROG="$(RUN_PROG)" ARGS="$(RUN_ARGS)" NAME=run scripts/vm-run.sh

# Each architecture's builds run from scripts/check.sh (make initramfs ARCH=a).
check: deps
	scripts/check.sh

test: deps
	scripts/check.sh --quick

lint: tree-for-build
	scripts/lint.sh

regress: selftests
	scripts/regress.sh

regress-base: tree-for-build
	scripts/regress-base.sh

bench: initramfs
	scripts/bench.sh

stress: initramfs
	scripts/stress.sh

fuzz: fuzz-settings initramfs
	scripts/fuzz.sh

fuzz-settings:
	scripts/fuzz.sh --check

export-debian:
	scripts/export-debian.sh

deb: tree-for-build
	scripts/deb.sh

# The VM runs the test list: the selftests and programs must be built.
deb-check: progs
	scripts/deb-check.sh

distro-check: progs
	scripts/distro-check.sh

mutate: initramfs
	MUTANTS="$(MUTANTS)" scripts/mutate.sh

test-harness:
	scripts/test-harness.sh

clean:
	scripts/clean.sh

distclean:
	scripts/distclean.sh
