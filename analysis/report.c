/* report.c — `ringmon report DB [--run ID]`: one run as Markdown on stdout:
 * knobs and outcome, traps by kind, protected-page traps by region, the data
 * symbols that share protected pages with the code that touched them, and
 * the time spent in the monitor per trap kind. */
#include <getopt.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "db.h"
#include "ring.h"

static const char report_usage[] =
	"usage: ringmon report DB [--run ID]\n"
	"\n"
	"Print a Markdown summary of one run in DB (a database written by\n"
	"`ringmon run`): knobs and outcome, traps by kind, protected-page traps by\n"
	"region, the data symbols on protected pages with the code that touched\n"
	"them, and the cost of each kind of trap.\n"
	"\n"
	"  --run ID    the run to report (the latest run)\n"
	"  -h, --help  this text\n";

#define EXIT_DB 1   /* the database could not be read */

struct report {
	const char *path;
	sqlite3 *db;
	sqlite3_int64 run;
};

static int db_err(struct report *r, const char *what)
{
	pr_err("%s: %s: %s", r->path, what, sqlite3_errmsg(r->db));
	return EXIT_DB;
}

/* A statement with the run id bound to ?1 if it has one, or NULL after a
 * message. */
static sqlite3_stmt *query(struct report *r, const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(r->db, sql, -1, &s, NULL) != SQLITE_OK) {
		db_err(r, "query");
		return NULL;
	}
	if (sqlite3_bind_parameter_count(s) && sqlite3_bind_int64(s, 1, r->run) != SQLITE_OK) {
		db_err(r, "query");
		sqlite3_finalize(s);   /* the bind failed already: db_err said why */
		return NULL;
	}
	return s;
}

/* After the last sqlite3_step(): 0 if the query ran to its end. */
static int done(struct report *r, sqlite3_stmt *s, int step)
{
	int ret = step == SQLITE_DONE ? 0 : db_err(r, "query");
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = db_err(r, "query");
	return ret;
}

static const char *col(sqlite3_stmt *s, int i, const char *null)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : null;
}

/* Text for a Markdown table cell: '|' would end the cell. */
static void cell(const char *t)
{
	for (; *t; t++) {
		if (*t == '|')
			putchar('\\');
		putchar(*t);
	}
}

static int open_db(struct report *r)
{
	struct stat st;
	char version[16] = "";
	sqlite3_stmt *s;
	int step;

	/* a report never creates a database, not even an empty one */
	if (stat(r->path, &st))
		usage_err("report: %s: no such database file", r->path);
	if (!S_ISREG(st.st_mode))
		usage_err("report: %s: not a database file", r->path);
	if (sqlite3_open_v2(r->path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return db_err(r, "open");
	if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key = 'schema_version'",
			       -1, &s, NULL) != SQLITE_OK) {
		pr_err("%s: not a ringmon database (%s)", r->path, sqlite3_errmsg(r->db));
		return EXIT_DB;
	}
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		snprintf(version, sizeof(version), "%s", col(s, 0, ""));
	if (step == SQLITE_ROW)
		step = sqlite3_step(s);
	if (done(r, s, step))
		return EXIT_DB;
	if (strcmp(version, DB_SCHEMA_VERSION)) {
		pr_err("%s: database schema version '%s', this ringmon reads version %s",
		       r->path, version, DB_SCHEMA_VERSION);
		return EXIT_DB;
	}
	return 0;
}

/* --run ID, or the latest run. */
static int pick_run(struct report *r, const char *arg)
{
	char *end;
	sqlite3_stmt *s;
	int step;

	if (arg) {
		r->run = strtoll(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end || r->run < 1)
			usage_err("report: --run: '%s' is not a run id", arg);
	}
	s = query(r, arg ? "SELECT id FROM runs WHERE id = ?1" : "SELECT max(id) FROM runs");
	if (!s)
		return EXIT_DB;
	step = sqlite3_step(s);
	r->run = step == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;   /* NULL: 0 */
	if (step == SQLITE_ROW)
		step = sqlite3_step(s);
	if (done(r, s, step))
		return EXIT_DB;
	if (!r->run && arg)
		usage_err("report: %s has no run %s", r->path, arg);
	if (!r->run)
		usage_err("report: %s has no runs yet", r->path);
	return 0;
}

static void print_outcome(sqlite3_stmt *s)
{
	const char *state = col(s, 13, NULL), *reason = col(s, 14, NULL);

	if (!sqlite3_column_int(s, 11))
		fputs("not finished (still running, or ringmon itself died)", stdout);
	else if (state && !strcmp(state, "exited"))
		printf("exited with status %d", sqlite3_column_int(s, 12));
	else
		printf("%s%s%s", state ? state : "?", reason ? ": " : "", reason ? reason : "");
}

