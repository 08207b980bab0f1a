/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest.S - the code that runs inside gmem-vmm's guests.
 *
 * This file is assembled into the VMM binary as plain data (it lives in
 * .rodata, the host never executes it).  The VMM copies the bytes between
 * guest_code_start and guest_code_end into guest memory and starts a vCPU
 * at one of the entry points below, already in 64-bit long mode with an
 * identity-mapped page table, a stack and %rflags = 2 (DF clear, IF clear).
 *
 * All code is position independent (RIP-relative addressing, relative
 * jumps), so the blob runs wherever the VMM puts it, and csum() below can
 * be copied by the guest itself to another place and still work.
 *
 * There is no IDT: any exception ends in a triple fault, which the VMM
 * sees as KVM_EXIT_SHUTDOWN and reports.
 *
 * Calling convention inside the blob: arguments in %rdi, %rsi, %rdx, %rcx
 * (as in the SysV ABI), results in %rax; each routine says what it clobbers.
 */

#define SERIAL_PORT	0x3f8	/* must match GUEST_SERIAL_PORT in gmem-vmm.c */

/* FNV-1a, applied to 64-bit words instead of bytes (gmem-vmm.c: csum64()) */
#define FNV_OFFSET	0xcbf29ce484222325
#define FNV_PRIME	0x100000001b3

/* The private-memory guest fills its data with (i + 1) * GOLDEN */
#define GOLDEN		0x9e3779b97f4a7c15

	.section .rodata.gmem_guest, "a"
	.code64
	.balign	16

	.globl	guest_code_start
guest_code_start:

/*
 * guest_shared_main - entry point of the DEFAULT_VM guest.
 *
 *   %rdi = gpa of the buffer the host filled through its guest_memfd mmap
 *   %rsi = length of that buffer in bytes (a multiple of 8)
 *   %rdx = gpa where the checksum is to be stored
 *
 * Checksums the buffer, stores the result, prints it, halts.
 */
	.globl	guest_shared_main
guest_shared_main:
	mov	%rdi, %r12
	mov	%rsi, %r13
	mov	%rdx, %r14

	lea	msg_hello(%rip), %rsi
	call	puts

	mov	%r12, %rdi
	mov	%r13, %rsi
	call	csum
	mov	%rax, (%r14)		/* the VMM reads it through its mmap */
	mov	%rax, %r15

	lea	msg_sum(%rip), %rsi
	call	puts
	mov	%r15, %rax
	call	puthex
	lea	msg_nl(%rip), %rsi
	call	puts
1:	hlt				/* KVM_EXIT_HLT: the VMM stops here */
	jmp	1b

/*
 * guest_private_main - entry point of the SW_PROTECTED_VM guest.
 *
 *   %rdi = gpa in private memory where csum() is to be copied
 *   %rsi = gpa of the data area, also in private memory
 *   %rdx = length of the data area in bytes (a multiple of 8)
 *   %rcx = gpa of the result, in ordinary shared memory
 *
 * The host cannot read or write private memory at all, so everything in
 * it comes from the guest: the guest fills the data area with a pattern,
 * copies its checksum routine into private memory, calls that copy, and
 * stores the result (and where the routine ran) in shared memory.
 */
	.globl	guest_private_main
guest_private_main:
	mov	%rdi, %r12
	mov	%rsi, %r13
	mov	%rdx, %r14
	mov	%rcx, %rbx

	lea	msg_private(%rip), %rsi
	call	puts

	/* data[i] = (i + 1) * GOLDEN, for every 64-bit word */
	mov	%r13, %rdi
	mov	%r14, %rcx
	shr	$3, %rcx
	movabs	$GOLDEN, %r8
	mov	%r8, %rax
1:	mov	%rax, (%rdi)
	add	%r8, %rax
	add	$8, %rdi
	dec	%rcx
	jnz	1b

	/* copy csum() into private memory ... */
	lea	csum(%rip), %rsi
	mov	%r12, %rdi
	mov	$(csum_end - csum), %ecx
	rep movsb

	/* ... and run it from there */
	mov	%r13, %rdi
	mov	%r14, %rsi
	call	*%r12
	mov	%rax, (%rbx)		/* result[0]: the checksum */
	mov	%rdx, 8(%rbx)		/* result[1]: where csum() ran */
	mov	%rax, %r15
	mov	%rdx, %r13

	lea	msg_ran_at(%rip), %rsi
	call	puts
	mov	%r13, %rax
	call	puthex
	lea	msg_nl(%rip), %rsi
	call	puts
	lea	msg_sum(%rip), %rsi
	call	puts
	mov	%r15, %rax
	call	puthex
	lea	msg_nl(%rip), %rsi
	call	puts
1:	hlt
	jmp	1b

/*
 * guest_spin - entry point for "gmem-vmm --hang": never halts, so the
 * VMM's timeout has something to catch.
 */
	.globl	guest_spin
guest_spin:
	lea	msg_spin(%rip), %rsi
	call	puts
1:	jmp	1b

/*
 * csum - checksum %rsi bytes (a multiple of 8) at %rdi.
 *
 * Returns the checksum in %rax and, in %rdx, the address this copy of the
 * routine runs at.  Clobbers %rdi, %rsi, %r8.  Self-contained (no calls,
 * no data) so that it still works after being copied elsewhere.
 */
csum:
	lea	csum(%rip), %rdx
	movabs	$FNV_OFFSET, %rax
	movabs	$FNV_PRIME, %r8
	shr	$3, %rsi
	jz	2f
1:	xor	(%rdi), %rax
	imul	%r8, %rax
	add	$8, %rdi
	dec	%rsi
	jnz	1b
2:	ret
csum_end:

/*
 * puts - write the NUL-terminated string at %rsi to the serial port, one
 * byte per OUT instruction (each one is a KVM_EXIT_IO for the VMM).
 * Clobbers %rax, %rdx, %rsi.
 */
puts:
	mov	$SERIAL_PORT, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, %dx
	jmp	1b
2:	ret

/*
 * puthex - print %rax as "0x" and 16 hex digits.
 * Clobbers %rax, %rcx, %rdx, %rsi, %r8.
 */
puthex:
	mov	%rax, %r8
	lea	msg_0x(%rip), %rsi
	call	puts
	mov	$16, %ecx
	lea	hex_digits(%rip), %rsi
1:	rol	$4, %r8
	mov	%r8d, %eax
	and	$0xf, %eax
	movzbl	(%rsi,%rax), %eax
	out	%al, %dx
	dec	%ecx
	jnz	1b
	ret

msg_hello:
	.asciz	"hello from a guest whose RAM is a guest_memfd\n"
msg_private:
	.asciz	"filling private memory the host cannot touch\n"
msg_ran_at:
	.asciz	"csum() ran from private memory at "
msg_sum:
	.asciz	"checksum of the buffer: "
msg_spin:
	.asciz	"spinning forever (--hang), the VMM should time out\n"
msg_0x:
	.asciz	"0x"
msg_nl:
	.asciz	"\n"
hex_digits:
	.ascii	"0123456789abcdef"

	.globl	guest_code_end
guest_code_end:

	/* no executable stack for the VMM binary */
	.section .note.GNU-stack, "", @progbits
