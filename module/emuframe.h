/* emuframe.h — a trap frame as the emulator (emulate.h) sees it, and back:
 * for every emulation, the monitor's (vcpu.c) and the fast path's.  Inline,
 * so that the switcher's fast path has its own copy. */
#ifndef EMUFRAME_H
#define EMUFRAME_H

#include "emulate.h"
#include "segments.h"
#include "trap.h"
#include "vcpu.h"
#include "x86.h"

/* The segment bases of one set of selectors, looked up already: good for as
 * long as the real tables stay as they are.  The fast path keeps one from
 * one full entry to the next, where the guest's selectors rarely change. */
struct seg_memo {
	int valid;
	uint32_t key[3];    /* the six selectors, two in a word */
	uint32_t base[6];
};

static inline void seg_memo_reset(struct seg_memo *memo)
{
	memo->valid = 0;
}

/* The registers of f with the segment bases of the real tables of mode
 * (GDT_KERNEL or GDT_USER), through memo if not 0. */
static inline void frame_to_emu(const struct trap_frame *f, int mode, struct seg_memo *memo,
				struct emu_regs *r)
{
	uint32_t sel[6], key[3];
	/* Unrolled, the frame's tables (trap.h) fold into plain moves: the
	 * fast path runs this on every trap. */
#pragma GCC unroll 8
	for (unsigned i = 0; i < 6; i++)
		sel[i] = frame_sreg_get(f, i);
#pragma GCC unroll 8
	for (unsigned i = 0; i < 3; i++)
		key[i] = (sel[2 * i] & 0xffff) | sel[2 * i + 1] << 16;
#pragma GCC unroll 8
	for (unsigned i = 0; i < 8; i++)
		r->gpr[i] = frame_gpr_get(f, i);
	r->eip = f->eip;
	r->eflags = f->eflags;
	if (memo && memo->valid && memo->key[0] == key[0] && memo->key[1] == key[1] &&
	    memo->key[2] == key[2]) {
#pragma GCC unroll 8
		for (unsigned i = 0; i < 6; i++)
			r->seg_base[i] = memo->base[i];
		return;
	}
	for (unsigned i = 0; i < 6; i++)
		r->seg_base[i] = seg_base_in(mode, sel[i]);
	if (!memo)
		return;
	memo->valid = 1;
	for (unsigned i = 0; i < 3; i++)
		memo->key[i] = key[i];
	for (unsigned i = 0; i < 6; i++)
		memo->base[i] = r->seg_base[i];
}

static inline void frame_from_emu(struct trap_frame *f, const struct emu_regs *r)
{
#pragma GCC unroll 8
	for (unsigned i = 0; i < 8; i++)
		*frame_gpr(f, i) = r->gpr[i];
	f->eip = r->eip;
	/* The emulator only computes arithmetic flags. */
	f->eflags = (r->eflags & GUEST_EFLAGS_MASK) | REAL_EFLAGS;
}

#endif
