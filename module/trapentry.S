/* trapentry.S — the world switch.  Every vector enters through a stub that
 * makes the frame uniform (error code, vector), then trap_common saves the
 * guest's registers into a struct trap_frame (trap.h) and calls C.  The way
 * back to the guest, first entry included, is trap_return: pop the frame and
 * iret to ring 3. */
#include "layout.h"

	.text
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

/* Save the guest's general and data-segment registers (the CPU already saved
 * EIP, CS, EFLAGS, ESP and SS, since the guest always runs at ring 3), switch
 * to the monitor's data segments and hand the frame to trap_entry(). */
trap_common:
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
	call trap_entry
	addl $4, %esp
	.globl trap_return
trap_return:
	popl %gs
	popl %fs
	popl %es
	popl %ds
	popal
	addl $8, %esp           /* vector and error code */
	iret

/* void enter_guest(struct trap_frame *f): start the guest from a frame built
 * in C, by making it the stack and taking the normal way back. */
	.globl enter_guest
enter_guest:
	movl 4(%esp), %esp
	jmp trap_return

	.section .note.GNU-stack, "", @progbits
