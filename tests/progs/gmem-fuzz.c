// SPDX-License-Identifier: GPL-2.0
/*
 * gmem-fuzz: seeded random guest_memfd operations, each checked against a
 * model of what the kernel must do (../shared/SPEC.md, the series' api.rst).
 *
 *   gmem-fuzz [--ops N] [--seed S] [--threads T] [--replay S] [--trace]
 *
 * Every thread owns a small world: two VMs (of the VM types KVM offers),
 * each with one vCPU, up to four guest_memfds, four mappings and four
 * guest_memfd memslots, and a model of it: each file's contents (a shadow
 * copy), its flags, size, owner VM and bindings, each VM's memory
 * attributes. Its operations are random: create (valid and invalid flags
 * and sizes), close, mmap (also MAP_PRIVATE), munmap, mremap, host reads
 * and writes (data, or SIGBUS where it must be), fallocate (every mode,
 * aligned or not), memslot create and delete (overlaps, misaligned offsets,
 * ranges past the end, another VM's file), vCPU runs whose guest reads and
 * writes one byte of a guest_memfd memslot, KVM_SET_MEMORY_ATTRIBUTES on
 * SW_PROTECTED VMs, fork, VM destruction. A result the model did not
 * expect (an errno, data from elsewhere, a missing SIGBUS, an exit) stops
 * the run: it prints the thread's last operations, the seed and the
 * command that repeats the thread's sequence, and "not ok".
 *
 * Threads share nothing but the kernel (their worlds race in the mm, KVM's
 * memslot and MMU code and guest_memfd's inode code). Each thread's
 * sequence depends only on the seed and the thread's number, so --seed S
 * with the same --threads repeats every thread's operations; --replay S
 * is --seed S --trace, which prints each operation as it runs.
 *
 * On a kernel without the series (KVM_CAP_GUEST_MEMFD_FLAGS is 0) there are
 * no creation flags: files cannot be mapped (ENODEV) and only VMs with
 * private memory bind them, as 6.12 does; the same model applies.
 *
 * Output: TAP, one result; "# " lines for progress (every 5 s) and totals.
 * Exit 0 on success, 1 on a mismatch, 2 on bad usage, 4 without KVM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>

#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS	244
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP		(1ULL << 0)
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE			25	/* glibc 2.36 lacks it */
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED	(1ULL << 1)
#endif

#define PAGE		4096UL
#define NR_VMS		2
#define NR_FILES	4
#define NR_MAPS		4
#define NR_SLOTS	4
#define MAX_PAGES	16		/* largest file the model holds */
#define WIN_GPA		0x100000UL	/* guest_memfd memslots live here */
#define WIN_PAGES	64
#define CODE_GPA	0
#define PORT		0x10
#define DECOY		0xdd		/* never written by the model */
#define HISTORY		24

enum op {
	OP_CREATE, OP_CLOSE, OP_MMAP, OP_MUNMAP, OP_MREMAP, OP_MADVISE, OP_READ,
	OP_WRITE, OP_FALLOCATE, OP_BIND, OP_UNBIND, OP_RUN, OP_ATTRS, OP_FORK,
	OP_DESTROY_VM, NR_OPS
};

/* Totals per operation: done, and of those the ones that failed as expected. */
static unsigned long op_count[NR_OPS], op_errors[NR_OPS];

struct gfile {
	bool live;		/* the kernel's file exists: fd open or mapped */
	int fd;			/* -1 once closed */
	unsigned int owner;	/* id of the VM it was created for */
	uint64_t flags;
	unsigned long pages;
	unsigned int maps, slots;	/* references from the model */
	uint8_t *shadow;	/* what the file must hold */
};

struct gmap {
	bool used;
	int file;
	char *addr;
	unsigned long pgoff, pages;
};

struct slot {
	bool used;
	int file;		/* the file bound when the memslot was made */
	unsigned long gpa, pages, pgoff;
};

struct vm {
	int fd;			/* -1: no VM here */
	int vcpu;
	struct kvm_run *run;
	unsigned int id;
	unsigned long type;
	uint64_t valid;		/* KVM_CAP_GUEST_MEMFD_FLAGS of the VM */
	bool private_mem;	/* KVM_SET_MEMORY_ATTRIBUTES works */
	uint8_t *code, *decoy;
	bool private[WIN_PAGES];
	struct slot slot[NR_SLOTS];
};

struct world {
	int tid;
	uint64_t rng;
	unsigned long nr, quota;
	unsigned int next_vm_id;
	struct vm vm[NR_VMS];
	struct gfile file[NR_FILES];
	struct gmap map[NR_MAPS];
	char history[HISTORY][160];
};

static int kvm_fd;
static size_t run_size;
static unsigned long vm_types;	/* bit per VM type with guest_memfd */
static bool series;		/* KVM_CAP_GUEST_MEMFD_FLAGS exists */
static uint64_t seed;
static unsigned long total_ops = 10000, nr_threads = 4;
static bool trace;
static unsigned long done_ops;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
/*
 * A forked child holds every file of every thread (its copy of the fd
 * table and the mappings) until it exits: while it lives, no other thread
 * may run an operation whose model assumes a file is released.
 */
static pthread_rwlock_t fork_lock = PTHREAD_RWLOCK_INITIALIZER;

