/* report.h — the sections of `ringmon report` (report.c) that live in files
 * of their own: the hotspot table (hotspots.c), the page map of the
 * protected pages (pagemap.c) and the trap rate over time (timeline.c). */
#ifndef RINGMON_REPORT_H
#define RINGMON_REPORT_H

#include "doc.h"
#include "measures.h"
#include "rundb.h"

struct report_ctx {
	struct rundb *db;
	const struct run_measures *m;
	struct doc *doc;
	const char *dir;    /* where charts go; NULL: Markdown only, no charts */
	char err[400];      /* why a section returned -errno */
};

int report_hotspots(struct report_ctx *rc);
int report_pagemap(struct report_ctx *rc);
int report_timeline(struct report_ctx *rc);

/* A chart's failure, or the database's, as rc->err. */
int report_fail(struct report_ctx *rc, int ret, const char *why);

#endif
