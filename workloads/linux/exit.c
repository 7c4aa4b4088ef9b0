/* exit.c — ringmon-exit STATUS: ends a ringmon run from Linux user space by
 * writing STATUS (0-255) to I/O port 0xf4, QEMU's isa-debug-exit (QEMU then
 * exits with STATUS*2+1).  The port is opened with ioperm(2), so the write is
 * allowed by the TSS I/O permission bitmap of this process, not by IOPL.
 * Static, no libc: int $0x80 only (built by workloads/linux/build.sh with
 * gcc -m32 -static -nostdlib). */

#include "nolibc.h"

#define NR_ioperm 101 /* i386: arch/x86/entry/syscalls/syscall_32.tbl */
#define EXIT_PORT 0xf4

static unsigned long len(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	sys3(NR_write, 2, (long)s, (long)len(s));
}

int main(int argc, char **argv)
{
	unsigned status = 0;
	const char *p;

	if (argc != 2 || !argv[1][0]) {
		say("usage: ringmon-exit STATUS (0-255)\n");
		quit(2);
	}
	for (p = argv[1]; *p; p++) {
		if (*p < '0' || *p > '9' || status > 255) {
			say("ringmon-exit: STATUS must be 0-255\n");
			quit(2);
		}
		status = status * 10 + (unsigned)(*p - '0');
	}
	if (status > 255) {
		say("ringmon-exit: STATUS must be 0-255\n");
		quit(2);
	}
	if (sys3(NR_ioperm, EXIT_PORT, 1, 1) != 0) {
		say("ringmon-exit: ioperm(0xf4) failed\n");
		quit(3);
	}
	__asm__ volatile("outb %b0, %w1" : : "a"(status), "Nd"(EXIT_PORT));
	/* still here: no isa-debug-exit device on this machine */
	say("ringmon-exit: port 0xf4 did not end the machine\n");
	quit(4);
}

