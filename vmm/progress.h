/* progress.h — the progress line of `ringmon run` on stderr: elapsed time,
 * guest cycles (instructions under --deterministic), traps per second and
 * traps by kind.  Updated in place on a terminal, a plain line otherwise. */
#ifndef RINGMON_PROGRESS_H
#define RINGMON_PROGRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "trace.h"

#define PROGRESS_INTERVAL_MS 500

struct progress {
	int fd;                       /* where the line goes: stderr */
	bool tty;                     /* update one line in place */
	bool instructions;            /* the TSC counts instructions (-icount) */
	bool shown;                   /* a line is on the terminal now */
	struct timespec start, last;
	uint64_t last_records;
	/* written by the consumer thread, read by the main thread */
	atomic_uint_fast64_t records, counts[KIND_MAX], tsc_first, tsc_last;
};

void progress_init(struct progress *p, int fd, bool tty, bool instructions);

/* Count one record (the consumer thread). */
void progress_note(struct progress *p, const struct trap_record *r);

/* Draw the line; on a terminal only where the guest console left the cursor
 * at the start of a line, so that neither overwrites the other. */
void progress_show(struct progress *p, bool console_bol);

/* Take the line off the terminal: before console output, and at the end. */
void progress_hide(struct progress *p);

#endif
