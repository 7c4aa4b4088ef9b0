/* sinks.h — where a run's events go (--sink): the SQLite database (db.c),
 * the LTTng-UST provider (trace/ringmon_tp.h) and text lines on stderr
 * (sink_text.c), in any combination. */
#ifndef RINGMON_SINKS_H
#define RINGMON_SINKS_H

#include <stdio.h>

#include "db.h"
#include "event.h"

/* Bit i of a sink mask is sink_names[i]. */
enum sink_kind {
	SINK_SQLITE = 1 << 0,
	SINK_LTTNG = 1 << 1,
	SINK_TEXT = 1 << 2,
};
#define SINK_COUNT 3
extern const char *const sink_names[SINK_COUNT];

struct sinks {
	unsigned mask;              /* enum sink_kind bits */
	struct db db;               /* SINK_SQLITE */
	const char *db_path;
	FILE *text;                 /* SINK_TEXT: a buffered copy of text_fd */
	uint64_t text_next;         /* seq after the last record given to it */
	uint64_t text_flushed;      /* seq of the first record not surely written */
	char failed[160];           /* a sink that failed and was dropped, "" if none */
	char err[512];              /* what failed, after a call returned -errno */
};

/* A failing text sink (a closed pipe, a full disk) is closed and dropped
 * from the mask, the run goes on with the others: failed[] says which sink,
 * why, and from which record on it lacks records.  Only the database's own
 * failures end the run (returned as -errno with err[]). */

/* Open what mask asks for: the database at db_path, the text sink on text_fd. */
int sinks_open(struct sinks *s, unsigned mask, const char *db_path, int text_fd);
int sinks_close(struct sinks *s);

/* The run's row and symbols, and ringmon:run_begin.  Sets s->db.run_id. */
int sinks_run_begin(struct sinks *s, const struct run_info *ri, const struct symtab *st);
/* The run's symbols moved by slide, as the kernel did (symtab_set_slide). */
int sinks_symbols_slid(struct sinks *s, int64_t slide);

/* One trap (trap path 4.3); e->run_id is filled in here. */
int sinks_trap(struct sinks *s, struct trap_event *e);

/* The ring is empty for now: commit what is due. */
int sinks_idle(struct sinks *s);

/* The runs row completed; a dropped sink's failed[] is added to its
 * kill_reason (after the run's own reason, if any). */
int sinks_run_end(struct sinks *s, const struct run_end *re);

/* The text sink (sink_text.c). */
int text_trap(FILE *f, const struct trap_event *e);

#endif
