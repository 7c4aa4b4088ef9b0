/* db.c — write runs, symbols and traps into SQLite: WAL journal, one prepared
 * statement per table, trap rows gathered in memory and committed in batches. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "ring.h"
#include "sql.h"

/* trace/schema.sql, compiled in by the Makefile. */
extern const char schema_sql[];

#define NOW_ISO "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

static int db_fail(struct db *db, const char *what)
{
	return sql_fail(db->sql, db->err, sizeof(db->err), NULL, what);
}

/* Whether the last call failed for want of space: a full disk, or a write
 * past the file-size limit (EFBIG: cmd_run ignores SIGXFSZ). */
static bool db_no_space(struct db *db)
{
	int code = sqlite3_extended_errcode(db->sql) & 0xff, sys = sql_errno(db->sql);

	return code == SQLITE_FULL || (code == SQLITE_IOERR && (sys == ENOSPC || sys == EFBIG));
}

static int db_exec(struct db *db, const char *sql, const char *what)
{
	return sql_exec(db->sql, sql, db->err, sizeof(db->err), NULL, what);
}

/* Run a prepared write statement and make it ready for the next binds. */
static int db_step_done(struct db *db, sqlite3_stmt *s, const char *what)
{
	if (sqlite3_step(s) != SQLITE_DONE) {
		int ret = db_fail(db, what);
		sqlite3_reset(s);   /* returns the step's error again */
		return ret;
	}
	if (sqlite3_reset(s) != SQLITE_OK)
		return db_fail(db, what);
	return 0;
}

/* The first column of the query's first row into out[outlen], "" if none. */
static int db_query_text(struct db *db, const char *sql, char *out, size_t outlen,
			 const char *what)
{
	sqlite3_stmt *s;
	int ret = 0;

	if (sqlite3_prepare_v2(db->sql, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(db, what);
	out[0] = 0;
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		if (sqlite3_column_text(s, 0))
			snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(s, 0));
		break;
	case SQLITE_DONE:
		break;
	default:
		ret = db_fail(db, what);
	}
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = db_fail(db, what);
	return ret;
}

/* Text that outlives the statement's use (literals, the symbol table), or
 * NULL. */
static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

static int bind_opt_int64(sqlite3_stmt *s, int i, bool have, int64_t v)
{
	return have ? sqlite3_bind_int64(s, i, v) : sqlite3_bind_null(s, i);
}

/* 0 if the file is empty (no tables) or a ringmon database of this schema
 * version; reads only, so a file that is neither stays as it was. */
static int check_version(struct db *db)
{
	char tables[16], meta[16], version[16] = "";
	int ret = db_query_text(db, "SELECT count(*) FROM sqlite_master", tables, sizeof(tables),
				"read schema");

	if (!ret)
		ret = db_query_text(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
				    " AND name = 'meta'", meta, sizeof(meta), "read schema");
	if (ret && sqlite3_errcode(db->sql) == SQLITE_NOTADB) {   /* bad input too */
		snprintf(db->err, sizeof(db->err), "not a ringmon database: %s",
			 sqlite3_errmsg(db->sql));
		return -EINVAL;
	}
	if (ret)
		return ret;
	if (!strcmp(tables, "0"))   /* new, or empty: nothing in it to refuse */
		return 0;
	/* a meta table of someone else's, without these columns, is foreign */
	if (strcmp(meta, "0") && db_query_text(db, "SELECT value FROM meta WHERE"
					       " key = 'schema_version'", version,
					       sizeof(version), "read schema version"))
		version[0] = 0;
	if (!version[0]) {
		snprintf(db->err, sizeof(db->err), "not a ringmon database (it has tables, views or"
			 " indexes but no ringmon schema_version in meta): left as it was; give a new file");
		return -EINVAL;
	}
	if (strcmp(version, DB_SCHEMA_VERSION)) {
		snprintf(db->err, sizeof(db->err),
			 "database schema version '%s', this ringmon writes version %s"
			 " (use a new database file)", version, DB_SCHEMA_VERSION);
		return -EPROTO;
	}
	return 0;
}

/* Several concurrent runs (a sweep) may create the same file: the schema is
 * applied in one write transaction, idempotently, and only to a file that is
 * new or already has this schema version -- checked before anything (WAL
 * mode included) is changed, and again once the write lock is held. */
