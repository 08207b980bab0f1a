// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-vmm - a tiny VMM whose guest RAM is a guest_memfd.
 *
 * A reference for the guest_memfd host-mmap ABI (KVM_CAP_GUEST_MEMFD_FLAGS,
 * GUEST_MEMFD_FLAG_MMAP, GUEST_MEMFD_FLAG_INIT_SHARED).  It walks through:
 *
 *   1. Probe: what guest_memfd support /dev/kvm and each VM type report.
 *   2. Shared memory: a KVM_X86_DEFAULT_VM whose only RAM is one guest_memfd
 *      created with MMAP | INIT_SHARED.  The VMM loads page tables, code and
 *      data purely by writing through its mmap() of that guest_memfd; the
 *      memslot has no userspace mapping at all (userspace_addr = 0).
 *   3. The guest (guest.S) runs in long mode, checksums a 1 MiB buffer,
 *      stores the result, prints it on a serial port and halts; the VMM
 *      checks the result through its mapping.
 *   4. Private memory: a guest_memfd without INIT_SHARED is mmap()able but
 *      every host access gets SIGBUS.  On KVM_X86_SW_PROTECTED_VM a guest
 *      still fills, executes and checksums such memory.
 *
 * Exit status: 0 on success, 1 when something failed, 2 for bad usage or
 * when this machine cannot run the demo at all (no /dev/kvm, kernel without
 * the feature).  Failures end with one line starting with "gmem-vmm: FAIL".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/kvm.h>

/*
 * ABI fallbacks.  Build against the uapi headers of a kernel with the series
 * (make KHDR_INCLUDES="-isystem <kbuild>/usr/include") and none of this is
 * used.  With older headers (e.g. Debian 12's 6.1 linux-libc-dev) the values
 * below, fixed by the kernel ABI, stand in for them.
 */

/* guest_memfd itself, memslots v2 and memory attributes: all came in 6.8 */
#ifndef KVM_CREATE_GUEST_MEMFD
#define KVM_CAP_USER_MEMORY2		231
#define KVM_CAP_MEMORY_ATTRIBUTES	233
#define KVM_CAP_GUEST_MEMFD		234
#define KVM_CAP_VM_TYPES		235

#define KVM_MEM_GUEST_MEMFD		(1UL << 2)
#define KVM_MEMORY_ATTRIBUTE_PRIVATE	(1ULL << 3)
#define KVM_EXIT_MEMORY_FAULT		39
#define KVM_MEMORY_EXIT_FLAG_PRIVATE	(1ULL << 3)

struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};

struct kvm_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};

struct kvm_memory_attributes {
	__u64 address;
	__u64 size;
	__u64 attributes;
	__u64 flags;
};

#define KVM_SET_USER_MEMORY_REGION2 \
	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#define KVM_SET_MEMORY_ATTRIBUTES \
	_IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
#define KVM_CREATE_GUEST_MEMFD \
	_IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#endif

/* x86 VM types for KVM_CREATE_VM (asm/kvm.h, 6.8+) */
#ifndef KVM_X86_DEFAULT_VM
#define KVM_X86_DEFAULT_VM		0
#define KVM_X86_SW_PROTECTED_VM		1
#endif

/*
 * The guest_memfd mmap series (mainline 6.18 ABI).  KVM_CAP_GUEST_MEMFD_FLAGS
 * answers with the bitmask of flags KVM_CREATE_GUEST_MEMFD accepts, asked
 * on /dev/kvm or on a VM; 0 means the kernel doesn't have the series.
 */
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS	244
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP		(1ULL << 0)	/* host may mmap() it */
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED	(1ULL << 1)	/* starts out shared */
#endif

/* KVM_EXIT_MEMORY_FAULT's payload; old headers lack run->memory_fault */
struct memory_fault_info {
	__u64 flags;
	__u64 gpa;
	__u64 size;
};

/* --- guest memory layout ------------------------------------------------ */

#define KiB			(1024ULL)
#define MiB			(1024 * KiB)

#define PML4_GPA		0x1000		/* page tables: PML4 ...    */
#define PDPT_GPA		0x2000		/* ... one PDPT ...         */
#define PD_GPA			0x3000		/* ... one PD of 2 MiB pages */
#define GDT_GPA			0x4000
#define CODE_GPA		0x10000		/* guest.S is copied here   */
#define RESULT_GPA		0x20000		/* the guest's answer       */
#define STACK_TOP_GPA		0x80000

