/* db.h — the SQLite sink: one database file, many runs (trace/schema.sql,
 * documented in docs/database.md). */
#ifndef RINGMON_DB_H
#define RINGMON_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "symbols.h"
#include "trace.h"

#define DB_SCHEMA_VERSION "1"

/* The runs row as known when the run starts. */
struct run_info {
	const char *guest;          /* absolute path */
	const char *guest_sha256;
	const char *kernel;         /* the guest file's basename */
	const char *protect, *mode, *emulate, *placement, *accel;
	const char *host;
	bool deterministic;
};

/* ... and as completed when it ends. */
struct run_end {
	const char *state;          /* exited, killed, timeout, crashed */
	int exit_status;            /* the guest's status byte, -1 if it has none */
	const char *kill_reason;    /* NULL if none */
	bool counters;              /* the monitor stored the counters below */
	uint64_t records, stalls, dropped, counts[KIND_MAX];
};

struct db {
	sqlite3 *sql;
	sqlite3_stmt *insert_trap;
	int64_t run_id;
	unsigned batched;           /* rows in the open transaction */
	struct timespec batch_start;
	char err[256];              /* what failed, when a call returned -EIO */
};

/* Open or create path and bring its schema up to date. */
int db_open(struct db *db, const char *path);
int db_close(struct db *db);

int db_run_begin(struct db *db, const struct run_info *ri);
int db_add_symbols(struct db *db, const struct symtab *st);

/* One trap with the symbols that hold its data address and its EIP (either
 * may be NULL).  Rows are committed every DB_BATCH_ROWS or DB_BATCH_MS. */
#define DB_BATCH_ROWS 4096
#define DB_BATCH_MS   100
int db_add_trap(struct db *db, const struct trap_record *r,
		const struct sym *data, const struct sym *code);

/* Commit the open batch if it is DB_BATCH_MS old. */
int db_flush_due(struct db *db);

/* Commit what is pending and complete the runs row. */
int db_run_end(struct db *db, const struct run_end *re);

#endif
