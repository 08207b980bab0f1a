// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-bench: what a page fault costs on guest_memfd memory, side by side
 * with the memory VMMs use today, shmem (memfd_create) and anonymous memory,
 * in one run on one kernel (make bench; issue 7).
 *
 *  - host first-touch faults: map N MiB (default 256) of each, touch every
 *    4 KiB page once (read or write), ns per page;
 *  - refault: touch everything, drop it (guest_memfd and shmem: fallocate
 *    PUNCH_HOLE; anon: MADV_DONTNEED), touch everything again;
 *  - guest faults: a vCPU writes one byte into every page of a slot backed
 *    by a guest_memfd-only memslot, or by anonymous memory; the first pass
 *    takes a nested page fault per page, the second pass none;
 *  - scale: write first-touch from 16 MiB up to 1 GiB (what fits);
 *  - memory accounting: guest_memfd pages come back to MemFree after a
 *    punch hole and after the last close.
 *
 * Every figure is the median of --reps runs (default 5) with min and max.
 * The "ratio <name> <value>" lines are baseline time / guest_memfd time:
 * 1.0 = as fast as the baseline, higher = faster.
 *
 * THP is disabled (MADV_NOHUGEPAGE) on the anonymous and shmem mappings:
 * guest_memfd maps 4 KiB pages, and the question is the cost per 4 KiB
 * fault. A read fault on anonymous memory maps the shared zero page and
 * allocates nothing, so only the write figures compare like with like there.
 *
 * Exit 0, 1 on an error or a memory accounting mismatch, 4 (KSFT_SKIP)
 * when the kernel lacks guest_memfd mmap (KVM_CAP_GUEST_MEMFD_FLAGS).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/falloc.h>
#include <linux/kvm.h>

#define PAGE_SIZE	4096UL
#define MIB		(1UL << 20)
#define KSFT_SKIP	4
#define MAX_REPS	101

/* Guest physical layout of the guest-fault VM. */
#define GUEST_LOW_SIZE	(2 * MIB)	/* code and page tables, anon */
#define GUEST_CODE	0x1000UL
#define GUEST_PML4	0x2000UL
#define GUEST_PDPT	0x3000UL
#define GUEST_PD	0x4000UL	/* 4 pages: 2 MiB mappings of 0..4 GiB */
#define GUEST_TEST_GPA	(1UL << 30)	/* the measured slot */
#define GUEST_TEST_MAX	(3UL << 30)
#define GUEST_DONE_PORT	0x10

enum backing { GMEM, SHMEM, ANON, NR_BACKINGS };
static const char *const backing_name[NR_BACKINGS] = { "guest_memfd", "shmem", "anon" };

static struct {
	size_t size;		/* host fault region, bytes */
	size_t guest_size;	/* guest fault slot, bytes */
	int reps;
	bool smoke;
	bool scale;
	bool guest;
	bool userspace_addr;	/* also pass the gmem mapping as userspace_addr */
	bool strict;		/* memory accounting mismatch is an error */
} opt = {
	.size = 256 * MIB,
	.guest_size = 64 * MIB,
	.reps = 5,
	.scale = true,
	.guest = true,
	.strict = true,
};

static int kvm_fd, vm_fd;	/* the VM whose guest_memfds the host part uses */

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "gmem-bench: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%s)\n", strerror(err));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int create_gmem(int vm, size_t size)
{
	struct kvm_create_guest_memfd args = {
		.size = size,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	int fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);

	if (fd < 0)
		die("KVM_CREATE_GUEST_MEMFD(%zu MiB, MMAP|INIT_SHARED)", size / MIB);
	return fd;
}

/* ---- host faults --------------------------------------------------------- */

struct region {
	enum backing b;
	int fd;
	char *mem;
	size_t size;
};

static void region_open(struct region *r, enum backing b, size_t size)
{
	int prot = PROT_READ | PROT_WRITE;

	r->b = b;
	r->size = size;
	r->fd = -1;
	switch (b) {
	case GMEM:
		r->fd = create_gmem(vm_fd, size);
		break;
	case SHMEM:
		r->fd = memfd_create("gmem-bench", MFD_CLOEXEC);
		if (r->fd < 0 || ftruncate(r->fd, size))
			die("memfd_create/ftruncate(%zu MiB)", size / MIB);
		break;
	case ANON:
	case NR_BACKINGS:
		break;
	}
	if (r->fd >= 0)
		r->mem = mmap(NULL, size, prot, MAP_SHARED, r->fd, 0);
	else
		r->mem = mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->mem == MAP_FAILED)
		die("mmap %s (%zu MiB)", backing_name[b], size / MIB);
	if (b != GMEM)
		madvise(r->mem, size, MADV_NOHUGEPAGE);	/* 4 KiB faults, as guest_memfd */
}

