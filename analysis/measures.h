/* measures.h — what one run measured, as report and compare show it: the
 * runs row, traps by kind (the database's rows and the monitor's own count),
 * protected traps by region, the span of the trace and the cost of each kind
 * of trap.  Definitions (docs/analysis.md):
 *
 *   span       last tsc_out minus first tsc_in of the run's traps: TSC cycles
 *              (guest instructions under --deterministic)
 *   cost       tsc_out - tsc_in of one trap; per kind its mean, its median
 *              and 99th percentile by nearest rank (the value at 1-based
 *              rank ceil(p * n) in ascending order), and its sum as a share
 *              of the span
 *   boot       a protected trap before the kernel proper: at a linear address
 *              below the run's lowest symbol (docs/analysis.md)
 */
#ifndef RINGMON_MEASURES_H
#define RINGMON_MEASURES_H

#include <stdbool.h>
#include <stdint.h>

#include "rundb.h"
#include "trace.h"

#define REGION_MAX 6   /* enum trace_region: none, gdt, idt, ldt, tss, data */

struct kind_cost {
	int64_t n, total, min, max, median, p99;
	double mean;
};

struct run_measures {
	int64_t id;
	/* the runs row; text is "" where the column is NULL */
	char kernel[256], variant[64], guest[512], sha256[72];
	char protect[32], mode[8], emulate[8], placement[8], accel[8];
	char cpu[48], accel_why[512];   /* -cpu, and why this accelerator */
	char host[256], start[32], end[32], state[16], reason[512];
	char sym_format[16], sym_file[512];
	bool deterministic, finished, counted;   /* counted: the monitor's n_* exist */
	int exit_status;                         /* -1 if none */
	int64_t records, stalls, dropped;

	int64_t traps;                 /* rows in traps */
	int64_t kind_n[KIND_MAX];      /* rows per kind; [0] unused */
	int64_t mon_n[KIND_MAX];       /* the monitor's count per kind, if counted */
	int64_t region_n[REGION_MAX];  /* protected rows per region; [0]: NULL region */
	int64_t span, in_monitor;      /* in_monitor: the sum of every trap's cost */
	int64_t first_tsc;             /* the least tsc_in, where the span begins */
	/* protected traps before the kernel proper (boot code) and their cost;
	 * of the kernel proper's, those on unrelated data (region data) */
	int64_t boot_n, boot_cycles, proper_data_n;
	struct kind_cost cost[KIND_MAX];
};

int measures_load(struct rundb *r, int64_t run, struct run_measures *m);

/* "exited with status 0", "not finished (...)", "killed: reason" */
void measures_outcome(const struct run_measures *m, char *buf, size_t len);

/* "cycles", or "instructions" under --deterministic */
const char *measures_unit(const struct run_measures *m);

/* part / whole in percent, 0 when whole is 0 */
double percent(int64_t part, int64_t whole);

#endif
