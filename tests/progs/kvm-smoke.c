// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke test for the test VM: /dev/kvm answers, a VM and a vCPU can be
 * created, and guest_memfd is offered with the expected creation flags:
 *   kvm-smoke [--gmem-flags MASK]
 * With --gmem-flags, KVM_CAP_GUEST_MEMFD must be 1 and
 * KVM_CAP_GUEST_MEMFD_FLAGS must be MASK, on /dev/kvm and on a default VM.
 * Exit 0 on success, 1 on the first failure (with the reason), 2 on bad
 * usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

/* The ABI number (mainline 6.18), for headers that predate it. */
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS 244
#endif

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

int main(int argc, char **argv)
{
	int kvm, vm, vcpu, version, bad = 0;
	long gmem_flags = -1;
	char *end;

	if (argc == 3 && !strcmp(argv[1], "--gmem-flags")) {
		gmem_flags = strtol(argv[2], &end, 0);
		if (*argv[2] == '\0' || *end != '\0' || gmem_flags < 0) {
			fprintf(stderr, "kvm-smoke: --gmem-flags %s: not a flag mask\n", argv[2]);
			return 2;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: kvm-smoke [--gmem-flags MASK]\n");
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
	return bad;
}