static void region_close(struct region *r)
{
	munmap(r->mem, r->size);
	if (r->fd >= 0)
		close(r->fd);
}

/* Free every page of the region again; the mapping stays. */
static void region_drop(struct region *r)
{
	if (r->b == ANON) {
		if (madvise(r->mem, r->size, MADV_DONTNEED))
			die("madvise(MADV_DONTNEED)");
	} else if (fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, r->size)) {
		die("fallocate(PUNCH_HOLE) on %s", backing_name[r->b]);
	}
}

/* Touch every page once; returns ns per page. */
static double touch(struct region *r, bool write)
{
	volatile char *p = r->mem;
	uint64_t t0 = now_ns();
	size_t off;

	if (write) {
		for (off = 0; off < r->size; off += PAGE_SIZE)
			p[off] = 1;
	} else {
		for (off = 0; off < r->size; off += PAGE_SIZE)
			(void)p[off];
	}
	return (double)(now_ns() - t0) / (r->size / PAGE_SIZE);
}

enum host_case { FIRST_WRITE, FIRST_READ, REFAULT_WRITE, REFAULT_READ, NR_HOST_CASES };
static const char *const host_case_name[NR_HOST_CASES] = {
	"first touch, write", "first touch, read", "refault, write", "refault, read",
};

static double host_run(enum host_case c, enum backing b, size_t size)
{
	struct region r;
	double ns;

	region_open(&r, b, size);
	if (c == REFAULT_WRITE || c == REFAULT_READ) {
		touch(&r, true);
		region_drop(&r);
	}
	ns = touch(&r, c == FIRST_WRITE || c == REFAULT_WRITE);
	region_close(&r);
	return ns;
}

/* ---- statistics ---------------------------------------------------------- */

struct stat3 {
	double median, min, max;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct stat3 stat3(double *v, int n)
{
	struct stat3 s;

	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

static void print_stat(struct stat3 s)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.0f [%.0f..%.0f]", s.median, s.min, s.max);
	printf(" %22s", buf);
}

/* ---- guest faults ------------------------------------------------------- */

/*
 * 64-bit guest code, entered in long mode at GUEST_CODE:
 *   again: mov rdi, <slot gpa>; mov rcx, <pages>
 *   loop:  mov byte [rdi], 1; add rdi, 4096; dec rcx; jnz loop
 *          out GUEST_DONE_PORT, al; jmp again
 * Every KVM_RUN until the port exit is one pass over the slot.
 */
static size_t guest_code(uint8_t *buf, uint64_t gpa, uint64_t pages)
{
	size_t n = 0;

	buf[n++] = 0x48; buf[n++] = 0xbf;		/* mov rdi, imm64 */
	memcpy(buf + n, &gpa, 8); n += 8;
	buf[n++] = 0x48; buf[n++] = 0xb9;		/* mov rcx, imm64 */
	memcpy(buf + n, &pages, 8); n += 8;
	buf[n++] = 0xc6; buf[n++] = 0x07; buf[n++] = 0x01;	/* mov byte [rdi], 1 */
	buf[n++] = 0x48; buf[n++] = 0x81; buf[n++] = 0xc7;	/* add rdi, 4096 */
	buf[n++] = 0x00; buf[n++] = 0x10; buf[n++] = 0x00; buf[n++] = 0x00;
	buf[n++] = 0x48; buf[n++] = 0xff; buf[n++] = 0xc9;	/* dec rcx */
	buf[n++] = 0x75; buf[n++] = (uint8_t)-15;		/* jnz loop */
	buf[n++] = 0xe6; buf[n++] = GUEST_DONE_PORT;		/* out imm8, al */
	buf[n++] = 0xeb; buf[n] = (uint8_t)-(int)(n + 1); n++;	/* jmp again */
	return n;
}

/* Identity map 0..4 GiB with 2 MiB pages. */
static void guest_page_tables(uint8_t *low)
{
	uint64_t *pml4 = (uint64_t *)(low + GUEST_PML4);
	uint64_t *pdpt = (uint64_t *)(low + GUEST_PDPT);
	uint64_t *pd = (uint64_t *)(low + GUEST_PD);
	int i;

	pml4[0] = GUEST_PDPT | 3;			/* present, writable */
	for (i = 0; i < 4; i++)
		pdpt[i] = (GUEST_PD + i * PAGE_SIZE) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* present, writable, 2 MiB */
}

static void vcpu_long_mode(int vcpu)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 8, .type = 11,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = 16, .type = 3,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = GUEST_CODE, .rflags = 2 };
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[256];
	} cpuid = { .h.nent = 256 };

	/* EFER.LME is refused unless the guest's CPUID has long mode. */
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, &cpuid) || ioctl(vcpu, KVM_SET_CPUID2, &cpuid))
		die("KVM_GET_SUPPORTED_CPUID/KVM_SET_CPUID2");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.cr3 = GUEST_PML4;
	sregs.cr4 = 1 << 5;				/* PAE */
	sregs.cr0 = 0x80050033;				/* PG WP NE ET MP PE */
	sregs.efer = 0x500;				/* LMA LME */
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_SREGS/KVM_SET_REGS");
}

