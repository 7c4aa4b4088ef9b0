/* merge.c — `ringmon merge OUT.db IN.db...`: the runs of other databases (a
 * sweep's jobs, a cluster's tasks) copied into one, renumbered after OUT's
 * own.  Each input is ATTACHed to OUT's connection and copied with INSERT ...
 * SELECT in one transaction, counted again, and committed only if nothing
 * was lost. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "db.h"
#include "merge.h"
#include "sql.h"
#include "rundb.h"

static const char merge_usage[] =
	"usage: ringmon merge OUT.db IN.db...\n"
	"\n"
	"Copy every run of each IN.db, with its traps, symbols and every other row\n"
	"keyed by run, into OUT.db (created if missing).  The runs get new ids after\n"
	"OUT's own, in the order of the inputs and of their ids.  Each input is\n"
	"copied in one transaction and its row counts checked: an input that fails\n"
	"leaves nothing of it in OUT.  Every input is checked first to be a ringmon\n"
	"database of this schema version with no run that OUT or an earlier input\n"
	"has too (the same guest_sha256, knobs, start_time and host), so a wrong one changes\n"
	"nothing at all.  The inputs are only read.\n"
	"\n"
	"  -h, --help   this text\n"
	"\n"
	"Exit status: 0; 2 for a bad command line or input (OUT unchanged); 125 if\n"
	"copying failed (the inputs before the one named are in OUT).\n";

/* The attached input and the old-to-new run id map, while one is copied. */
#define SRC "src"
#define MAP "temp.merge_map"

int merge_check(const char *path, char *err, size_t len)
{
	struct rundb r;
	int ret = rundb_open(&r, path);

	if (ret)
		snprintf(err, len, "%s", r.err);
	rundb_close(&r);
	return ret;
}

/* db_writable(), the message after the file's name. */
static int writable(const char *path, bool exists, char *err, size_t len)
{
	char why[256];
	int ret = db_writable(path, exists, why, sizeof(why));

	if (ret)
		snprintf(err, len, "%s: %s", path, why);
	return ret;
}

int merge_check_out(const char *path, char *err, size_t len)
{
	struct stat st;
	int ret;

	if (!path[0]) {
		snprintf(err, len, "an empty file name for OUT");
		return -EINVAL;
	}
	if (stat(path, &st) && errno == ENOENT)
		return writable(path, false, err, len);
	if (stat(path, &st)) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -EINVAL;
	}
	/* an empty file (e.g. from mktemp) is a new database */
	ret = S_ISREG(st.st_mode) && !st.st_size ? 0 : merge_check(path, err, len);
	return ret ? ret : writable(path, true, err, len);
}

