/* compare.c — `ringmon compare DB [--runs A,B,...] [-o DIR]`: the measures of
 * several runs side by side (kernels, link-order variants, knobs), with
 * their ratios to the first run, as Markdown on stdout or, with -o, as
 * DIR/index.html, DIR/report.md and bar charts. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart.h"
#include "cmd.h"
#include "image.h"
#include "measures.h"
#include "outdir.h"
#include "ring.h"

static const char compare_usage[] =
	"usage: ringmon compare DB [--runs A,B,...] [-o DIR]\n"
	"\n"
	"Compare runs in DB side by side: traps by kind, protected-page traps on\n"
	"unrelated data and on the tables, before the kernel proper (boot code) and\n"
	"in it, time in the monitor, the unrelated data symbols hit; and each\n"
	"measure as a ratio to the first run's.  Every row names the kernel.\n"
	"\n"
	"  --runs A,B,...  the runs, in this order (every run, by id)\n"
	"  -o, --output DIR  write DIR/index.html, DIR/report.md and the charts\n"
	"                  instead of Markdown on stdout; runs whose reports are in\n"
	"                  DIR/run-ID/ (ringmon report --run ID -o DIR/run-ID) are linked\n"
	"  -h, --help      this text\n";

#define MAX_RUNS 256

#define LABEL_MAX 640

struct compare {
	struct rundb db;
	struct run_measures *m;
	char (*kernel)[LABEL_MAX];   /* kernel_label() of each run */
	size_t n;
	struct doc doc;
	const char *dir;
	char err[400];
};

/* The measures compared, each a count of one run. */
struct measure {
	const char *name;
	int64_t (*get)(const struct run_measures *m);
};

static int64_t traps(const struct run_measures *m) { return m->traps; }
static int64_t prot(const struct run_measures *m) { return m->kind_n[KIND_PROTECTED]; }
static int64_t on_data(const struct run_measures *m) { return m->region_n[REGION_DATA]; }
static int64_t on_tables(const struct run_measures *m) { return prot(m) - on_data(m); }
static int64_t span(const struct run_measures *m) { return m->span; }
static int64_t in_monitor(const struct run_measures *m) { return m->in_monitor; }

static const struct measure counts[] = {
	{ "traps", traps },
	{ "protected", prot },
	{ "on unrelated data", on_data },
	{ "on the tables", on_tables },
	{ "span", span },
	{ "in the monitor", in_monitor },
};
#define NCOUNTS (sizeof(counts) / sizeof(counts[0]))

/* The kernel, in every row, so that runs of different kernels stay apart:
 * the guest's last two path components (build/linux/upstream/bzImage is
 * upstream/bzImage; Debian's packages keep their version in the
 * directory: gnumach-1.8+git20221224-2/gnumach-1.8-486-dbg), and for a
 * bzImage still there as it ran (its SHA-256) the release its setup
 * header names: upstream/bzImage, Linux 6.1.192. */
static void kernel_label(const struct run_measures *m, char *buf, size_t len)
{
	const char *p = m->guest + strlen(m->guest), *slash = NULL;
	char sha[SHA256_HEX_LEN + 1], version[64];
	int n;

	while (p > m->guest && !slash)
		if (*--p == '/' && p[1])
			for (slash = p; slash > m->guest && slash[-1] != '/';)
				slash--;
	n = snprintf(buf, len, "%s", slash ? slash : m->guest[0] ? m->guest : m->kernel);
	/* the header first: hashing every Multiboot guest would be for nothing */
	if (n >= 0 && (size_t)n < len && !image_bzimage_version(m->guest, version, sizeof(version)) &&
	    !image_sha256(m->guest, sha) && !strcmp(sha, m->sha256))
		snprintf(buf + n, len - (size_t)n, ", Linux %s", version);
}

/* How the run ended, as far as comparing it goes: a full workload exits
 * through port 0xf4; the others end where --until, a halt or --timeout
 * cut them. */