static __thread sigjmp_buf sigbus_env;
static __thread volatile sig_atomic_t sigbus_armed;
static __thread struct world *this_world;

static void mismatch(struct world *w, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/*
 * SIGBUS where a host access expects it; any other SIGBUS, SIGSEGV, ... is
 * reported like a mismatch, with the thread's last operations.
 */
static void signal_handler(int sig)
{
	if (sig == SIGBUS && sigbus_armed)
		siglongjmp(sigbus_env, 1);
	if (this_world)
		mismatch(this_world, "signal %d (%s) outside an access that expects it", sig,
			 strsignal(sig));
	signal(sig, SIG_DFL);
	raise(sig);
}

/* splitmix64 seeds xorshift64*: reproducible per (seed, thread). */
static uint64_t rnd(struct world *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dULL;
}

static unsigned long below(struct world *w, unsigned long n)
{
	return n ? rnd(w) % n : 0;
}

static bool chance(struct world *w, unsigned int percent)
{
	return below(w, 100) < percent;
}

static void note(struct world *w, const char *fmt, ...)
{
	char *line = w->history[w->nr % HISTORY];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(w->history[0]), "thread %d op %lu: ", w->tid, w->nr);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(w->history[0]) - n, fmt, ap);
	va_end(ap);
	if (trace) {
		pthread_mutex_lock(&out_lock);
		printf("# %s\n", line);
		pthread_mutex_unlock(&out_lock);
	}
}

/* A result the model did not expect: report and end the whole run. */
static void mismatch(struct world *w, const char *fmt, ...)
{
	unsigned long i, first;
	va_list ap;

	pthread_mutex_lock(&out_lock);
	printf("# MISMATCH in thread %d, operation %lu: ", w->tid, w->nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# the thread's last operations:\n");
	first = w->nr >= HISTORY ? w->nr - HISTORY + 1 : 0;
	for (i = first; i <= w->nr; i++)
		printf("#   %s\n", w->history[i % HISTORY]);
	printf("# repeat: gmem-fuzz --replay %" PRIu64 " --threads %lu --ops %lu\n",
	       seed, nr_threads, total_ops);
	printf("not ok 1 gmem-fuzz: seed %" PRIu64 ", mismatch in thread %d at its operation %lu\n",
	       seed, w->tid, w->nr);
	fflush(stdout);
	_exit(1);
}

static void count(enum op op, bool error)
{
	__atomic_fetch_add(&op_count[op], 1, __ATOMIC_RELAXED);
	if (error)
		__atomic_fetch_add(&op_errors[op], 1, __ATOMIC_RELAXED);
}

/* @ret, @err of a call against the expected errno @want (0: success). */
static void __expect(struct world *w, enum op op, long ret, int err, int want,
		   const char *what)
{
	if (want ? (ret != -1 || err != want) : ret < 0)
		mismatch(w, "%s: expected %s%s, got %ld (errno %d: %s)", what,
			 want ? "errno " : "success", want ? strerrorname_np(want) : "",
			 ret, ret < 0 ? err : 0, ret < 0 ? strerror(err) : "-");
	count(op, want);
}

/* Check the result of @call; errno is read only after it returned. */
#define expect(w, op, call, want, what)				\
	do {							\
		long __ret = (call);				\
								\
		__expect(w, op, __ret, errno, want, what);	\
	} while (0)

/* Setting up the world: failures here are the harness's, not a mismatch. */
static void die(const char *what)
{
	pthread_mutex_lock(&out_lock);
	printf("# %s failed: %s\nnot ok 1 gmem-fuzz: setup failed\n", what, strerror(errno));
	fflush(stdout);
	_exit(1);
}

/* ---------------------------------------------------------------- VMs */

/*
 * The vCPU runs 32-bit flat protected mode code at CODE_GPA (a plain
 * memslot): it loads the byte at ESI into AL, stores BL there, and writes
 * AL to port PORT: mov al,[esi]; mov [esi],bl; out PORT,al; hlt.
 */
static const uint8_t guest_code[] = { 0x8a, 0x06, 0x88, 0x1e, 0xe6, PORT, 0xf4 };

#ifdef __x86_64__
static void vcpu_setup(struct vm *vm)
{
	struct kvm_segment seg = {
		.base = 0, .limit = 0xffffffff, .selector = 0x8, .type = 11,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
	struct kvm_sregs sregs;

	if (ioctl(vm->vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs = seg;
	seg.type = 3;
	seg.selector = 0x10;
	sregs.ds = sregs.es = sregs.ss = sregs.fs = sregs.gs = seg;
	sregs.cr0 |= 1;		/* PE, no paging */
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
}
#endif

static void vm_create(struct world *w, struct vm *vm)
{
	struct kvm_userspace_memory_region code = {
		.slot = NR_SLOTS, .guest_phys_addr = CODE_GPA, .memory_size = PAGE,
	};
	unsigned long types[64], n = 0, t;

	for (t = 0; t < 64; t++)
		if (vm_types & (1UL << t))
			types[n++] = t;
	vm->type = types[below(w, n)];
	vm->fd = ioctl(kvm_fd, KVM_CREATE_VM, vm->type);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");
	vm->id = ++w->next_vm_id;
	vm->valid = series ? (uint64_t)ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS) : 0;
	vm->private_mem = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES) &
			  KVM_MEMORY_ATTRIBUTE_PRIVATE;
#ifdef __x86_64__
	/* The model takes the flags from KVM, after checking them (SPEC.md). */
	if (series && vm->valid != (vm->type == KVM_X86_SW_PROTECTED_VM ? GUEST_MEMFD_FLAG_MMAP :
				    GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED))
		mismatch(w, "KVM_CAP_GUEST_MEMFD_FLAGS of a VM of type %lu is 0x%" PRIx64
			 ", not what the ABI says", vm->type, vm->valid);
#endif
	memset(vm->private, 0, sizeof(vm->private));
	memset(vm->slot, 0, sizeof(vm->slot));

	vm->code = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vm->decoy = mmap(NULL, WIN_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->code == MAP_FAILED || vm->decoy == MAP_FAILED)
		die("mmap() of guest memory");
	memcpy(vm->code, guest_code, sizeof(guest_code));
	memset(vm->decoy, DECOY, WIN_PAGES * PAGE);
	code.userspace_addr = (unsigned long)vm->code;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &code))
		die("KVM_SET_USER_MEMORY_REGION of the code page");

	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		die("KVM_CREATE_VCPU");
	vm->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		die("mmap() of kvm_run");
#ifdef __x86_64__
	vcpu_setup(vm);
#endif
}

