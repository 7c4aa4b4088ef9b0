/* entry.S — Multiboot header, stack, and the test kernel's interrupt
 * handlers (each ends in iret, which the monitor must emulate). */
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

/* Reload CS through a far jump and the data segments through the new GDT. */
	.globl load_segments
load_segments:
	ljmp $0x08, $1f
1:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss           /* never loads natively at ring 3: traps */
	ret

	.globl isr_syscall, isr_breakpoint, isr_divide
isr_syscall:
	incl syscall_count
	iret
isr_breakpoint:
	incl breakpoint_count
	iret
/* #DE is a fault: skip the 2-byte divl that raised it. */
isr_divide:
	incl divide_count
	addl $2, (%esp)
	iret

	.globl divide_by_zero
divide_by_zero:
	xorl %edx, %edx
	movl $1, %eax
	xorl %ecx, %ecx
	divl %ecx               /* F7 F1: 2 bytes */
	ret

	.bss
	.balign 16
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
