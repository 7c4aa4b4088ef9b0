/* sweep_progress.c — the sweep's progress line: on a terminal one line
 * updated in place, messages above it. */
#include <stdarg.h>
#include <stdio.h>

#include "sweep.h"

#define ERASE_LINE "\r\033[K"

/* On a terminal one line updated in place; otherwise a line when jobs have
 * ended since the last. */
void sweep_show_progress(struct sweep *s)
{
	if (!s->tty && s->done == s->done_shown)
		return;
	s->done_shown = s->done;
	fprintf(stderr, "%sringmon: sweep: %zu/%zu done, %zu failed, %zu running%s",
		s->tty ? ERASE_LINE : "", s->done, s->n_jobs, s->failed, s->running,
		s->tty ? "" : "\n");
	s->shown = s->tty;
}

/* A line of its own, under the progress line. */
void sweep_say(struct sweep *s, const char *fmt, ...)
{
	va_list ap;

	if (s->shown)
		fputs(ERASE_LINE, stderr);
	s->shown = false;
	fputs("ringmon: sweep: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
