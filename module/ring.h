/* ring.h — the monitor's side of the trace ring (format in trace.h). */
#ifndef RING_H
#define RING_H

#include "trace.h"

void ring_init(uint32_t capacity);
/* Stamp tsc_out and seq, append; waits while the ring is full. */
void ring_commit(struct trap_record *r);
/* Final state for the host, then wait until it consumed every record. */
void ring_finish(enum ring_state state, uint32_t exit_status, const char *reason);

#endif
