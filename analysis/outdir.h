/* outdir.h — the command layer shared by report and compare (outdir.c):
 * these print their own messages and return EXIT_DB (or exit on a usage
 * error). */
#ifndef RINGMON_OUTDIR_H
#define RINGMON_OUTDIR_H

#include <stdint.h>

#include "doc.h"
#include "rundb.h"

#define EXIT_DB 1   /* the database could not be read, or the report written */

/* rundb_open; a missing file is a usage error.  0 or EXIT_DB. */
int report_open_db(const char *cmd, struct rundb *db, const char *path);

/* --run ID, checked, or the latest run without one; -1 after a message. */
int64_t report_pick_run(const char *cmd, struct rundb *db, const char *arg);

/* mkdir -p DIR, then DIR/report.md and DIR/index.html as doc's streams. */
int report_open_dir(const char *cmd, const char *dir, struct doc *doc);

/* doc_end, then closes what report_open_dir opened; ret, or EXIT_DB if ret
 * was 0 and something failed. */
int report_close_dir(const char *cmd, const char *dir, struct doc *doc, int ret);

#endif
