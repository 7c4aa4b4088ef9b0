/* segments.c — ring compression for segments.  Entry i of the guest's GDT is
 * copied to entry i of the real GDT with its DPL forced to 3, so the guest's
 * own selectors load natively at ring 3 (data segments need DPL >= max(CPL,
 * RPL), code segments DPL == CPL).  System descriptors (TSS, LDT, gates) are
 * never copied: the guest sees them in its GDT, the CPU never does.
 *
 * There are two real GDTs, one per guest mode.  The kernel's lacks the
 * guest's user code segments, so that an iret, far return or far jump from
 * the guest kernel into user code faults (#NP) and the monitor sees the
 * switch; the user's lacks everything the guest made DPL 0-2, so user code
 * cannot load kernel segments.
 *
 * A native segment load sets the accessed bit in the real GDT, where the
 * guest cannot see it; shadows still waiting for that bit are listed, and
 * the bit is copied to the guest's GDT at the next monitor entry. */
#include "segments.h"
#include "descriptor.h"
#include "guest.h"
#include "layout.h"
#include "lib.h"
#include "tables.h"
#include "vcpu.h"

static uint64_t *current_gdt(void)
{
	return real_gdt[vcpu.cpl == 3 ? GDT_USER : GDT_KERNEL];
}

uint32_t seg_base(uint32_t sel)
{
	sel &= 0xffff;
	if ((sel >> 3) == 0 || (sel & 4))
		return 0;
	return desc_base(current_gdt()[sel >> 3]);
}

int seg_guest_desc(uint16_t sel, uint64_t *desc)
{
	uint32_t off = sel & ~7u;
	if (sel & 4 || off + 7 > vcpu.gdtr.limit)
		return -1;
	return vmem_read(&vcpu_mem_sys, vcpu.gdtr.base + off, desc, 8);
}

static uint16_t unaccessed[GDT_GUEST_ENTRIES];   /* indices, n_unaccessed used */
static unsigned n_unaccessed;

static void watch_accessed(unsigned i)
{
	for (unsigned k = 0; k < n_unaccessed; k++)
		if (unaccessed[k] == i)
			return;
	unaccessed[n_unaccessed++] = (uint16_t)i;
}

static void shadow_entry(unsigned i)
{
	uint64_t d = 0;
	if (seg_guest_desc((uint16_t)(i << 3), &d) || !desc_present(d) || !desc_is_segment(d))
		d = 0;
	int user_code = (desc_type(d) & DESC_CODE) && desc_dpl(d) == 3;
	real_gdt[GDT_KERNEL][i] = d && !user_code ? desc_with_dpl(d, 3) : 0;
	real_gdt[GDT_USER][i] = d && desc_dpl(d) == 3 ? d : 0;
	if (d && !(desc_access(d) & DESC_ACCESSED))
		watch_accessed(i);
}

void seg_sync_accessed(void)
{
	for (unsigned k = 0; k < n_unaccessed;) {
		unsigned i = unaccessed[k];
		uint64_t d;
		if (!((desc_access(real_gdt[GDT_KERNEL][i]) | desc_access(real_gdt[GDT_USER][i])) &
		      DESC_ACCESSED)) {
			k++;
			continue;
		}
		unaccessed[k] = unaccessed[--n_unaccessed];
		if (seg_guest_desc((uint16_t)(i << 3), &d) == 0) {
			uint8_t access = desc_access(d) | DESC_ACCESSED;
			vmem_write(&vcpu_mem_sys, vcpu.gdtr.base + i * 8 + 5, &access, 1);
		}
	}
}

void seg_reshadow(void)
{
	n_unaccessed = 0;
	for (unsigned i = 1; i < GDT_GUEST_ENTRIES; i++)
		shadow_entry(i);
}

int seg_load_gdt(uint32_t base, uint32_t limit)
{
	if (limit >= GDT_GUEST_ENTRIES * 8)
		return -1;
	vcpu.gdtr.base = base;
	vcpu.gdtr.limit = limit;
	seg_reshadow();
	return 0;
}

int seg_load_ss(struct trap_frame *f, uint16_t sel)
{
	uint64_t d;
	if ((sel & 3) != vcpu.cpl || seg_guest_desc(sel, &d) || !desc_present(d) ||
	    !desc_is_segment(d) || (desc_type(d) & (DESC_CODE | DESC_RW)) != DESC_RW ||
	    desc_dpl(d) != vcpu.cpl)
		return -1;
	f->ss = sel | 3;
	return 0;
}

int seg_code_selector(uint16_t sel, uint32_t *real_cs)
{
	uint64_t d;
	if (seg_guest_desc(sel, &d) || !desc_present(d) || !desc_is_segment(d) ||
	    !(desc_type(d) & DESC_CODE) || (sel >> 3) == 0)
		return -1;
	*real_cs = sel | 3;
	return 0;
}
