/* db.h — the SQLite sink: one database file, many runs (trace/schema.sql,
 * documented in docs/database.md). */
#ifndef RINGMON_DB_H
#define RINGMON_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "event.h"
#include "symbols.h"

#define DB_SCHEMA_VERSION "3"

struct db {
	sqlite3 *sql;
	sqlite3_stmt *insert_trap;
	int64_t run_id;
	unsigned batched;           /* rows in the open transaction */
	struct timespec batch_start;
	char insn[2 * sizeof(((struct trap_record *)0)->insn) + 1];   /* bound as text */
	char err[256];              /* what failed, when a call returned -EIO */
};

/* Open or create path and bring its schema up to date. */
int db_open(struct db *db, const char *path);
int db_close(struct db *db);

int db_run_begin(struct db *db, const struct run_info *ri);
int db_add_symbols(struct db *db, const struct symtab *st);

/* One symbolized trap.  Rows are committed every DB_BATCH_ROWS or
 * DB_BATCH_MS, so a killed ringmon loses at most that much. */
#define DB_BATCH_ROWS 16384
#define DB_BATCH_MS   100
#define DB_WAL_CHECKPOINT_PAGES "10000"   /* PRAGMA wal_autocheckpoint */
int db_add_trap(struct db *db, const struct trap_event *e);

/* Commit the open batch if it is DB_BATCH_MS old. */
int db_flush_due(struct db *db);

/* Commit what is pending and complete the runs row. */
int db_run_end(struct db *db, const struct run_end *re);

#endif
