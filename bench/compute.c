/* compute.c — bench kernel: trap-free work.  A checksum over a 64 KiB
 * buffer, "n=N" passes, between two rdtsc; no protected page, no I/O, no
 * privileged instruction in the loop.  Booted natively and under the
 * monitor, the ratio of the two counts is the monitor's trap-free
 * slowdown (bench/run.sh). */
#include "bench.h"

void tbk_main(uint32_t magic, const void *mbi);

#define WORDS (65536 / 4)

GDT_PAGE uint64_t gdt_table[3] = {
	0,
	0x00cf9a000000ffffull,
	0x00cf92000000ffffull,
};
static uint32_t buf[WORDS] __attribute__((aligned(4096)));

void tbk_main(uint32_t magic, const void *mbi)
{
	(void)magic;
	uint32_t n = bench_arg(mbi, "n", 200);
	tbk_up("compute");
	lgdt(gdt_table, sizeof(gdt_table) - 1);
	load_segments();
	for (uint32_t i = 0; i < WORDS; i++)
		buf[i] = i * 2654435761u;
	uint32_t sum = 0;
	uint64_t t0 = bench_tsc();
	for (uint32_t k = 0; k < n; k++)
		for (uint32_t i = 0; i < WORDS; i++)
			sum = (sum << 5) + sum + (buf[i] ^ k);
	uint64_t t1 = bench_tsc();
	bench_report("compute", n, t1 - t0);
	con_printf("checksum: %08x\n", sum);
	tbk_done();
}
