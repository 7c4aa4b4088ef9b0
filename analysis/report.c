/* report.c — `ringmon report DB [--run ID] [-o DIR]`: one run, as Markdown on
 * stdout, or with -o as DIR/index.html, DIR/report.md and gnuplot charts.
 * This file holds the command, the summary, traps by kind and region, and
 * the cost of each kind; report.h names the other sections' files. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chart.h"
#include "cmd.h"
#include "outdir.h"
#include "report.h"
#include "ring.h"

static const char report_usage[] =
	"usage: ringmon report DB [--run ID] [-o DIR]\n"
	"\n"
	"Report one run in DB (a database written by `ringmon run`): the knobs and\n"
	"outcome, traps by kind, how many protected-page traps hit unrelated data\n"
	"rather than the descriptor tables, the data symbols on protected pages with\n"
	"the code (and source lines) that touched them, a map of every protected\n"
	"page, the trap rate over time and the cost of each kind of trap.\n"
	"\n"
	"  --run ID     the run to report (the latest run)\n"
	"  -o, --output DIR  write DIR/index.html, DIR/report.md and the charts\n"
	"               (PNG and SVG, by gnuplot) instead of Markdown on stdout\n"
	"  -h, --help   this text\n";

int report_fail(struct report_ctx *rc, int ret, const char *why)
{
	snprintf(rc->err, sizeof(rc->err), "%s", why);
	return ret;
}

static void summary(struct report_ctx *rc)
{
	const struct run_measures *m = rc->m;
	int64_t prot = m->kind_n[KIND_PROTECTED], data = m->region_n[REGION_DATA];
	char outcome[600];

	measures_outcome(m, outcome, sizeof(outcome));
	doc_heading(rc->doc, "Summary");
	if (prot)
		doc_para(rc->doc, "Of %lld protected-page traps, %lld (%.1f%%) hit unrelated data "
			 "that shares a protected page, and %lld (%.1f%%) the protected "
			 "structures themselves.", (long long)prot, (long long)data,
			 percent(data, prot), (long long)(prot - data), percent(prot - data, prot));
	else
		doc_para(rc->doc, "No protected-page traps%s.",
			 strcmp(m->mode, "off") ? "" : " (mode off: nothing was protected)");
	doc_table(rc->doc, "ll", "measure", "value");
	doc_cell(rc->doc, "kernel");
	doc_cell(rc->doc, "%s", m->kernel);
	doc_cell(rc->doc, "variant");
	doc_cell(rc->doc, "%s", m->variant[0] ? m->variant : "-");
	doc_cell(rc->doc, "knobs");
	doc_cell(rc->doc, "protect %s, mode %s, emulate %s, placement %s", m->protect, m->mode,
		 m->emulate, m->placement);
	doc_cell(rc->doc, "accelerator");
	doc_cell(rc->doc, "%s, -cpu %s%s (%s)", m->accel, m->cpu,
		 m->deterministic ? ", deterministic (-icount)" : "", m->accel_why);
	doc_cell(rc->doc, "outcome");
	doc_cell(rc->doc, "%s", outcome);
	doc_cell(rc->doc, "guest");
	doc_cell(rc->doc, "%s (sha256 %.16s...)", m->guest, m->sha256);
	doc_cell(rc->doc, "symbols");
	doc_cell(rc->doc, "%s%s%s", m->sym_format[0] ? m->sym_format : "none",
		 m->sym_file[0] ? " from " : "", m->sym_file);
	doc_cell(rc->doc, "host, time");
	doc_cell(rc->doc, "%s, %s to %s", m->host[0] ? m->host : "?", m->start,
		 m->end[0] ? m->end : "?");
	doc_cell(rc->doc, "span (%s)", measures_unit(m));
	doc_cell(rc->doc, "%lld", (long long)m->span);
	doc_cell(rc->doc, "in the monitor (%s)", measures_unit(m));
	doc_cell(rc->doc, "%lld", (long long)m->in_monitor);
	doc_cell(rc->doc, "in the monitor, share of the span");
	doc_cell(rc->doc, "%.1f%%", percent(m->in_monitor, m->span));
	doc_cell(rc->doc, "traps");
	doc_cell(rc->doc, "%lld", (long long)m->traps);
	doc_cell(rc->doc, "protected-page traps");
	doc_cell(rc->doc, "%lld", (long long)prot);
	doc_cell(rc->doc, "on unrelated data");
	doc_cell(rc->doc, "%lld", (long long)data);
	doc_cell(rc->doc, "on unrelated data, share");
	doc_cell(rc->doc, "%.1f%%", percent(data, prot));
	doc_cell(rc->doc, "on the protected structures");
	doc_cell(rc->doc, "%lld", (long long)(prot - data));
	if (m->counted) {
		doc_cell(rc->doc, "monitor: records, ring stalls, dropped");
		doc_cell(rc->doc, "%lld, %lld, %lld", (long long)m->records, (long long)m->stalls,
			 (long long)m->dropped);
	}
}

/* Bars, one per kind or region with a count, on a log scale. */
static int bar_chart(struct report_ctx *rc, const char *name, const char *title,
		     const char *const *labels, const int64_t *n, unsigned count)
{
	struct chart c;
	int ret = chart_open(&c, rc->dir, name, title, 720, 340);

	if (ret)
		return report_fail(rc, ret, c.err);
	for (unsigned i = 0; i < count; i++)
		if (n[i] && labels[i])
			fprintf(c.dat, "%s\t%lld\n", labels[i], (long long)n[i]);
	fputs("set style data histograms\nset style histogram clustered gap 1\n"
	      "set logscale y\nset yrange [0.8:*]\nset ylabel \"traps (log scale)\"\n"
	      "plot \"", c.gp);
	fprintf(c.gp, "%s.dat\" using 2:xtic(1) lc rgb \"#c0392b\", \"\" using 0:2:2 "
		"with labels offset 0,0.7 font \",9\"\n", name);
	ret = chart_draw(&c);
	return ret ? report_fail(rc, ret, c.err) : 0;
}