static int apply_schema(struct db *db)
{
	char mode[16];
	int ret = check_version(db);

	if (ret)
		return ret;
	ret = db_query_text(db, "PRAGMA journal_mode = WAL", mode, sizeof(mode),
			    "set WAL journal mode");
	if (ret)
		return ret;
	if (strcmp(mode, "wal")) {
		snprintf(db->err, sizeof(db->err), "journal mode is '%s', WAL unavailable", mode);
		return -EIO;
	}
	ret = db_exec(db, "PRAGMA synchronous = NORMAL", "set synchronous");
	/* Checkpoint every ~40 MB of WAL rather than SQLite's 4 MB: a batch of
	 * DB_BATCH_ROWS rows writes ~6 MB of frames (about 400 bytes a row with
	 * its three index entries), and each checkpoint costs two fdatasync.
	 * Consistency is the WAL's either way; the -wal file grows that large. */
	if (!ret)
		ret = db_exec(db, "PRAGMA wal_autocheckpoint = " DB_WAL_CHECKPOINT_PAGES,
			      "set wal_autocheckpoint");
	if (!ret)
		ret = db_exec(db, "BEGIN IMMEDIATE", "begin schema");
	if (ret)
		return ret;
	ret = check_version(db);
	if (!ret)
		ret = db_exec(db, schema_sql, "create schema");
	if (ret) {
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);   /* best effort: ret says why */
		return ret;
	}
	return db_exec(db, "COMMIT", "commit schema");
}

/* SQLite opens a file it may not write read-only, without a word (a URI's
 * file was not checked by db_writable()): say so before anything is tried. */
static int refuse_readonly(struct db *db)
{
	const char *file = sqlite3_db_filename(db->sql, "main");

	if (sqlite3_db_readonly(db->sql, "main") != 1)
		return 0;
	snprintf(db->err, sizeof(db->err), "the database is read-only (%s)",
		 file && access(file, W_OK) ? strerror(errno) : "opened read-only");
	return -EROFS;
}

int db_writable(const char *path, bool exists, char *err, size_t len)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	if (!access(exists ? path : dir, W_OK))
		return 0;
	snprintf(err, len, "%s (%s)", exists ? "the database is read-only" : "cannot create it",
		 strerror(errno));
	return -EROFS;
}

int db_open(struct db *db, const char *path, int flags)
{
	int ret;

	*db = (struct db){ 0 };
	if (!path[0]) {
		/* SQLite would open a private temporary database */
		snprintf(db->err, sizeof(db->err), "an empty database file name");
		return -EINVAL;
	}
	/* SQLite would only say "unable to open database file" */
	if (!(flags & SQLITE_OPEN_URI)) {
		ret = db_writable(path, !access(path, F_OK), db->err, sizeof(db->err));
		if (ret)
			return ret;
	}
	/* NOMUTEX: one thread at a time uses the connection (the command layer
	 * before ring_start() and after ring_stop(), the consumer in between:
	 * thread creation and join order them), so SQLite need not lock a
	 * mutex in each of the ~30 calls per row. */
	if (sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX | flags, NULL) != SQLITE_OK) {
		ret = db_fail(db, "open");
		goto err;
	}
	ret = refuse_readonly(db);
	if (ret)
		goto err;
	/* a sweep writes one file from many processes: wait for the lock */
	if (sqlite3_busy_timeout(db->sql, 10000) != SQLITE_OK) {
		ret = db_fail(db, "set busy timeout");
		goto err;
	}
	ret = apply_schema(db);
	if (ret)
		goto err;
	if (sqlite3_prepare_v2(db->sql,
		"INSERT INTO traps (run_id, seq, kind, vector, err, eip, cs, cpl, addr, gpa,"
		" size, access, region, emul, insn, detail, data_sym, data_off, data_pad,"
		" code_sym, code_off, code_pad, code_file, code_line, tsc_in, tsc_out)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		" ?, ?, ?, ?)",
		-1, &db->insert_trap, NULL) != SQLITE_OK) {
		ret = db_fail(db, "prepare trap insert");
		goto err;
	}
	return 0;
err:
	sqlite3_close(db->sql);   /* the open failed already; ret says why */
	db->sql = NULL;
	return ret;
}

static int flush_wait(struct db *db);

int db_close(struct db *db)
{
	/* a run that failed keeps what it traced; one the disk filled has said so */
	int ret = db->full ? 0 : flush_wait(db);

	free(db->rows);
	db->rows = NULL;
	if (sqlite3_finalize(db->insert_trap) != SQLITE_OK && !ret)
		ret = db_fail(db, "finalize");
	if (sqlite3_close(db->sql) != SQLITE_OK && !ret)
		ret = db_fail(db, "close");
	db->sql = NULL;
	db->insert_trap = NULL;
	return ret;
}