/* Part 2: 64 MiB of guest_memfd at gpa 0, the buffer at 1 MiB */
#define SHARED_RAM_SIZE		(64 * MiB)
#define BUF_GPA			(1 * MiB)
#define BUF_SIZE		(1 * MiB)

/* Part 4: 2 MiB of ordinary memory at gpa 0, 2 MiB private right above */
#define LOW_RAM_SIZE		(2 * MiB)
#define PRIV_GPA		(2 * MiB)
#define PRIV_SIZE		(2 * MiB)
#define PRIV_CODE_GPA		PRIV_GPA	/* guest copies csum() here */
#define PRIV_DATA_GPA		(PRIV_GPA + 1 * MiB)
#define PRIV_DATA_SIZE		(1 * MiB)

#define GUEST_SERIAL_PORT	0x3f8		/* must match guest.S */

/* Checksum and pattern shared with guest.S */
#define FNV_OFFSET		0xcbf29ce484222325ULL
#define FNV_PRIME		0x100000001b3ULL
#define GOLDEN			0x9e3779b97f4a7c15ULL

/* guest.S, linked into this binary as data */
extern const unsigned char guest_code_start[], guest_code_end[];
extern const unsigned char guest_shared_main[], guest_private_main[];
extern const unsigned char guest_spin[];

/* x86 control register bits used to enter long mode directly */
#define CR0_PE			(1ULL << 0)
#define CR0_MP			(1ULL << 1)
#define CR0_ET			(1ULL << 4)
#define CR0_NE			(1ULL << 5)
#define CR0_WP			(1ULL << 16)
#define CR0_PG			(1ULL << 31)
#define CR4_PAE			(1ULL << 5)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)

#define PTE_PRESENT		(1ULL << 0)
#define PTE_WRITE		(1ULL << 1)
#define PTE_HUGE		(1ULL << 7)	/* 2 MiB page in a PD entry */

/* --- reporting ---------------------------------------------------------- */

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_CANNOT_RUN = 2 };

static unsigned int nr_checks;
static unsigned int guest_timeout = 10;	/* seconds per guest run */

/*
 * --userspace-addr: also tell KVM where the VMM mapped the shared
 * guest_memfd.  A guest_memfd-only slot doesn't need it for guest accesses,
 * but KVM code that reads guest memory through the host mapping does:
 * with shadow paging (ept=0/npt=0, or PVM) that includes walking the
 * guest's page tables and emulating instructions.
 */
static bool pass_userspace_addr;

/*
 * A VMM cannot ask KVM whether it uses shadow paging, but the x86 vendor
 * modules say whether two-dimensional paging is on: "N" for
 * kvm_amd.npt=0 or kvm_intel.ept=0.  Returns the parameter that is off,
 * or NULL.
 */
static const char *shadow_paging_param(void)
{
	static const char *const params[] = {
		"/sys/module/kvm_amd/parameters/npt",
		"/sys/module/kvm_intel/parameters/ept",
	};
	unsigned int i;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		char val = 0;
		FILE *f = fopen(params[i], "r");

		if (!f)
			continue;
		if (fread(&val, 1, 1, f) != 1)
			val = 0;
		fclose(f);
		if (val == 'N' || val == '0')
			return params[i];
	}
	return NULL;
}

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "gmem-vmm: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(status);
}

#define fail(...)	die(EXIT_FAILED, __VA_ARGS__)

