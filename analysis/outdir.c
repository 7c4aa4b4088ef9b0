/* outdir.c — what report and compare share at the command layer: opening
 * the database and choosing runs (usage errors exit), and the output
 * directory with its report.md and index.html. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "outdir.h"

/* mkdir -p */
static int make_dirs(const char *dir)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			return 0;
	}
}

static FILE *report_file(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		pr_err("%s: %s", path, strerror(errno));
	return f;
}

int report_open_dir(const char *cmd, const char *dir, struct doc *doc)
{
	int ret = make_dirs(dir);

	if (ret) {
		pr_err("%s: %s: %s", cmd, dir, strerror(-ret));
		return EXIT_DB;
	}
	doc->md = report_file(dir, "report.md");
	doc->html = doc->md ? report_file(dir, "index.html") : NULL;
	return doc->html ? 0 : EXIT_DB;
}

int report_close_dir(const char *cmd, const char *dir, struct doc *doc, int ret)
{
	int err = doc_end(doc);

	if (err && !ret) {
		pr_err("%s: %s: %s", cmd, dir, strerror(-err));
		ret = EXIT_DB;
	}
	if (doc->md && doc->md != stdout && fclose(doc->md) && !ret) {
		pr_err("%s: %s/report.md: %s", cmd, dir, strerror(errno));
		ret = EXIT_DB;
	}
	if (doc->html && fclose(doc->html) && !ret) {
		pr_err("%s: %s/index.html: %s", cmd, dir, strerror(errno));
		ret = EXIT_DB;
	}
	return ret;
}

/* --run ID (or the latest run) of an open database; usage errors exit. */
int64_t report_pick_run(const char *cmd, struct rundb *db, const char *arg)
{
	int64_t run = 0;
	bool exists = false;
	char *end;
	int ret;

	if (arg) {
		run = strtoll(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end || run < 1)
			usage_err("%s: --run: '%s' is not a run id", cmd, arg);
		ret = rundb_exists(db, run, &exists);
	} else
		ret = rundb_latest(db, &run);
	if (ret) {
		pr_err("%s", db->err);
		return -1;
	}
	if (arg && !exists)
		usage_err("%s: %s has no run %s", cmd, db->path, arg);
	if (!run)
		usage_err("%s: %s has no runs yet", cmd, db->path);
	return run;
}

/* Opening a database: a missing file is a usage error, like a bad option. */
int report_open_db(const char *cmd, struct rundb *db, const char *path)
{
	int ret = rundb_open(db, path);

	if (ret == -ENOENT)
		usage_err("%s: %s", cmd, db->err);
	if (ret) {
		pr_err("%s", db->err);
		rundb_close(db);
		return EXIT_DB;
	}
	return 0;
}