int db_run_begin(struct db *db, const struct run_info *ri)
{
	sqlite3_stmt *s;
	int rc = SQLITE_OK, ret;

	if (sqlite3_prepare_v2(db->sql,
		"INSERT INTO runs (guest, guest_sha256, kernel, variant, cmdline, protect,"
		" mode, emulate, placement, accel, deterministic, ring, sym_file, sym_format,"
		" host, cpu, accel_why, sym_check, start_time, finished)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " NOW_ISO ", 0)",
		-1, &s, NULL) != SQLITE_OK)
		return db_fail(db, "prepare run insert");
	/* a bind fails only on a bug or out of memory; one check covers all */
	rc |= bind_text(s, 1, ri->guest);
	rc |= bind_text(s, 2, ri->guest_sha256);
	rc |= bind_text(s, 3, ri->kernel);
	rc |= bind_text(s, 4, ri->variant);
	rc |= bind_text(s, 5, ri->cmdline);
	rc |= bind_text(s, 6, ri->protect);
	rc |= bind_text(s, 7, ri->mode);
	rc |= bind_text(s, 8, ri->emulate);
	rc |= bind_text(s, 9, ri->placement);
	rc |= bind_text(s, 10, ri->accel);
	rc |= sqlite3_bind_int(s, 11, ri->deterministic);
	rc |= sqlite3_bind_int64(s, 12, ri->ring);
	rc |= bind_text(s, 13, ri->sym_file);
	rc |= bind_text(s, 14, ri->sym_format);
	rc |= bind_text(s, 15, ri->host);
	rc |= bind_text(s, 16, ri->cpu);
	rc |= bind_text(s, 17, ri->accel_why);
	rc |= bind_text(s, 18, ri->sym_check);
	ret = rc != SQLITE_OK ? db_fail(db, "bind run") : db_step_done(db, s, "insert run");
	db->run_id = sqlite3_last_insert_rowid(db->sql);
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = db_fail(db, "finalize run insert");
	return ret;
}

int db_add_symbols(struct db *db, const struct symtab *st)
{
	sqlite3_stmt *s;
	int ret = db_exec(db, "BEGIN IMMEDIATE", "begin symbols");

	if (ret)
		return ret;
	if (sqlite3_prepare_v2(db->sql,
		"INSERT INTO symbols (run_id, name, addr, size, type, section)"
		" VALUES (?, ?, ?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK) {
		ret = db_fail(db, "prepare symbol insert");
		goto err_rollback;
	}
	for (size_t i = 0; i < st->n && !ret; i++) {
		const struct sym *y = &st->syms[i];
		int rc = SQLITE_OK;
		rc |= sqlite3_bind_int64(s, 1, db->run_id);
		rc |= bind_text(s, 2, y->name);
		rc |= sqlite3_bind_int64(s, 3, y->addr);
		rc |= sqlite3_bind_int64(s, 4, y->size);
		rc |= bind_text(s, 5, sym_type_name(y));
		rc |= bind_text(s, 6, y->section);
		ret = rc != SQLITE_OK ? db_fail(db, "bind symbol") :
					db_step_done(db, s, "insert symbol");
	}
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = db_fail(db, "finalize symbol insert");
	if (!ret)
		return db_exec(db, "COMMIT", "commit symbols");
err_rollback:
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);   /* best effort: ret says why */
	return ret;
}

static long ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Bytes as lowercase hex, "" for none: out has room for 2 * n + 1. */
static const char *hex(char *out, const uint8_t *b, unsigned n)
{
	static const char digit[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digit[b[i] >> 4];
		out[2 * i + 1] = digit[b[i] & 15];
	}
	out[2 * n] = 0;
	return out;
}

/* The name and offset of a symbol reference into columns i and i + 1, and
 * its padding flag into i + 2 (NULL there unless has_pad). */
static int bind_sym(sqlite3_stmt *s, int i, const struct sym_ref *y, bool has_pad)
{
	int rc = bind_text(s, i, y->name);
	rc |= bind_opt_int64(s, i + 1, y->name, y->off);
	rc |= bind_opt_int64(s, i + 2, has_pad, y->pad);
	return rc;
}