static const char *ended_by(const struct run_measures *m)
{
	return !m->finished ? "unfinished" : !strcmp(m->state, "exited") ? "exit" : m->state;
}

static bool partial(const struct run_measures *m)
{
	return strcmp(ended_by(m), "exit") != 0;
}

static void run_label(const struct run_measures *m, char *buf, size_t len)
{
	snprintf(buf, len, "%lld %s %s", (long long)m->id, m->variant[0] ? m->variant : m->kernel,
		 m->mode);
}

static int parse_runs(struct compare *c, const char *arg, int64_t *ids, size_t *n)
{
	sqlite3_stmt *s;
	int step, ret;

	*n = 0;
	if (arg) {
		for (const char *p = arg; *p;) {
			char *end;
			long long id = strtoll(p, &end, 10);
			bool exists;
			if (*p < '0' || *p > '9' || id < 1 || (*end && *end != ','))
				usage_err("compare: --runs: '%s' is not a list of run ids", arg);
			if (*n == MAX_RUNS)
				usage_err("compare: --runs: at most %d runs", MAX_RUNS);
			ret = rundb_exists(&c->db, id, &exists);
			if (ret)
				return ret;
			if (!exists)
				usage_err("compare: %s has no run %lld", c->db.path, id);
			ids[(*n)++] = id;
			p = *end ? end + 1 : end;
		}
		return 0;
	}
	ret = rundb_prepare(&c->db, &s, "SELECT id FROM runs ORDER BY id", 0);
	if (ret)
		return ret;
	while ((step = sqlite3_step(s)) == SQLITE_ROW && *n < MAX_RUNS)
		ids[(*n)++] = sqlite3_column_int64(s, 0);
	return rundb_finish(&c->db, s, rundb_check(&c->db, step));
}

/* Which runs are not a full workload: their counts cover a boot to a
 * console line (--until: a panic, say), to a halt, or to --timeout. */
static void partial_note(struct compare *c)
{
	char list[MAX_RUNS * 32] = "";
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (partial(&c->m[i]))
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%lld (%s)", n ? ", " : "",
					      (long long)c->m[i].id, ended_by(&c->m[i]));
	if (n)
		doc_para(&c->doc, "Not a full workload: run %s. A run ended by `until` is a boot "
			 "to the console line `--until` named (a kernel's panic, for one that never "
			 "exits by itself), `halted` a boot to the guest's final halt, `timeout` "
			 "what ran before the deadline: their counts cover that much, not a "
			 "workload's end through port 0xf4 (column `ended`).", list);
}

static void runs_table(struct compare *c)
{
	char outcome[600], link[PATH_MAX + 32], label[32];

	doc_heading(&c->doc, "Runs");
	doc_table(&c->doc, "lllllll", "run", "kernel", "variant", "knobs", "accelerator", "outcome",
		  "span unit");
	for (size_t i = 0; i < c->n; i++) {
		const struct run_measures *m = &c->m[i];
		snprintf(label, sizeof(label), "%lld", (long long)m->id);
		snprintf(link, sizeof(link), "%s/run-%lld/index.html", c->dir ? c->dir : ".",
			 (long long)m->id);
		if (c->dir && !access(link, R_OK)) {
			snprintf(link, sizeof(link), "run-%lld/index.html", (long long)m->id);
			doc_cell_link(&c->doc, label, link);
		} else
			doc_cell(&c->doc, "%s", label);
		doc_cell(&c->doc, "%s", c->kernel[i]);
		doc_cell(&c->doc, "%s", m->variant[0] ? m->variant : "-");
		doc_cell(&c->doc, "protect %s, mode %s, emulate %s, placement %s", m->protect, m->mode,
			 m->emulate, m->placement);
		doc_cell(&c->doc, "%s%s", m->accel, m->deterministic ? ", deterministic" : "");
		measures_outcome(m, outcome, sizeof(outcome));
		doc_cell(&c->doc, "%s", outcome);
		doc_cell(&c->doc, "%s", measures_unit(m));
	}
	partial_note(c);
}

/* The cells that start every row of the run tables: id, kernel, variant,
 * mode. */