static struct vm *pick_vm(struct world *w)
{
	struct vm *vm = &w->vm[below(w, NR_VMS)];

	if (vm->fd < 0)
		vm_create(w, vm);
	return vm;
}

/* Drop a model reference: the file dies with its fd and its last mapping. */
static void file_put(struct gfile *f)
{
	if (f->fd < 0 && !f->maps)
		f->live = false;
	if (!f->live && !f->slots) {
		free(f->shadow);
		f->shadow = NULL;
	}
}

/* Closing the VM's fd: its memslots go with it (they hold no file). */
static void op_destroy_vm(struct world *w)
{
	struct vm *vm = &w->vm[below(w, NR_VMS)];
	int i;

	if (vm->fd < 0)
		return;
	note(w, "destroy VM %u (type %lu, decoy %p)", vm->id, vm->type, vm->decoy);
	for (i = 0; i < NR_SLOTS; i++) {
		if (!vm->slot[i].used)
			continue;
		w->file[vm->slot[i].file].slots--;
		file_put(&w->file[vm->slot[i].file]);
	}
	munmap(vm->run, run_size);
	munmap(vm->code, PAGE);
	munmap(vm->decoy, WIN_PAGES * PAGE);
	if (close(vm->vcpu) || close(vm->fd))
		mismatch(w, "close() of a VM or vCPU failed, errno %d", errno);
	vm->fd = -1;
	count(OP_DESTROY_VM, false);
}

/* -------------------------------------------------------------- files */

static int free_file(struct world *w)
{
	int i;

	for (i = 0; i < NR_FILES; i++)
		if (!w->file[i].live && !w->file[i].slots)
			return i;
	return -1;
}

/* A live file with its fd open, or -1. */
static int pick_open_file(struct world *w)
{
	int i, start = below(w, NR_FILES);

	for (i = 0; i < NR_FILES; i++) {
		struct gfile *f = &w->file[(start + i) % NR_FILES];

		if (f->live && f->fd >= 0)
			return (start + i) % NR_FILES;
	}
	return -1;
}

static void op_create(struct world *w)
{
	struct vm *vm = pick_vm(w);
	struct kvm_create_guest_memfd gmem = {};
	int idx = free_file(w), want = 0, fd;
	unsigned long pages = 1 + below(w, MAX_PAGES);
	struct gfile *f;

	/* Flags: mostly mappable and shared memory, or one invalid bit. */
	gmem.flags = rnd(w) & vm->valid;
	if (chance(w, 60))
		gmem.flags |= vm->valid & GUEST_MEMFD_FLAG_MMAP;
	if (chance(w, 50))
		gmem.flags |= vm->valid & GUEST_MEMFD_FLAG_INIT_SHARED;
	gmem.size = pages * PAGE;
	switch (below(w, 10)) {
	case 0: {
		uint64_t bit = 1ULL << below(w, 64);

		gmem.flags |= bit;
		if (!(bit & vm->valid))
			want = EINVAL;
		break;
	}
	case 1: {
		static const uint64_t bad[] = { 0, 1, PAGE - 1, PAGE + 1, 1ULL << 63,
						-PAGE, (1ULL << 63) + PAGE };

		gmem.size = bad[below(w, sizeof(bad) / sizeof(bad[0]))];
		want = EINVAL;
		break;
	}
	}
	if (!want && idx < 0)
		return;		/* no room in the model */

	note(w, "create: VM %u flags 0x%llx size 0x%llx", vm->id, gmem.flags, gmem.size);
	fd = ioctl(vm->fd, KVM_CREATE_GUEST_MEMFD, &gmem);
	expect(w, OP_CREATE, fd, want, "KVM_CREATE_GUEST_MEMFD");
	if (fd < 0)
		return;

	f = &w->file[idx];
	f->live = true;
	f->fd = fd;
	f->owner = vm->id;
	f->flags = gmem.flags;
	f->pages = pages;
	f->maps = f->slots = 0;
	f->shadow = calloc(pages, PAGE);
	if (!f->shadow)
		die("calloc()");
}

