/* db.c — write runs, symbols and traps into SQLite: WAL journal, one prepared
 * statement per table, trap rows in batched transactions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "ring.h"

/* trace/schema.sql, compiled in by the Makefile. */
extern const char schema_sql[];

#define NOW_ISO "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

static int db_fail(struct db *db, const char *what)
{
	snprintf(db->err, sizeof(db->err), "%s: %s", what,
		 db->sql ? sqlite3_errmsg(db->sql) : "out of memory");
	return -EIO;
}

static int db_exec(struct db *db, const char *sql, const char *what)
{
	if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, what);
	return 0;
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

/* Several concurrent runs (a sweep) may create the same file: the schema is
 * applied in one write transaction, idempotently, and only to a file that is
 * new or already has this schema version. */
static int apply_schema(struct db *db)
{
	char mode[16], version[16];
	int ret;

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
	/* version "" for a new file: no meta table yet */
	ret = db_query_text(db, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
			    " AND name = 'meta'", version, sizeof(version), "read schema version");
	if (!ret && version[0])
		ret = db_query_text(db, "SELECT value FROM meta WHERE key = 'schema_version'",
				    version, sizeof(version), "read schema version");
	if (!ret && version[0] && strcmp(version, DB_SCHEMA_VERSION)) {
		snprintf(db->err, sizeof(db->err),
			 "database schema version '%s', this ringmon writes version %s"
			 " (use a new database file)", version, DB_SCHEMA_VERSION);
		ret = -EPROTO;
	}
	if (!ret)
		ret = db_exec(db, schema_sql, "create schema");
	if (ret) {
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);   /* best effort: ret says why */
		return ret;
	}
	return db_exec(db, "COMMIT", "commit schema");
}

int db_open(struct db *db, const char *path)
{
	int ret;

	*db = (struct db){ 0 };
	/* NOMUTEX: one thread at a time uses the connection (the command layer
	 * before ring_start() and after ring_stop(), the consumer in between:
	 * thread creation and join order them), so SQLite need not lock a
	 * mutex in each of the ~30 calls per row. */
	if (sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		ret = db_fail(db, "open");
		goto err;
	}
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

static int commit_batch(struct db *db)
{
	if (!db->batched)
		return 0;
	db->batched = 0;
	return db_exec(db, "COMMIT", "commit traps");
}

int db_close(struct db *db)
{
	int ret = commit_batch(db);   /* a run that failed keeps what it traced */

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
		" host, cpu, accel_why, start_time, finished)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " NOW_ISO ", 0)",
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

static long batch_age_ms(const struct db *db)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - db->batch_start.tv_sec) * 1000 +
	       (now.tv_nsec - db->batch_start.tv_nsec) / 1000000;
}

int db_flush_due(struct db *db)
{
	if (db->batched && batch_age_ms(db) >= DB_BATCH_MS)
		return commit_batch(db);
	return 0;
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

/* Trap path 4.3: one traps row. */
int db_add_trap(struct db *db, const struct trap_event *e)
{
	const struct trap_record *r = e->r;
	sqlite3_stmt *s = db->insert_trap;
	int rc = SQLITE_OK, ret;

	if (!db->batched) {
		ret = db_exec(db, "BEGIN IMMEDIATE", "begin traps");
		if (ret)
			return ret;
		clock_gettime(CLOCK_MONOTONIC, &db->batch_start);
	}
	db->batched++;
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
	ret = db_step_done(db, s, "insert trap");
	if (ret)
		return ret;
	if (db->batched >= DB_BATCH_ROWS)
		return commit_batch(db);
	return db_flush_due(db);
}

int db_run_end(struct db *db, const struct run_end *re)
{
	sqlite3_stmt *s;
	int rc = SQLITE_OK, i = 1, ret = commit_batch(db);

	if (ret)
		return ret;
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
