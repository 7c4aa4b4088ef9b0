/* trapentry.S — the world switch.  It lives in the switcher (layout.h), the
 * only monitor pages mapped in the guest's address spaces.  Every vector
 * enters through a stub that makes the frame uniform (error code, vector);
 * trap_common saves the guest's registers as a struct trap_frame (trap.h) on
 * the trap stack, offers the trap to the fast path (fastpath.c, which runs in
 * the switcher, in the guest's address space), and otherwise switches to the
 * monitor's own address space and calls C.
 * trap_entry() returns the CR3 of the address space to resume in (0: stay,
 * for an interrupt that woke the monitor itself); trap_return switches to it
 * and to the guest's view of the real GDT, and irets. */
#include "layout.h"

	.section .switcher.text, "ax"
/* One 16-byte-aligned stub per vector.  The CPU pushes an error code for
 * vectors 8, 10-14, 17, 21, 29 and 30; for the others the stub pushes a 0 so
 * the frame has the same shape. */
	.globl trap_stubs
	.balign 16
trap_stubs:
	vec = 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushl $0
	.endif
	pushl $vec
	jmp trap_common
	vec = vec + 1
	.endr

trap_common:
	cld                     /* the guest's DF must not reach C code */
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	movw $SEL_MON_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	pushl %esp              /* struct trap_frame * */
	call fast_trap          /* a protected access seen before (fastpath.c) */
	addl $4, %esp
	testl %eax, %eax
	jnz 1f                  /* done: back to the guest, still in its CR3 */
	movl monitor_cr3, %eax  /* the switcher is mapped there too */
	movl %eax, %cr3
	lgdt monitor_gdtr       /* with --placement inplace the guest's is elsewhere */
	pushl %esp              /* struct trap_frame * */
	call trap_entry
	addl $4, %esp
	/* fall through with the CR3 to resume in, in EAX */
trap_return:
	testl %eax, %eax
	jz 1f
	movl %eax, %cr3
	lgdt guest_gdtr
1:	popl %gs
	popl %fs
	popl %es
	popl %ds
	popal
	addl $8, %esp           /* vector and error code */
	iret

/* void enter_guest(struct trap_frame *f, uint32_t cr3): start the guest from
 * a frame built in C on the trap stack, by taking the normal way back. */
	.globl enter_guest
enter_guest:
	movl 8(%esp), %eax
	movl 4(%esp), %esp
	jmp trap_return

	.section .switcher.data, "aw"
	.balign 4
	.globl monitor_cr3
monitor_cr3:
	.long 0
/* The real GDT as the monitor and as the guest address it (tables.c). */
	.globl monitor_gdtr, guest_gdtr
	.balign 4
	.word 0
monitor_gdtr:
	.word 0
	.long 0
	.balign 4
	.word 0
guest_gdtr:
	.word 0
	.long 0
	.balign 16
	.globl trap_stack, trap_stack_top
trap_stack:
	.skip TRAP_STACK_SIZE
trap_stack_top:

	.section .note.GNU-stack, "", @progbits
