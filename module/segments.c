/* segments.c — ring compression for segments.  Entry i of the guest's GDT
 * (and LDT) is copied to entry i of the real GDT (LDT) with its DPL forced
 * to 3, so the guest's own selectors load natively at ring 3 (data segments
 * need DPL >= max(CPL, RPL), code segments DPL == CPL).  System descriptors
 * (TSS, LDT, gates) are never copied: the guest sees them in its table, the
 * CPU never does.
 *
 * Since every descriptor is DPL 3 for the CPU, its privilege checks on
 * segment loads and far transfers would pass where the guest's CPU would
 * refuse: scan.c patches those instructions and the monitor makes the checks
 * against the guest's descriptors (here and in farxfer.c).  There are two
 * real GDTs and LDTs, one per guest mode; the user's lacks everything the
 * guest made DPL 0-2, so even unpatched user code cannot load kernel
 * segments.
 *
 * A native segment load sets the accessed bit in the real table, where the
 * guest cannot see it; shadows still waiting for that bit are listed, and
 * the bit is copied to the guest's table at the next monitor entry. */
#include "segments.h"
#include "descriptor.h"
#include "gmem.h"
#include "kill.h"
#include "layout.h"
#include "lib.h"
#include "tables.h"
#include "vcpu.h"

#define SEL_LDT 4u   /* the selector's table indicator */

/* The real descriptor a selector names in the given mode. */
static uint64_t *real_desc(int mode, uint16_t sel)
{
	return (sel & SEL_LDT) ? &real_ldt[mode][sel >> 3] : &real_gdt[mode][sel >> 3];
}

uint32_t seg_base(uint32_t sel)
{
	return seg_base_in(vcpu.cpl == 3 ? GDT_USER : GDT_KERNEL, sel);
}

/* The guest's table for sel and the linear address of its entry. */
static int guest_entry(uint16_t sel, uint32_t *lin)
{
	const struct vdtr *t = (sel & SEL_LDT) ? &vcpu.ldt : &vcpu.gdtr;
	uint32_t off = sel & ~7u;
	if (((sel & SEL_LDT) && !vcpu.ldtr) || off + 7 > t->limit)
		return -1;
	*lin = t->base + off;
	return 0;
}

int seg_guest_desc(uint16_t sel, uint64_t *desc)
{
	uint32_t lin;
	return guest_entry(sel, &lin) || vmem_read(&vcpu_mem_sys, lin, desc, 8);
}

static uint16_t unaccessed[GDT_GUEST_ENTRIES + LDT_ENTRIES];   /* selectors */
static unsigned n_unaccessed;

static void watch_accessed(uint16_t sel)
{
	for (unsigned k = 0; k < n_unaccessed; k++)
		if (unaccessed[k] == sel)
			return;
	unaccessed[n_unaccessed++] = sel;
}

static void shadow_entry(uint16_t sel)
{
	uint64_t d = 0;
	if (seg_guest_desc(sel, &d) || !desc_present(d) || !desc_is_segment(d))
		d = 0;
	*real_desc(GDT_KERNEL, sel) = d ? desc_with_dpl(d, 3) : 0;
	*real_desc(GDT_USER, sel) = d && desc_dpl(d) == 3 ? d : 0;
	if (d && !(desc_access(d) & DESC_ACCESSED))
		watch_accessed(sel);
}

void seg_sync_accessed(void)
{
	for (unsigned k = 0; k < n_unaccessed;) {
		uint16_t sel = unaccessed[k];
		uint32_t lin;
		uint64_t d;
		if (!((desc_access(*real_desc(GDT_KERNEL, sel)) | desc_access(*real_desc(GDT_USER, sel))) &
		      DESC_ACCESSED)) {
			k++;
			continue;
		}
		unaccessed[k] = unaccessed[--n_unaccessed];
		if (seg_guest_desc(sel, &d) == 0 && guest_entry(sel, &lin) == 0) {
			uint8_t access = desc_access(d) | DESC_ACCESSED;
			vmem_write(&vcpu_mem_sys, lin + 5, &access, 1);
		}
	}
}

int seg_accessed_pending(void)
{
	return n_unaccessed != 0;
}

/* A segment register keeps the descriptor it was loaded with until it is
 * loaded again, even if the guest rewrites or drops that descriptor (a new
 * lgdt, say).  The monitor reloads every segment register on each return to
 * the guest, so such a register is pointed at a cache slot holding the old
 * descriptor; the guest keeps seeing its own selector (seg_visible). */

uint16_t seg_visible(const struct trap_frame *f, unsigned n)
{
	return seg_visible_sel(frame_sreg_get(f, n), n, vcpu.sreg_cached[n], vcpu.cpl);
}