int merge_open(struct merge *m, const char *out)
{
	char *uri;
	int ret;

	*m = (struct merge){ .path = out };
	ret = merge_check_out(out, m->err, sizeof(m->err));
	if (ret)
		return ret;
	/* a URI, so that the inputs can be ATTACHed read-only (attach()) */
	uri = rundb_uri(out, false);
	if (!uri) {
		snprintf(m->err, sizeof(m->err), "%s: %s", out, strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = db_open(&m->out, uri, SQLITE_OPEN_URI);
	sqlite3_free(uri);
	if (ret)
		snprintf(m->err, sizeof(m->err), "%s: %s", out, m->out.err);
	return ret;
}

int merge_close(struct merge *m)
{
	int ret = db_close(&m->out);

	if (ret)
		snprintf(m->err, sizeof(m->err), "%s: %s", m->path, m->out.err);
	return ret;
}

/* --- one input ------------------------------------------------------------ */

static int fail(struct merge *m, const char *in, const char *what)
{
	return sql_fail(m->out.sql, m->err, sizeof(m->err), in, what);
}

static int exec(struct merge *m, const char *in, const char *sql, const char *what)
{
	return sql_exec(m->out.sql, sql, m->err, sizeof(m->err), in, what);
}

/* The two integers of sql's one row, which takes text ?1 if bound. */
static int query_pair(struct merge *m, const char *in, const char *sql, const char *arg,
		      int64_t *a, int64_t *b)
{
	sqlite3_stmt *s;
	int ret = 0;

	if (sqlite3_prepare_v2(m->out.sql, sql, -1, &s, NULL) != SQLITE_OK)
		return fail(m, in, "prepare query");
	if (arg && sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC) != SQLITE_OK)
		ret = fail(m, in, "bind");
	else if (sqlite3_step(s) != SQLITE_ROW)
		ret = fail(m, in, "query");
	else {
		*a = sqlite3_column_int64(s, 0);
		*b = sqlite3_column_int64(s, 1);
	}
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = fail(m, in, "query");
	return ret;
}

/* A string built with %w (an identifier inside "") and friends; NULL on
 * out of memory. */
static char *sql_finish(sqlite3_str *q)
{
	return sqlite3_str_errcode(q) == SQLITE_OK ? sqlite3_str_finish(q) :
						     (sqlite3_free(sqlite3_str_finish(q)), NULL);
}

/* How a table's rows name their run: the column that holds it, the run of
 * an input row (s) and the column's new value given the new run (m.new).
 * trap_rows holds it in the high bits of its key (trace/schema.sql). */
struct run_key {
	const char *col, *run, *renumbered;
};

#define SEQ_BITS_SQL "40"
_Static_assert(DB_SEQ_BITS == 40, "SEQ_BITS_SQL");

static const struct run_key *run_key_of(const char *table)
{
	static const struct run_key runs = { "id", "id", "m.new" },
		/* SQLite's << | & share one precedence: parentheses */
		trap_rows = { "id", "id >> " SEQ_BITS_SQL, "(m.new << " SEQ_BITS_SQL ") | (s.id & ((1 << "
			      SEQ_BITS_SQL ") - 1))" },
		other = { "run_id", "run_id", "m.new" };

	return !strcmp(table, "runs") ? &runs : !strcmp(table, "trap_rows") ? &trap_rows : &other;
}

/* The table's columns as "INSERT INTO main.T (a, b, ...) SELECT ... FROM
 * src.T" with its run key renumbered.  *keyed is false if the table has no
 * column key->col. */
static int copy_sql(struct merge *m, const char *in, const char *table, const struct run_key *key,
		    char **sql, bool *keyed)
{
	sqlite3_str *cols = sqlite3_str_new(m->out.sql), *vals = sqlite3_str_new(m->out.sql);
	sqlite3_stmt *s;
	int step = SQLITE_DONE, ret = 0;

	*keyed = false;
	*sql = NULL;
	if (sqlite3_prepare_v2(m->out.sql, "SELECT name FROM pragma_table_info(?1, '" SRC "')"
			       " ORDER BY cid", -1, &s, NULL) != SQLITE_OK)
		ret = fail(m, in, "read columns");
	else if (sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC) != SQLITE_OK)
		ret = fail(m, in, "read columns");
	while (!ret && (step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(s, 0);
		bool is_key = col && !strcmp(col, key->col);

		*keyed |= is_key;
		sqlite3_str_appendf(cols, "%s\"%w\"", sqlite3_str_length(cols) ? ", " : "", col);
		if (is_key)
			sqlite3_str_appendf(vals, "%s%s", sqlite3_str_length(vals) ? ", " : "",
					    key->renumbered);
		else
			sqlite3_str_appendf(vals, "%ss.\"%w\"", sqlite3_str_length(vals) ? ", " : "",
					    col);
	}
	if (!ret && step != SQLITE_DONE)
		ret = fail(m, in, "read columns");
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = fail(m, in, "read columns");
	char *c = sql_finish(cols), *v = sql_finish(vals);
	if (!ret && (!c || !v))
		ret = -ENOMEM;
	if (!ret && !(*sql = sqlite3_mprintf(
		"INSERT INTO main.\"%w\" (%s) SELECT %s FROM " SRC ".\"%w\" AS s"
		" JOIN " MAP " AS m ON m.old = s.%s", table, c, v, table, key->run)))
		ret = -ENOMEM;
	if (ret == -ENOMEM)
		snprintf(m->err, sizeof(m->err), "%s: out of memory", in);
	sqlite3_free(c);
	sqlite3_free(v);
	return ret;
}

/* Copy one table's rows of the input's runs and count them again in OUT;
 * how many into *rows. */
static int copy_table(struct merge *m, const char *in, const char *table, int64_t *rows)
{
	const struct run_key *key = run_key_of(table);
	char *sql, *count;
	int64_t had, got;
	bool keyed;
	int ret = copy_sql(m, in, table, key, &sql, &keyed);

	if (ret)
		return ret;
	if (!keyed) {
		snprintf(m->err, sizeof(m->err), "%s: table '%s' has no %s column: cannot tell"
			 " which run its rows belong to", in, table, key->col);
		sqlite3_free(sql);
		return -EPROTO;
	}
	ret = exec(m, in, sql, table);
	sqlite3_free(sql);
	if (ret)
		return ret;
	count = sqlite3_mprintf("SELECT (SELECT count(*) FROM " SRC ".\"%w\"), (SELECT count(*)"
				" FROM main.\"%w\" WHERE %s IN (SELECT new FROM " MAP "))",
				table, table, key->run);
	if (!count) {
		snprintf(m->err, sizeof(m->err), "%s: out of memory", in);
		return -ENOMEM;
	}
	ret = query_pair(m, in, count, NULL, &had, &got);
	sqlite3_free(count);
	if (!ret && had != got) {
		snprintf(m->err, sizeof(m->err), "%s: %s: %lld rows, %lld of them in the output"
			 " (rows of no run, or rows already there under the new ids)", in, table,
			 (long long)had, (long long)got);
		ret = -EPROTO;
	}
	*rows = got;
	return ret;
}

/* Number the input's runs after OUT's last, then copy every table but the
 * two that no run owns, meta and kinds (OUT has them, filled by db_open).
 * Every other row is keyed by its run, and the numbers that refer across
 * tables (sites.site, trap_sums.id, symbols.id) count within a run, so
 * they are copied as they are. */
static int copy_runs(struct merge *m, const char *in)
{
	sqlite3_stmt *s;
	int step = SQLITE_DONE, ret;

	ret = exec(m, in, "CREATE TEMP TABLE merge_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);"
		   "INSERT INTO " MAP " SELECT id, (SELECT coalesce(max(id), 0) FROM main.runs)"
		   " + row_number() OVER (ORDER BY id) FROM " SRC ".runs", "number the runs");
	if (!ret)
		ret = query_pair(m, in, "SELECT coalesce(min(new), 0), count(*) FROM " MAP, NULL,
				 &m->first, &m->runs);
	if (ret)
		return ret;
	if (sqlite3_prepare_v2(m->out.sql, "SELECT name FROM " SRC ".sqlite_master WHERE"
			       " type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
			       " AND name NOT IN ('meta', 'kinds') ORDER BY name", -1, &s, NULL) != SQLITE_OK)
		return fail(m, in, "list tables");
	while (!ret && (step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(s, 0);
		int64_t rows = 0;

		ret = copy_table(m, in, table, &rows);
		if (strcmp(table, "runs"))
			m->rows += rows;
	}
	if (!ret && step != SQLITE_DONE)
		ret = fail(m, in, "list tables");
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = fail(m, in, "list tables");
	return ret;
}

/* Whether a and b name one file (false if either cannot be stat'ed). */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The input, read-only, as SRC (OUT's connection takes URIs). */
static int attach(struct merge *m, const char *in)
{
	char *uri = rundb_uri(in, true);
	sqlite3_stmt *s;
	int ret = 0;

	if (!uri) {
		snprintf(m->err, sizeof(m->err), "%s: %s", in, strerror(ENOMEM));
		return -ENOMEM;
	}
	if (sqlite3_prepare_v2(m->out.sql, "ATTACH ?1 AS " SRC, -1, &s, NULL) != SQLITE_OK)
		ret = fail(m, in, "attach");
	else if (sqlite3_bind_text(s, 1, uri, -1, SQLITE_STATIC) != SQLITE_OK ||
		 sqlite3_step(s) != SQLITE_DONE)
		ret = fail(m, in, "attach");
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = fail(m, in, "attach");
	sqlite3_free(uri);
	return ret;
}

/* A sweep starts jobs of one guest with other knobs at once: two of them
 * may begin in the same millisecond. */
#define RUN_KNOBS_SAME " AND o.variant IS n.variant AND o.cmdline IS n.cmdline" \
	" AND o.protect IS n.protect AND o.mode IS n.mode AND o.emulate IS n.emulate" \
	" AND o.placement IS n.placement"

/* -EEXIST if main already holds runs of SRC: the same guest started with
 * the same knobs at the same millisecond on the same host is the same run,
 * whatever its id (a database merged twice, or two copies of one). */
static int check_dups(struct merge *m, const char *in)
{
	int64_t dup, all;
	int ret = query_pair(m, in, "SELECT count(*), (SELECT count(*) FROM " SRC ".runs) FROM "
			     SRC ".runs AS n WHERE EXISTS (SELECT 1 FROM main.runs AS o WHERE"
			     " o.guest_sha256 IS n.guest_sha256 AND o.start_time = n.start_time"
			     " AND o.host IS n.host" RUN_KNOBS_SAME ")", NULL, &dup, &all);

	if (!ret && dup) {
		snprintf(m->err, sizeof(m->err), "%s: %lld of its %lld runs are already in %s"
			 " (the same guest_sha256, knobs, start_time and host): merged before?"
			 " nothing of it copied", in, (long long)dup, (long long)all, m->path);
		ret = -EEXIST;
	}
	return ret;
}

/* check_dups() of in against a, both opened read-only, before anything is
 * written. */
static int check_dups_before(const char *a, const char *in, char *err, size_t len)
{
	char *uri = rundb_uri(a, true);
	struct merge m = { .path = a };
	int ret = 0;

	if (!uri || sqlite3_open_v2(uri, &m.out.sql, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
				    NULL) != SQLITE_OK)
		ret = fail(&m, a, "open");
	if (!ret)
		ret = attach(&m, in);
	if (!ret)
		ret = check_dups(&m, in);
	if (ret)
		snprintf(err, len, "%s", m.err);
	sqlite3_free(uri);
	sqlite3_close(m.out.sql);   /* read-only: nothing a failed close could lose */
	return ret;
}

int merge_add(struct merge *m, const char *in)
{
	int ret;

	m->first = m->runs = m->rows = 0;
	if (same_file(in, m->path)) {
		snprintf(m->err, sizeof(m->err), "%s: is the output database itself", in);
		return -EINVAL;
	}
	ret = merge_check(in, m->err, sizeof(m->err));
	if (!ret)
		ret = attach(m, in);
	if (ret)
		return ret;
	ret = exec(m, in, "BEGIN IMMEDIATE", "begin");
	if (!ret) {
		ret = check_dups(m, in);
		if (!ret)
			ret = copy_runs(m, in);
		if (!ret)
			ret = exec(m, in, "COMMIT", "commit");
		if (ret)   /* best effort: ret says why, and SQLite rolls back anyway */
			sqlite3_exec(m->out.sql, "ROLLBACK", NULL, NULL, NULL);
	}
	if (exec(m, in, "DROP TABLE IF EXISTS " MAP "; DETACH " SRC, "detach") && !ret)
		ret = -EIO;
	return ret;
}

/* --- the command ---------------------------------------------------------- */

static const struct option merge_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* OUT and every input are checked before OUT is opened, so that a wrong
 * argument leaves OUT as it was (not even created): an input whose runs OUT
 * or an earlier input already has too. */
static void check_args(int n, char **paths)
{
	struct stat st;
	char err[512];
	bool has_runs;

	if (merge_check_out(paths[0], err, sizeof(err)))
		usage_err("merge: %s", err);
	has_runs = !stat(paths[0], &st) && st.st_size;
	for (int i = 1; i < n; i++) {
		if (merge_check(paths[i], err, sizeof(err)))
			usage_err("merge: %s", err);
		if (same_file(paths[i], paths[0]))
			usage_err("merge: %s: is the output database itself", paths[i]);
		for (int j = has_runs ? 0 : 1; j < i; j++)
			if (j && same_file(paths[j], paths[i]))
				usage_err("merge: %s: given twice", paths[i]);
			else if (check_dups_before(paths[j], paths[i], err, sizeof(err)))
				usage_err("merge: %s", err);
	}
}

int cmd_merge(int argc, char **argv)
{
	struct merge m;
	int c, i, n;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", merge_options, NULL)) != -1) {
		if (c != 'h')
			bad_option("merge", c, argv);
		fputs(merge_usage, stdout);
		return 0;
	}
	/* past the file-size limit a write fails (EFBIG) and the input's
	 * transaction rolls back, like on a full disk */
	signal(SIGXFSZ, SIG_IGN);
	n = argc - optind;
	if (n < 2)
		usage_err("merge: give OUT.db and at least one IN.db (see ringmon merge --help)");
	check_args(n, argv + optind);
	if (merge_open(&m, argv[optind])) {
		pr_err("merge: %s", m.err);
		return EXIT_FAILED;
	}
	for (i = optind + 1; i < argc; i++) {
		if (merge_add(&m, argv[i]))
			break;
		if (m.runs)
			pr_err("merge: %s: %lld run%s from %lld (%lld rows) -> %s", argv[i],
			       (long long)m.runs, m.runs > 1 ? "s" : "", (long long)m.first,
			       (long long)m.rows, m.path);
		else
			pr_err("merge: %s: no runs", argv[i]);
	}
	if (i < argc)
		pr_err("merge: %s", m.err);
	if (merge_close(&m)) {
		pr_err("merge: %s", m.err);
		return EXIT_FAILED;
	}
	return i < argc ? EXIT_FAILED : 0;
}
