/* ring.h — the host end of the trace ring (trace/trace.h): a consumer thread
 * copies records out of guest RAM, checks them and hands them to a sink. */
#ifndef RINGMON_RING_H
#define RINGMON_RING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "trace.h"

/* Where records go.  Both callbacks run on the consumer thread and return 0
 * or -errno; an error ends the run (the sink keeps its own message), except
 * -EAGAIN: the sink cannot write for now.  A record refused so stays in the
 * ring and is offered again, so the monitor waits on the full ring instead of
 * anything being lost; the sink bounds how long (docs/database.md). */
struct trap_sink {
	int (*record)(void *ctx, const struct trap_record *r);   /* in seq order */
	int (*idle)(void *ctx);   /* the ring is empty for now: flush what is due */
	void *ctx;
};

struct ring_consumer {
	struct ring_header *hdr;
	const struct trap_record *slots;
	struct trap_sink sink;
	atomic_bool qemu_gone;    /* no more records can come */
	int done_fd;              /* eventfd, readable once the thread has ended */
	pthread_t thread;

	/* Results, final after ring_stop(); records and counts also feed the
	 * check against the monitor's own counters. */
	int err;                  /* 0, or -errno: why[] says why, "" if the sink */
	char why[192];
	bool started;             /* the monitor initialised the ring */
	uint64_t records;         /* records consumed */
	uint64_t counts[KIND_MAX];
};

/* window maps guest-physical RING_PHYS onwards (RING_WINDOW bytes). */
#define RING_WINDOW (MONITOR_PHYS - RING_PHYS)
int ring_start(struct ring_consumer *rc, void *window, const struct trap_sink *sink);

/* After QEMU has exited: consume what is left, join the thread, return err. */
int ring_stop(struct ring_consumer *rc);

/* The strings of the ABI enums (traps.kind, .region, .access, .emul); NULL
 * for "none" and for values outside the ABI. */
const char *ring_kind_name(unsigned kind);
const char *ring_region_name(unsigned region);
const char *ring_access_name(unsigned access);
const char *ring_emul_name(unsigned emul);

#endif