static const char *exit_reason_name(uint32_t r)
{
	switch (r) {
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN (triple fault)";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	case KVM_EXIT_MEMORY_FAULT: return "MEMORY_FAULT";
	default: return "other";
	}
}

/* One pass of the guest over the slot; ns per page. */
static double guest_pass(int vcpu, struct kvm_run *run, size_t pages)
{
	uint64_t t0 = now_ns();

	if (ioctl(vcpu, KVM_RUN, 0))
		die("KVM_RUN");
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != GUEST_DONE_PORT) {
		fprintf(stderr, "gmem-bench: guest exit %u (%s)", run->exit_reason,
			exit_reason_name(run->exit_reason));
		if (run->exit_reason == KVM_EXIT_MEMORY_FAULT)
			fprintf(stderr, " gpa 0x%llx size 0x%llx flags 0x%llx",
				(unsigned long long)run->memory_fault.gpa,
				(unsigned long long)run->memory_fault.size,
				(unsigned long long)run->memory_fault.flags);
		fprintf(stderr, "\n");
		if (!opt.userspace_addr)
			fprintf(stderr, "gmem-bench: a KVM that reads guest memory through userspace_addr\n"
				"            (e.g. one using shadow paging) needs --userspace-addr\n");
		exit(1);
	}
	return (double)(now_ns() - t0) / pages;
}

/* A fresh VM whose slot at GUEST_TEST_GPA is backed by b; two passes. */
static void guest_run(enum backing b, size_t size, double *pass1, double *pass2)
{
	struct kvm_userspace_memory_region2 low_slot = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_LOW_SIZE,
	};
	struct kvm_userspace_memory_region2 slot = {
		.slot = 1, .guest_phys_addr = GUEST_TEST_GPA, .memory_size = size,
	};
	int vm, vcpu, gfd = -1;
	struct kvm_run *run;
	uint8_t *low;
	void *mem = NULL;
	long run_size;

	vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	low = mmap(NULL, GUEST_LOW_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (low == MAP_FAILED)
		die("mmap guest low memory");
	guest_code(low + GUEST_CODE, GUEST_TEST_GPA, size / PAGE_SIZE);
	guest_page_tables(low);
	low_slot.userspace_addr = (uintptr_t)low;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &low_slot))
		die("KVM_SET_USER_MEMORY_REGION2 (low memory)");

	if (b == GMEM) {
		/* guest_memfd only: KVM maps the pages from the file itself. */
		gfd = create_gmem(vm, size);
		slot.flags = KVM_MEM_GUEST_MEMFD;
		slot.guest_memfd = gfd;
		if (opt.userspace_addr) {
			mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, gfd, 0);
			if (mem == MAP_FAILED)
				die("mmap guest_memfd");
			slot.userspace_addr = (uintptr_t)mem;
		}
	} else {
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			die("mmap anon slot");
		madvise(mem, size, MADV_NOHUGEPAGE);
		slot.userspace_addr = (uintptr_t)mem;
	}
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &slot))
		die("KVM_SET_USER_MEMORY_REGION2 (%s slot, %zu MiB)", backing_name[b], size / MIB);

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || run_size <= 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	vcpu_long_mode(vcpu);

	*pass1 = guest_pass(vcpu, run, size / PAGE_SIZE);
	*pass2 = guest_pass(vcpu, run, size / PAGE_SIZE);

	munmap(run, run_size);
	close(vcpu);
	close(vm);
	if (mem)
		munmap(mem, size);
	if (gfd >= 0)
		close(gfd);
	munmap(low, GUEST_LOW_SIZE);
}

