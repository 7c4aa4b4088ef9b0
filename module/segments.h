/* segments.h — the guest's GDT and LDT, shadowed into the real ones. */
#ifndef SEGMENTS_H
#define SEGMENTS_H

#include <stdint.h>
#include "descriptor.h"
#include "tables.h"
#include "trap.h"

/* Base of the segment a real selector refers to (0 for a null selector),
 * in the real tables of the guest's current mode; seg_base_in for a given
 * mode (GDT_KERNEL or GDT_USER), which the fast path also uses. */
uint32_t seg_base(uint32_t sel);
static inline uint32_t seg_base_in(int mode, uint32_t sel)
{
	if (!(sel & 0xfff8u) && !(sel & 4u))
		return 0;
	return desc_base((sel & 4u) ? real_ldt[mode][(sel & 0xffffu) >> 3] :
				      real_gdt[mode][(sel & 0xffffu) >> 3]);
}
/* The guest loaded a new GDT: check its size, shadow every entry.  f is
 * the guest's frame, whose segment registers keep their descriptors (a
 * cache slot when theirs changed; NULL before the guest runs). */
int seg_load_gdt(struct trap_frame *f, uint32_t base, uint32_t limit);
/* The guest loaded an LDT (0: none): OUT_DONE, or OUT_RAISED with the
 * #GP or #NP of a bad selector.  f as for seg_load_gdt. */
enum outcome seg_load_ldt(struct trap_frame *f, uint16_t sel);
/* Is real selector sel, in segment register n, one of the cache slots? */
static inline int seg_in_cache_slot(uint32_t sel, unsigned n)
{
	return (sel >> 3) == GDT_CACHE_SLOT + n && !(sel & 4u);   /* in the GDT */
}
/* Segment register n (enum insn_seg order) holding real selector sel as
 * the guest sees it: cached the guest's selector behind a cache slot, cpl
 * the virtual CPL (the fast path keeps its own copies of both). */
static inline uint16_t seg_visible_sel(uint32_t sel, unsigned n, uint16_t cached, uint8_t cpl)
{
	uint16_t v = seg_in_cache_slot(sel, n) ? cached : (uint16_t)sel;
	if (n == INSN_SEG_CS || n == INSN_SEG_SS)   /* they carry the CPL in their RPL */
		return (uint16_t)((v & ~3u) | cpl);
	return v;
}
/* Does one of the guest's ES, DS, FS, GS sit in a cache slot? */
int seg_data_cached(const struct trap_frame *f);
/* Segment register n as the guest sees it (enum insn_seg order). */
uint16_t seg_visible(const struct trap_frame *f, unsigned n);
/* The guest wrote to its GDT or LDT: seg_refresh shadows them anew before
 * it resumes (trap.c), keeping f's registers loadable. */
void seg_written(void);
void seg_refresh(struct trap_frame *f);
/* Copy accessed bits the CPU set in shadow descriptors to the guest's GDT. */
void seg_sync_accessed(void);
/* Are shadows still waiting for their accessed bit (seg_sync_accessed)? */
int seg_accessed_pending(void);
/* Read the guest's descriptor for sel (index checked against the limit). */
int seg_guest_desc(uint16_t sel, uint64_t *desc);
/* Load data segment register n (ES SS DS FS GS; not CS, ES CS SS DS FS GS
 * order) with sel as the guest's CPU would at its CPL: OUT_DONE, or
 * OUT_RAISED with its #GP, #NP or #SS. */
enum outcome seg_load(struct trap_frame *f, unsigned n, uint16_t sel);
/* Going to user mode: clear data segment registers user code may not use,
 * as the CPU does (SDM vol. 2, IRET). */
void seg_clear_for_user(struct trap_frame *f);
/* May sel be the code segment to run at privilege cpl (DPL == cpl, or <=
 * cpl if conforming)?  0, or the exception the CPU raises with sel's index
 * as error code: #GP for a null or unfit selector, #NP for an absent one
 * (SDM vol. 2, RET and IRET; the same checks for a gate's CS). */
unsigned seg_code_fault(uint16_t sel, unsigned cpl);

#endif