static void op_close(struct world *w)
{
	int idx = pick_open_file(w);
	struct gfile *f;

	if (idx < 0)
		return;
	f = &w->file[idx];
	note(w, "close: file %d (%u mappings, %u memslots)", idx, f->maps, f->slots);
	expect(w, OP_CLOSE, close(f->fd), 0, "close() of a guest_memfd");
	f->fd = -1;
	file_put(f);
}

/* ----------------------------------------------------------- mappings */

static bool shared_page(struct gfile *f, unsigned long page)
{
	return (f->flags & GUEST_MEMFD_FLAG_INIT_SHARED) && page < f->pages;
}

static void op_mmap(struct world *w)
{
	int idx = pick_open_file(w), m, want = 0, flags = MAP_SHARED;
	unsigned long pgoff, pages;
	struct gfile *f;
	char *addr;

	for (m = 0; m < NR_MAPS && w->map[m].used; m++)
		;
	if (idx < 0 || m == NR_MAPS)
		return;
	f = &w->file[idx];
	/* Anywhere in the file, and sometimes past its end: faults check. */
	pgoff = below(w, f->pages + 1);
	pages = 1 + below(w, 4);
	if (!(f->flags & GUEST_MEMFD_FLAG_MMAP))
		want = ENODEV;
	else if (chance(w, 10))
		flags = MAP_PRIVATE, want = EINVAL;

	note(w, "mmap: file %d pages %lu+%lu%s", idx, pgoff, pages,
	     flags == MAP_PRIVATE ? " MAP_PRIVATE" : "");
	addr = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, flags, f->fd, pgoff * PAGE);
	expect(w, OP_MMAP, addr == MAP_FAILED ? -1 : 0, want, "mmap() of a guest_memfd");
	if (addr == MAP_FAILED)
		return;
	w->map[m] = (struct gmap){ .used = true, .file = idx, .addr = addr,
				   .pgoff = pgoff, .pages = pages };
	f->maps++;
}

static struct gmap *pick_map(struct world *w)
{
	int i, start = below(w, NR_MAPS);

	for (i = 0; i < NR_MAPS; i++)
		if (w->map[(start + i) % NR_MAPS].used)
			return &w->map[(start + i) % NR_MAPS];
	return NULL;
}

static void op_munmap(struct world *w)
{
	struct gmap *map = pick_map(w);

	if (!map)
		return;
	note(w, "munmap: file %d pages %lu+%lu", map->file, map->pgoff, map->pages);
	expect(w, OP_MUNMAP, munmap(map->addr, map->pages * PAGE), 0, "munmap()");
	map->used = false;
	w->file[map->file].maps--;
	file_put(&w->file[map->file]);
}

static void op_mremap(struct world *w)
{
	struct gmap *map = pick_map(w);
	unsigned long pages = 1 + below(w, 4);
	char *addr;

	if (!map)
		return;
	note(w, "mremap: file %d pages %lu+%lu to %lu pages", map->file, map->pgoff,
	     map->pages, pages);
	addr = mremap(map->addr, map->pages * PAGE, pages * PAGE, MREMAP_MAYMOVE);
	expect(w, OP_MREMAP, addr == MAP_FAILED ? -1 : 0, 0, "mremap()");
	map->addr = addr;
	map->pages = pages;
}

/*
 * madvise() of a whole mapping: DONTNEED and WILLNEED keep the data (it
 * lives in the file), REMOVE punches a hole in the file's pages that the
 * mapping covers, HUGEPAGE is accepted, COLLAPSE must fail with EINVAL
 * (guest_memfd folios never become huge).
 */
static void op_madvise(struct world *w)
{
	static const struct {
		int advice, want;
		const char *name;
	} advice[] = {
		{ MADV_DONTNEED, 0, "DONTNEED" }, { MADV_WILLNEED, 0, "WILLNEED" },
		{ MADV_REMOVE, 0, "REMOVE" }, { MADV_HUGEPAGE, 0, "HUGEPAGE" },
		{ MADV_COLLAPSE, EINVAL, "COLLAPSE" },
	};
	struct gmap *map = pick_map(w);
	struct gfile *f;
	unsigned long p;
	int a = below(w, sizeof(advice) / sizeof(advice[0]));

	if (!map)
		return;
	f = &w->file[map->file];
	note(w, "madvise: file %d pages %lu+%lu MADV_%s", map->file, map->pgoff, map->pages,
	     advice[a].name);
	expect(w, OP_MADVISE, madvise(map->addr, map->pages * PAGE, advice[a].advice),
	       advice[a].want, "madvise() of a guest_memfd mapping");
	if (advice[a].advice != MADV_REMOVE)
		return;
	for (p = map->pgoff; p < map->pgoff + map->pages && p < f->pages; p++)
		memset(&f->shadow[p * PAGE], 0, PAGE);
}

/*
 * One host access to a byte of @map: a read compares it with the model, a
 * write stores @val. Returns whether it got SIGBUS.
 */
