/* nolibc.h — what ringmon's static, libc-free i386 programs in the initramfs
 * (exit.c, peek.c) share: system calls through int $0x80, exit, and the
 * process entry that calls main(argc, argv).  Built by build.sh with gcc -m32
 * -static -nostdlib. */
#ifndef RINGMON_NOLIBC_H
#define RINGMON_NOLIBC_H

#define NR_exit  1
#define NR_write 4

static long sys3(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "0"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static __attribute__((noreturn, unused)) void quit(int status)
{
	for (;;)
		sys3(NR_exit, status, 0, 0);
}

int main(int argc, char **argv);

/* The process starts with argc at (%esp), then argv[]; main must not return
 * (it ends with quit()), hence the hlt. */
__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	movl %esp, %eax\n"
	"	andl $-16, %esp\n"
	"	subl $8, %esp\n"
	"	leal 4(%eax), %ecx\n"
	"	pushl %ecx\n"            /* argv */
	"	pushl (%eax)\n"          /* argc */
	"	call main\n"
	"	hlt\n");

#endif
