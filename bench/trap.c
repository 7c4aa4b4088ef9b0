/* trap.c — bench kernel: the cost of one protected trap.  A variable that
 * shares the GDT's page is read N times ("n=N" on the command line), one
 * mov each, between two rdtsc.  Under `ringmon run --mode rw` every read
 * traps; under `--mode off` none does; the difference over N is the cost of
 * a trap (bench/run.sh).  Boots natively too (then nothing traps). */
#include "bench.h"
#include "access.h"

void tbk_main(uint32_t magic, const void *mbi);

GDT_PAGE uint64_t gdt_table[3] = {
	0,
	0x00cf9a000000ffffull,   /* 0x08: flat code, ring 0 */
	0x00cf92000000ffffull,   /* 0x10: flat data, ring 0 */
};
GDT_HOT uint32_t bench_hot = 1;

void tbk_main(uint32_t magic, const void *mbi)
{
	(void)magic;
	uint32_t n = bench_arg(mbi, "n", 10000);
	tbk_up("trap");
	lgdt(gdt_table, sizeof(gdt_table) - 1);
	load_segments();
	uint32_t sum = 0;
	uint64_t t0 = bench_tsc();
	for (uint32_t i = 0; i < n; i++)
		sum += HOT_LOAD(bench_hot);
	uint64_t t1 = bench_tsc();
	bench_report("trap", n, t1 - t0);
	if (sum != n)
		tbk_fail("sum %u, expected %u", sum, n);
	tbk_done();
}