static int header(struct report *r)
{
	sqlite3_stmt *s = query(r,
		"SELECT kernel, guest, guest_sha256, protect, mode, emulate, placement,"
		" accel, deterministic, host, start_time, finished, exit_status,"
		" monitor_state, kill_reason, end_time, records, stalls, dropped, variant,"
		" sym_format, sym_file"
		" FROM runs WHERE id = ?1");
	int step;

	if (!s)
		return EXIT_DB;
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		printf("# ringmon run %lld: %s\n\n", (long long)r->run, col(s, 0, "?"));
		printf("%s%s%s: protect %s, mode %s, emulate %s, placement %s, accel %s%s; ",
		       col(s, 0, "?"), col(s, 19, NULL) ? ", variant " : "", col(s, 19, ""),
		       col(s, 3, "?"), col(s, 4, "?"), col(s, 5, "?"), col(s, 6, "?"),
		       col(s, 7, "?"), sqlite3_column_int(s, 8) ? ", deterministic" : "");
		print_outcome(s);
		printf(".\n\n");
		printf("- guest: `%s`, sha256 `%s`\n", col(s, 1, "?"), col(s, 2, "?"));
		printf("- host: %s, from %s to %s\n", col(s, 9, "?"), col(s, 10, "?"),
		       col(s, 15, "?"));
		if (col(s, 20, NULL))
			printf("- symbols: %s from `%s`\n", col(s, 20, "?"), col(s, 21, "?"));
		else
			printf("- symbols: none\n");
		if (sqlite3_column_type(s, 16) != SQLITE_NULL)
			printf("- monitor: %lld records, %lld ring stalls, %lld dropped\n",
			       sqlite3_column_int64(s, 16), sqlite3_column_int64(s, 17),
			       sqlite3_column_int64(s, 18));
		step = sqlite3_step(s);
	}
	return done(r, s, step);
}

/* Rows in the database beside the monitor's own count, per kind. */
/* A count, or "-" where the monitor stored none (the run did not end well). */
static void count_cell(bool have, long long n)
{
	if (have)
		printf(" %lld |", n);
	else
		printf(" - |");
}

static int kinds(struct report *r)
{
#define MONITOR_COUNT(name, value, str) ", n_" str
	sqlite3_stmt *s = query(r, "SELECT 0" TRACE_KINDS(MONITOR_COUNT) " FROM runs WHERE id = ?1");
#undef MONITOR_COUNT
	long long db[KIND_MAX] = { 0 }, mon[KIND_MAX] = { 0 }, dbsum = 0, monsum = 0;
	bool counted = false;
	int step, i = 1;

	if (!s)
		return EXIT_DB;
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		counted = sqlite3_column_type(s, 1) != SQLITE_NULL;
#define READ_COUNT(name, value, str) mon[value] = sqlite3_column_int64(s, i++);
		TRACE_KINDS(READ_COUNT)
#undef READ_COUNT
		step = sqlite3_step(s);
	}
	if (done(r, s, step))
		return EXIT_DB;
	s = query(r, "SELECT kind, n FROM traps_by_kind WHERE run_id = ?1");
	if (!s)
		return EXIT_DB;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		for (unsigned k = 1; k < KIND_MAX; k++)
			if (!strcmp(col(s, 0, ""), ring_kind_name(k)))
				db[k] = sqlite3_column_int64(s, 1);
	if (done(r, s, step))
		return EXIT_DB;

	printf("\n## Traps by kind\n\n| kind | traps | monitor counted |\n|---|--:|--:|\n");
	for (unsigned k = 1; k < KIND_MAX; k++) {
		dbsum += db[k];
		monsum += mon[k];
		if (!db[k] && !mon[k])
			continue;
		printf("| %s | %lld |", ring_kind_name(k), db[k]);
		count_cell(counted, mon[k]);
		putchar('\n');
	}
	printf("| **total** | %lld |", dbsum);
	count_cell(counted, monsum);
	putchar('\n');
	return 0;
}

static int regions(struct report *r)
{
	sqlite3_stmt *s = query(r, "SELECT region, n FROM protected_by_region"
				   " WHERE run_id = ?1 ORDER BY n DESC, region");
	int step, rows = 0;

	if (!s)
		return EXIT_DB;
	printf("\n## Protected-page traps by region\n\n");
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (!rows++)
			printf("| region | traps |\n|---|--:|\n");
		printf("| %s | %lld |\n", col(s, 0, "(none)"), sqlite3_column_int64(s, 1));
	}
	if (!rows)
		printf("No protected-page traps.\n");
	return done(r, s, step);
}

