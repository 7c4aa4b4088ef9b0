/* entry.S — where QEMU's Multiboot loader enters the monitor: the Multiboot
 * header, a stack, and the call into C. */
#include "layout.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003   /* modules page-aligned, memory info wanted */

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	/* EAX = Multiboot magic, EBX = physical address of the info block. */
	cli
	movl $monitor_stack_top, %esp
	pushl %ebx
	pushl %eax
	call monitor_main
1:	hlt                     /* monitor_main never returns */
	jmp 1b

	.bss
	.balign 16
	.globl monitor_stack_top
monitor_stack:
	.skip MONITOR_STACK_SIZE
monitor_stack_top:

	.section .note.GNU-stack, "", @progbits