static bool host_access(char *p, bool write, uint8_t val, uint8_t *got)
{
	sigbus_armed = 1;
	if (sigsetjmp(sigbus_env, 1)) {
		sigbus_armed = 0;
		return true;
	}
	if (write)
		*(volatile uint8_t *)p = val;
	else
		*got = *(volatile uint8_t *)p;
	sigbus_armed = 0;
	return false;
}

static void op_host(struct world *w, bool write)
{
	struct gmap *map = pick_map(w);
	unsigned long page, off, i, len;
	uint8_t val = 1 + below(w, DECOY - 1), got = 0;
	struct gfile *f;
	bool shared, bus;

	if (!map)
		return;
	f = &w->file[map->file];
	page = below(w, map->pages);
	off = below(w, PAGE);
	len = write ? 1 + below(w, 64) : 1 + below(w, 256);
	len = len < PAGE - off ? len : PAGE - off;
	shared = shared_page(f, map->pgoff + page);
	note(w, "%s: file %d page %lu offset %lu len %lu at %p value 0x%x (%s)",
	     write ? "write" : "read", map->file, map->pgoff + page, off, len,
	     map->addr + page * PAGE + off, write ? val : 0,
	     map->pgoff + page >= f->pages ? "past EOF" : shared ? "shared" : "private");

	for (i = 0; i < len; i++) {
		char *p = map->addr + page * PAGE + off + i;
		uint8_t *model = shared ? &f->shadow[(map->pgoff + page) * PAGE + off + i] : NULL;

		bus = host_access(p, write, val, &got);
		if (bus != !shared)
			mismatch(w, "host %s of file %d page %lu: %s", write ? "write" : "read",
				 map->file, map->pgoff + page,
				 shared ? "SIGBUS on shared memory" : "no SIGBUS on private memory or past EOF");
		if (!shared)
			break;
		if (write)
			*model = val;
		else if (got != *model)
			mismatch(w, "host read of file %d page %lu offset %lu: 0x%x, the model has 0x%x%s",
				 map->file, map->pgoff + page, off + i, got, *model,
				 got == DECOY ? " (a decoy byte: userspace_addr's memory)" : "");
	}
	count(write ? OP_WRITE : OP_READ, !shared);
}

static void op_read(struct world *w)
{
	op_host(w, false);
}

static void op_write(struct world *w)
{
	op_host(w, true);
}

/* ---------------------------------------------------------- fallocate */

static void op_fallocate(struct world *w)
{
	static const int modes[] = {
		FALLOC_FL_KEEP_SIZE, FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		FALLOC_FL_ZERO_RANGE, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE, FALLOC_FL_UNSHARE_RANGE,
	};
	int idx = pick_open_file(w), mode, want = 0;
	unsigned long off, len, p, end;
	bool punch;
	struct gfile *f;

	if (idx < 0)
		return;
	f = &w->file[idx];
	mode = modes[below(w, sizeof(modes) / sizeof(modes[0]))];
	punch = mode & FALLOC_FL_PUNCH_HOLE;
	off = below(w, f->pages + 2) * PAGE;
	len = (1 + below(w, 4)) * PAGE;
	if (chance(w, 15))
		off += 1 + below(w, PAGE - 1);
	else if (chance(w, 15))
		len -= 1 + below(w, PAGE - 1);

	if (mode != FALLOC_FL_KEEP_SIZE && mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
		want = EOPNOTSUPP;
	else if (off % PAGE || len % PAGE)
		want = EINVAL;
	else if (!punch && off + len > f->pages * PAGE)
		want = EINVAL;

	note(w, "fallocate: file %d mode 0x%x offset 0x%lx len 0x%lx", idx, mode, off, len);
	expect(w, OP_FALLOCATE, fallocate(f->fd, mode, off, len), want, "fallocate()");
	if (want || !punch)
		return;
	end = off + len < f->pages * PAGE ? off + len : f->pages * PAGE;
	for (p = off; p < end; p += PAGE)
		memset(&f->shadow[p], 0, PAGE);
}

/* ----------------------------------------------------------- memslots */

static bool ranges_overlap(unsigned long a, unsigned long an, unsigned long b, unsigned long bn)
{
	return a < b + bn && b < a + an;
}

static void op_bind(struct world *w)
{
	struct vm *vm = pick_vm(w);
	struct kvm_userspace_memory_region2 r = { .flags = KVM_MEM_GUEST_MEMFD };
	int s, idx = pick_open_file(w), want = 0, i, j;
	unsigned long gpa_page, pages, pgoff;
	bool misaligned;
	struct gfile *f;

	for (s = 0; s < NR_SLOTS && vm->slot[s].used; s++)
		;
	/* Mostly one of the VM's own files. */
	for (i = 0; i < NR_FILES && chance(w, 80); i++)
		if (w->file[i].live && w->file[i].fd >= 0 && w->file[i].owner == vm->id)
			idx = i;
	if (s == NR_SLOTS || idx < 0)
		return;
	f = &w->file[idx];
	gpa_page = below(w, WIN_PAGES - 4);
	pages = 1 + below(w, 4);
	/* Mostly within the file. */
	if (pages <= f->pages && chance(w, 80))
		pgoff = below(w, f->pages - pages + 1);
	else
		pgoff = below(w, f->pages + 1);
	misaligned = chance(w, 5);

	r.slot = s;
	r.guest_phys_addr = WIN_GPA + gpa_page * PAGE;
	r.memory_size = pages * PAGE;
	r.userspace_addr = (unsigned long)vm->decoy + gpa_page * PAGE;
	r.guest_memfd = f->fd;
	r.guest_memfd_offset = pgoff * PAGE + (misaligned ? 1 + below(w, PAGE - 1) : 0);

	/*
	 * The checks in the order KVM makes them. Without the series, only
	 * VMs with private memory accept KVM_MEM_GUEST_MEMFD at all.
	 */
	if (!series && !vm->private_mem)
		want = EINVAL;
	else if (misaligned)
		want = EINVAL;
	for (i = 0; !want && i < NR_SLOTS; i++)
		if (vm->slot[i].used &&
		    ranges_overlap(gpa_page, pages, (vm->slot[i].gpa - WIN_GPA) / PAGE,
				   vm->slot[i].pages))
			want = EEXIST;
	if (!want && f->owner != vm->id)
		want = EINVAL;
	if (!want && pgoff + pages > f->pages)
		want = EINVAL;
	for (i = 0; !want && i < NR_VMS; i++)
		for (j = 0; j < NR_SLOTS; j++)
			if (w->vm[i].fd >= 0 && w->vm[i].slot[j].used &&
			    w->vm[i].slot[j].file == idx &&
			    ranges_overlap(pgoff, pages, w->vm[i].slot[j].pgoff,
					   w->vm[i].slot[j].pages))
				want = EEXIST;

	note(w, "memslot %d: VM %u (type %lu) gpa 0x%llx pages %lu file %d offset 0x%llx", s,
	     vm->id, vm->type, r.guest_phys_addr, pages, idx, r.guest_memfd_offset);
	expect(w, OP_BIND, ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION2, &r), want,
	       "KVM_SET_USER_MEMORY_REGION2 with KVM_MEM_GUEST_MEMFD");
	if (want)
		return;
	vm->slot[s] = (struct slot){ .used = true, .file = idx, .gpa = r.guest_phys_addr,
				     .pages = pages, .pgoff = pgoff };
	f->slots++;
}

