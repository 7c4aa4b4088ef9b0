/* ring.c — append trap records to the shared ring, losslessly: a full ring
 * stalls the monitor (and with it the guest) until the host catches up. */
#include "ring.h"
#include "kill.h"
#include "lib.h"
#include "pic.h"
#include "x86.h"

static struct ring_header *const hdr = (struct ring_header *)RING_PHYS;
static struct trap_record *const slots = (struct trap_record *)RING_RECORDS_PHYS;

void ring_init(uint32_t capacity)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->version = RING_VERSION;
	hdr->record_size = sizeof(struct trap_record);
	hdr->capacity = capacity;
	hdr->state = RING_STATE_RUNNING;
	barrier();
	hdr->magic = RING_MAGIC;   /* last: the host waits for it */
}

void ring_commit(struct trap_record *r)
{
	uint32_t head = hdr->head;
	if (head - hdr->tail >= hdr->capacity) {
		hdr->stalls++;
		pic_stall_begin();   /* the guest must not be billed for the wait */
		while (head - hdr->tail >= hdr->capacity)
			cpu_relax();
		pic_stall_end();
	}
	r->seq = hdr->records++;
	if (r->kind < KIND_MAX)
		hdr->counts[r->kind]++;
	if (!r->tsc_out)   /* the fast path's records carry their own */
		r->tsc_out = rdtsc();
	slots[head & (hdr->capacity - 1)] = *r;
	barrier();   /* x86 keeps stores in order; the compiler must too */
	hdr->head = head + 1;
	if (hdr->stop)   /* the guest is between instructions here */
		vcpu_stopped();
}

void ring_finish(enum ring_state state, uint32_t exit_status, const char *reason)
{
	if (reason && !hdr->reason[0])
		snformat(hdr->reason, sizeof(hdr->reason), "%s", reason);
	hdr->exit_status = exit_status;
	barrier();
	hdr->state = state;
	while (hdr->tail != hdr->head)
		cpu_relax();
}