static void run_cells(struct compare *c, size_t i)
{
	const struct run_measures *m = &c->m[i];

	doc_cell(&c->doc, "%lld", (long long)m->id);
	doc_cell(&c->doc, "%s", c->kernel[i]);
	doc_cell(&c->doc, "%s", m->variant[0] ? m->variant : "-");
	doc_cell(&c->doc, "%s", m->mode);
}

/* The main table: one row per run, each measure, the share of protected
 * traps on unrelated data and the monitor's share of the span. */
static void measures_table(struct compare *c)
{
	doc_heading(&c->doc, "Measures");
	doc_para(&c->doc, "Protected-page traps on unrelated data (region `data`) and on the "
		 "protected structures; span and time in the monitor in TSC cycles (guest "
		 "instructions for deterministic runs).");
	doc_table(&c->doc, "lllllrrrrrrrrr", "run", "kernel", "variant", "mode", "ended", "traps",
		  "protected", "on unrelated data", "on the tables", "data share", "span",
		  "in the monitor", "monitor share", "protected mean");
	for (size_t i = 0; i < c->n; i++) {
		const struct run_measures *m = &c->m[i];
		run_cells(c, i);
		doc_cell(&c->doc, "%s", ended_by(m));
		for (size_t k = 0; k < 4; k++)
			doc_cell(&c->doc, "%lld", (long long)counts[k].get(m));
		doc_cell(&c->doc, "%.1f%%", percent(on_data(m), prot(m)));
		doc_cell(&c->doc, "%lld", (long long)m->span);
		doc_cell(&c->doc, "%lld", (long long)m->in_monitor);
		doc_cell(&c->doc, "%.1f%%", percent(m->in_monitor, m->span));
		doc_cell(&c->doc, "%.0f", m->cost[KIND_PROTECTED].mean);
	}
}

/* The protected traps split by where they happened: before the kernel
 * proper (boot code) or in it, with the kernel proper's own share of
 * unrelated data; the same columns for every kernel. */
static void boot_table(struct compare *c)
{
	char list[MAX_RUNS * 24] = "";
	size_t n = 0;

	doc_heading(&c->doc, "Before the kernel proper, and in it");
	doc_para(&c->doc, "A protected trap is counted *before the kernel proper* (`boot`: "
		 "boot code, such as Linux's decompressor or Mach's code before paging) when "
		 "the linear address it accessed lies below the run's lowest symbol: the "
		 "kernel proper runs at its symbols' addresses (moved with them under KASLR), "
		 "boot code elsewhere. The others are the kernel proper's: on unrelated data "
		 "(region `data`) or on the tables; `data share` is the first over both. Times "
		 "are the sum of `tsc_out - tsc_in`.");
	doc_table(&c->doc, "lllllrrrrrrrrr", "run", "kernel", "variant", "mode", "ended",
		  "protected", "boot", "boot share", "boot in the monitor", "kernel proper",
		  "on unrelated data", "on the tables", "data share", "kernel proper in the monitor");
	for (size_t i = 0; i < c->n; i++) {
		const struct run_measures *m = &c->m[i];
		int64_t proper = prot(m) - m->boot_n;

		run_cells(c, i);
		doc_cell(&c->doc, "%s", ended_by(m));
		doc_cell(&c->doc, "%lld", (long long)prot(m));
		doc_cell(&c->doc, "%lld", (long long)m->boot_n);
		doc_cell(&c->doc, "%.1f%%", percent(m->boot_n, prot(m)));
		doc_cell(&c->doc, "%lld", (long long)m->boot_cycles);
		doc_cell(&c->doc, "%lld", (long long)proper);
		doc_cell(&c->doc, "%lld", (long long)m->proper_data_n);
		doc_cell(&c->doc, "%lld", (long long)(proper - m->proper_data_n));
		doc_cell(&c->doc, "%.1f%%", percent(m->proper_data_n, proper));
		doc_cell(&c->doc, "%lld", (long long)(m->cost[KIND_PROTECTED].total - m->boot_cycles));
		if (!m->sym_file[0])
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%lld", n ? ", " : "",
					      (long long)m->id);
	}
	if (n)
		doc_para(&c->doc, "Without symbols: run %s. With no symbol to be below, every "
			 "protected trap counts as the kernel proper's.", list);
}