static void op_unbind(struct world *w)
{
	struct vm *vm = &w->vm[below(w, NR_VMS)];
	struct kvm_userspace_memory_region2 r = {};
	int s = below(w, NR_SLOTS);
	struct slot *sl = &vm->slot[s];
	int want = 0;

	if (vm->fd < 0 || !sl->used)
		return;
	r.slot = s;
	r.flags = KVM_MEM_GUEST_MEMFD;
	r.guest_phys_addr = sl->gpa;
	/* Moving a guest_memfd memslot is refused; deleting it works. */
	if (chance(w, 20))
		r.guest_phys_addr += PAGE * (1 + below(w, 4)), r.memory_size = sl->pages * PAGE,
		want = EINVAL;
	note(w, "memslot %d of VM %u: %s", s, vm->id, want ? "move" : "delete");
	expect(w, OP_UNBIND, ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION2, &r), want,
	       want ? "moving a guest_memfd memslot" : "deleting a guest_memfd memslot");
	if (want)
		return;
	sl->used = false;
	w->file[sl->file].slots--;
	file_put(&w->file[sl->file]);
}

static void op_attrs(struct world *w)
{
	struct vm *vm = &w->vm[below(w, NR_VMS)];
	struct kvm_memory_attributes a = {};
	unsigned long first = below(w, WIN_PAGES - 4), pages = 1 + below(w, 4), p;
	int want = 0;

	if (vm->fd < 0 || !vm->private_mem)
		return;
	a.address = WIN_GPA + first * PAGE;
	a.size = pages * PAGE;
	a.attributes = chance(w, 50) ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;
	switch (below(w, 12)) {
	case 0:
		a.size -= 1 + below(w, PAGE - 1), want = EINVAL;
		break;
	case 1:
		a.attributes |= 1ULL << (4 + below(w, 60)), want = EINVAL;
		break;
	case 2:
		a.flags = 1ULL << below(w, 64), want = EINVAL;
		break;
	}
	note(w, "set attributes: VM %u gpa 0x%llx size 0x%llx attributes 0x%llx flags 0x%llx",
	     vm->id, a.address, a.size, a.attributes, a.flags);
	expect(w, OP_ATTRS, ioctl(vm->fd, KVM_SET_MEMORY_ATTRIBUTES, &a), want,
	       "KVM_SET_MEMORY_ATTRIBUTES");
	if (want)
		return;
	for (p = first; p < first + pages; p++)
		vm->private[p] = a.attributes;
}

/* -------------------------------------------------------------- vCPUs */