static void ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ok(const char *fmt, ...)
{
	va_list ap;

	printf("  ok: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	nr_checks++;
}

static void section(const char *title)
{
	printf("\n== %s ==\n", title);
}

static const char *gmem_flag_names(uint64_t flags)
{
	static char buf[128];

	buf[0] = '\0';
	if (!flags)
		return "none";
	if (flags & GUEST_MEMFD_FLAG_MMAP)
		strcat(buf, "|MMAP");
	if (flags & GUEST_MEMFD_FLAG_INIT_SHARED)
		strcat(buf, "|INIT_SHARED");
	flags &= ~(GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	if (flags)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 "|0x%" PRIx64 "?", flags);
	return buf + 1;
}

static const char *vm_type_name(unsigned int type)
{
	static const char * const names[] = {
		"DEFAULT_VM", "SW_PROTECTED_VM", "SEV_VM", "SEV_ES_VM",
		"SNP_VM", "TDX_VM",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

/* --- KVM plumbing ------------------------------------------------------- */

static int kvm_fd = -1;

static int check_extension(int fd, long cap)
{
	int ret = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? 0 : ret;
}

static void open_kvm(void)
{
	int version;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die(EXIT_CANNOT_RUN, "cannot open /dev/kvm: %s%s", strerror(errno),
		    errno == ENOENT ? " (no KVM here: load kvm_intel/kvm_amd, or enable nested virtualization)" : "");
	version = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION)
		die(EXIT_CANNOT_RUN, "KVM API version %d, expected %d",
		    version, KVM_API_VERSION);
}

static int create_vm(unsigned int type)
{
	int vm = ioctl(kvm_fd, KVM_CREATE_VM, (unsigned long)type);

	if (vm < 0)
		fail("KVM_CREATE_VM(%s): %s (errno %d)", vm_type_name(type),
		     strerror(errno), errno);
	return vm;
}

/*
 * Create a guest_memfd of @size bytes for @vm.  The flags must be a subset
 * of what KVM_CAP_GUEST_MEMFD_FLAGS reports for that VM, anything else is
 * rejected with EINVAL.
 */
static int create_gmem(int vm, uint64_t size, uint64_t flags)
{
	struct kvm_create_guest_memfd gmem = { .size = size, .flags = flags };
	uint64_t supported = check_extension(vm, KVM_CAP_GUEST_MEMFD_FLAGS);
	int fd;

	if (flags & ~supported) {
		char want[128];

		snprintf(want, sizeof(want), "%s", gmem_flag_names(flags));
		fail("this VM does not accept guest_memfd flags %s: KVM_CAP_GUEST_MEMFD_FLAGS reports %s",
		     want, gmem_flag_names(supported));
	}

	fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (fd < 0)
		fail("KVM_CREATE_GUEST_MEMFD(size=%" PRIu64 ", flags=%s) rejected: %s (errno %d)",
		     size, gmem_flag_names(flags), strerror(errno), errno);
	return fd;
}

/*
 * Map a guest_memfd into the VMM.  Only MAP_SHARED works: the memory belongs
 * to the file, a private copy-on-write mapping would make no sense (EINVAL);
 * a file created without GUEST_MEMFD_FLAG_MMAP refuses with ENODEV.
 */
static void *map_gmem(int gmem_fd, uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       gmem_fd, 0);

	if (p == MAP_FAILED)
		fail("mmap(guest_memfd, %" PRIu64 " bytes): %s (errno %d)",
		     size, strerror(errno), errno);
	return p;
}

/*
 * Memslot @slot at @gpa.  With @gmem_fd >= 0 it is a guest_memfd slot: as
 * the file has GUEST_MEMFD_FLAG_MMAP, KVM serves every guest access from
 * the guest_memfd ("guest_memfd only" slot), so userspace_addr is 0.
 * With @gmem_fd < 0 it is an ordinary slot backed by @host memory.
 */
static void set_memslot(int vm, uint32_t slot, uint64_t gpa, uint64_t size,
			int gmem_fd, void *host)
{
	struct kvm_userspace_memory_region2 region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	if (gmem_fd >= 0) {
		region.flags = KVM_MEM_GUEST_MEMFD;
		region.guest_memfd = gmem_fd;
		region.guest_memfd_offset = 0;
	}
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &region))
		fail("KVM_SET_USER_MEMORY_REGION2(slot %u, gpa 0x%" PRIx64 ", %s): %s (errno %d)",
		     slot, gpa, gmem_fd >= 0 ? "KVM_MEM_GUEST_MEMFD" : "anonymous",
		     strerror(errno), errno);
}

struct vcpu {
	int fd;
	struct kvm_run *run;
	size_t run_size;
};

static struct vcpu create_vcpu(int vm)
{
	struct kvm_cpuid2 *cpuid;
	struct vcpu v;
	int n = 256;

	v.fd = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (v.fd < 0)
		fail("KVM_CREATE_VCPU: %s", strerror(errno));
	v.run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	v.run = mmap(NULL, v.run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		     v.fd, 0);
	if (v.run == MAP_FAILED)
		fail("mmap(kvm_run): %s", strerror(errno));

	/* Give the guest the host's CPUID, so KVM knows it may use long mode */
	cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(cpuid->entries[0]));
	if (!cpuid)
		fail("out of memory");
	cpuid->nent = n;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) ||
	    ioctl(v.fd, KVM_SET_CPUID2, cpuid))
		fail("setting up CPUID: %s", strerror(errno));
	free(cpuid);
	return v;
}

/*
 * Write the guest's identity page tables, GDT and code at the low end of
 * guest memory.  @mem is the host's view of gpa 0 - for the DEFAULT_VM
 * guest that is the mmap() of the guest_memfd itself.
 */