static int kinds(struct report_ctx *rc)
{
	const struct run_measures *m = rc->m;
	const char *labels[KIND_MAX];
	int64_t mon = 0;

	doc_heading(rc->doc, "Traps by kind");
	doc_table(rc->doc, "lrrr", "kind", "traps", "share of traps", "monitor counted");
	for (unsigned k = 1; k < KIND_MAX; k++) {
		labels[k] = ring_kind_name(k);
		mon += m->mon_n[k];
		if (!m->kind_n[k] && !m->mon_n[k])
			continue;
		doc_cell(rc->doc, "%s", ring_kind_name(k));
		doc_cell(rc->doc, "%lld", (long long)m->kind_n[k]);
		doc_cell(rc->doc, "%.1f%%", percent(m->kind_n[k], m->traps));
		doc_cell(rc->doc, m->counted ? "%lld" : "-", (long long)m->mon_n[k]);
	}
	doc_cell(rc->doc, "total");
	doc_cell(rc->doc, "%lld", (long long)m->traps);
	doc_cell(rc->doc, "%.1f%%", percent(m->traps, m->traps));
	doc_cell(rc->doc, m->counted ? "%lld" : "-", (long long)mon);
	if (!rc->dir || !m->traps)
		return 0;
	labels[0] = NULL;
	doc_image(rc->doc, "kinds", "traps by kind");
	return bar_chart(rc, "kinds", "Traps by kind", labels, m->kind_n, KIND_MAX);
}

static void regions(struct report_ctx *rc)
{
	const struct run_measures *m = rc->m;

	doc_heading(rc->doc, "Protected-page traps by region");
	if (!m->kind_n[KIND_PROTECTED]) {
		doc_para(rc->doc, "No protected-page traps.");
		return;
	}
	doc_para(rc->doc, "`data` is whatever shares a protected page without being the "
		 "protected structure: the unrelated data of the seed thread's question.");
	doc_table(rc->doc, "lrr", "region", "traps", "share");
	for (unsigned g = 0; g < REGION_MAX; g++) {
		if (!m->region_n[g])
			continue;
		doc_cell(rc->doc, "%s", g ? ring_region_name(g) : "(none)");
		doc_cell(rc->doc, "%lld", (long long)m->region_n[g]);
		doc_cell(rc->doc, "%.1f%%", percent(m->region_n[g], m->kind_n[KIND_PROTECTED]));
	}
}

/* Grouped bars: mean, median and p99 per kind, on a log scale. */
static int cost_chart(struct report_ctx *rc)
{
	const struct run_measures *m = rc->m;
	char title[96];
	struct chart c;
	int ret;

	snprintf(title, sizeof(title), "Time in the monitor per trap (%s)", measures_unit(m));
	ret = chart_open(&c, rc->dir, "cost", title, 860, 360);
	if (ret)
		return report_fail(rc, ret, c.err);
	fputs("kind\tmean\tmedian\tp99\n", c.dat);
	for (unsigned k = 1; k < KIND_MAX; k++)
		if (m->cost[k].n)
			fprintf(c.dat, "%s\t%.0f\t%lld\t%lld\n", ring_kind_name(k), m->cost[k].mean,
				(long long)m->cost[k].median, (long long)m->cost[k].p99);
	fprintf(c.gp, "set style data histograms\nset style histogram clustered gap 1\n"
		"set logscale y\nset yrange [1:*]\nset ylabel \"%s per trap (log scale)\"\n"
		"set key outside right autotitle columnhead\n"
		"plot \"cost.dat\" using 2:xtic(1) lc rgb \"#2e86c1\", \"\" using 3 lc rgb "
		"\"#28b463\", \"\" using 4 lc rgb \"#c0392b\"\n", measures_unit(m));
	ret = chart_draw(&c);
	return ret ? report_fail(rc, ret, c.err) : 0;
}