/* ---- memory accounting --------------------------------------------------- */

static long meminfo_kib(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("open /proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			v = strtol(line + klen + 1, NULL, 10);
	fclose(f);
	if (v < 0)
		die("/proc/meminfo has no %s", key);
	return v;
}

/*
 * Free pages that MemFree does not count: those the per-CPU free lists
 * hold, the "count:" of every pageset in /proc/zoneinfo, in KiB. With
 * CONFIG_NUMA the lists of a 1 GiB zone grow to tens of MiB.
 */
static long pcp_free_kib(void)
{
	char line[256];
	long pages = 0;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		die("open /proc/zoneinfo");
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " ");

		if (!strncmp(p, "count:", 6))
			pages += strtol(p + 6, NULL, 10);
	}
	fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * guest_memfd folios sit on the unevictable LRU (the mapping is
 * unevictable) until their last reference goes, so "Unevictable" follows
 * exactly the pages the file holds. Free memory (MemFree plus the per-CPU
 * free lists) shows them back in the page allocator, and rises when other
 * memory is freed meanwhile (the scale sweep's regions, page tables freed
 * after an RCU grace period): only a net drop beyond 16 MiB + 3% counts
 * as a leak.
 */
struct meminfo_pt {
	long unevictable, memfree;	/* KiB */
};

static struct meminfo_pt meminfo_now(void)
{
	struct meminfo_pt m = {
		.unevictable = meminfo_kib("Unevictable"),
		.memfree = meminfo_kib("MemFree") + pcp_free_kib(),
	};

	return m;
}

static bool accounting(size_t size)
{
	static const char *const step[] = {
		"fault every page", "punch hole (all)", "fault again", "munmap + last close",
	};
	static const int sign[] = { 1, -1, 1, -1 };	/* expected Unevictable change */
	long want = size / 1024;			/* KiB */
	long tol_u = 1024 + want / 50, tol_f = 16384 + want / 32;
	struct meminfo_pt m[5];
	struct region r;
	bool ok = true, free_ok;
	long dfree;
	int i;

	sync();
	m[0] = meminfo_now();
	region_open(&r, GMEM, size);
	touch(&r, true);
	m[1] = meminfo_now();
	region_drop(&r);
	m[2] = meminfo_now();
	touch(&r, true);
	m[3] = meminfo_now();
	region_close(&r);
	m[4] = meminfo_now();

	printf("\nmemory accounting: guest_memfd %zu MiB, /proc/meminfo changes in MiB\n", size / MIB);
	printf("  %-22s %12s %10s %10s\n", "step", "Unevictable", "expected", "Free");
	for (i = 0; i < 4; i++) {
		long du = m[i + 1].unevictable - m[i].unevictable;
		bool step_ok = labs(du - sign[i] * want) <= tol_u;

		printf("  %-22s %+12.1f %+10.1f %+10.1f%s\n", step[i], du / 1024.0,
		       sign[i] * want / 1024.0, (m[i + 1].memfree - m[i].memfree) / 1024.0,
		       step_ok ? "" : "  <- MISMATCH");
		ok &= step_ok;
	}
	/* A leak lowers free memory; memory freed by others raises it. */
	dfree = m[4].memfree - m[0].memfree;
	free_ok = dfree >= -tol_f;
	printf("  %-22s %+12.1f %+10.1f %+10.1f%s\n", "net (leak check)",
	       (m[4].unevictable - m[0].unevictable) / 1024.0, 0.0, dfree / 1024.0,
	       free_ok ? "" : "  <- MISMATCH");
	ok &= labs(m[4].unevictable - m[0].unevictable) <= tol_u;
	ok &= free_ok;
	printf("  %s\n  (tolerance: Unevictable %.1f MiB, Free drop %.1f MiB; Free is MemFree plus\n"
	       "   the per-CPU free lists and rises with others' frees: only a net drop counts)\n",
	       ok ? "ok: pages freed on punch hole and on last close, nothing leaked" :
	       "MISMATCH: guest_memfd memory not freed as expected", tol_u / 1024.0, tol_f / 1024.0);
	return ok;
}

/* ---- main ---------------------------------------------------------------- */