static void load_guest(unsigned char *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + PML4_GPA);
	uint64_t *pdpt = (uint64_t *)(mem + PDPT_GPA);
	uint64_t *pd = (uint64_t *)(mem + PD_GPA);
	uint64_t *gdt = (uint64_t *)(mem + GDT_GPA);
	int i;

	/* Identity map the first 1 GiB with 2 MiB pages */
	pml4[0] = PDPT_GPA | PTE_PRESENT | PTE_WRITE;
	pdpt[0] = PD_GPA | PTE_PRESENT | PTE_WRITE;
	for (i = 0; i < 512; i++)
		pd[i] = (i * 2 * MiB) | PTE_PRESENT | PTE_WRITE | PTE_HUGE;

	/* Null descriptor, 64-bit code (selector 8), data (selector 16) */
	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffULL;
	gdt[2] = 0x00cf93000000ffffULL;

	memcpy(mem + CODE_GPA, guest_code_start,
	       guest_code_end - guest_code_start);
}

/*
 * Put the vCPU straight into 64-bit long mode (no real-mode boot): paging
 * and PAE on, EFER.LME/LMA set, CS a 64-bit code segment, and start at
 * @entry (a symbol of guest.S) with up to four arguments.
 */
static void setup_vcpu(struct vcpu *v, const unsigned char *entry,
		       uint64_t arg0, uint64_t arg1, uint64_t arg2,
		       uint64_t arg3)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 8,
		.type = 11 /* execute/read, accessed */, .present = 1,
		.s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = 16,
		.type = 3 /* read/write, accessed */, .present = 1,
		.s = 1, .db = 1, .g = 1,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs))
		fail("KVM_GET_SREGS: %s", strerror(errno));
	sregs.cr3 = PML4_GPA;
	sregs.cr4 = CR4_PAE;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.efer = EFER_LME | EFER_LMA;
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs))
		fail("KVM_SET_SREGS (long mode): %s (errno %d)",
		     strerror(errno), errno);

	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA + (entry - guest_code_start);
	regs.rsp = STACK_TOP_GPA;
	regs.rflags = 0x2;		/* bit 1 is always set; IF, DF clear */
	regs.rdi = arg0;
	regs.rsi = arg1;
	regs.rdx = arg2;
	regs.rcx = arg3;
	if (ioctl(v->fd, KVM_SET_REGS, &regs))
		fail("KVM_SET_REGS: %s", strerror(errno));
}

/* --- running the guest -------------------------------------------------- */

/*
 * A guest that never halts would block KVM_RUN forever.  SIGALRM
 * interrupts it: KVM_RUN returns EINTR.  Setting immediate_exit as well
 * covers a signal that lands just before KVM_RUN is entered.
 */
static struct kvm_run *volatile running;
static volatile sig_atomic_t timed_out;

static void on_sigalrm(int sig)
{
	(void)sig;
	timed_out = 1;
	if (running)
		running->immediate_exit = 1;
}

static const char *exit_reason_name(unsigned int reason)
{
	switch (reason) {
	case KVM_EXIT_UNKNOWN:		return "UNKNOWN";
	case KVM_EXIT_EXCEPTION:	return "EXCEPTION";
	case KVM_EXIT_IO:		return "IO";
	case KVM_EXIT_HLT:		return "HLT";
	case KVM_EXIT_MMIO:		return "MMIO";
	case KVM_EXIT_SHUTDOWN:		return "SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY:	return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR:	return "INTERNAL_ERROR";
	case KVM_EXIT_MEMORY_FAULT:	return "MEMORY_FAULT";
	default:			return "?";
	}
}

static uint64_t guest_rip(struct vcpu *v)
{
	struct kvm_regs regs;

	return ioctl(v->fd, KVM_GET_REGS, &regs) ? 0 : regs.rip;
}

/* Guest serial output, shown line by line as "  guest| ..." */
static void serial_out(char c)
{
	static char line[256];
	static size_t len;

	if (c != '\n' && len < sizeof(line) - 1) {
		line[len++] = c;
		return;
	}
	line[len] = '\0';
	printf("  guest| %s\n", line);
	len = 0;
}

/*
 * Exits that a correct guest_memfd-only slot should never cause, but a KVM
 * reading guest memory through userspace_addr = 0 would.
 */
static void hint_userspace_addr(void)
{
	if (!pass_userspace_addr)
		printf("  hint: if this KVM uses shadow paging (ept=0, npt=0, PVM), it reads guest page tables\n"
		       "        and instructions through userspace_addr, which is 0 here; try --userspace-addr\n");
}