/* Trap path 4.3: one traps row, at commit time. */
static int insert_row(struct db *db, const struct db_row *row)
{
	const struct trap_record *r = &row->r;
	const struct trap_event *e = &row->e;
	sqlite3_stmt *s = db->insert_trap;
	int rc = SQLITE_OK;

	rc |= sqlite3_bind_int64(s, 1, db->run_id);
	rc |= sqlite3_bind_int64(s, 2, (sqlite3_int64)r->seq);
	rc |= bind_text(s, 3, ring_kind_name(r->kind));
	rc |= sqlite3_bind_int(s, 4, r->vector);
	rc |= sqlite3_bind_int64(s, 5, r->err);
	rc |= sqlite3_bind_int64(s, 6, r->eip);
	rc |= sqlite3_bind_int(s, 7, r->cs);
	rc |= sqlite3_bind_int(s, 8, r->cpl);
	rc |= sqlite3_bind_int64(s, 9, r->addr);
	rc |= sqlite3_bind_int64(s, 10, (sqlite3_int64)r->gpa);
	rc |= sqlite3_bind_int(s, 11, r->size);
	rc |= bind_text(s, 12, ring_access_name(r->access));
	rc |= bind_text(s, 13, ring_region_name(r->region));
	rc |= bind_text(s, 14, ring_emul_name(r->emul));
	/* db->insn stays bound until the next row rebinds it: no copy */
	rc |= r->insn_len ? sqlite3_bind_text(s, 15, hex(db->insn, r->insn, r->insn_len),
					      2 * r->insn_len, SQLITE_STATIC) :
			    sqlite3_bind_null(s, 15);
	rc |= sqlite3_bind_int64(s, 16, r->detail);
	rc |= bind_sym(s, 17, &e->data, e->has_data);
	rc |= bind_sym(s, 20, &e->code, true);
	rc |= bind_text(s, 23, e->code_file);
	rc |= bind_opt_int64(s, 24, e->code_file, e->code_line);
	rc |= sqlite3_bind_int64(s, 25, (sqlite3_int64)r->tsc_in);
	rc |= sqlite3_bind_int64(s, 26, (sqlite3_int64)r->tsc_out);
	if (rc != SQLITE_OK)
		return db_fail(db, "bind trap");
	return db_step_done(db, s, "insert trap");
}

/* The first n pending rows in one transaction: the write lock is held only
 * for this.  On failure they stay pending; -ENOSPC if there was no space. */
static int commit_rows(struct db *db, unsigned n)
{
	int ret = db_exec(db, "BEGIN IMMEDIATE", "begin traps");

	for (unsigned i = 0; i < n && !ret; i++)
		ret = insert_row(db, &db->rows[db->first + i]);
	if (!ret)
		ret = db_exec(db, "COMMIT", "commit traps");
	if (ret) {
		bool nospace = db_no_space(db);
		/* SQLite may have rolled back already; best effort, ret says why */
		if (!sqlite3_get_autocommit(db->sql))
			sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		return nospace ? -ENOSPC : ret;
	}
	db->first = (db->pending -= n) ? db->first + n : 0;
	db->stored += n;
	return 0;
}

/* No space for the pending rows: try again later, or give up (db->full)
 * once DB_HOLD_S have passed without a row stored. */
static int no_space(struct db *db)
{
	char why[sizeof(db->err)];

	if (!db->nospace) {
		db->nospace = true;
		clock_gettime(CLOCK_MONOTONIC, &db->nospace_since);
	}
	db->chunk = DB_NOSPACE_CHUNK;
	if (ms_since(&db->nospace_since) < DB_HOLD_S * 1000L) {
		clock_gettime(CLOCK_MONOTONIC, &db->retry_at);
		db->retry_at.tv_nsec += DB_RETRY_MS * 1000000L;
		db->retry_at.tv_sec += db->retry_at.tv_nsec / 1000000000L;
		db->retry_at.tv_nsec %= 1000000000L;
		return -EAGAIN;
	}
	db->full = true;
	snprintf(why, sizeof(why), "%s", db->err);
	snprintf(db->err, sizeof(db->err), "no space for %d s, %llu records stored: %.*s",
		 DB_HOLD_S, (unsigned long long)db->stored, (int)sizeof(why) - 64, why);
	return -ENOSPC;
}

/* Commit the pending rows: in one transaction, or once space ran out in
 * ones of DB_NOSPACE_CHUNK rows, doubling while they fit, so that whatever
 * fits is stored.  -EAGAIN: there is no space, try again (not before
 * db->retry_at). */