static void usage(const char *argv0)
{
	printf("usage: %s [options]\n"
	       "  -s, --size MIB          host fault region (default 256)\n"
	       "  -g, --guest-size MIB    guest fault slot (default 64)\n"
	       "  -r, --reps N            repetitions per figure (default 5, at least 5)\n"
	       "      --no-scale          skip the 16 MiB..1 GiB scale sweep\n"
	       "      --no-guest          skip the guest faults\n"
	       "      --userspace-addr    give KVM the guest_memfd mapping as userspace_addr\n"
	       "                          (for KVMs that read guest memory through it)\n"
	       "      --no-strict         a memory accounting mismatch is not an error\n"
	       "                          (a busy host's MemFree moves on its own)\n"
	       "      --smoke             a few seconds: 4 MiB, no scale sweep\n", argv0);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "guest-size", required_argument, NULL, 'g' },
		{ "reps", required_argument, NULL, 'r' },
		{ "no-scale", no_argument, NULL, 'S' },
		{ "no-guest", no_argument, NULL, 'G' },
		{ "userspace-addr", no_argument, NULL, 'u' },
		{ "no-strict", no_argument, NULL, 'n' },
		{ "smoke", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "s:g:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': opt.size = strtoul(optarg, NULL, 0) * MIB; break;
		case 'g': opt.guest_size = strtoul(optarg, NULL, 0) * MIB; break;
		case 'r': opt.reps = atoi(optarg); break;
		case 'S': opt.scale = false; break;
		case 'G': opt.guest = false; break;
		case 'u': opt.userspace_addr = true; break;
		case 'n': opt.strict = false; break;
		case 'k':
			opt.smoke = true;
			opt.size = opt.guest_size = 4 * MIB;
			opt.scale = false;
			break;
		case 'h': usage(argv[0]); exit(0);
		default: usage(argv[0]); exit(2);
		}
	}
	if (!opt.size || !opt.guest_size || opt.guest_size > GUEST_TEST_MAX ||
	    opt.reps < 5 || opt.reps > MAX_REPS) {
		fprintf(stderr, "gmem-bench: bad size or reps (reps 5..%d, guest size up to %lu MiB)\n",
			MAX_REPS, GUEST_TEST_MAX / MIB);
		exit(2);
	}
}

static void open_kvm(void)
{
	int flags;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		printf("gmem-bench: SKIP: no /dev/kvm (%s)\n", strerror(errno));
		exit(KSFT_SKIP);
	}
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		die("KVM_CREATE_VM");
	flags = ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS);
	if (flags < 0 || (flags & (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)) !=
			 (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)) {
		printf("gmem-bench: SKIP: KVM_CAP_GUEST_MEMFD_FLAGS is %d on a default VM: this kernel\n"
		       "            cannot mmap guest_memfd (it lacks the series or mainline 6.18)\n", flags);
		exit(KSFT_SKIP);
	}
}

static double ratio(double baseline, double gmem)
{
	return gmem > 0 ? baseline / gmem : 0;
}