/* Run @v until the guest halts; anything else is a failure. */
static void run_until_hlt(struct vcpu *v, const char *what)
{
	struct itimerval timer = { .it_value = { .tv_sec = guest_timeout } };
	struct itimerval off = { 0 };
	struct kvm_run *run = v->run;
	struct memory_fault_info mf;

	timed_out = 0;
	run->immediate_exit = 0;
	running = run;
	setitimer(ITIMER_REAL, &timer, NULL);

	for (;;) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR && timed_out)
				fail("%s: guest did not halt within %u s (rip 0x%" PRIx64 ")",
				     what, guest_timeout, guest_rip(v));
			if (errno == EINTR)
				continue;
			fail("%s: KVM_RUN: %s (errno %d)", what,
			     strerror(errno), errno);
		}

		switch (run->exit_reason) {
		case KVM_EXIT_HLT:
			setitimer(ITIMER_REAL, &off, NULL);
			running = NULL;
			return;
		case KVM_EXIT_IO:
			if (run->io.port == GUEST_SERIAL_PORT &&
			    run->io.direction == KVM_EXIT_IO_OUT &&
			    run->io.size == 1 && run->io.count == 1) {
				serial_out(*((char *)run + run->io.data_offset));
				continue;
			}
			fail("%s: unexpected I/O: %s port 0x%x, size %u",
			     what, run->io.direction == KVM_EXIT_IO_OUT ?
			     "out to" : "in from", run->io.port, run->io.size);
		case KVM_EXIT_MEMORY_FAULT:
			/* run->memory_fault, spelled so old headers work */
			memcpy(&mf, &run->hw, sizeof(mf));
			fail("%s: KVM_EXIT_MEMORY_FAULT at gpa 0x%llx, size 0x%llx, flags 0x%llx%s",
			     what, (unsigned long long)mf.gpa,
			     (unsigned long long)mf.size,
			     (unsigned long long)mf.flags,
			     mf.flags & KVM_MEMORY_EXIT_FLAG_PRIVATE ?
			     " (private)" : " (shared)");
		case KVM_EXIT_SHUTDOWN:
			hint_userspace_addr();
			fail("%s: guest triple-faulted (KVM_EXIT_SHUTDOWN) at rip 0x%" PRIx64,
			     what, guest_rip(v));
		case KVM_EXIT_FAIL_ENTRY:
			fail("%s: VM entry failed, hardware reason 0x%llx",
			     what, (unsigned long long)
			     run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			hint_userspace_addr();
			fail("%s: KVM internal error, suberror %u", what,
			     run->internal.suberror);
		case KVM_EXIT_MMIO:
			hint_userspace_addr();
			fail("%s: MMIO exit at gpa 0x%llx: the guest touched memory KVM does not back (rip 0x%" PRIx64 ")",
			     what, (unsigned long long)run->mmio.phys_addr,
			     guest_rip(v));
		default:
			fail("%s: unexpected exit reason %u (%s) at rip 0x%" PRIx64,
			     what, run->exit_reason,
			     exit_reason_name(run->exit_reason), guest_rip(v));
		}
	}
}

/* --- host access to private memory: SIGBUS ------------------------------ */

static sigjmp_buf sigbus_jmp;
static volatile sig_atomic_t sigbus_armed;

