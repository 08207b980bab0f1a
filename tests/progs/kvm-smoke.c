// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke test for the test VM: /dev/kvm answers, a VM and a vCPU can be
 * created, and guest_memfd is offered with the expected creation flags:
 *   kvm-smoke [--gmem-flags MASK | --sw-protected-flags MASK]
 * With --gmem-flags, KVM_CAP_GUEST_MEMFD must be 1 and
 * KVM_CAP_GUEST_MEMFD_FLAGS must be MASK, on /dev/kvm and on a default VM.
 * With --sw-protected-flags (x86), KVM_CAP_GUEST_MEMFD_FLAGS must be MASK on
 * a KVM_X86_SW_PROTECTED_VM, which must take a guest_memfd with exactly
 * those of the known flags (MMAP, INIT_SHARED) and refuse each other one
 * with EINVAL; exit 4 (skip) if KVM does not offer that VM type (it needs
 * the TDP MMU).
 * Exit 0 on success, 1 on the first failure (with the reason), 2 on bad
 * usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

/* The ABI number (mainline 6.18), for headers that predate it. */
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS 244
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP		(1ULL << 0)
#define GUEST_MEMFD_FLAG_INIT_SHARED	(1ULL << 1)
#endif
#define KSFT_SKIP 4

static int fail(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	return 1;
}

/* check_cap FD WHERE CAP NAME WANT: the capability reads WANT on FD. */
static int check_cap(int fd, const char *where, int cap, const char *name, long want)
{
	long got = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	printf("%s: %s = %#lx\n", where, name, got);
	if (got != want) {
		printf("FAIL: %s on %s is %#lx, want %#lx\n", name, where, got, want);
		return 1;
	}
	return 0;
}

/*
 * check_sw_protected KVM WANT: a KVM_X86_SW_PROTECTED_VM reports WANT as its
 * guest_memfd flags and KVM_CREATE_GUEST_MEMFD agrees, flag by flag.
 */
static int check_sw_protected(int kvm, long want)
{
#ifndef KVM_X86_SW_PROTECTED_VM
	(void)kvm;
	(void)want;
	printf("SKIP: no KVM_X86_SW_PROTECTED_VM on this architecture\n");
	return KSFT_SKIP;
#else
	static const unsigned long long known[] = {
		GUEST_MEMFD_FLAG_MMAP, GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	long types = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_VM_TYPES);
	int vm, fd, bad = 0;
	unsigned int i;

	if (types < 0 || !(types & (1L << KVM_X86_SW_PROTECTED_VM))) {
		printf("SKIP: KVM_CAP_VM_TYPES = %#lx has no KVM_X86_SW_PROTECTED_VM\n", types);
		return KSFT_SKIP;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, KVM_X86_SW_PROTECTED_VM);
	if (vm < 0)
		return fail("KVM_CREATE_VM(KVM_X86_SW_PROTECTED_VM)");
	if (check_cap(vm, "SW_PROTECTED_VM", KVM_CAP_GUEST_MEMFD_FLAGS,
		      "KVM_CAP_GUEST_MEMFD_FLAGS", want))
		return 1;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		struct kvm_create_guest_memfd args = {
			.size = 4096,
			.flags = known[i],
		};
		int expected = (want & known[i]) ? 0 : EINVAL;

		fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);
		if ((fd < 0 ? errno : 0) != expected) {
			printf("FAIL: SW_PROTECTED_VM: KVM_CREATE_GUEST_MEMFD(flags %#llx): %s, want %s\n",
			       known[i], fd < 0 ? strerror(errno) : "created",
			       expected ? strerror(expected) : "created");
			bad = 1;
		} else {
			printf("SW_PROTECTED_VM: KVM_CREATE_GUEST_MEMFD(flags %#llx): %s, as expected\n",
			       known[i], fd < 0 ? strerror(errno) : "created");
		}
		if (fd >= 0)
			close(fd);
	}
	close(vm);
	return bad;
#endif
}

/* parse_mask OPTION ARG: ARG as a flag mask, -1 if it is not one. */
static long parse_mask(const char *opt, const char *arg)
{
	char *end;
	long mask = strtol(arg, &end, 0);

	if (*arg == '\0' || *end != '\0' || mask < 0) {
		fprintf(stderr, "kvm-smoke: %s %s: not a flag mask\n", opt, arg);
		return -1;
	}
	return mask;
}

int main(int argc, char **argv)
{
	int kvm, vm, vcpu, version, bad = 0;
	long gmem_flags = -1, sw_flags = -1;

	if (argc == 3 && !strcmp(argv[1], "--gmem-flags")) {
		gmem_flags = parse_mask(argv[1], argv[2]);
		if (gmem_flags < 0)
			return 2;
	} else if (argc == 3 && !strcmp(argv[1], "--sw-protected-flags")) {
		sw_flags = parse_mask(argv[1], argv[2]);
		if (sw_flags < 0)
			return 2;
	} else if (argc != 1) {
		fprintf(stderr, "usage: kvm-smoke [--gmem-flags MASK | --sw-protected-flags MASK]\n");
		return 2;
	}

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("open /dev/kvm");
	version = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		printf("FAIL: KVM_GET_API_VERSION = %d, want %d\n", version, KVM_API_VERSION);
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	printf("/dev/kvm: API version %d, VM and vCPU created\n", version);

	if (gmem_flags >= 0) {
		bad |= check_cap(kvm, "/dev/kvm", KVM_CAP_GUEST_MEMFD, "KVM_CAP_GUEST_MEMFD", 1);
		bad |= check_cap(vm, "default VM", KVM_CAP_GUEST_MEMFD, "KVM_CAP_GUEST_MEMFD", 1);
		bad |= check_cap(kvm, "/dev/kvm", KVM_CAP_GUEST_MEMFD_FLAGS,
				 "KVM_CAP_GUEST_MEMFD_FLAGS", gmem_flags);
		bad |= check_cap(vm, "default VM", KVM_CAP_GUEST_MEMFD_FLAGS,
				 "KVM_CAP_GUEST_MEMFD_FLAGS", gmem_flags);
	}
	if (sw_flags >= 0)
		bad |= check_sw_protected(kvm, sw_flags);
	return bad;
}