static void ratio_cell(struct doc *d, double v, double first)
{
	if (first == 0)
		doc_cell(d, "%s", v == 0 ? "=" : "new");
	else
		doc_cell(d, "%.2fx", v / first);
}

static void ratios_table(struct compare *c)
{
	const struct run_measures *f = &c->m[0];

	doc_heading(&c->doc, "Ratios to run %lld", (long long)f->id);
	doc_para(&c->doc, "Each measure divided by run %lld's; `=` where both are 0, `new` "
		 "where only the first is 0.", (long long)f->id);
	doc_table(&c->doc, "llllrrrrrrr", "run", "kernel", "variant", "mode", "traps",
		  "protected", "on unrelated data", "on the tables", "span", "in the monitor",
		  "protected mean");
	for (size_t i = 0; i < c->n; i++) {
		const struct run_measures *m = &c->m[i];
		run_cells(c, i);
		for (size_t k = 0; k < NCOUNTS; k++)
			ratio_cell(&c->doc, (double)counts[k].get(m), (double)counts[k].get(f));
		ratio_cell(&c->doc, m->cost[KIND_PROTECTED].mean, f->cost[KIND_PROTECTED].mean);
	}
}

/* Traps by kind, and the mean cost of each kind: one row per run, one
 * column per kind that any of the runs has. */
static void kinds_tables(struct compare *c)
{
	const char *names[KIND_MAX + 2] = { "run", "kernel" };
	unsigned kinds[KIND_MAX], nk = 0;
	char align[KIND_MAX + 3] = "ll";

	for (unsigned k = 1; k < KIND_MAX; k++)
		for (size_t i = 0; i < c->n; i++)
			if (c->m[i].kind_n[k]) {
				kinds[nk++] = k;
				names[nk + 1] = ring_kind_name(k);
				strcat(align, "r");
				break;
			}
	for (int mean = 0; mean < 2; mean++) {
		doc_heading(&c->doc, mean ? "Mean time in the monitor per trap, by kind" :
			    "Traps by kind");
		if (mean)
			doc_para(&c->doc, "`tsc_out - tsc_in` averaged over each kind's traps; "
				 "`ringmon report` adds the median and p99 of each run.");
		doc_table_names(&c->doc, align, names);
		for (size_t i = 0; i < c->n; i++) {
			doc_cell(&c->doc, "%lld", (long long)c->m[i].id);
			doc_cell(&c->doc, "%s", c->kernel[i]);
			for (unsigned j = 0; j < nk; j++)
				if (mean)
					doc_cell(&c->doc, "%.0f", c->m[i].cost[kinds[j]].mean);
				else
					doc_cell(&c->doc, "%lld", (long long)c->m[i].kind_n[kinds[j]]);
		}
	}
}

/* The unrelated data symbols that any run hit: one row each, one column
 * per run.  A protected data trap below its run's lowest symbol (lo) is boot
 * code's (boot_table), not padding. */
#define DATA_HIT_NAME "CASE WHEN g.addr < lo.addr THEN '(boot code)'" \
	" ELSE coalesce(g.data_sym, '(padding)') END"
#define DATA_HITS " FROM trap_groups g LEFT JOIN lo ON lo.run_id = g.run_id" \
	" WHERE g.kind = 'protected' AND g.region = 'data'"
