/* timeline.c — the report's trap rate over time: the run's span cut into
 * equal bins, traps per million cycles (or instructions) in each, one line
 * per kind.  The numbers are in rate.dat beside the chart. */
#include <errno.h>
#include <string.h>

#include "chart.h"
#include "report.h"
#include "ring.h"

#define BINS 100

int report_timeline(struct report_ctx *rc)
{
	const struct run_measures *m = rc->m;
	static double rate[BINS][KIND_MAX];
	static int64_t count[BINS][KIND_MAX];
	double width = (double)(m->span + 1) / BINS;   /* cycles per bin */
	sqlite3_stmt *s;
	struct chart c;
	char title[96];
	int step, ret, columns = 0;

	doc_heading(rc->doc, "Trap rate over time");
	if (!m->traps || !rc->dir) {
		doc_para(rc->doc, m->traps ? "A chart: `ringmon report -o DIR` draws it." : "No traps.");
		return 0;
	}
	memset(count, 0, sizeof(count));
	/* binned here: SQLite would sort every row for a GROUP BY */
	ret = rundb_prepare(rc->db, &s, "SELECT tsc_in, kind FROM " RUNDB_TRAP_ROWS,
			    m->id);
	if (ret)
		return report_fail(rc, ret, rc->db->err);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t bin = (sqlite3_column_int64(s, 0) - m->first_tsc) * BINS / (m->span + 1);
		int64_t k = sqlite3_column_int64(s, 1);
		if (bin >= 0 && bin < BINS && k > 0 && k < KIND_MAX)
			count[bin][k]++;
	}
	ret = rundb_finish(rc->db, s, rundb_check(rc->db, step));
	if (ret)
		return report_fail(rc, ret, rc->db->err);
	for (int b = 0; b < BINS; b++)
		for (unsigned k = 1; k < KIND_MAX; k++)
			rate[b][k] = (double)count[b][k] * 1e6 / width;

	doc_para(rc->doc, "Traps per million %s, in %d bins of %.0f %s each over the span of "
		 "the run, by kind (the numbers are in `rate.dat`).", measures_unit(m), BINS,
		 width, measures_unit(m));
	doc_image(rc->doc, "rate", "trap rate over time by kind");
	snprintf(title, sizeof(title), "Trap rate over time, by kind");
	ret = chart_open(&c, rc->dir, "rate", title, 1000, 380);
	if (ret)
		return report_fail(rc, ret, c.err);
	fprintf(c.dat, "M%s", measures_unit(m));
	for (unsigned k = 1; k < KIND_MAX; k++)
		if (m->kind_n[k]) {
			fprintf(c.dat, "\t%s", ring_kind_name(k));
			columns++;
		}
	for (int b = 0; b < BINS; b++) {
		fprintf(c.dat, "\n%.3f", b * width / 1e6);
		for (unsigned k = 1; k < KIND_MAX; k++)
			if (m->kind_n[k]) {
				if (rate[b][k] > 0)
					fprintf(c.dat, "\t%.4g", rate[b][k]);
				else
					fputs("\tNaN", c.dat);
			}
	}
	fputc('\n', c.dat);
	fprintf(c.gp, "set logscale y\nset xlabel \"million %s since the first trap\"\n"
		"set ylabel \"traps per million %s (log scale)\"\nset key outside right "
		"autotitle columnhead\nplot for [i=2:%d] \"rate.dat\" using 1:i with linespoints "
		"pt 7 ps 0.4 lw 1.5\n", measures_unit(m), measures_unit(m), columns + 1);
	ret = chart_draw(&c);
	return ret ? report_fail(rc, ret, c.err) : 0;
}
