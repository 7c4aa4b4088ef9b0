/* rundb.c — a ringmon database opened for reading: a report never creates
 * a file, never writes one, and reads only its own schema version. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "db.h"
#include "rundb.h"
#include "sql.h"

static int fail(struct rundb *r, int ret, const char *what)
{
	sql_fail(r->db, r->err, sizeof(r->err), r->path, what);
	return ret;
}

int rundb_check(struct rundb *r, int step)
{
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : fail(r, -EIO, "query");
}

int rundb_finish(struct rundb *r, sqlite3_stmt *s, int ret)
{
	if (sqlite3_finalize(s) != SQLITE_OK && !ret)
		ret = fail(r, -EIO, "query");
	return ret;
}

int rundb_prepare(struct rundb *r, sqlite3_stmt **s, const char *sql, int64_t run)
{
	if (sqlite3_prepare_v2(r->db, sql, -1, s, NULL) != SQLITE_OK)
		return fail(r, -EIO, "query");
	if (sqlite3_bind_parameter_count(*s) && sqlite3_bind_int64(*s, 1, run) != SQLITE_OK) {
		fail(r, -EIO, "query");
		sqlite3_finalize(*s);   /* the bind failed already: err says why */
		return -EIO;
	}
	return 0;
}

int rundb_int(struct rundb *r, const char *sql, int64_t run, int64_t *v)
{
	sqlite3_stmt *s;
	int step, ret = rundb_prepare(r, &s, sql, run);

	*v = 0;
	if (ret)
		return ret;
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	return rundb_finish(r, s, rundb_check(r, step));
}

const char *rundb_text(sqlite3_stmt *s, int col, const char *dflt)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	return t ? (const char *)t : dflt;
}

/* A WAL database can be read without writing only if its -shm file can be
 * created, or it is immutable.  On a read-only filesystem nothing can change
 * it, so it is -- unless a -wal file holds commits not yet checkpointed. */
static bool immutable_here(const char *path)
{
	struct statvfs fs;
	struct stat wal;
	char *wal_path = sqlite3_mprintf("%s-wal", path);
	bool unwritten = !wal_path || (!stat(wal_path, &wal) && wal.st_size);

	sqlite3_free(wal_path);
	return !statvfs(path, &fs) && (fs.f_flag & ST_RDONLY) && !unwritten;
}

char *rundb_uri(const char *path, bool readonly)
{
	sqlite3_str *u = sqlite3_str_new(NULL);

	sqlite3_str_appendall(u, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-~", *p))
			sqlite3_str_appendchar(u, 1, (char)*p);
		else
			sqlite3_str_appendf(u, "%%%02X", *p);
	if (readonly)
		sqlite3_str_appendall(u, immutable_here(path) ? "?immutable=1" : "?mode=ro");
	if (sqlite3_str_errcode(u) != SQLITE_OK) {
		sqlite3_free(sqlite3_str_finish(u));
		return NULL;
	}
	return sqlite3_str_finish(u);
}

int rundb_open(struct rundb *r, const char *path)
{
	char version[16] = "";
	struct stat st;
	sqlite3_stmt *s;
	char *uri;
	int step, ret;

	*r = (struct rundb){ .path = path };
	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		snprintf(r->err, sizeof(r->err), "%s: no such database file", path);
		return -ENOENT;
	}
	uri = rundb_uri(path, true);
	if (!uri)
		return fail(r, -ENOMEM, "open");
	ret = sqlite3_open_v2(uri, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	sqlite3_free(uri);
	if (ret != SQLITE_OK)
		return fail(r, -EIO, "open");
	if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key = 'schema_version'",
			       -1, &s, NULL) != SQLITE_OK)
		return fail(r, -EINVAL, "not a ringmon database");
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		snprintf(version, sizeof(version), "%s", rundb_text(s, 0, ""));
	ret = rundb_finish(r, s, rundb_check(r, step));
	if (ret)
		return ret;
	if (strcmp(version, DB_SCHEMA_VERSION)) {
		snprintf(r->err, sizeof(r->err),
			 "%s: database schema version '%s', this ringmon reads version %s",
			 path, version, DB_SCHEMA_VERSION);
		return -EINVAL;
	}
	return 0;
}

void rundb_close(struct rundb *r)
{
	sqlite3_close(r->db);   /* read-only: nothing a failed close could lose */
	r->db = NULL;
}

int rundb_latest(struct rundb *r, int64_t *run)
{
	return rundb_int(r, "SELECT max(id) FROM runs", 0, run);
}

int rundb_exists(struct rundb *r, int64_t run, bool *exists)
{
	int64_t n;
	int ret = rundb_int(r, "SELECT count(*) FROM runs WHERE id = ?1", run, &n);

	*exists = n > 0;
	return ret;
}
