/* db.h — the SQLite sink: one database file, many runs (trace/schema.sql,
 * documented in docs/database.md). */
#ifndef RINGMON_DB_H
#define RINGMON_DB_H

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "event.h"
#include "keyset.h"
#include "symbols.h"

#define DB_SCHEMA_VERSION "8"

/* trap_rows.id is run_id << DB_SEQ_BITS | seq (trace/schema.sql, whose
 * views say 40 too). */
#define DB_SEQ_BITS 40

/* A trap row waiting for its batch's commit: what differs from record to
 * record (trap_rows); the rest is its site's. */
struct db_row {
	uint64_t seq, tsc_in, cycles, gpa;
	uint32_t addr, detail, site;
	int32_t data;               /* trap_rows.data, DB_NO_DATA for NULL */
	uint8_t kind;
};
#define DB_NO_DATA INT32_MIN

/* The run's dictionaries (keyset.h): sites by everything a trap record
 * shares with others at the same instruction, and the trap_sums groups. */
struct db_site_key {
	uint32_t eip, err;
	uint16_t cs;
	uint8_t vector, cpl, size, access, region, emul, insn_len;
	uint8_t insn[16];
	uint8_t pad[3];
};
struct db_site {
	struct db_site_key k;
	struct sym_ref code;        /* names point into the run's symbol table */
	const char *code_file;
	uint32_t code_line;
};
struct db_sum_key {
	uint64_t gpa;
	uint32_t addr, site;
	int32_t data;
	uint8_t kind, pad[3];
};
struct db_sum_val {
	uint64_t n, cycles, min, max, first, last;
};
struct db_sum {
	struct db_sum_key k;
	struct db_sum_val stored, pending;   /* committed; in the open transaction */
	bool dirty;                 /* pending is in use: number in db->dirty */
};

/* The statements a commit runs, prepared once (db.write[]). */
enum db_write {
	DB_INSERT_TRAP, DB_INSERT_TRAPS, DB_INSERT_SITE, DB_INSERT_SYMBOL, DB_INSERT_SUM, DB_WRITES
};

struct db {
	sqlite3 *sql;
	sqlite3_stmt *write[DB_WRITES];   /* the commit's statements */
	int64_t run_id;
	const struct symtab *st;    /* the run's symbols (db_add_symbols), or NULL */
	struct keyset sites, sums;
	size_t sites_stored;        /* sites[0 ..) committed */
	size_t copies_stored;       /* the symbols' per-CPU copies [0 ..) committed */
	uint32_t *dirty;            /* sums changed by the open transaction */
	size_t ndirty, dirty_cap;
	/* The batch is gathered in memory and written in one short transaction,
	 * so the write lock is held per commit, not while the guest runs: other
	 * writers of the file (a sweep, a second run) get it in between. */
	struct db_row *rows;        /* DB_BATCH_ROWS, allocated at the first trap */
	unsigned first, pending;    /* rows[first ..] gathered, not yet committed */
	struct timespec batch_start;
	uint64_t stored;            /* trap rows of this run committed */
	/* No space (a full disk, or the file-size limit): since when, and when
	 * to try again; full once DB_HOLD_S have passed without progress. */
	struct timespec nospace_since, retry_at;
	unsigned chunk;             /* rows a transaction while there is no space */
	bool nospace, full;
	char insn[2 * sizeof(((struct trap_record *)0)->insn) + 1];   /* bound as text */
	char err[256];              /* what failed, when a call returned -errno */
};

/* Open or create path and bring its schema up to date.  flags: more SQLite
 * open flags (SQLITE_OPEN_URI when path is a URI, for ATTACHing others).
 * -EINVAL: an empty name, or a file that is neither empty nor a ringmon
 * database (left untouched); -EPROTO: another schema version; -EROFS: the
 * file cannot be written.  db_refused() is true for these: bad input. */
int db_open(struct db *db, const char *path, int flags);
int db_close(struct db *db);

static inline bool db_refused(int err)
{
	return err == -EINVAL || err == -EPROTO || err == -EROFS;
}

/* 0 if path (exists) or the directory to create it in (!exists) can be
 * written; else -EROFS and why in err[len]. */
int db_writable(const char *path, bool exists, char *err, size_t len);

int db_run_begin(struct db *db, const struct run_info *ri);
int db_add_symbols(struct db *db, const struct symtab *st);
/* The run's symbols are slide bytes higher, virtual and physical, from now
 * on (a relocated kernel's). */
int db_slide_symbols(struct db *db, int64_t slide);

/* One symbolized trap.  Rows are committed every DB_BATCH_ROWS or
 * DB_BATCH_MS, so a killed ringmon loses at most that much.  When a commit
 * finds no space, the rows stay pending and are tried again every
 * DB_RETRY_MS, DB_NOSPACE_CHUNK rows a transaction (to store what fits);
 * a trap that finds the batch full is refused with -EAGAIN (the consumer
 * holds the monitor and offers it again), and after DB_HOLD_S without
 * progress every call fails with -ENOSPC (db->full). */
#define DB_BATCH_ROWS 16384
#define DB_BATCH_MS   100
#define DB_RETRY_MS   100
#define DB_HOLD_S     10
#define DB_NOSPACE_CHUNK 64
#define DB_INSERT_ROWS 64   /* rows per INSERT statement, the rest one by one */
#define DB_WAL_CHECKPOINT_PAGES "1000"   /* PRAGMA wal_autocheckpoint */
#define DB_CHUNK_BYTES (64 * 1024)        /* SQLITE_FCNTL_CHUNK_SIZE */
int db_add_trap(struct db *db, const struct trap_event *e);

/* Commit the batch if it is DB_BATCH_MS old, or retry one that found no
 * space; -EAGAIN while that is still failing. */
int db_flush_due(struct db *db);

/* Commit what is pending (waiting up to DB_HOLD_S for space) and complete
 * the runs row.  Rows that could not be stored make the run crashed, with
 * why as its kill_reason, if there is room for that. */
int db_run_end(struct db *db, const struct run_end *re);

#endif
