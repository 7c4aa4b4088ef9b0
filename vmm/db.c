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

/* The kinds table, from the header the monitor was built with. */
static int fill_kinds(struct db *db)
{
	sqlite3_stmt *s;
	int ret = 0;

	if (sqlite3_prepare_v2(db->sql, "INSERT OR IGNORE INTO kinds (id, name) VALUES (?, ?)",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(db, "prepare kinds");
	for (unsigned k = 1; k < KIND_MAX && !ret; k++)
		ret = sqlite3_bind_int(s, 1, (int)k) != SQLITE_OK ||
		      bind_text(s, 2, ring_kind_name(k)) != SQLITE_OK ?
		      db_fail(db, "bind kind") : db_step_done(db, s, "insert kind");
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = db_fail(db, "finalize kinds");
	return ret;
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
	/* Checkpoint every ~4 MB of WAL (SQLite's default, said explicitly): a
	 * batch of DB_BATCH_ROWS rows writes ~0.6 MB of frames (~36 bytes a
	 * row), so about every 7 batches, each checkpoint two fdatasync; 10
	 * times more pages cost no fewer instructions (callgrind,
	 * docs/performance.md) and would let a power cut take 10 times more. */
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
	if (!ret)
		ret = fill_kinds(db);
	if (ret) {
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);   /* best effort: ret says why */
		return ret;
	}
	return db_exec(db, "COMMIT", "commit schema");
}

/* The file grows DB_CHUNK_BYTES at a time, so that the disk space a
 * checkpoint needs is mostly taken before the disk fills: once the disk is
 * full, a checkpoint can still complete and let the WAL start over, and
 * that is room for the runs row that says so. */
static int set_chunk(struct db *db)
{
	int chunk = DB_CHUNK_BYTES, rc = sqlite3_file_control(db->sql, "main",
							     SQLITE_FCNTL_CHUNK_SIZE, &chunk);

	/* NOTFOUND: a VFS that cannot (only the unix one is used here) */
	return rc == SQLITE_OK || rc == SQLITE_NOTFOUND ? 0 : db_fail(db, "set chunk size");
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

#define TRAP_ROW_COLS 9
#define INSERT_TRAP_ROWS "INSERT INTO trap_rows (id, kind, site, addr, gpa, data, detail," \
	" tsc_in, cycles) VALUES "
#define TRAP_ROW_VALUES "(?, ?, ?, ?, ?, ?, ?, ?, ?)"

/* One statement that inserts DB_INSERT_ROWS rows: a statement's own cost
 * (its start, its end, its reset) is then paid once for them all. */
static int prepare_insert_traps(struct db *db)
{
	sqlite3_str *q = sqlite3_str_new(db->sql);
	char *sql;
	int ret = 0;

	sqlite3_str_appendall(q, INSERT_TRAP_ROWS);
	for (unsigned i = 0; i < DB_INSERT_ROWS; i++)
		sqlite3_str_appendf(q, "%s" TRAP_ROW_VALUES, i ? ", " : "");
	sql = sqlite3_str_finish(q);
	if (!sql) {
		snprintf(db->err, sizeof(db->err), "prepare trap inserts: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (sqlite3_prepare_v2(db->sql, sql, -1, &db->write[DB_INSERT_TRAPS], NULL) != SQLITE_OK)
		ret = db_fail(db, "prepare trap inserts");
	sqlite3_free(sql);
	return ret;
}

/* The statements of a commit, prepared once. */
static int prepare_writes(struct db *db)
{
	static const struct { enum db_write i; const char *sql; } w[] = {
		{ DB_INSERT_TRAP, INSERT_TRAP_ROWS TRAP_ROW_VALUES },
		{ DB_INSERT_SITE, "INSERT OR REPLACE INTO sites (run_id, site,"
		  " vector, err, eip, cs, cpl, size, access, region, emul, insn, code_sym, code_off,"
		  " code_pad, code_file, code_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		  " ?, ?, ?)" },
		{ DB_INSERT_SYMBOL, "INSERT INTO symbols (run_id, id, name, addr, size, type,"
		  " section, paddr, cpu) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)" },
		/* absolute values: a retry after a rolled-back commit writes them again */
		{ DB_INSERT_SUM, "INSERT OR REPLACE INTO trap_sums (run_id, id,"
		  " kind, site, addr, gpa, data, n, cycles, min_cycles, max_cycles, first_tsc,"
		  " last_tsc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" },
	};

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (sqlite3_prepare_v2(db->sql, w[i].sql, -1, &db->write[w[i].i], NULL) != SQLITE_OK)
			return db_fail(db, "prepare trap inserts");
	return prepare_insert_traps(db);
}

int db_open(struct db *db, const char *path, int flags)
{
	int ret;

	*db = (struct db){ 0 };
	keyset_init(&db->sites, sizeof(struct db_site_key), sizeof(struct db_site));
	keyset_init(&db->sums, sizeof(struct db_sum_key), sizeof(struct db_sum));
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
	ret = set_chunk(db);
	if (ret)
		goto err;
	ret = prepare_writes(db);
	if (ret)
		goto err;
	return 0;
err:
	for (int i = 0; i < DB_WRITES; i++)
		sqlite3_finalize(db->write[i]);   /* the open failed already; ret says why */
	sqlite3_close(db->sql);
	db->sql = NULL;
	return ret;
}

static int flush_wait(struct db *db);

int db_close(struct db *db)
{
	/* a run that failed keeps what it traced; one the disk filled has said so */
	int ret = db->full ? 0 : flush_wait(db);

	free(db->rows);
	free(db->dirty);
	db->rows = NULL;
	db->dirty = NULL;
	keyset_free(&db->sites);
	keyset_free(&db->sums);
	for (int i = 0; i < DB_WRITES; i++) {
		if (sqlite3_finalize(db->write[i]) != SQLITE_OK && !ret)
			ret = db_fail(db, "finalize");
		db->write[i] = NULL;
	}
	if (sqlite3_close(db->sql) != SQLITE_OK && !ret)
		ret = db_fail(db, "close");
	db->sql = NULL;
	return ret;
}

int db_run_begin(struct db *db, const struct run_info *ri)
{
	sqlite3_stmt *s;
	int rc = SQLITE_OK, ret;

	if (sqlite3_prepare_v2(db->sql,
		"INSERT INTO runs (guest, guest_sha256, kernel, variant, cmdline, protect,"
		" mode, emulate, placement, accel, deterministic, ring, sym_file, sym_format,"
		" host, cpu, accel_why, sym_check, fastpath, start_time, finished)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " NOW_ISO ", 0)",
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
	rc |= bind_text(s, 19, ri->fastpath);
	ret = rc != SQLITE_OK ? db_fail(db, "bind run") : db_step_done(db, s, "insert run");
	db->run_id = sqlite3_last_insert_rowid(db->sql);
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = db_fail(db, "finalize run insert");
	return ret;
}

int db_slide_symbols(struct db *db, int64_t slide)
{
	sqlite3_stmt *s;
	int ret;

	if (sqlite3_prepare_v2(db->sql, "UPDATE symbols SET addr = addr + ?1,"
			       " paddr = paddr + ?1 WHERE run_id = ?2 AND cpu IS NULL", -1, &s, NULL) != SQLITE_OK)
		return db_fail(db, "prepare symbol slide");
	if (sqlite3_bind_int64(s, 1, slide) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, db->run_id) != SQLITE_OK)
		ret = db_fail(db, "bind symbol slide");
	else
		ret = db_step_done(db, s, "slide symbols");
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = db_fail(db, "finalize symbol slide");
	return ret;
}

/* One symbols row: an image's symbol y at its own address, or (copy) CPU
 * copy->cpu's copy of it, as id. */
static int insert_symbol(struct db *db, size_t id, const struct sym *y, const struct sym_copy *copy)
{
	sqlite3_stmt *s = db->write[DB_INSERT_SYMBOL];
	uint32_t paddr = copy ? copy->paddr : 0;
	bool placed = copy || symtab_paddr(db->st, y->addr, &paddr);
	int rc = SQLITE_OK;

	rc |= sqlite3_bind_int64(s, 1, db->run_id);
	rc |= sqlite3_bind_int64(s, 2, (sqlite3_int64)id);   /* trap_rows.data */
	rc |= bind_text(s, 3, y->name);
	rc |= sqlite3_bind_int64(s, 4, copy ? copy->addr : y->addr);
	rc |= sqlite3_bind_int64(s, 5, y->size);
	rc |= bind_text(s, 6, sym_type_name(y));
	rc |= bind_text(s, 7, y->section);
	rc |= bind_opt_int64(s, 8, placed, paddr);
	rc |= bind_opt_int64(s, 9, copy, copy ? copy->cpu : 0);
	if (rc != SQLITE_OK)
		return db_fail(db, "bind symbol");
	return db_step_done(db, s, "insert symbol");
}

/* The per-CPU copies named since the last commit (symtab_copies), in the
 * transaction of the first rows that refer to them. */
static int insert_copies(struct db *db)
{
	size_t n = 0;
	const struct sym_copy *c = db->st ? symtab_copies(db->st, &n) : NULL;
	int ret = 0;

	for (size_t i = db->copies_stored; i < n && !ret; i++)
		ret = insert_symbol(db, db->st->n + i, &db->st->syms[c[i].sym], &c[i]);
	return ret;
}

int db_add_symbols(struct db *db, const struct symtab *st)
{
	int ret = db_exec(db, "BEGIN IMMEDIATE", "begin symbols");

	if (ret)
		return ret;
	db->st = st;
	for (size_t i = 0; i < st->n && !ret; i++)
		ret = insert_symbol(db, i, &st->syms[i], NULL);
	if (!ret)
		ret = db_exec(db, "COMMIT", "commit symbols");
	if (!ret)
		return 0;
	db->st = NULL;
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

/* The run's site of a trap: found by everything the record shares with the
 * others at its instruction, added (with the code symbols the consumer
 * found) the first time.  Its number, or -ENOMEM. */
static long site_of(struct db *db, const struct trap_event *e)
{
	const struct trap_record *r = e->r;
	struct db_site_key k = {
		.eip = r->eip, .err = r->err, .cs = r->cs, .vector = r->vector, .cpl = r->cpl,
		.size = r->size, .access = r->access, .region = r->region, .emul = r->emul,
		.insn_len = r->insn_len < sizeof(k.insn) ? r->insn_len : sizeof(k.insn),
	};
	bool added;
	long i;

	memcpy(k.insn, r->insn, k.insn_len);
	i = keyset_find(&db->sites, &k, &added);
	if (added) {
		struct db_site *s = keyset_entry(&db->sites, (size_t)i);
		s->code = e->code;
		s->code_file = e->code_file;
		s->code_line = e->code_line;
	}
	return i;
}

/* trap_rows.data: the symbols.id of the symbol holding the address, or
 * what else the symbolizer found (schema.sql). */
static int32_t data_of(const struct db *db, const struct trap_event *e)
{
	if (!e->has_data)
		return DB_NO_DATA;
	if (e->data.pad)
		return -1;
	if (!e->data.name || !db->st || e->data.id > INT32_MAX)
		return -2;
	return (int32_t)e->data.id;
}

static int bind_data(sqlite3_stmt *s, int i, int32_t data)
{
	return data == DB_NO_DATA ? sqlite3_bind_null(s, i) : sqlite3_bind_int(s, i, data);
}

static int insert_site(struct db *db, size_t i)
{
	const struct db_site *y = keyset_entry(&db->sites, i);
	const struct db_site_key *k = &y->k;
	sqlite3_stmt *s = db->write[DB_INSERT_SITE];
	int rc = SQLITE_OK;

	rc |= sqlite3_bind_int64(s, 1, db->run_id);
	rc |= sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
	rc |= sqlite3_bind_int(s, 3, k->vector);
	rc |= sqlite3_bind_int64(s, 4, k->err);
	rc |= sqlite3_bind_int64(s, 5, k->eip);
	rc |= sqlite3_bind_int(s, 6, k->cs);
	rc |= sqlite3_bind_int(s, 7, k->cpl);
	rc |= sqlite3_bind_int(s, 8, k->size);
	rc |= bind_text(s, 9, ring_access_name(k->access));
	rc |= bind_text(s, 10, ring_region_name(k->region));
	rc |= bind_text(s, 11, ring_emul_name(k->emul));
	rc |= k->insn_len ? sqlite3_bind_text(s, 12, hex(db->insn, k->insn, k->insn_len),
					      2 * k->insn_len, SQLITE_TRANSIENT) :
			    sqlite3_bind_null(s, 12);
	rc |= bind_text(s, 13, y->code.name);
	rc |= bind_opt_int64(s, 14, y->code.name, y->code.off);
	rc |= sqlite3_bind_int(s, 15, y->code.pad);
	rc |= bind_text(s, 16, y->code_file);
	rc |= bind_opt_int64(s, 17, y->code_file, y->code_line);
	if (rc != SQLITE_OK)
		return db_fail(db, "bind site");
	return db_step_done(db, s, "insert site");
}

/* One trap_rows row's values into s from column i on. */
static int bind_row(sqlite3_stmt *s, int i, int64_t run_id, const struct db_row *r)
{
	int rc = sqlite3_bind_int64(s, i, run_id << DB_SEQ_BITS | (sqlite3_int64)r->seq);

	rc |= sqlite3_bind_int(s, i + 1, r->kind);
	rc |= sqlite3_bind_int64(s, i + 2, r->site);
	rc |= sqlite3_bind_int64(s, i + 3, r->addr);
	rc |= sqlite3_bind_int64(s, i + 4, (sqlite3_int64)r->gpa);
	rc |= bind_data(s, i + 5, r->data);
	rc |= sqlite3_bind_int64(s, i + 6, r->detail);
	rc |= sqlite3_bind_int64(s, i + 7, (sqlite3_int64)r->tsc_in);
	rc |= sqlite3_bind_int64(s, i + 8, (sqlite3_int64)r->cycles);
	return rc;
}

/* Trap path 4.3: n trap_rows rows (1 or DB_INSERT_ROWS), at commit time. */
static int insert_rows(struct db *db, const struct db_row *rows, unsigned n)
{
	sqlite3_stmt *s = db->write[n == 1 ? DB_INSERT_TRAP : DB_INSERT_TRAPS];
	int rc = SQLITE_OK;

	for (unsigned j = 0; j < n; j++)
		rc |= bind_row(s, 1 + (int)j * TRAP_ROW_COLS, db->run_id, &rows[j]);
	if (rc != SQLITE_OK)
		return db_fail(db, "bind trap");
	return db_step_done(db, s, "insert trap");
}

static void sum_val_add(struct db_sum_val *v, const struct db_sum_val *d)
{
	if (!d->n)
		return;
	if (!v->n || d->min < v->min)
		v->min = d->min;
	if (!v->n || d->max > v->max)
		v->max = d->max;
	if (!v->n || d->first < v->first)
		v->first = d->first;
	if (!v->n || d->last > v->last)
		v->last = d->last;
	v->n += d->n;
	v->cycles += d->cycles;
}

/* The row into its trap_sums group, pending until the commit; -ENOMEM. */
static int sum_row(struct db *db, const struct db_row *r)
{
	struct db_sum_key k = { .gpa = r->gpa, .addr = r->addr, .site = r->site,
				.data = r->data, .kind = r->kind };
	struct db_sum_val one = { .n = 1, .cycles = r->cycles, .min = r->cycles, .max = r->cycles,
				  .first = r->tsc_in, .last = r->tsc_in + r->cycles };
	struct db_sum *u;
	bool added;
	long i = keyset_find(&db->sums, &k, &added);

	if (i < 0)
		return -ENOMEM;
	u = keyset_entry(&db->sums, (size_t)i);
	if (!u->dirty) {
		if (db->ndirty == db->dirty_cap) {
			size_t cap = db->dirty_cap ? 2 * db->dirty_cap : 1024;
			uint32_t *grown = realloc(db->dirty, cap * sizeof(*grown));
			if (!grown)
				return -ENOMEM;
			db->dirty = grown;
			db->dirty_cap = cap;
		}
		db->dirty[db->ndirty++] = (uint32_t)i;
		u->dirty = true;
	}
	sum_val_add(&u->pending, &one);
	return 0;
}

static int insert_sum(struct db *db, size_t i)
{
	const struct db_sum *u = keyset_entry(&db->sums, i);
	sqlite3_stmt *s = db->write[DB_INSERT_SUM];
	struct db_sum_val v = u->stored;
	int rc = SQLITE_OK;

	sum_val_add(&v, &u->pending);
	rc |= sqlite3_bind_int64(s, 1, db->run_id);
	rc |= sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
	rc |= sqlite3_bind_int(s, 3, u->k.kind);
	rc |= sqlite3_bind_int64(s, 4, u->k.site);
	rc |= sqlite3_bind_int64(s, 5, u->k.addr);
	rc |= sqlite3_bind_int64(s, 6, (sqlite3_int64)u->k.gpa);
	rc |= bind_data(s, 7, u->k.data);
	rc |= sqlite3_bind_int64(s, 8, (sqlite3_int64)v.n);
	rc |= sqlite3_bind_int64(s, 9, (sqlite3_int64)v.cycles);
	rc |= sqlite3_bind_int64(s, 10, (sqlite3_int64)v.min);
	rc |= sqlite3_bind_int64(s, 11, (sqlite3_int64)v.max);
	rc |= sqlite3_bind_int64(s, 12, (sqlite3_int64)v.first);
	rc |= sqlite3_bind_int64(s, 13, (sqlite3_int64)v.last);
	if (rc != SQLITE_OK)
		return db_fail(db, "bind trap sum");
	return db_step_done(db, s, "insert trap sum");
}

/* The open transaction ended: its sums are stored (committed) or not. */
static void sums_settle(struct db *db, bool committed)
{
	for (size_t j = 0; j < db->ndirty; j++) {
		struct db_sum *u = keyset_entry(&db->sums, db->dirty[j]);
		if (committed)
			sum_val_add(&u->stored, &u->pending);
		u->pending = (struct db_sum_val){ 0 };
		u->dirty = false;
	}
	db->ndirty = 0;
}

/* The sites not yet stored, the first n pending rows and their sums. */
static int write_rows(struct db *db, unsigned n)
{
	int ret = 0;

	for (size_t i = db->sites_stored; i < db->sites.n && !ret; i++)
		ret = insert_site(db, i);
	if (!ret)
		ret = insert_copies(db);
	for (unsigned i = 0, k; i < n && !ret; i += k) {
		k = n - i >= DB_INSERT_ROWS ? DB_INSERT_ROWS : 1;
		ret = insert_rows(db, &db->rows[db->first + i], k);
	}
	for (unsigned i = 0; i < n && !ret; i++)
		if (sum_row(db, &db->rows[db->first + i])) {
			snprintf(db->err, sizeof(db->err), "trap sums: %s", strerror(ENOMEM));
			ret = -ENOMEM;
		}
	for (size_t j = 0; j < db->ndirty && !ret; j++)
		ret = insert_sum(db, db->dirty[j]);
	return ret;
}

/* The first n pending rows in one transaction: the write lock is held only
 * for this.  On failure they stay pending; -ENOSPC if there was no space. */
static int commit_rows(struct db *db, unsigned n)
{
	int ret = db_exec(db, "BEGIN IMMEDIATE", "begin traps");

	if (!ret)
		ret = write_rows(db, n);
	if (!ret)
		ret = db_exec(db, "COMMIT", "commit traps");
	sums_settle(db, !ret);
	if (ret) {
		bool nospace = db_no_space(db);
		/* SQLite may have rolled back already; best effort, ret says why */
		if (!sqlite3_get_autocommit(db->sql))
			sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		return nospace ? -ENOSPC : ret;
	}
	db->sites_stored = db->sites.n;
	if (db->st)
		symtab_copies(db->st, &db->copies_stored);
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

/* Trap path 4.3: the row joins the batch (only what the record does not
 * share with its site), to be written by flush(). */
int db_add_trap(struct db *db, const struct trap_event *e)
{
	struct db_row *row;
	long site;
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
	if (e->r->seq >> DB_SEQ_BITS) {   /* 2^40 records: 12 days at a million a second */
		snprintf(db->err, sizeof(db->err), "record %llu: more than 2^%d in one run",
			 (unsigned long long)e->r->seq, DB_SEQ_BITS);
		return -EOVERFLOW;
	}
	site = site_of(db, e);
	if (site < 0) {
		snprintf(db->err, sizeof(db->err), "trap sites: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (!db->pending)
		clock_gettime(CLOCK_MONOTONIC, &db->batch_start);
	row = &db->rows[db->first + db->pending++];
	*row = (struct db_row){
		.seq = e->r->seq, .tsc_in = e->r->tsc_in, .cycles = e->r->tsc_out - e->r->tsc_in,
		.gpa = e->r->gpa, .addr = e->r->addr, .detail = e->r->detail,
		.site = (uint32_t)site, .data = data_of(db, e), .kind = e->r->kind,
	};
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
	/* the rows that found no space are lost: the run did not end well.  A
	 * checkpoint may make room for saying so (set_chunk()); best effort */
	db->pending = db->first = 0;
	sqlite3_wal_checkpoint_v2(db->sql, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
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
