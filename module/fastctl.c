/* fastctl.c — the monitor's side of the fast path (fastpath.h): arming it
 * at the end of a full trap, filling and dropping its translations, and
 * handing its records to the ring.  Ordinary monitor code: it runs in the
 * monitor's address space and reaches the fast path's state in the
 * switcher. */
#include "fastpath.h"
#include "layout.h"
#include "paging.h"
#include "ring.h"
#include "x86.h"

void fast_arm(int allowed, int seg_pending, const struct trap_frame *f, int mode,
	      uint8_t cpl, uint16_t cs_cached)
{
	struct emu_regs r;
	fast.armed = allowed;
	fast.seg_pending = seg_pending;
	fast.mode = (uint8_t)mode;
	fast.cpl = cpl;
	fast.cs_cached = cs_cached;
	/* The real tables change only on full entries: until the next one the
	 * bases of the selectors the guest resumes with stay what they are. */
	seg_memo_reset(&fast.bases);
	if (allowed)
		frame_to_emu(f, mode, &fast.bases, &r);
}

void fast_remember(uint32_t lin, uint32_t gpa, int writable, int pinned)
{
	const struct pacc_frame *fr = pacc_find(gpa);
	struct fast_page *p = fast_lookup(lin);
	if (!fr)
		return;
	if (!p) {
		p = &fast.pages[fast.next];
		fast.next = (fast.next + 1) % FAST_PAGES;
	}
	*p = (struct fast_page){ lin & PAGE_MASK, gpa & PAGE_MASK, fr, (uint8_t)writable,
				   (uint8_t)pinned, 1, fast.mode };
	uint32_t win = (uint32_t)fast_window(p);
	switcher_pt[(win - SWITCHER_BASE) >> 12] = (gpa & PAGE_MASK) | PTE_P | PTE_RW | pte_nx;
	invlpg(win);
}

void fast_forget(void)
{
	for (unsigned i = 0; i < FAST_PAGES; i++)
		fast.pages[i].valid = 0;
}

void fast_flush(void)
{
	for (unsigned i = 0; i < fast.n_recs; i++)
		ring_commit(&fast.recs[i]);
	fast.n_recs = 0;
}
