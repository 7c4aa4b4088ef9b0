/* rundb.h — reading a ringmon database (docs/database.md) for the analysis
 * commands: opened read-only, its schema version checked, statements bound
 * to one run.  Calls return 0 or -errno and leave the reason in err. */
#ifndef RINGMON_RUNDB_H
#define RINGMON_RUNDB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct rundb {
	const char *path;
	sqlite3 *db;
	char err[320];
};

/* -ENOENT: no such file; -EINVAL: not a ringmon database, or another
 * schema version; -EIO: SQLite failed. */
int rundb_open(struct rundb *r, const char *path);
void rundb_close(struct rundb *r);

/* path as an SQLite URI (for SQLITE_OPEN_URI, ATTACH): with readonly, for
 * reading only -- immutable on a read-only filesystem, where SQLite could
 * not create the -shm file WAL readers share.  sqlite3_free() it; NULL on
 * out of memory. */
char *rundb_uri(const char *path, bool readonly);

/* sql with ?1 (if it has one) bound to run. */
int rundb_prepare(struct rundb *r, sqlite3_stmt **s, const char *sql, int64_t run);

/* The rows of run ?1 in trap_rows, whose key is run_id << 40 | seq
 * (trace/schema.sql): one range of the table, read in seq order. */
#define RUNDB_TRAP_ROWS "trap_rows WHERE id >= ?1 << 40 AND id < (?1 + 1) << 40"

/* The step result turned into 0 (SQLITE_ROW or SQLITE_DONE) or -EIO. */
int rundb_check(struct rundb *r, int step);

/* Finalize s; -EIO if that reports an error and ret is still 0. */
int rundb_finish(struct rundb *r, sqlite3_stmt *s, int ret);

/* One integer: the first column of the first row of sql (?1 = run); *v is 0
 * if there is no row or it is NULL. */
int rundb_int(struct rundb *r, const char *sql, int64_t run, int64_t *v);

/* A text column, or dflt where it is NULL. */
const char *rundb_text(sqlite3_stmt *s, int col, const char *dflt);

/* The latest run (0 if there is none), or whether run exists. */
int rundb_latest(struct rundb *r, int64_t *run);
int rundb_exists(struct rundb *r, int64_t run, bool *exists);

#endif
