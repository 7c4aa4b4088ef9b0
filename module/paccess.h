/* paccess.h — a guest access to a protected frame: what it is and how it
 * is carried out.  One path, run by the full trap path (pagefault.c,
 * protect.c) and by the fast path (fastpath.c) alike; it lives in the
 * switcher (monitor.ld), so the fast path can run it inside the guest's
 * address space. */
#ifndef PACCESS_H
#define PACCESS_H

#include <stdint.h>
#include "decode.h"
#include "emulate.h"
#include "knobs.h"
#include "layout.h"
#include "trace.h"

/* How a guest frame may be used by the guest at ring 3. */
enum frame_access {
	FRAME_RW,      /* as the guest's tables say */
	FRAME_RO,      /* never writable (--mode w) */
	FRAME_NONE,    /* never mapped: every access faults (--mode rw) */
};

/* The frames holding a table: the parts [lo, hi) of frame that belong to
 * one (region), and the frame's state: 1 watched only (the GDT and LDT,
 * whose shadows follow every write, when --protect leaves them out), 2
 * holding a table --protect selected.  protect.c alone builds the table
 * (pacc_add, protect_update), for the --mode it records in it; everything
 * else only reads it.  The rules that read it are inline below: the fast
 * path runs them on every trap it takes. */
#define PACC_FRAMES 72     /* four tables of up to 64 KiB, page by page */
#define PACC_PARTS 4       /* a part of each table (unless the guest maps
			      one frame twice into its tables) */
struct pacc_frame {
	uint32_t frame;
	uint8_t state, n;
	struct pacc_part {
		uint16_t lo, hi;
		uint8_t region;
	} part[PACC_PARTS];
};
struct pacc_table {
	uint32_t mode;     /* enum protect_mode (knobs.h) */
	unsigned n;
	struct pacc_frame f[PACC_FRAMES];
};
extern struct pacc_table pacc_table;

/* Add [gpa, gpa + len) (within one frame) of a table to t; knob: --protect
 * selected the table.  0, or -1 when t is full. */
int pacc_add(struct pacc_table *t, uint32_t gpa, uint32_t len, uint8_t region, int knob);
/* The frame holding gpa in pacc_table, or 0: not a table's frame. */
const struct pacc_frame *pacc_find(uint32_t gpa);

static inline enum frame_access pacc_access_of(const struct pacc_frame *fr)
{
	if (!fr)
		return FRAME_RW;
	return fr->state == 2 && pacc_table.mode == MODE_RW ? FRAME_NONE : FRAME_RO;
}
/* The same for the frame holding gpa. */
enum frame_access pacc_frame(uint32_t gpa);

/* The region of the byte at offset off of frame fr (0: none): a table's,
 * REGION_DATA for other bytes of a table's frame, REGION_NONE off them. */
static inline uint8_t pacc_region(const struct pacc_frame *fr, uint32_t off)
{
	if (!fr)
		return REGION_NONE;
	for (const struct pacc_part *p = fr->part; p < fr->part + fr->n; p++)
		if (off - p->lo < (uint32_t)(p->hi - p->lo))
			return p->region;
	return REGION_DATA;
}

/* What a page fault of a read or write at offset off of frame fr (0: not a
 * table's) is, for a page the shadow maps as pacc_frame says (pinned: to
 * the in-place GDT, where every access faults): kind KIND_PROTECTED (an
 * access --protect and --mode ask to trap), KIND_SHADOW_PF (one the
 * monitor takes for itself: a write to a watched GDT or LDT), or 0 (not a
 * fault on a protected frame); region as pacc_region for a protected
 * access, else REGION_NONE. */
struct pacc_class {
	uint8_t kind, region;
};
static inline struct pacc_class pacc_classify(const struct pacc_frame *fr, uint32_t off,
					      int write, int pinned)
{
	struct pacc_class c = { 0, REGION_NONE };
	uint32_t mode = pacc_table.mode;
	if (!fr) {
		c.kind = pinned ? KIND_SHADOW_PF : 0;
		return c;
	}
	/* --mode says which accesses to a --protect table are the guest's
	 * traps (a frame never mapped, or mapped read-only and written). */
	if (fr->state == 2 && (mode == MODE_RW || (mode == MODE_W && write))) {
		c.kind = KIND_PROTECTED;
		c.region = pacc_region(fr, off);
	} else if (write || pinned) {
		/* The monitor's own: a table's frame is read-only at least, and
		 * the in-place GDT's page is the CPU's, never the guest's. */
		c.kind = KIND_SHADOW_PF;
	}
	return c;
}

/* May an access of n bytes at offset off of frame fr be carried out without
 * leaving the guest's address space?  Not a write the guest's tables do not
 * already allow with the dirty bit set (writable), not a write to the GDT
 * or LDT (their shadows are rebuilt on the full path), and not a read of
 * them while accessed bits wait to be copied into them (seg_pending). */
static inline int pacc_in_place(const struct pacc_frame *fr, uint32_t off, unsigned n,
				int write, int writable, int seg_pending)
{
	if (write ? !writable : !seg_pending)
		return !write;
	for (unsigned i = 0; fr && i < fr->n; i++)
		if (off < fr->part[i].hi && off + n > fr->part[i].lo &&
		    (fr->part[i].region == REGION_GDT || fr->part[i].region == REGION_LDT))
			return 0;
	return 1;
}

/* The carry-out by decoding.  The instruction in, decoded from linear
 * address code, faulted accessing lin (a write if write): emulate it on r
 * and m and describe it in rec (size, access, emul).
 *   PACC_DONE         r and memory hold its effect;
 *   PACC_EXEC         it reaches its own bytes: rec says so, only a single
 *                     step can carry it out;
 *   PACC_UNSUPPORTED  the emulator does not handle it;
 *   PACC_FAULT        another of its accesses failed (m says how).
 * Except for PACC_DONE, r and memory are unchanged. */
enum pacc_outcome { PACC_DONE, PACC_EXEC, PACC_UNSUPPORTED, PACC_FAULT };
static inline enum pacc_outcome pacc_emulate(struct emu_regs *r, const struct insn *in,
					      uint32_t code, uint32_t lin, int write,
					      const struct emu_mem *m, struct trap_record *rec)
{
	struct emu_access acc;
	/* An instruction that reads or writes its own bytes: emulating it
	 * would run bytes other than the ones it changes. */
	if (lin - code < in->len) {
		rec->access = ACCESS_EXEC;
		rec->size = in->len;
		return PACC_EXEC;
	}
	int rc = emulate_insn(r, in, m, &acc);
	if (rc) {
		rec->access = write ? ACCESS_WRITE : ACCESS_READ;
		return rc == EMU_FAULT ? PACC_FAULT : PACC_UNSUPPORTED;
	}
	rec->size = acc.size;
	rec->access = acc.write ? ACCESS_WRITE : ACCESS_READ;
	rec->emul = EMUL_DECODE;
	return PACC_DONE;
}

#endif
