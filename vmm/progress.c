/* progress.c — the progress line.  The consumer thread counts records into
 * atomics; the main thread draws the line from them on a timer, and takes it
 * off the terminal whenever the guest console is about to write there. */
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "progress.h"
#include "ring.h"

#define ERASE_LINE "\r\033[K"

void progress_init(struct progress *p, int fd, bool tty, bool instructions)
{
	*p = (struct progress){ .fd = fd, .tty = tty, .instructions = instructions };
	atomic_init(&p->records, 0);
	for (unsigned k = 0; k < KIND_MAX; k++)
		atomic_init(&p->counts[k], 0);
	atomic_init(&p->tsc_first, 0);
	atomic_init(&p->tsc_last, 0);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

void progress_note(struct progress *p, const struct trap_record *r)
{
	if (!r->seq)
		atomic_store_explicit(&p->tsc_first, r->tsc_in, memory_order_relaxed);
	atomic_store_explicit(&p->tsc_last, r->tsc_out, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->counts[r->kind], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->records, 1, memory_order_relaxed);
}

static double seconds(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) + (to->tv_nsec - from->tv_nsec) / 1e9;
}

static void put(struct progress *p, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(p->fd, s, n);
		if (w <= 0)
			return;   /* a progress line is not worth failing a run for */
		s += w;
		n -= (size_t)w;
	}
}

/* The terminal's width, so that the line never wraps (\r could not undo it). */
static size_t width(const struct progress *p)
{
	struct winsize ws;
	if (p->tty && !ioctl(p->fd, TIOCGWINSZ, &ws) && ws.ws_col > 1)
		return ws.ws_col - 1u;
	return 512;
}

void progress_show(struct progress *p, bool console_bol)
{
	uint64_t records = atomic_load_explicit(&p->records, memory_order_relaxed);
	uint64_t first = atomic_load_explicit(&p->tsc_first, memory_order_relaxed);
	uint64_t last = atomic_load_explicit(&p->tsc_last, memory_order_relaxed);
	char line[600];
	struct timespec now;
	double dt;
	size_t n, max = width(p);

	if (p->tty && !console_bol)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = seconds(&p->last, &now);
	n = (size_t)snprintf(line, sizeof(line), "%sringmon: %.1f s, %llu guest %s, %.0f traps/s",
			     p->tty ? ERASE_LINE : "", seconds(&p->start, &now),
			     (unsigned long long)(records ? last - first : 0),
			     p->instructions ? "instructions" : "cycles",
			     dt > 0 ? (double)(records - p->last_records) / dt : 0.0);
	for (unsigned k = 1; k < KIND_MAX && n < sizeof(line); k++) {
		uint64_t c = atomic_load_explicit(&p->counts[k], memory_order_relaxed);
		if (c)
			n += (size_t)snprintf(line + n, sizeof(line) - n, ", %s %llu",
					      ring_kind_name(k), (unsigned long long)c);
	}
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (n > max + (p->tty ? sizeof(ERASE_LINE) - 1 : 0))
		n = max + (p->tty ? sizeof(ERASE_LINE) - 1 : 0);
	if (!p->tty)
		line[n++] = '\n';
	put(p, line, n);
	p->shown = p->tty;
	p->last = now;
	p->last_records = records;
}

void progress_hide(struct progress *p)
{
	if (p->shown)
		put(p, ERASE_LINE, sizeof(ERASE_LINE) - 1);
	p->shown = false;
}
