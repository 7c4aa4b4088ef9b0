/* trap.S — the way into the kernel for every vector: 256 stubs and
 * trap_common, which builds a struct trapframe (tbk.h, same order) and
 * resumes the frame trap_dispatch returns — after a task switch, another's. */
#include "tbk.h"

	.text
	.balign 16
	.globl trap_stubs
trap_stubs:
	.set .Lvec, 0
	.rept 256
	.balign 16              /* stub v is at trap_stubs + 16 * v (trap.c) */
	.if !(.Lvec == 8 || (.Lvec >= 10 && .Lvec <= 14) || .Lvec == 17)
	pushl $0
	.endif
	pushl $.Lvec
	jmp trap_common
	.set .Lvec, .Lvec + 1
	.endr

trap_common:
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	movw $SEL_KDATA, %ax    /* ring 3 may have left any selector here */
	movw %ax, %ds
	movw %ax, %es
	cld                     /* the C ABI wants DF clear */
	pushl %esp
	call trap_dispatch
	movl %eax, %esp
	popl %gs                /* reloads the descriptor: mt's per-task TLS */
	popl %fs
	popl %es
	popl %ds
	popal
	addl $8, %esp           /* vector and error code */
	iret

	.section .note.GNU-stack, "", @progbits
