/* user.S — run_user(fn, arg): fn(arg) at ring 3, entered by iret and left by
 * int $0x80, whose handler (user.c) calls user_return(edx:eax). */
#include "tbk.h"

	.text
	.globl run_user, user_return
run_user:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	pushfl
	movl %esp, user_saved_esp
	movl 24(%esp), %eax     /* fn: iret leaves general registers alone */
	movl 28(%esp), %ecx     /* arg */
	pushl $SEL_UDATA        /* ss */
	pushl $USER_STACK_TOP   /* esp */
	pushl $(FL_IF | FL_FIXED)
	pushl $SEL_UCODE
	pushl $user_trampoline
	movw $SEL_UDATA, %dx
	movw %dx, %ds
	movw %dx, %es
	movw %dx, %fs
	movw %dx, %gs
	iret

user_return:
	movl 4(%esp), %eax
	movl 8(%esp), %edx
	movl user_saved_esp, %esp
	movw $SEL_KDATA, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	popfl
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.section .user.text, "ax"
user_trampoline:
	pushl %ecx
	call *%eax
	int $T_SYSCALL

	.bss
	.balign 4
user_saved_esp:
	.skip 4

	.section .note.GNU-stack, "", @progbits