int main(int argc, char **argv)
{
	static double v[NR_HOST_CASES][NR_BACKINGS][MAX_REPS];
	struct stat3 host[NR_HOST_CASES][NR_BACKINGS], g1[2], g2[2];
	double gv1[2][MAX_REPS], gv2[2][MAX_REPS];
	bool ok = true;
	int c, b, i;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	open_kvm();

	printf("gmem-bench: host faults on %zu MiB, guest faults on a %zu MiB slot, %d reps%s\n",
	       opt.size / MIB, opt.guest_size / MIB, opt.reps, opt.smoke ? " (smoke)" : "");
	printf("guest_memfd: MMAP|INIT_SHARED; shmem: memfd_create; anon: MAP_PRIVATE|MAP_ANONYMOUS;\n"
	       "THP off (MADV_NOHUGEPAGE) on shmem and anon, as guest_memfd faults 4 KiB pages\n");

	/* Repetitions outermost, backings interleaved: drift hits all alike. */
	for (i = 0; i < opt.reps; i++)
		for (c = 0; c < NR_HOST_CASES; c++)
			for (b = 0; b < NR_BACKINGS; b++)
				v[c][b][i] = host_run(c, b, opt.size);
	for (c = 0; c < NR_HOST_CASES; c++)
		for (b = 0; b < NR_BACKINGS; b++)
			host[c][b] = stat3(v[c][b], opt.reps);

	printf("\nhost faults, ns per 4 KiB page: median [min..max] of %d\n", opt.reps);
	printf("  %-20s", "");
	for (b = 0; b < NR_BACKINGS; b++)
		printf(" %22s", backing_name[b]);
	printf("\n");
	for (c = 0; c < NR_HOST_CASES; c++) {
		printf("  %-20s", host_case_name[c]);
		for (b = 0; b < NR_BACKINGS; b++)
			print_stat(host[c][b]);
		printf("\n");
	}
	printf("  (refault: after fallocate PUNCH_HOLE, anon after MADV_DONTNEED;\n"
	       "   an anon read fault maps the zero page and allocates nothing)\n");

	if (opt.guest) {
		const enum backing gb[2] = { GMEM, ANON };

		for (i = 0; i < opt.reps; i++)
			for (b = 0; b < 2; b++)
				guest_run(gb[b], opt.guest_size, &gv1[b][i], &gv2[b][i]);
		for (b = 0; b < 2; b++) {
			g1[b] = stat3(gv1[b], opt.reps);
			g2[b] = stat3(gv2[b], opt.reps);
		}
		printf("\nguest writes to every page of a %zu MiB slot, ns per page: median [min..max] of %d\n",
		       opt.guest_size / MIB, opt.reps);
		printf("  %-20s %22s %22s\n", "", "guest_memfd-only slot", "anon slot");
		printf("  %-20s", "pass 1 (faults)");
		print_stat(g1[0]);
		print_stat(g1[1]);
		printf("\n  %-20s", "pass 2 (mapped)");
		print_stat(g2[0]);
		print_stat(g2[1]);
		printf("\n  (guest_memfd slot: KVM_MEM_GUEST_MEMFD, userspace_addr %s)\n",
		       opt.userspace_addr ? "= the guest_memfd mapping" : "0");
	}

	if (opt.scale) {
		static const size_t sizes[] = { 16, 64, 256, 1024 };
		long avail = meminfo_kib("MemAvailable");

		printf("\nscale: first-touch write, ns per page (median of 3)\n");
		printf("  %-10s %12s %12s %12s", "size", backing_name[0], backing_name[1], backing_name[2]);
		if (opt.guest)
			printf(" %14s %12s", "guest gmem", "guest anon");
		printf("\n");
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			size_t size = sizes[s] * MIB;
			double w[3][3], x[2][3], y[2][3];

			/* The guest run holds guest_memfd and low memory at once. */
			if ((long)(size / 1024) > avail * 6 / 10) {
				printf("  %4zu MiB   skipped: MemAvailable is %ld MiB\n", sizes[s], avail / 1024);
				continue;
			}
			printf("  %4zu MiB  ", sizes[s]);
			for (b = 0; b < NR_BACKINGS; b++) {
				for (i = 0; i < 3; i++)
					w[b][i] = host_run(FIRST_WRITE, b, size);
				printf(" %12.0f", stat3(w[b], 3).median);
			}
			if (opt.guest) {
				for (i = 0; i < 3; i++) {
					guest_run(GMEM, size, &x[0][i], &y[0][i]);
					guest_run(ANON, size, &x[1][i], &y[1][i]);
				}
				printf(" %14.0f %12.0f", stat3(x[0], 3).median, stat3(x[1], 3).median);
			}
			printf("\n");
		}
		printf("  (linear growth = the same ns per page at every size)\n");
	}

	if (!accounting(opt.size)) {
		if (opt.strict)
			ok = false;
		else
			printf("  (--no-strict: not an error here; other processes move MemFree too)\n");
	}

	printf("\n");
	printf("ratio host_fault_vs_shmem %.3f\n", ratio(host[FIRST_WRITE][SHMEM].median, host[FIRST_WRITE][GMEM].median));
	printf("ratio host_fault_vs_anon %.3f\n", ratio(host[FIRST_WRITE][ANON].median, host[FIRST_WRITE][GMEM].median));
	printf("ratio host_read_fault_vs_shmem %.3f\n", ratio(host[FIRST_READ][SHMEM].median, host[FIRST_READ][GMEM].median));
	printf("ratio refault_vs_shmem %.3f\n", ratio(host[REFAULT_WRITE][SHMEM].median, host[REFAULT_WRITE][GMEM].median));
	printf("ratio refault_vs_anon %.3f\n", ratio(host[REFAULT_WRITE][ANON].median, host[REFAULT_WRITE][GMEM].median));
	if (opt.guest)
		printf("ratio guest_fault_vs_anon %.3f\n", ratio(g1[1].median, g1[0].median));
	return ok ? 0 : 1;
}
