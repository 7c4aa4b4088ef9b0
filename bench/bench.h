/* bench.h — what the bench kernels share: the TSC, the iteration count
 * from the Multiboot command line and a 64-bit count on the serial port.
 * Header-only, so each bench kernel is one .c file (Makefile, benchmarks). */
#ifndef BENCH_H
#define BENCH_H

#include "tbk.h"

#define MB_INFO_CMDLINE 0x4u   /* Multiboot info flags bit 2: cmdline valid */

/* rdtsc does not trap at ring 3 (CR4.TSD clear, natively and under the
 * monitor), so the kernels read the real TSC, or instructions under
 * -icount. */
static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* The value of "KEY=NUMBER" on the Multiboot command line, else dflt. */
static inline uint32_t bench_arg(const void *mbi, const char *key, uint32_t dflt)
{
	const uint32_t *info = mbi;
	if (!info || !(info[0] & MB_INFO_CMDLINE) || !info[4])
		return dflt;
	for (const char *s = (const char *)info[4]; *s; s++) {
		const char *k = key, *p = s;
		while (*k && *p == *k)
			k++, p++;
		if (*k || *p != '=' || (s != (const char *)info[4] && s[-1] != ' '))
			continue;
		uint32_t v = 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (uint32_t)(*p - '0');
		return v;
	}
	return dflt;
}

/* "cycles: HI LO" (two 32-bit halves in decimal: con_printf has no 64-bit
 * conversion; bench/run.sh computes HI * 2^32 + LO). */
static inline void bench_report(const char *what, uint32_t n, uint64_t delta)
{
	con_printf("%s n %u cycles: %u %u\n", what, n,
		   (uint32_t)(delta >> 32), (uint32_t)delta);
}

#endif
