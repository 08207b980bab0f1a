// SPDX-License-Identifier: GPL-2.0
/*
 * Print what KVM reports for guest_memfd: KVM_CAP_GUEST_MEMFD and
 * KVM_CAP_GUEST_MEMFD_FLAGS, on /dev/kvm and on each x86 VM type that can
 * be created. Stand-in for `make run` until examples/gmem-vmm exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

/* Numbers from the series' ABI, for headers that predate it. */
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD 234
#endif
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS 244
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP (1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED (1ULL << 1)
#endif

static const struct {
	unsigned long type;
	const char *name;
} vm_types[] = {
	{ 0, "KVM_X86_DEFAULT_VM" },
	{ 1, "KVM_X86_SW_PROTECTED_VM" },
};

static void print_caps(int fd, const char *on)
{
	int gmem = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD);
	int flags = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS);

	printf("%-24s KVM_CAP_GUEST_MEMFD=%d KVM_CAP_GUEST_MEMFD_FLAGS=%#x", on, gmem, flags);
	if (flags > 0)
		printf(" (%s%s)", flags & GUEST_MEMFD_FLAG_MMAP ? "MMAP " : "",
		       flags & GUEST_MEMFD_FLAG_INIT_SHARED ? "INIT_SHARED" : "");
	printf("\n");
}

int main(void)
{
	unsigned int i;
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("open /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	print_caps(kvm, "/dev/kvm");
	for (i = 0; i < sizeof(vm_types) / sizeof(vm_types[0]); i++) {
		vm = ioctl(kvm, KVM_CREATE_VM, vm_types[i].type);
		if (vm < 0) {
			printf("%-24s cannot create: %s\n", vm_types[i].name, strerror(errno));
			continue;
		}
		print_caps(vm, vm_types[i].name);
		close(vm);
	}
	return 0;
}