#ifdef __x86_64__
static void op_run(struct world *w)
{
	struct vm *vm = &w->vm[below(w, NR_VMS)];
	struct slot *sl = &vm->slot[below(w, NR_SLOTS)];
	uint8_t val = 1 + below(w, DECOY - 1), *model, want, got;
	struct kvm_regs regs = { .rflags = 2, .rip = CODE_GPA };
	unsigned long page, off, win;
	bool from_gmem, fault;
	struct gfile *f;
	int ret, err;

	if (vm->fd < 0 || !sl->used)
		return;
	f = &w->file[sl->file];
	page = below(w, sl->pages);
	off = below(w, PAGE);
	win = (sl->gpa - WIN_GPA) / PAGE + page;
	/* guest_memfd-only memslots, and private pages, come from the file. */
	from_gmem = (f->flags & GUEST_MEMFD_FLAG_MMAP) || vm->private[win];
	fault = from_gmem && !f->live;
	model = from_gmem ? (f->shadow ? &f->shadow[(sl->pgoff + page) * PAGE + off] : NULL)
			  : &vm->decoy[win * PAGE + off];
	regs.rsi = sl->gpa + page * PAGE + off;
	regs.rbx = val;

	note(w, "run: VM %u (type %lu) gpa 0x%llx value 0x%x (file %d flags 0x%lx page %lu, %s%s)",
	     vm->id, vm->type, regs.rsi, val, sl->file, f->flags, sl->pgoff + page,
	     from_gmem ? "guest_memfd" : "userspace_addr", fault ? ", file released" : "");
	/* The decoy is the guest's memory itself: what it held before the run. */
	want = model ? *model : 0;
	if (ioctl(vm->vcpu, KVM_SET_REGS, &regs))
		mismatch(w, "KVM_SET_REGS failed, errno %d", errno);
	ret = ioctl(vm->vcpu, KVM_RUN, 0);
	err = errno;

	if (fault) {
		if (ret != -1 || err != EFAULT || vm->run->exit_reason != KVM_EXIT_MEMORY_FAULT)
			mismatch(w, "guest access to a released guest_memfd: expected KVM_EXIT_MEMORY_FAULT, got KVM_RUN %d (errno %d), exit reason %u",
				 ret, ret ? err : 0, vm->run->exit_reason);
		count(OP_RUN, true);
		return;
	}
	if (ret || vm->run->exit_reason != KVM_EXIT_IO || vm->run->io.port != PORT)
		mismatch(w, "guest access: expected an exit to port 0x%x, got KVM_RUN %d (errno %d), exit reason %u",
			 PORT, ret, ret ? err : 0, vm->run->exit_reason);
	got = *((uint8_t *)vm->run + vm->run->io.data_offset);
	if (got != want)
		mismatch(w, "guest read 0x%x at gpa 0x%llx, the model has 0x%x%s", got, regs.rsi,
			 want, got == DECOY && from_gmem ? " (a decoy byte: userspace_addr's memory)" : "");
	if (from_gmem)
		*model = val;
	else if (*model != val)
		mismatch(w, "the guest's write of 0x%x at gpa 0x%llx did not reach userspace_addr, which has 0x%x",
			 val, regs.rsi, *model);
	count(OP_RUN, false);
}
#else
static void op_run(struct world *w)
{
}
#endif

/* --------------------------------------------------------------- fork */