static int cost(struct report_ctx *rc)
{
	const struct run_measures *m = rc->m;

	doc_heading(rc->doc, "Time in the monitor by kind");
	if (!m->traps) {
		doc_para(rc->doc, "No traps.");
		return 0;
	}
	doc_para(rc->doc, "TSC %s from monitor entry to return (`tsc_out - tsc_in`)%s. "
		 "Median and p99 by nearest rank; the share is the kind's total over the "
		 "span of the run.", measures_unit(m),
		 m->deterministic ? ": guest instructions under -icount" :
		 m->accel[0] == 'k' ? "" : ": QEMU's emulated TSC, real cycles only under KVM "
		 "or on bare metal");
	doc_table(rc->doc, "lrrrrrrrr", "kind", "traps", "mean", "median", "p99", "min", "max",
		  "total", "share of the span");
	for (unsigned k = 1; k < KIND_MAX; k++) {
		const struct kind_cost *c = &m->cost[k];
		if (!c->n)
			continue;
		doc_cell(rc->doc, "%s", ring_kind_name(k));
		doc_cell(rc->doc, "%lld", (long long)c->n);
		doc_cell(rc->doc, "%.0f", c->mean);
		doc_cell(rc->doc, "%lld", (long long)c->median);
		doc_cell(rc->doc, "%lld", (long long)c->p99);
		doc_cell(rc->doc, "%lld", (long long)c->min);
		doc_cell(rc->doc, "%lld", (long long)c->max);
		doc_cell(rc->doc, "%lld", (long long)c->total);
		doc_cell(rc->doc, "%.2f%%", percent(c->total, m->span));
	}
	if (!rc->dir)
		return 0;
	doc_image(rc->doc, "cost", "time in the monitor per trap kind");
	return cost_chart(rc);
}

static int write_report(struct report_ctx *rc)
{
	const struct run_measures *m = rc->m;
	char title[400];
	int ret;

	snprintf(title, sizeof(title), "ringmon run %lld: %s%s%s", (long long)m->id, m->kernel,
		 m->variant[0] ? ", variant " : "", m->variant);
	doc_begin(rc->doc, title);
	summary(rc);
	ret = kinds(rc);
	if (!ret) {
		regions(rc);
		ret = report_hotspots(rc);
	}
	if (!ret)
		ret = report_pagemap(rc);
	if (!ret)
		ret = report_timeline(rc);
	if (!ret)
		ret = cost(rc);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	static const struct option options[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rundb db;
	struct run_measures m;
	struct doc doc = { .md = stdout };
	struct report_ctx rc = { .db = &db, .m = &m, .doc = &doc };
	const char *run_arg = NULL;
	int64_t run;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", options, NULL)) != -1) {
		if (c == 'r')
			run_arg = optarg;
		else if (c == 'o')
			rc.dir = optarg;
		else if (c == 'h') {
			fputs(report_usage, stdout);
			return 0;
		} else
			bad_option("report", c, argv);
	}
	if (optind == argc)
		usage_err("report: no DB given (see ringmon report --help)");
	if (optind + 1 < argc)
		usage_err("report: unexpected argument '%s' after DB", argv[optind + 1]);

	if (report_open_db("report", &db, argv[optind]))
		return EXIT_DB;
	run = report_pick_run("report", &db, run_arg);
	ret = run < 0 ? -EIO : measures_load(&db, run, &m);
	if (ret) {
		if (run >= 0)
			pr_err("%s", db.err);
		rundb_close(&db);
		return EXIT_DB;
	}
	if (rc.dir && report_open_dir("report", rc.dir, &doc)) {
		rundb_close(&db);
		return EXIT_DB;
	}
	ret = write_report(&rc);
	if (ret)
		pr_err("report: %s", rc.err[0] ? rc.err : db.err);
	ret = report_close_dir("report", rc.dir ? rc.dir : "stdout", &doc, ret ? EXIT_DB : 0);
	rundb_close(&db);
	if (!ret && rc.dir)
		printf("%s/index.html\n", rc.dir);
	return ret;
}
