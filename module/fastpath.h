/* fastpath.h — the protected-access path (paccess.h) run cheaply: a guest
 * access to a protected frame the monitor has carried out once by decoding
 * is carried out again without leaving the guest's address space (no CR3
 * or GDTR switch).  The guest's side (fastpath.c) is switcher code
 * (monitor.ld); the monitor's side (fastctl.c) arms it, fills its
 * translations and hands its records to the ring. */
#ifndef FASTPATH_H
#define FASTPATH_H

#include <stdint.h>
#include "emuframe.h"
#include "paccess.h"
#include "trace.h"
#include "trap.h"

/* Called by trap_common, still in the guest's address space, for every
 * trap: 1 if the trap was handled here (the guest resumes as it is), 0 to
 * take the monitor's full path. */
int fast_trap(struct trap_frame *f);

/* What the monitor tells the fast path at the end of each full trap:
 * whether it may run until the next one (nothing pending that the full path
 * must see: an IRQ to deliver, a single step), whether accessed bits wait
 * to be copied to the guest's GDT or LDT, the frame the guest resumes with
 * (its segment bases are kept), the guest's mode (real GDT and shadow:
 * GDT_KERNEL or GDT_USER), virtual CPL and the selector behind a CS in a
 * cache slot (segments.c). */
void fast_arm(int allowed, int seg_pending, const struct trap_frame *f, int mode,
	      uint8_t cpl, uint16_t cs_cached);

/* The translation of linear page lin in the guest's current mode, which the
 * full path just carried a protected access out on by decoding: frame gpa,
 * writable the guest's tables let this mode write it with the dirty bit
 * already set; pinned the shadow maps it to the in-place GDT (shadow_pin),
 * where every access faults.  A TLB entry, no more: what an access there is,
 * the fast path asks paccess.c at each trap, of gpa's entry in pacc_table
 * (any change of that table flushes the shadows, and with them this TLB). */
void fast_remember(uint32_t lin, uint32_t gpa, int writable, int pinned);

/* The guest's translations changed (every shadow change): forget them all. */
void fast_forget(void);

/* Hand the records the fast path buffered to the ring, in order (trap.c,
 * first thing on every full entry, and ring.c before the run ends). */
void fast_flush(void);

/* --- shared by fastpath.c and fastctl.c alone --------------------------- */
#define FAST_PAGES   8          /* remembered pages, both modes together */
#define FAST_RECORDS 64         /* records buffered between full entries */
#define FAST_WINDOW  (SWITCHER_BASE + 0x100000u)   /* FAST_PAGES windows */

struct fast_page {
	uint32_t lin, gpa;      /* page-aligned */
	const struct pacc_frame *fr;   /* gpa's in pacc_table */
	uint8_t writable, pinned, valid, mode;
};

struct fast_state {
	int armed, seg_pending;
	uint8_t mode, cpl;
	uint16_t cs_cached;
	struct seg_memo bases;  /* the real tables change on full entries only */
	unsigned next;          /* round-robin victim */
	unsigned n_recs;
	struct fast_page pages[FAST_PAGES];   /* page i is mapped at window i */
	struct trap_record recs[FAST_RECORDS];
};
extern struct fast_state fast;   /* in the switcher (fastpath.c) */

/* The remembered page holding lin in the current mode, or 0; its window. */
struct fast_page *fast_lookup(uint32_t lin);
uint8_t *fast_window(const struct fast_page *p);

#endif