/* "a 12, b 3": the code symbols that touched one data symbol (or the
 * padding, or no symbol), most first. */
static int code_syms(struct report *r, sqlite3_stmt *s, const char *data_sym, int pad)
{
	int step, n = 0;

	if (sqlite3_reset(s) != SQLITE_OK ||
	    (data_sym ? sqlite3_bind_text(s, 2, data_sym, -1, SQLITE_TRANSIENT) :
			sqlite3_bind_null(s, 2)) != SQLITE_OK ||
	    sqlite3_bind_int(s, 3, pad) != SQLITE_OK)
		return db_err(r, "query");
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		printf("%s", n++ ? ", " : "");
		cell(col(s, 0, "?"));
		printf(" %lld", sqlite3_column_int64(s, 1));
	}
	return step == SQLITE_DONE ? 0 : db_err(r, "query");
}

static int data_symbols(struct report *r)
{
	sqlite3_stmt *s = query(r,
		"SELECT data_sym, reads, writes, n, data_pad FROM protected_by_symbol"
		" WHERE run_id = ?1 AND region = 'data' ORDER BY n DESC, data_sym");
	sqlite3_stmt *code = query(r,
		"SELECT code_sym, count(*) FROM traps"
		" WHERE run_id = ?1 AND kind = 'protected' AND region = 'data'"
		" AND data_sym IS ?2 AND data_pad = ?3 GROUP BY code_sym ORDER BY 2 DESC, code_sym");
	int step = SQLITE_ERROR, rows = 0, ret = EXIT_DB;

	if (!s || !code)
		goto out;
	printf("\n## Data symbols on protected pages\n\n");
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (!rows++)
			printf("| data_sym | reads | writes | total | code symbols (traps) |\n"
			       "|---|--:|--:|--:|---|\n");
		printf("| ");
		cell(col(s, 0, sqlite3_column_int(s, 4) ? "(padding)" : "(no symbol)"));
		printf(" | %lld | %lld | %lld | ", sqlite3_column_int64(s, 1),
		       sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3));
		if (code_syms(r, code, col(s, 0, NULL), sqlite3_column_int(s, 4)))
			goto out;
		printf(" |\n");
	}
	if (!rows && step == SQLITE_DONE)
		printf("No traps on data that shares a protected page.\n");
	ret = done(r, s, step);
	s = NULL;
out:
	if (s)
		sqlite3_finalize(s);   /* after a failure that was reported */
	if (code && sqlite3_finalize(code) != SQLITE_OK && !ret)
		ret = db_err(r, "query");
	return ret;
}

static int cost(struct report *r)
{
	sqlite3_stmt *s = query(r,
		"SELECT kind, n, total_cycles, mean_cycles, min_cycles, max_cycles,"
		" (SELECT deterministic FROM runs WHERE id = ?1)"
		" FROM trap_cost WHERE run_id = ?1 ORDER BY total_cycles DESC, kind");
	int step, rows = 0;

	if (!s)
		return EXIT_DB;
	printf("\n## Time in the monitor by kind\n\n");
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (!rows++)
			printf("TSC %s from monitor entry to return.\n\n"
			       "| kind | traps | total | mean | min | max |\n"
			       "|---|--:|--:|--:|--:|--:|\n",
			       sqlite3_column_int(s, 6) ? "ticks, i.e. guest instructions (-icount),"
							: "cycles (real ones only under KVM or on bare metal)");
		printf("| %s | %lld | %lld | %.0f | %lld | %lld |\n", col(s, 0, "?"),
		       sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
		       sqlite3_column_double(s, 3), sqlite3_column_int64(s, 4),
		       sqlite3_column_int64(s, 5));
	}
	if (!rows)
		printf("No traps.\n");
	return done(r, s, step);
}

int cmd_report(int argc, char **argv)
{
	static const struct option options[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report r = { 0 };
	const char *run = NULL;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (c == 'r')
			run = optarg;
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
	r.path = argv[optind];

	ret = open_db(&r);
	if (!ret)
		ret = pick_run(&r, run);
	if (!ret)
		ret = header(&r);
	if (!ret)
		ret = kinds(&r);
	if (!ret)
		ret = regions(&r);
	if (!ret)
		ret = data_symbols(&r);
	if (!ret)
		ret = cost(&r);
	if (sqlite3_close(r.db) != SQLITE_OK && !ret)
		ret = db_err(&r, "close");
	return ret;
}
