/* entry.S — what every test kernel starts with: the Multiboot header, the
 * boot stack, _start (calls tbk_main(magic, info)) and the segment reload
 * after a new GDT. */
#include "tbk.h"

	.section .multiboot, "a"
	.balign 4
	.long 0x1BADB002
	.long 0x00000000
	.long -(0x1BADB002)

	.text
	.globl _start
_start:
	movl $stack_top, %esp
	pushl %ebx              /* Multiboot info */
	pushl %eax              /* Multiboot magic */
	call tbk_main
1:	hlt
	jmp 1b

/* Reload CS through a far jump and the data segments through the new GDT.
 * A far jump, not lret: under the monitor the kernel runs at real ring 3,
 * where a jump to an RPL-0 selector loads but a return to one faults. */
	.globl load_segments
load_segments:
	ljmp $SEL_KCODE, $1f
1:	movw $SEL_KDATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss           /* never loads natively at ring 3: traps */
	ret

	.bss
	.balign 16
	.skip 16384
	.globl stack_top
stack_top:

	.section .note.GNU-stack, "", @progbits
