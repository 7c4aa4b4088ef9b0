/* fastpath.h — the protected-page fast path: a guest access to a protected
 * frame that the monitor has already carried out once by decoding is
 * carried out again without leaving the guest's address space (no CR3 or
 * GDTR switch).  Its code and data live in the switcher, together with the
 * decoder and the emulator (monitor.ld), so they are mapped everywhere. */
#ifndef FASTPATH_H
#define FASTPATH_H

#include <stdint.h>
#include "emulate.h"
#include "trap.h"

/* Called by trap_common, still in the guest's address space, for every
 * trap: 1 if the trap was handled here (the guest resumes as it is), 0 to
 * take the monitor's full path. */
int fast_trap(struct trap_frame *f);

/* What the monitor tells the fast path at the end of each full trap:
 * whether it may run until the next one (nothing pending that the full path
 * must see: an IRQ to deliver, a single step), whether accessed bits wait
 * to be copied to the guest's GDT or LDT (then the fast path leaves reads of
 * those tables to the full path, which copies them first), the frame the
 * guest resumes with (its segment bases are kept), the guest's mode (real
 * GDT/shadow: GDT_KERNEL or GDT_USER), virtual CPL and the selector behind
 * a CS in a cache slot (segments.c). */
void fast_arm(int allowed, int seg_pending, const struct trap_frame *f, int mode,
	      uint8_t cpl, uint16_t cs_cached);

/* Remember linear page lin of the guest's current mode as a protected frame
 * gpa the fast path may carry accesses to out: read_kind/write_kind are the
 * record kinds of a read/write fault there (0: not here), write_ok whether
 * the guest's tables let this mode write it with the dirty bit already set,
 * seg_lo..seg_hi the bytes of the frame whose writes must reshadow the GDT
 * or LDT (never written here), regions the parts of the frame that belong
 * to a table (region_of in protect.c). */
struct fast_region {
	uint16_t lo, hi;
	uint8_t region;
};
#define FAST_REGIONS 4
struct fast_page_info {
	uint32_t lin, gpa;
	uint8_t read_kind, write_kind, write_ok;
	uint16_t seg_lo, seg_hi;
	uint8_t n_regions;
	struct fast_region regions[FAST_REGIONS];
};
void fast_remember(const struct fast_page_info *p);

/* The guest's translations changed (every shadow change): forget them all. */
void fast_forget(void);

/* Hand the records the fast path buffered to the ring, in order (trap.c,
 * first thing on every full entry, and ring.c before the run ends). */
void fast_flush(void);

/* The trap frame's registers and segment bases as the emulator wants them,
 * and back; mode as for fast_arm. */
void frame_to_emu(const struct trap_frame *f, int mode, struct emu_regs *r);
void frame_from_emu(struct trap_frame *f, const struct emu_regs *r);

#endif
