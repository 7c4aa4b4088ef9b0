/* peek.c — ringmon-peek ADDRESS_HEX: a user process reads one word of kernel
 * memory and must die of SIGSEGV (the kernel's pages are closed to ring 3,
 * natively and under the monitor).  Prints the word if the read succeeds and
 * exits 1; the shell sees status 139 (128 + SIGSEGV) otherwise.
 * Static, no libc: int $0x80 only. */

#include "nolibc.h"

int main(int argc, char **argv)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long addr = 0, v;
	char out[] = "ringmon-peek: read xxxxxxxx\n";
	const char *p;
	int i;

	if (argc != 2)
		quit(2);
	for (p = argv[1]; *p; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' :
			*p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
		if (d < 0)
			quit(2);
		addr = addr << 4 | (unsigned long)d;
	}
	v = *(volatile unsigned long *)addr;
	for (i = 0; i < 8; i++)
		out[19 + i] = hex[(v >> (28 - 4 * i)) & 15];
	sys3(NR_write, 1, (long)out, sizeof out - 1);
	quit(1);
}

