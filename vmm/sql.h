/* sql.h — the SQLite helpers vmm/ and analysis/ share (sql.c). */
#ifndef RINGMON_SQL_H
#define RINGMON_SQL_H

#include <sqlite3.h>
#include <stddef.h>

/* The errno behind SQLite's last error, 0 if none is known. */
int sql_errno(sqlite3 *sql);

/* sqlite3_errmsg(sql), with the system's errno where SQLite's message is
 * only "disk I/O error" or "unable to open database file"; sql NULL: out of
 * memory (sqlite3_open failed to allocate). */
void sql_errmsg(sqlite3 *sql, char *out, size_t len);

/* "where: what: message" (without "where: " when where is NULL) into
 * err[len]; returns -EIO, for `return sql_fail(...)`. */
int sql_fail(sqlite3 *sql, char *err, size_t len, const char *where, const char *what);

/* sqlite3_exec of stmt; on failure sql_fail(). */
int sql_exec(sqlite3 *sql, const char *stmt, char *err, size_t len, const char *where,
	     const char *what);

#endif