int seg_data_cached(const struct trap_frame *f)
{
	static const unsigned data[] = { INSN_SEG_ES, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS };
	for (unsigned i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		if (seg_in_cache_slot(frame_sreg_get(f, data[i]), data[i]))
			return 1;
	return 0;
}

static void keep_cached(struct trap_frame *f, const uint64_t old[2][6])
{
	for (unsigned n = 0; n < 6; n++) {
		uint32_t *sel = frame_sreg(f, n);
		if (!(*sel & ~3u) || seg_in_cache_slot(*sel, n))
			continue;
		int gone = 0;
		for (int m = 0; m < 2; m++)
			gone |= old[m][n] != *real_desc(m, (uint16_t)*sel);
		if (!gone)
			continue;
		for (int m = 0; m < 2; m++)
			real_gdt[m][GDT_CACHE_SLOT + n] = old[m][n];
		vcpu.sreg_cached[n] = (uint16_t)*sel;
		*sel = (GDT_CACHE_SLOT + n) << 3 | (*sel & 3);
	}
}

static int stale;   /* the guest wrote its GDT or LDT (seg_written) */

static void reshadow(struct trap_frame *f)
{
	uint64_t old[2][6] = { { 0 } };
	for (unsigned n = 0; f && n < 6; n++)
		for (int m = 0; m < 2; m++)
			old[m][n] = *real_desc(m, (uint16_t)frame_sreg_get(f, n));
	n_unaccessed = 0;
	stale = 0;
	for (unsigned i = 1; i < GDT_GUEST_ENTRIES; i++)
		shadow_entry((uint16_t)(i << 3));
	for (unsigned i = 0; i < LDT_ENTRIES; i++)
		shadow_entry((uint16_t)(i << 3 | SEL_LDT));
	if (f)
		keep_cached(f, old);
}

void seg_written(void)
{
	stale = 1;
}

void seg_refresh(struct trap_frame *f)
{
	if (stale)
		reshadow(f);
}

int seg_load_gdt(struct trap_frame *f, uint32_t base, uint32_t limit)
{
	if (limit >= GDT_GUEST_ENTRIES * 8)
		return -1;
	vcpu.gdtr.base = base;
	vcpu.gdtr.limit = limit;
	reshadow(f);
	return 0;
}

/* The checks of lldt (SDM vol. 2, LLDT): #GP(sel) for a selector into the
 * LDT, past the GDT's limit or not naming an LDT, #NP(sel) when absent. */
enum outcome seg_load_ldt(struct trap_frame *f, uint16_t sel)
{
	uint64_t d;
	if (!(sel & ~3u)) {
		vcpu.ldtr = 0;
		vcpu.ldt = (struct vdtr){ 0, 0 };
	} else {
		if ((sel & SEL_LDT) || seg_guest_desc(sel, &d) || desc_is_segment(d) ||
		    desc_type(d) != DESC_LDT)
			return exc_raise(13, sel & ~3u, 0);
		if (!desc_present(d))
			return exc_raise(11, sel & ~3u, 0);
		if (desc_limit(d) >= LDT_ENTRIES * 8)
			vcpu_kill("guest LDT of %u bytes is larger than the monitor shadows",
				  desc_limit(d) + 1);
		vcpu.ldtr = sel;
		vcpu.ldt = (struct vdtr){ desc_base(d), desc_limit(d) };
	}
	reshadow(f);
	return OUT_DONE;
}

/* The checks of mov/pop to a segment register (SDM vol. 2, MOV): for SS a
 * writable data segment at exactly the CPL; for the others data or readable
 * code the CPL and RPL may use (conforming code always). */
enum outcome seg_load(struct trap_frame *f, unsigned n, uint16_t sel)
{
	uint64_t d;
	uint32_t err = sel & ~3u;
	if (!(sel & ~3u)) {
		if (n == INSN_SEG_SS)
			return exc_raise(13, 0, 0);
		*frame_sreg(f, n) = sel;
		return OUT_DONE;
	}
	if (seg_guest_desc(sel, &d) || !desc_is_segment(d))
		return exc_raise(13, err, 0);
	unsigned type = desc_type(d), dpl = desc_dpl(d), rpl = sel & 3;
	int code = (type & DESC_CODE) != 0;
	if (n == INSN_SEG_SS) {
		if (code || !(type & DESC_RW) || rpl != vcpu.cpl || dpl != vcpu.cpl)
			return exc_raise(13, err, 0);
	} else {
		if (code && !(type & DESC_RW))
			return exc_raise(13, err, 0);
		if ((!code || !(type & DESC_CONFORMING)) && (rpl > dpl || vcpu.cpl > dpl))
			return exc_raise(13, err, 0);
	}
	if (!desc_present(d))
		return exc_raise(n == INSN_SEG_SS ? 12 : 11, err, 0);
	*frame_sreg(f, n) = n == INSN_SEG_SS ? (uint32_t)(sel | 3) : sel;
	return OUT_DONE;
}

void seg_clear_for_user(struct trap_frame *f)
{
	static const uint8_t data[4] = { INSN_SEG_ES, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS };
	for (unsigned i = 0; i < 4; i++) {
		uint32_t *sel = frame_sreg(f, data[i]);
		uint64_t d;
		if (!(*sel & ~3u))
			continue;
		if (seg_guest_desc((uint16_t)*sel, &d) ||
		    ((desc_type(d) & (DESC_CODE | DESC_CONFORMING)) != (DESC_CODE | DESC_CONFORMING) &&
		     desc_dpl(d) < 3))
			*sel = 0;
	}
}

unsigned seg_code_fault(uint16_t sel, unsigned cpl)
{
	uint64_t d;
	if (!(sel & ~3u) || seg_guest_desc(sel, &d) || !desc_is_segment(d) ||
	    !(desc_type(d) & DESC_CODE))
		return 13;
	unsigned dpl = desc_dpl(d);
	if ((desc_type(d) & DESC_CONFORMING) ? dpl > cpl : dpl != cpl)
		return 13;
	return desc_present(d) ? 0 : 11;
}
