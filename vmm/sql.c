/* sql.c — what every SQLite user here (vmm/db.c, vmm/merge.c,
 * analysis/rundb.c) shares: one way to say what failed, with the system's
 * errno where SQLite's own message does not say it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "sql.h"

/* Whether a file of the database (or its WAL) has reached the file-size
 * limit: the write past it failed with EFBIG. */
static bool at_size_limit(sqlite3 *sql)
{
	const char *file = sqlite3_db_filename(sql, "main");
	struct rlimit lim;
	bool at = false;

	if (!file || !file[0] || getrlimit(RLIMIT_FSIZE, &lim) || lim.rlim_cur == RLIM_INFINITY)
		return false;
	for (int wal = 0; wal < 2 && !at; wal++) {
		char *name = sqlite3_mprintf("%s%s", file, wal ? "-wal" : "");
		struct stat st;

		/* SQLite writes up to a page (64 KiB at most) at a time */
		at = name && !stat(name, &st) && (rlim_t)st.st_size + 65536 > lim.rlim_cur;
		sqlite3_free(name);
	}
	return at;
}

/* The errno behind SQLite's last error, 0 if none is known.  SQLite reads
 * errno after the fact, so EFBIG may be lost by then: the limit tells. */
int sql_errno(sqlite3 *sql)
{
	int code = sqlite3_extended_errcode(sql) & 0xff, sys = sqlite3_system_errno(sql);

	if (code == SQLITE_IOERR && (!sys || sys == EIO) && at_size_limit(sql))
		return EFBIG;
	return sys;
}

void sql_errmsg(sqlite3 *sql, char *out, size_t len)
{
	int code = sql ? sqlite3_extended_errcode(sql) & 0xff : SQLITE_NOMEM;
	int sys = sql ? sql_errno(sql) : 0;
	/* "disk I/O error", "unable to open database file": the system's errno
	 * says which (read-only, no space, file too large) */
	bool say = sys && (code == SQLITE_IOERR || code == SQLITE_CANTOPEN || code == SQLITE_FULL);

	snprintf(out, len, "%s%s%s%s", sql ? sqlite3_errmsg(sql) : "out of memory",
		 say ? " (" : "", say ? strerror(sys) : "", say ? ")" : "");
}

int sql_fail(sqlite3 *sql, char *err, size_t len, const char *where, const char *what)
{
	char msg[200];

	sql_errmsg(sql, msg, sizeof(msg));
	snprintf(err, len, "%s%s%s: %s", where ? where : "", where ? ": " : "", what, msg);
	return -EIO;
}

int sql_exec(sqlite3 *sql, const char *stmt, char *err, size_t len, const char *where,
	     const char *what)
{
	if (sqlite3_exec(sql, stmt, NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(sql, err, len, where, what);
	return 0;
}
