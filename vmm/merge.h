/* merge.h — copying the runs of one ringmon database into another, with new
 * run ids (`ringmon merge`, and the end of `ringmon sweep`).  Calls return 0
 * or -errno and leave the reason, naming the file, in err. */
#ifndef RINGMON_MERGE_H
#define RINGMON_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct merge {
	struct db out;
	const char *path;           /* OUT */
	/* what the last merge_add() copied: runs first .. first + runs - 1 */
	int64_t first, runs, rows;  /* rows: of the tables keyed by run */
	char err[512];
};

/* 0 if path is a ringmon database of this schema version (-ENOENT if it
 * does not exist, -EINVAL if it is something else). */
int merge_check(const char *path, char *err, size_t len);

/* 0 if runs can be merged into path: it is missing, empty, or passes
 * merge_check().  Nothing is created. */
int merge_check_out(const char *path, char *err, size_t len);

/* Open OUT, creating it if missing, after merge_check_out(). */
int merge_open(struct merge *m, const char *out);

/* Copy every run of in, and every row keyed by them, into OUT in one
 * transaction, and check the counts: on failure OUT holds none of it. */
int merge_add(struct merge *m, const char *in);

int merge_close(struct merge *m);

#endif