static int flush(struct db *db)
{
	struct timespec now;
	int ret = 0;

	if (db->full)
		return -ENOSPC;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (db->nospace && (now.tv_sec < db->retry_at.tv_sec ||
			    (now.tv_sec == db->retry_at.tv_sec && now.tv_nsec < db->retry_at.tv_nsec)))
		return -EAGAIN;
	/* The WAL may hold most of the disk, in many versions of the same
	 * pages: once copied into the database, its space is written over
	 * again.  Best effort: it needs space for the database to grow. */
	if (db->nospace)
		sqlite3_wal_checkpoint_v2(db->sql, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	while (db->pending && !ret) {
		unsigned n = db->nospace && db->pending > db->chunk ? db->chunk : db->pending;

		ret = commit_rows(db, n);
		if (!ret && db->nospace) {   /* progress: the hold starts again */
			db->nospace_since = now;
			db->chunk = db->chunk < DB_BATCH_ROWS / 2 ? 2 * db->chunk : DB_BATCH_ROWS;
		}
	}
	if (ret == -ENOSPC)
		return no_space(db);
	if (!ret)
		db->nospace = false;
	return ret;
}

/* Everything pending, waiting for space as long as the hold allows. */
static int flush_wait(struct db *db)
{
	int ret;

	/* an interrupted sleep only makes the next try come sooner */
	while ((ret = flush(db)) == -EAGAIN)
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &db->retry_at, NULL);
	return ret;
}

int db_flush_due(struct db *db)
{
	if (db->pending && (db->nospace || ms_since(&db->batch_start) >= DB_BATCH_MS))
		return flush(db);
	return db->full ? -ENOSPC : 0;
}

/* Trap path 4.3: the row joins the batch (copied: the record is the
 * consumer's), to be written by flush(). */
int db_add_trap(struct db *db, const struct trap_event *e)
{
	struct db_row *row;
	int ret;

	if (!db->rows && !(db->rows = malloc(DB_BATCH_ROWS * sizeof(*db->rows)))) {
		snprintf(db->err, sizeof(db->err), "trap batch: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (db->first + db->pending == DB_BATCH_ROWS) {
		ret = flush(db);   /* -EAGAIN: this trap is refused, offer it again */
		if (ret)
			return ret;
	}
	if (!db->pending)
		clock_gettime(CLOCK_MONOTONIC, &db->batch_start);
	row = &db->rows[db->first + db->pending++];
	row->r = *e->r;
	row->e = *e;
	row->e.r = &row->r;
	ret = db->first + db->pending == DB_BATCH_ROWS ? flush(db) : db_flush_due(db);
	return ret == -EAGAIN ? 0 : ret;   /* this trap is taken; the next one waits */
}

static int update_run(struct db *db, const struct run_end *re);

int db_run_end(struct db *db, const struct run_end *re)
{
	bool reported = db->full;   /* the consumer ended the run for it */
	char why[sizeof(db->err)];
	struct run_end lost;
	int ret = flush_wait(db);

	if (ret != -ENOSPC)
		return ret ? ret : update_run(db, re);
	/* the rows that found no space are lost: the run did not end well */
	db->pending = db->first = 0;
	snprintf(why, sizeof(why), "%s", db->err);
	lost = *re;
	lost.state = "crashed";
	lost.exit_status = -1;
	if (!lost.kill_reason)
		lost.kill_reason = why;
	if (reported)
		return update_run(db, &lost);
	update_run(db, &lost);   /* if there is room for it: the error is why */
	snprintf(db->err, sizeof(db->err), "%s", why);
	return ret;
}

static int update_run(struct db *db, const struct run_end *re)
{
	sqlite3_stmt *s;
	int rc = SQLITE_OK, i = 1, ret;

#define SET_COUNT(name, value, str) ", n_" str " = ?"
	if (sqlite3_prepare_v2(db->sql,
		"UPDATE runs SET end_time = " NOW_ISO ", finished = 1, exit_status = ?,"
		" monitor_state = ?, kill_reason = ?, records = ?, stalls = ?, dropped = ?"
		TRACE_KINDS(SET_COUNT) " WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return db_fail(db, "prepare run update");
#undef SET_COUNT
	rc |= bind_opt_int64(s, i++, re->exit_status >= 0, re->exit_status);
	rc |= bind_text(s, i++, re->state);
	rc |= bind_text(s, i++, re->kill_reason);
	rc |= bind_opt_int64(s, i++, re->counters, (int64_t)re->records);
	rc |= bind_opt_int64(s, i++, re->counters, (int64_t)re->stalls);
	rc |= bind_opt_int64(s, i++, re->counters, (int64_t)re->dropped);
#define BIND_COUNT(name, value, str) \
	rc |= bind_opt_int64(s, i++, re->counters, (int64_t)re->counts[value]);
	TRACE_KINDS(BIND_COUNT)
#undef BIND_COUNT
	rc |= sqlite3_bind_int64(s, i, db->run_id);
	ret = rc != SQLITE_OK ? db_fail(db, "bind run update") : db_step_done(db, s, "update run");
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = db_fail(db, "finalize run update");
	return ret;
}