static void on_sigbus(int sig, siginfo_t *info, void *ctx)
{
	(void)info;
	(void)ctx;
	if (!sigbus_armed) {		/* a real bug: die the normal way */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	sigbus_armed = 0;
	siglongjmp(sigbus_jmp, 1);
}

/* Read or write one byte at @p; returns true if that raised SIGBUS. */
static bool access_gets_sigbus(volatile unsigned char *p, bool write)
{
	if (sigsetjmp(sigbus_jmp, 1))
		return true;
	sigbus_armed = 1;
	if (write)
		*p = 0x5a;
	else
		(void)*p;
	sigbus_armed = 0;
	return false;
}

/* Host touches of private guest_memfd memory must fail, reads and writes */
static void expect_sigbus(unsigned char *mem, uint64_t offset, const char *what)
{
	if (!access_gets_sigbus(mem + offset, false))
		fail("host read of %s at offset 0x%" PRIx64 " succeeded, expected SIGBUS",
		     what, offset);
	if (!access_gets_sigbus(mem + offset, true))
		fail("host write to %s at offset 0x%" PRIx64 " succeeded, expected SIGBUS",
		     what, offset);
	ok("host read and write of %s at offset 0x%" PRIx64 " -> SIGBUS (expected)",
	   what, offset);
}

/* --- checksums the VMM computes itself ---------------------------------- */

/* Same algorithm as csum() in guest.S */
static uint64_t csum64(const void *buf, size_t len)
{
	const uint64_t *w = buf;
	uint64_t h = FNV_OFFSET;
	size_t i;

	for (i = 0; i < len / 8; i++) {
		h ^= w[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* Checksum of what guest_private_main writes: word i is (i + 1) * GOLDEN */
static uint64_t csum64_golden(size_t len)
{
	uint64_t h = FNV_OFFSET;
	size_t i;

	for (i = 0; i < len / 8; i++) {
		h ^= (i + 1) * GOLDEN;
		h *= FNV_PRIME;
	}
	return h;
}

/* --- the four parts ------------------------------------------------------ */

/* Why part 4b cannot run here; NULL when it can */
static const char *no_private_vm =
	"this KVM offers no KVM_X86_SW_PROTECTED_VM (CONFIG_KVM_SW_PROTECTED_VM=n, or no TDP)";

static void probe_one(const char *who, int fd)
{
	int gmem = check_extension(fd, KVM_CAP_GUEST_MEMFD);
	int flags = check_extension(fd, KVM_CAP_GUEST_MEMFD_FLAGS);

	printf("  %-24s KVM_CAP_GUEST_MEMFD=%d  KVM_CAP_GUEST_MEMFD_FLAGS=0x%x (%s)\n",
	       who, gmem, flags, gmem_flag_names(flags));
}

static void part1_probe(void)
{
	unsigned int types, type;
	char who[64];

	section("1. What does this KVM offer?");
	probe_one("/dev/kvm", kvm_fd);

	/*
	 * Without the series KVM_CAP_GUEST_MEMFD_FLAGS (244) is unknown and
	 * check-extension returns 0: nothing below can work.
	 */
	if (!check_extension(kvm_fd, KVM_CAP_GUEST_MEMFD))
		die(EXIT_CANNOT_RUN, "this kernel has no guest_memfd at all (KVM_CAP_GUEST_MEMFD is 0)");
	if (!check_extension(kvm_fd, KVM_CAP_GUEST_MEMFD_FLAGS))
		die(EXIT_CANNOT_RUN, "this kernel lacks KVM_CAP_GUEST_MEMFD_FLAGS (guest_memfd mmap series)");

	/* KVM_CAP_VM_TYPES: bit N set = KVM_CREATE_VM accepts type N */
	types = check_extension(kvm_fd, KVM_CAP_VM_TYPES);
	if (!types)
		types = 1 << KVM_X86_DEFAULT_VM;	/* pre-6.8 kernels */
	printf("  KVM_CAP_VM_TYPES=0x%x\n", types);

	for (type = 0; type < 32; type++) {
		int vm;

		if (!(types & (1u << type)))
			continue;
		snprintf(who, sizeof(who), "%s (type %u)",
			 vm_type_name(type), type);
		vm = ioctl(kvm_fd, KVM_CREATE_VM, (unsigned long)type);
		if (vm < 0) {
			printf("  %-24s cannot create: %s\n", who,
			       strerror(errno));
			if (type == KVM_X86_SW_PROTECTED_VM)
				no_private_vm = "KVM_CREATE_VM(SW_PROTECTED_VM) failed";
			continue;
		}
		probe_one(who, vm);
		if (type == KVM_X86_SW_PROTECTED_VM) {
			if (check_extension(vm, KVM_CAP_GUEST_MEMFD_FLAGS) &
			    GUEST_MEMFD_FLAG_MMAP)
				no_private_vm = NULL;
			else
				no_private_vm = "SW_PROTECTED_VM does not offer GUEST_MEMFD_FLAG_MMAP";
		}
		close(vm);
	}
}

static void part2_3_shared(bool hang)
{
	const uint64_t flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	uint64_t *buf, *result, expected;
	unsigned char *ram;
	struct vcpu v;
	int vm, gmem;
	size_t i;

	section("2. A DEFAULT_VM whose RAM is one shared guest_memfd");
	vm = create_vm(KVM_X86_DEFAULT_VM);
	if (!check_extension(vm, KVM_CAP_GUEST_MEMFD))
		die(EXIT_CANNOT_RUN, "KVM_CAP_GUEST_MEMFD is 0 for DEFAULT_VM: this kernel offers guest_memfd only to VMs with private memory");

	gmem = create_gmem(vm, SHARED_RAM_SIZE, flags);
	ok("KVM_CREATE_GUEST_MEMFD(%llu MiB, %s) -> fd %d",
	   SHARED_RAM_SIZE / MiB, gmem_flag_names(flags), gmem);

	ram = map_gmem(gmem, SHARED_RAM_SIZE);
	ok("mmap(MAP_SHARED) of the guest_memfd at %p", (void *)ram);

	set_memslot(vm, 0, 0, SHARED_RAM_SIZE, gmem,
		    pass_userspace_addr ? ram : NULL);
	ok("memslot 0: gpa 0-0x%llx, KVM_MEM_GUEST_MEMFD, userspace_addr %s",
	   SHARED_RAM_SIZE - 1,
	   pass_userspace_addr ? "= the mapping (--userspace-addr)" : "0");

	/* Everything the guest will see goes in through the mmap */
	load_guest(ram);
	buf = (uint64_t *)(ram + BUF_GPA);
	for (i = 0; i < BUF_SIZE / 8; i++)
		buf[i] = (i << 32) ^ ~i ^ 0x5555aaaa0000ffffULL;
	expected = csum64(buf, BUF_SIZE);
	ok("wrote page tables, GDT, %zu bytes of code and a %llu KiB buffer through the mapping",
	   (size_t)(guest_code_end - guest_code_start), BUF_SIZE / KiB);

	section("3. Run the guest: it checksums the buffer");
	v = create_vcpu(vm);
	setup_vcpu(&v, hang ? guest_spin : guest_shared_main,
		   BUF_GPA, BUF_SIZE, RESULT_GPA, 0);
	run_until_hlt(&v, "DEFAULT_VM guest");
	ok("guest halted");

	result = (uint64_t *)(ram + RESULT_GPA);
	if (*result != expected)
		fail("guest's checksum 0x%016" PRIx64 " != host's 0x%016" PRIx64,
		     *result, expected);
	ok("guest's result, read through the mapping, matches the host's: 0x%016" PRIx64,
	   expected);

	section("4a. Private guest_memfd: the host cannot touch it");
	{
		int priv = create_gmem(vm, 2 * MiB, GUEST_MEMFD_FLAG_MMAP);
		unsigned char *p = map_gmem(priv, 2 * MiB);

		ok("KVM_CREATE_GUEST_MEMFD(2 MiB, MMAP) and mmap() work without INIT_SHARED");
		expect_sigbus(p, 0, "private guest_memfd");
		expect_sigbus(p, MiB + 123, "private guest_memfd");
		munmap(p, 2 * MiB);
		close(priv);
	}

	munmap(v.run, v.run_size);
	close(v.fd);
	munmap(ram, SHARED_RAM_SIZE);
	close(gmem);
	close(vm);
}

/*
 * On KVM_X86_SW_PROTECTED_VM memory is shared or private per page, by the
 * KVM_MEMORY_ATTRIBUTE_PRIVATE attribute; private pages always come from a
 * guest_memfd.  Its guest_memfds cannot be INIT_SHARED (cap 244 says MMAP
 * only), so the host cannot write anything into them: the guest's code and
 * page tables live in an ordinary anonymous-memory slot at gpa 0, and the
 * private slot holds what the guest makes itself - data, and a copy of its
 * own checksum routine that it then executes.
 */
static void part4_private(void)
{
	unsigned char *low, *priv_map;
	uint64_t *result, expected;
	struct kvm_memory_attributes attrs = {
		.address = PRIV_GPA,
		.size = PRIV_SIZE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	struct vcpu v;
	int vm, priv;

	section("4b. SW_PROTECTED_VM: the guest runs from private memory");
	vm = create_vm(KVM_X86_SW_PROTECTED_VM);

	low = mmap(NULL, LOW_RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (low == MAP_FAILED)
		fail("mmap(anonymous): %s", strerror(errno));
	set_memslot(vm, 0, 0, LOW_RAM_SIZE, -1, low);
	ok("memslot 0: gpa 0-0x%llx, anonymous memory (code, page tables, result)",
	   LOW_RAM_SIZE - 1);

	priv = create_gmem(vm, PRIV_SIZE, GUEST_MEMFD_FLAG_MMAP);
	set_memslot(vm, 1, PRIV_GPA, PRIV_SIZE, priv, NULL);
	ok("memslot 1: gpa 0x%llx-0x%llx, guest_memfd (MMAP, not INIT_SHARED), userspace_addr 0",
	   PRIV_GPA, PRIV_GPA + PRIV_SIZE - 1);

	if (!(check_extension(vm, KVM_CAP_MEMORY_ATTRIBUTES) &
	      KVM_MEMORY_ATTRIBUTE_PRIVATE))
		fail("SW_PROTECTED_VM lacks KVM_MEMORY_ATTRIBUTE_PRIVATE in KVM_CAP_MEMORY_ATTRIBUTES");
	if (ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &attrs))
		fail("KVM_SET_MEMORY_ATTRIBUTES(PRIVATE): %s (errno %d)",
		     strerror(errno), errno);
	ok("KVM_SET_MEMORY_ATTRIBUTES: gpa 0x%llx-0x%llx is private",
	   PRIV_GPA, PRIV_GPA + PRIV_SIZE - 1);

	priv_map = map_gmem(priv, PRIV_SIZE);
	expect_sigbus(priv_map, PRIV_DATA_GPA - PRIV_GPA, "the private slot");

	load_guest(low);
	v = create_vcpu(vm);
	setup_vcpu(&v, guest_private_main, PRIV_CODE_GPA, PRIV_DATA_GPA,
		   PRIV_DATA_SIZE, RESULT_GPA);
	run_until_hlt(&v, "SW_PROTECTED_VM guest");
	ok("guest halted");

	/* result[0]: checksum, result[1]: where csum() ran */
	result = (uint64_t *)(low + RESULT_GPA);
	if (result[1] != PRIV_CODE_GPA)
		fail("csum() ran at 0x%" PRIx64 ", not from private memory at 0x%llx",
		     result[1], PRIV_CODE_GPA);
	ok("the guest executed code it had copied into private memory (at 0x%llx)",
	   PRIV_CODE_GPA);
	expected = csum64_golden(PRIV_DATA_SIZE);
	if (result[0] != expected)
		fail("guest's checksum of its private data 0x%016" PRIx64 " != expected 0x%016" PRIx64,
		     result[0], expected);
	ok("guest's checksum of its private data matches the host's: 0x%016" PRIx64,
	   expected);

	/* The guest wrote there, the host still cannot look */
	expect_sigbus(priv_map, PRIV_DATA_GPA - PRIV_GPA, "the guest's private data");

	munmap(priv_map, PRIV_SIZE);
	munmap(v.run, v.run_size);
	close(v.fd);
	close(priv);
	munmap(low, LOW_RAM_SIZE);
	close(vm);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gmem-vmm [options]\n"
		"  -p, --probe             only print what KVM offers (part 1)\n"
		"  -r, --require-private   fail if part 4b (SW_PROTECTED_VM) cannot run\n"
		"  -t, --timeout SECONDS   time limit per guest run (default %u)\n"
		"  -u, --userspace-addr    give KVM the guest_memfd mapping as userspace_addr\n"
		"                          (default 0, or the mapping when kvm_amd.npt or\n"
		"                          kvm_intel.ept is off: shadow paging needs it)\n"
		"      --hang              run a guest that never halts (tests the timeout)\n"
		"  -h, --help              this text\n", guest_timeout);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "probe", no_argument, NULL, 'p' },
		{ "require-private", no_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "userspace-addr", no_argument, NULL, 'u' },
		{ "hang", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool probe_only = false, require_private = false, hang = false;
	struct sigaction sa;
	int opt;

	while ((opt = getopt_long(argc, argv, "prt:uh", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			probe_only = true;
			break;
		case 'r':
			require_private = true;
			break;
		case 't':
			guest_timeout = strtoul(optarg, NULL, 0);
			if (!guest_timeout)
				die(EXIT_CANNOT_RUN, "bad --timeout '%s'", optarg);
			break;
		case 'u':
			pass_userspace_addr = true;
			break;
		case 'H':
			hang = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_CANNOT_RUN;
		}
	}

	setvbuf(stdout, NULL, _IOLBF, 0);

	/* SIGALRM interrupts KVM_RUN: no SA_RESTART */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigalrm;
	sigaction(SIGALRM, &sa, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);

	printf("gmem-vmm: a VMM whose guest RAM is a guest_memfd\n");
	if (!pass_userspace_addr && shadow_paging_param()) {
		printf("  %s is off: KVM uses shadow paging and walks the guest's page tables\n"
		       "  through userspace_addr, so memslot 0 gets the mapping (--userspace-addr)\n",
		       shadow_paging_param());
		pass_userspace_addr = true;
	}
	open_kvm();
	part1_probe();
	if (probe_only)
		return EXIT_OK;

	part2_3_shared(hang);

	if (!no_private_vm) {
		part4_private();
	} else if (require_private) {
		fail("part 4b cannot run: %s", no_private_vm);
	} else {
		section("4b. SW_PROTECTED_VM: the guest runs from private memory");
		printf("  skipped: %s\n", no_private_vm);
	}

	printf("\ngmem-vmm: PASS (%u checks)\n", nr_checks);
	return EXIT_OK;
}