/* A child of this thread checks one shared page of a mapping, then exits. */
static void op_fork(struct world *w)
{
	struct gmap *map = pick_map(w);
	unsigned long page, i;
	struct gfile *f;
	int status;
	pid_t pid;

	if (!map)
		return;
	f = &w->file[map->file];
	page = below(w, map->pages);
	if (!shared_page(f, map->pgoff + page))
		return;
	note(w, "fork: the child reads file %d page %lu", map->file, map->pgoff + page);
	pid = fork();
	if (pid < 0)
		mismatch(w, "fork() failed, errno %d", errno);
	if (!pid) {
		for (i = 0; i < PAGE; i++)
			if (((volatile uint8_t *)map->addr)[page * PAGE + i] !=
			    f->shadow[(map->pgoff + page) * PAGE + i])
				_exit(3);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		mismatch(w, "the forked child found other data in file %d page %lu (status 0x%x)",
			 map->file, map->pgoff + page, status);
	count(OP_FORK, false);
}

/* ------------------------------------------------------------- driver */

/* Each operation, its name in the totals and its weight in the draw. */
static const struct {
	const char *name;
	unsigned int weight;
	void (*fn)(struct world *w);
} ops[NR_OPS] = {
	[OP_CREATE]	= { "create", 8, op_create },
	[OP_CLOSE]	= { "close", 3, op_close },
	[OP_MMAP]	= { "mmap", 8, op_mmap },
	[OP_MUNMAP]	= { "munmap", 4, op_munmap },
	[OP_MREMAP]	= { "mremap", 2, op_mremap },
	[OP_MADVISE]	= { "madvise", 4, op_madvise },
	[OP_READ]	= { "host-read", 12, op_read },
	[OP_WRITE]	= { "host-write", 12, op_write },
	[OP_FALLOCATE]	= { "fallocate", 10, op_fallocate },
	[OP_BIND]	= { "memslot-set", 10, op_bind },
	[OP_UNBIND]	= { "memslot-delete", 4, op_unbind },
	[OP_RUN]	= { "vcpu-run", 16, op_run },
	[OP_ATTRS]	= { "set-attributes", 5, op_attrs },
	[OP_FORK]	= { "fork", 1, op_fork },
	[OP_DESTROY_VM]	= { "vm-destroy", 1, op_destroy_vm },
};

static void *thread_main(void *arg)
{
	struct world *w = arg;
	unsigned int total = 0, r;
	int op, i;

	this_world = w;

	for (op = 0; op < NR_OPS; op++)
		total += ops[op].weight;
	for (i = 0; i < NR_VMS; i++)
		w->vm[i].fd = -1;
	for (i = 0; i < NR_FILES; i++)
		w->file[i].fd = -1;

	for (w->nr = 0; w->nr < w->quota; w->nr++) {
		r = below(w, total);
		for (op = 0; r >= ops[op].weight; op++)
			r -= ops[op].weight;
		snprintf(w->history[w->nr % HISTORY], sizeof(w->history[0]),
			 "thread %d op %lu: %s: nothing to do", w->tid, w->nr, ops[op].name);
		if (op == OP_FORK)
			pthread_rwlock_wrlock(&fork_lock);
		else
			pthread_rwlock_rdlock(&fork_lock);
		ops[op].fn(w);
		pthread_rwlock_unlock(&fork_lock);
		__atomic_fetch_add(&done_ops, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void usage(const char *why)
{
	fprintf(stderr, "gmem-fuzz: %s\n"
		"usage: gmem-fuzz [--ops N] [--seed S] [--threads T] [--replay S] [--trace]\n"
		"  --ops N       operations in all (default 10000)\n"
		"  --seed S      seed (default: from the clock, printed)\n"
		"  --threads T   threads, each with its own VMs and files (default 4, at most 64)\n"
		"  --replay S    --seed S --trace: repeat a run's sequences, printing each operation\n"
		"  --trace       print each operation\n", why);
	exit(2);
}

static unsigned long number(const char *opt, const char *s, unsigned long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-')
		usage("a number must follow the option");
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max) {
		fprintf(stderr, "gmem-fuzz: %s: '%s' is not a number up to %lu\n", opt, s, max);
		usage("bad number");
	}
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[])
{
	static const int signals[] = { SIGBUS, SIGSEGV, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa = { .sa_handler = signal_handler, .sa_flags = SA_NODEFER };
	struct world *worlds;
	pthread_t *threads;
	double start, last;
	unsigned long i, t;
	bool seeded = false;

	for (i = 1; i < (unsigned long)argc; i++) {
		const char *a = argv[i], *v = argv[i + 1];

		if (!strcmp(a, "--ops"))
			total_ops = number(a, v, 1UL << 40), i++;
		else if (!strcmp(a, "--seed") || !strcmp(a, "--replay"))
			seed = number(a, v, ~0UL), i++, seeded = true, trace |= a[2] == 'r';
		else if (!strcmp(a, "--threads"))
			nr_threads = number(a, v, 64), i++;
		else if (!strcmp(a, "--trace"))
			trace = true;
		else
			usage("unknown option");
	}
	if (!nr_threads)
		usage("--threads must be at least 1");
	if (!seeded && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("TAP version 13\n1..1\n");
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		printf("ok 1 gmem-fuzz # SKIP /dev/kvm: %s\n", strerror(errno));
		return 4;
	}
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	series = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS) > 0;
	vm_types = 1;
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_VM_TYPES) > 0)
		vm_types = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_VM_TYPES);
	if (!ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD)) {
		printf("ok 1 gmem-fuzz # SKIP KVM has no KVM_CAP_GUEST_MEMFD\n");
		return 4;
	}
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (sigaction(signals[i], &sa, NULL))
			die("sigaction()");

	printf("# gmem-fuzz: seed %" PRIu64 ", %lu operations, %lu threads; VM types 0x%lx; "
	       "KVM_CAP_GUEST_MEMFD_FLAGS %s\n", seed, total_ops, nr_threads, vm_types,
	       series ? "offered (the series)" : "absent (no creation flags)");

	worlds = calloc(nr_threads, sizeof(*worlds));
	threads = calloc(nr_threads, sizeof(*threads));
	if (!worlds || !threads)
		die("calloc()");
	start = last = now();
	for (t = 0; t < nr_threads; t++) {
		uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (t + 1);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		worlds[t].rng = (z ^ (z >> 31)) | 1;
		worlds[t].tid = t;
		worlds[t].quota = total_ops / nr_threads + (t < total_ops % nr_threads);
		if (pthread_create(&threads[t], NULL, thread_main, &worlds[t]))
			die("pthread_create()");
	}
	/* Progress every 5 s while the threads run. */
	while (__atomic_load_n(&done_ops, __ATOMIC_RELAXED) < total_ops) {
		usleep(100000);
		if (now() - last >= 5) {
			unsigned long d = __atomic_load_n(&done_ops, __ATOMIC_RELAXED);

			last = now();
			pthread_mutex_lock(&out_lock);
			printf("# progress: %lu of %lu operations, %.0f/s\n", d, total_ops,
			       d / (last - start));
			pthread_mutex_unlock(&out_lock);
		}
	}
	for (t = 0; t < nr_threads; t++)
		pthread_join(threads[t], NULL);

	printf("# operations: done (of those, failed as the model expected)\n");
	for (i = 0; i < NR_OPS; i++)
		printf("#   %-16s %10lu (%lu)\n", ops[i].name, op_count[i], op_errors[i]);
	printf("# %lu operations in %.1f s, %.0f/s\n", total_ops, now() - start,
	       total_ops / (now() - start));
	printf("ok 1 gmem-fuzz: %lu operations, seed %" PRIu64 ", no mismatch\n", total_ops, seed);
	return 0;
}