static int symbols_table(struct compare *c)
{
	sqlite3_stmt *s, *q;
	char align[MAX_RUNS + 2] = "l", label[MAX_RUNS][24];
	const char *names[MAX_RUNS + 1] = { "symbol" };
	int step, ret, rows = 0;

	ret = rundb_prepare(&c->db, &s, "WITH lo AS (SELECT run_id, min(addr) AS addr FROM symbols"
			    " GROUP BY run_id) SELECT DISTINCT " DATA_HIT_NAME DATA_HITS " ORDER BY 1", 0);
	if (ret)
		return ret;
	ret = rundb_prepare(&c->db, &q, "WITH lo AS (SELECT run_id, min(addr) AS addr FROM symbols"
			    " WHERE run_id = ?1 GROUP BY run_id) SELECT coalesce(sum(g.n), 0)" DATA_HITS
			    " AND g.run_id = ?1 AND " DATA_HIT_NAME " = ?2", 0);
	if (ret)
		return rundb_finish(&c->db, s, ret);
	doc_heading(&c->doc, "Unrelated data hit, by symbol");
	for (size_t i = 0; i < c->n; i++) {
		snprintf(label[i], sizeof(label[i]), "run %lld", (long long)c->m[i].id);
		names[i + 1] = label[i];
		align[i + 1] = 'r';
	}
	align[c->n + 1] = 0;
	while (!ret && (step = sqlite3_step(s)) == SQLITE_ROW) {
		if (!rows++) {
			doc_para(&c->doc, "Protected-page traps on each data symbol that shares a "
				 "protected page (reads and writes); `(boot code)`: those before the "
				 "kernel proper, `(padding)`: the kernel proper's on no symbol.");
			doc_table_names(&c->doc, align, names);
		}
		doc_cell(&c->doc, "%s", rundb_text(s, 0, "?"));
		for (size_t i = 0; !ret && i < c->n; i++) {
			int qs;
			if (sqlite3_reset(q) != SQLITE_OK ||
			    sqlite3_bind_int64(q, 1, c->m[i].id) != SQLITE_OK ||
			    sqlite3_bind_value(q, 2, sqlite3_column_value(s, 0)) != SQLITE_OK ||
			    (qs = sqlite3_step(q)) != SQLITE_ROW) {
				ret = -EIO;
				break;
			}
			doc_cell(&c->doc, "%lld", (long long)sqlite3_column_int64(q, 0));
		}
	}
	if (!ret)
		ret = rundb_check(&c->db, step);
	if (!ret && !rows)
		doc_para(&c->doc, "No run hit unrelated data on a protected page.");
	ret = rundb_finish(&c->db, q, ret);
	return rundb_finish(&c->db, s, ret);
}

/* Bars per run: protected traps before the kernel proper, and the kernel
 * proper's on unrelated data and on the tables (stacked); the monitor's share
 * of each run's span. */
static int charts(struct compare *c)
{
	struct chart ch;
	char label[300];
	int ret = chart_open(&ch, c->dir, "protected", "Protected-page traps per run", 1000, 420);

	if (ret)
		goto fail;
	fputs("run\tboot\tkernel proper: on unrelated data\tkernel proper: on the tables\n",
	      ch.dat);
	for (size_t i = 0; i < c->n; i++) {
		const struct run_measures *m = &c->m[i];
		run_label(m, label, sizeof(label));
		fprintf(ch.dat, "%s\t%lld\t%lld\t%lld\n", label, (long long)m->boot_n,
			(long long)m->proper_data_n,
			(long long)(prot(m) - m->boot_n - m->proper_data_n));
	}
	fputs("set style data histograms\nset style histogram rowstacked\nset boxwidth 0.65\n"
	      "set xtics rotate by -35 left\nset ylabel \"protected-page traps\"\n"
	      "set key outside right autotitle columnhead\nset bmargin 7\n"
	      "plot \"protected.dat\" using 2:xtic(1) lc rgb \"#e59866\", \"\" using 3 "
	      "lc rgb \"#c0392b\", \"\" using 4 lc rgb \"#5d6d7e\"\n", ch.gp);
	ret = chart_draw(&ch);
	if (ret)
		goto fail;
	ret = chart_open(&ch, c->dir, "monitor", "Time in the monitor, share of each run's span",
			 1000, 420);
	if (ret)
		goto fail;
	fputs("run\tprotected\tall other traps\n", ch.dat);
	for (size_t i = 0; i < c->n; i++) {
		const struct run_measures *m = &c->m[i];
		run_label(m, label, sizeof(label));
		fprintf(ch.dat, "%s\t%.3f\t%.3f\n", label,
			percent(m->cost[KIND_PROTECTED].total, m->span),
			percent(m->in_monitor - m->cost[KIND_PROTECTED].total, m->span));
	}
	fputs("set style data histograms\nset style histogram rowstacked\nset boxwidth 0.65\n"
	      "set xtics rotate by -35 left\nset ylabel \"% of the span\"\nset yrange [0:*]\n"
	      "set key outside right autotitle columnhead\nset bmargin 7\n"
	      "plot \"monitor.dat\" using 2:xtic(1) lc rgb \"#c0392b\", \"\" using 3 "
	      "lc rgb \"#aab7b8\"\n", ch.gp);
	ret = chart_draw(&ch);
	if (!ret)
		return 0;
fail:
	snprintf(c->err, sizeof(c->err), "%s", ch.err);
	return ret;
}

