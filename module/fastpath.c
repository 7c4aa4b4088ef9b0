/* fastpath.c — the guest's side of the fast path: a protected access
 * carried out inside the guest's address space.  A full trap costs two CR3
 * writes (each flushes the TLB, and under TCG QEMU's whole soft TLB and
 * jump cache), two lgdt and the monitor's general dispatch; a read or write
 * of data that merely shares a protected page needs none of it once the
 * monitor has seen that page.
 *
 * The rules are not here: what the fault is, which region, which kind of
 * record, whether an access may be carried out in place, and the emulation
 * itself are paccess.c's, the same calls the full path makes
 * (pagefault.c, protect.c).  What is here is how to run them without the
 * monitor's address space: the guest's translations of the pages the full
 * path has carried accesses out on (a TLB filled by fast_remember, dropped
 * with every shadow change), each such frame mapped supervisor-only at a
 * window in the switcher; the instruction read in place at CS:EIP (the CPU
 * has just fetched it from a user page of the current shadow); and a
 * buffer of records that every full entry hands to the ring first (ring
 * order is trap order).  Anything the TLB or the windows cannot serve — an
 * instruction that touches memory elsewhere, an access paccess.c keeps for
 * the full path, a full buffer — returns 0 before anything has changed,
 * and the full path handles the trap as always.
 *
 * This is switcher code (monitor.ld): it calls only switcher code, which
 * the Makefile checks at link time. */
#include "fastpath.h"
#include "decode.h"
#include "emuframe.h"
#include "layout.h"
#include "paccess.h"
#include "segments.h"
#include "shadow.h"
#include "walk.h"
#include "x86.h"

#define VEC_PF 14

struct fast_state fast;

uint8_t *fast_window(const struct fast_page *p)
{
	return (uint8_t *)(FAST_WINDOW + (uint32_t)(p - fast.pages) * PAGE_SIZE);
}

struct fast_page *fast_lookup(uint32_t lin)
{
	for (unsigned i = 0; i < FAST_PAGES; i++) {
		struct fast_page *p = &fast.pages[i];
		if (p->valid && p->mode == fast.mode && p->lin == (lin & PAGE_MASK))
			return p;
	}
	return 0;
}

/* No library here: memcpy is monitor code, unmapped in the guest's
 * address space. */
static void fast_copy(void *dst, const void *src, unsigned n)
{
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

/* The window holding [lin, lin+n), or 0: the access goes the full way. */
static inline uint8_t *fast_at(uint32_t lin, unsigned n, int write)
{
	struct fast_page *p = fast_lookup(lin);
	uint32_t off = lin & 0xfff;
	if (!p || off + n > PAGE_SIZE ||
	    !pacc_in_place(p->fr, off, n, write, p->writable, fast.seg_pending))
		return 0;
	return fast_window(p) + off;
}

static int fast_read(void *ctx, uint32_t lin, void *dst, unsigned n)
{
	(void)ctx;
	const uint8_t *src = fast_at(lin, n, 0);
	return src ? fast_copy(dst, src, n), 0 : -1;
}

static int fast_write(void *ctx, uint32_t lin, const void *src, unsigned n)
{
	(void)ctx;
	uint8_t *dst = fast_at(lin, n, 1);
	return dst ? fast_copy(dst, src, n), 0 : -1;
}

static const struct emu_mem fast_mem = { fast_read, fast_write, 0 };

int fast_trap(struct trap_frame *f)
{
	if (f->vector != VEC_PF || (f->cs & 3) != 3 || !fast.armed ||
	    (f->err & PF_FETCH) || fast.n_recs == FAST_RECORDS)
		return 0;
	uint64_t tsc_in = rdtsc();
	uint32_t lin = read_cr2();
	int write = (f->err & PF_WRITE) != 0;
	struct fast_page *p = fast_lookup(lin);
	if (!p)
		return 0;
	struct pacc_class c = pacc_classify(p->fr, lin & 0xfff, write, p->pinned);
	if (!c.kind)
		return 0;

	/* The instruction, from the page the CPU just fetched it from: never
	 * read past that page (the next one need not be mapped). */
	struct emu_regs r;
	frame_to_emu(f, fast.mode, &fast.bases, &r);
	uint32_t code = r.seg_base[INSN_SEG_CS] + f->eip;
	unsigned avail = PAGE_SIZE - (code & 0xfff);
	if (avail > INSN_MAX_LEN)
		avail = INSN_MAX_LEN;
	if (shadow_in_hole(code, avail))
		return 0;
	const uint8_t *bytes = (const uint8_t *)code;   /* decoded in place */
	struct insn in;
	if (bytes[0] == 0xcc || decode_insn(bytes, avail, &in) <= 0)
		return 0;   /* a patch (scan.c) or a page-crossing instruction */

	struct trap_record *rec = &fast.recs[fast.n_recs];
	trap_record_start(rec, f, tsc_in, seg_visible_sel(f->cs, INSN_SEG_CS, fast.cs_cached, fast.cpl),
			  fast.cpl);
	rec->kind = c.kind;
	rec->region = c.region;
	rec->addr = lin;
	rec->gpa = p->gpa | (lin & 0xfff);
	fast_copy(rec->insn, bytes, in.len);
	rec->insn_len = in.len;
	if (pacc_emulate(&r, &in, code, lin, write, &fast_mem, rec) != PACC_DONE)
		return 0;   /* nothing was changed */
	frame_from_emu(f, &r);
	rec->tsc_out = rdtsc();
	fast.n_recs++;
	return 1;
}
