/* paccess.c — the rules of a guest access to a protected frame, in one
 * place: which accesses fault and what each such fault is (the frames of
 * pacc_table and --mode), which region a byte is in, which accesses may be
 * carried out without leaving the guest's address space, and the carry-out
 * by decoding.  pagefault.c and protect.c run them on the full path,
 * fastpath.c inside the guest's address space; so this file is switcher
 * code (monitor.ld), and calls only switcher code (the Makefile checks). */
#include "paccess.h"
#include "knobs.h"
#include "layout.h"

struct pacc_table pacc_table;

int pacc_add(struct pacc_table *t, uint32_t gpa, uint32_t len, uint8_t region, int knob)
{
	struct pacc_frame *fr = 0;
	for (unsigned i = 0; i < t->n && !fr; i++)
		if (t->f[i].frame == (gpa & PAGE_MASK))
			fr = &t->f[i];
	if (!fr) {
		if (t->n == PACC_FRAMES)
			return -1;
		fr = &t->f[t->n++];
		fr->frame = gpa & PAGE_MASK;
	}
	if (fr->state < 1 + knob)
		fr->state = (uint8_t)(1 + knob);
	if (fr->n == PACC_PARTS)
		return -1;
	fr->part[fr->n++] = (struct pacc_part){ (uint16_t)(gpa & 0xfff),
						(uint16_t)((gpa & 0xfff) + len), region };
	return 0;
}

const struct pacc_frame *pacc_find(uint32_t gpa)
{
	for (unsigned i = 0; i < pacc_table.n; i++)
		if (pacc_table.f[i].frame == (gpa & PAGE_MASK))
			return &pacc_table.f[i];
	return 0;
}

enum frame_access pacc_frame(uint32_t gpa)
{
	return pacc_access_of(pacc_find(gpa));
}