static int write_compare(struct compare *c)
{
	char title[64];
	int ret;

	snprintf(title, sizeof(title), "ringmon compare: %zu run%s", c->n, c->n == 1 ? "" : "s");
	doc_begin(&c->doc, title);
	runs_table(c);
	measures_table(c);
	boot_table(c);
	if (c->dir) {
		doc_image(&c->doc, "protected", "protected-page traps per run");
		doc_image(&c->doc, "monitor", "time in the monitor per run");
	}
	ratios_table(c);
	kinds_tables(c);
	ret = symbols_table(c);
	if (ret)
		snprintf(c->err, sizeof(c->err), "%s", c->db.err);
	if (!ret && c->dir)
		ret = charts(c);
	return ret;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option options[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct compare c;
	int64_t ids[MAX_RUNS];
	const char *runs = NULL;
	int opt, ret;

	c = (struct compare){ .doc = { .md = stdout } };
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":ho:", options, NULL)) != -1) {
		if (opt == 'r')
			runs = optarg;
		else if (opt == 'o')
			c.dir = optarg;
		else if (opt == 'h') {
			fputs(compare_usage, stdout);
			return 0;
		} else
			bad_option("compare", opt, argv);
	}
	if (optind == argc)
		usage_err("compare: no DB given (see ringmon compare --help)");
	if (optind + 1 < argc)
		usage_err("compare: unexpected argument '%s' after DB", argv[optind + 1]);
	if (report_open_db("compare", &c.db, argv[optind]))
		return EXIT_DB;
	ret = parse_runs(&c, runs, ids, &c.n);
	if (!ret && !c.n)
		usage_err("compare: %s has no runs yet", c.db.path);
	if (!ret && (!(c.m = calloc(c.n, sizeof(*c.m))) ||
		     !(c.kernel = calloc(c.n, sizeof(*c.kernel)))))
		ret = -ENOMEM;
	for (size_t i = 0; !ret && i < c.n; i++) {
		ret = measures_load(&c.db, ids[i], &c.m[i]);
		if (!ret)
			kernel_label(&c.m[i], c.kernel[i], sizeof(c.kernel[i]));
	}
	if (ret) {
		pr_err("compare: %s", ret == -ENOMEM ? strerror(ENOMEM) : c.db.err);
		free(c.kernel);
		free(c.m);
		rundb_close(&c.db);
		return EXIT_DB;
	}
	if (c.dir && report_open_dir("compare", c.dir, &c.doc)) {
		free(c.kernel);
		free(c.m);
		rundb_close(&c.db);
		return EXIT_DB;
	}
	ret = write_compare(&c);
	if (ret)
		pr_err("compare: %s", c.err);
	ret = report_close_dir("compare", c.dir ? c.dir : "stdout", &c.doc, ret ? EXIT_DB : 0);
	free(c.kernel);
	free(c.m);
	rundb_close(&c.db);
	if (!ret && c.dir)
		printf("%s/index.html\n", c.dir);
	return ret;
}
