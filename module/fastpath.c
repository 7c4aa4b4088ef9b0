/* fastpath.c — protected-page accesses carried out inside the guest's
 * address space.  A full trap costs two CR3 writes (each flushes the TLB,
 * and under TCG QEMU's whole soft TLB and jump cache), two lgdt and the
 * monitor's general dispatch; a read or write of data that merely shares a
 * protected page needs none of it once the monitor has seen that page.
 *
 * The monitor remembers, per guest mode, the linear pages it has carried a
 * protected access out on by decoding (fast_remember, from protect.c): the
 * guest frame, the record kinds, which bytes belong to which table.  Each
 * such frame is mapped supervisor-only at a window in the switcher.  On a
 * #PF from the guest at a remembered page, fast_trap() reads the faulting
 * instruction at CS:EIP (the CPU has just fetched it from a user page of
 * the current shadow, so it is mapped), decodes and emulates it with the
 * monitor's own decoder and emulator against the window, and buffers the
 * record the full path would have written.  Anything else — another
 * address, an instruction that touches memory outside the windows, a write
 * to the GDT or LDT, an instruction the emulator declines, a full buffer —
 * returns 0 before changing anything, and the full path handles the trap
 * as always.
 *
 * The remembered pages are a TLB of the guest's translations: they are
 * dropped whenever the shadows change (shadow.c), so they are never staler
 * than the shadow page tables themselves.  The fast path runs only while
 * the full path has armed it (fast_arm: no IRQ to deliver, no single step in
 * flight, no accessed bit to copy), and every full entry first hands the
 * buffered records to the ring, so the ring sees the same records in the
 * same order as without the fast path.
 *
 * Everything here runs in the switcher (monitor.ld): it may call only the
 * decoder, the emulator and itself, and touch only switcher data, the
 * windows and the guest's code through its linear address. */
#include "fastpath.h"
#include "decode.h"
#include "layout.h"
#include "paging.h"
#include "ring.h"
#include "segments.h"
#include "tables.h"
#include "vcpu.h"
#include "walk.h"
#include "x86.h"

#define FAST_PAGES   8          /* remembered pages, both modes together */
#define FAST_RECORDS 64         /* records buffered between full entries */
#define FAST_WINDOW  (SWITCHER_BASE + 0x100000u)   /* FAST_PAGES windows */
#define VEC_PF       14

struct fast_page {
	struct fast_page_info info;
	uint8_t valid, mode;
};

static struct {
	int armed, seg_pending;
	uint32_t sel[6], base[6];   /* segment bases as of fast_arm */
	uint8_t mode, cpl;
	uint16_t cs_cached;
	unsigned next;          /* round-robin victim */
	unsigned n_recs;
	struct fast_page pages[FAST_PAGES];
	struct trap_record recs[FAST_RECORDS];
} fast;

/* No library here: these are the switcher's own (memset/memcpy are
 * monitor code, unmapped in the guest's address space). */
static void fast_zero(void *dst, unsigned words)
{
	__asm__ volatile("rep stosl" : "+D"(dst), "+c"(words) : "a"(0) : "memory");
}

static void fast_copy(void *dst, const void *src, unsigned n)
{
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static uint8_t *window(const struct fast_page *p)
{
	return (uint8_t *)(FAST_WINDOW + (uint32_t)(p - fast.pages) * PAGE_SIZE);
}

static struct fast_page *lookup(uint32_t lin)
{
	for (unsigned i = 0; i < FAST_PAGES; i++) {
		struct fast_page *p = &fast.pages[i];
		if (p->valid && p->mode == fast.mode && p->info.lin == (lin & PAGE_MASK))
			return p;
	}
	return 0;
}

/* --- the monitor's side (called from its own address space) ------------- */

static void frame_sels(const struct trap_frame *f, uint32_t sel[6])
{
	for (unsigned i = 0; i < 6; i++)
		sel[i] = frame_sreg_get(f, i);
}

void fast_arm(int allowed, int seg_pending, const struct trap_frame *f, int mode,
	      uint8_t cpl, uint16_t cs_cached)
{
	fast.armed = allowed;
	if (!allowed)
		return;
	fast.seg_pending = seg_pending;
	fast.mode = (uint8_t)mode;
	fast.cpl = cpl;
	fast.cs_cached = cs_cached;
	/* The real tables change only on full entries: until the next one a
	 * selector's base stays what it is now. */
	frame_sels(f, fast.sel);
	for (unsigned i = 0; i < 6; i++)
		fast.base[i] = seg_base_in(mode, fast.sel[i]);
}

void fast_remember(const struct fast_page_info *info)
{
	struct fast_page *p = lookup(info->lin);
	if (!p) {
		p = &fast.pages[fast.next];
		fast.next = (fast.next + 1) % FAST_PAGES;
	}
	p->info = *info;
	p->info.lin &= PAGE_MASK;
	p->mode = fast.mode;
	p->valid = 1;
	switcher_pt[((uint32_t)window(p) - SWITCHER_BASE) >> 12] =
		(info->gpa & PAGE_MASK) | PTE_P | PTE_RW | pte_nx;
	invlpg((uint32_t)window(p));
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

/* The registers alone; the segment bases come after. */
static void frame_gprs(const struct trap_frame *f, struct emu_regs *r)
{
	for (unsigned i = 0; i < 8; i++)
		r->gpr[i] = frame_gpr_get(f, i);
	r->eip = f->eip;
	r->eflags = f->eflags;
}

void frame_to_emu(const struct trap_frame *f, int mode, struct emu_regs *r)
{
	uint32_t sel[6];
	frame_gprs(f, r);
	frame_sels(f, sel);
	for (unsigned i = 0; i < 6; i++)
		r->seg_base[i] = seg_base_in(mode, sel[i]);
}

void frame_from_emu(struct trap_frame *f, const struct emu_regs *r)
{
	for (unsigned i = 0; i < 8; i++)
		*frame_gpr(f, i) = r->gpr[i];
	f->eip = r->eip;
	/* The emulator only computes arithmetic flags. */
	f->eflags = (r->eflags & GUEST_EFLAGS_MASK) | REAL_EFLAGS;
}

/* --- the guest's side (the guest's address space, real interrupts off) -- */

/* The window holding [lin, lin+n), or 0: the access goes the full way. */
static uint8_t *fast_at(uint32_t lin, unsigned n, int write)
{
	struct fast_page *p = lookup(lin);
	uint32_t off = lin & 0xfff;
	if (!p || off + n > PAGE_SIZE)
		return 0;
	int seg = off < p->info.seg_hi && off + n > p->info.seg_lo;
	if (write ? !p->info.write_ok || seg : seg && fast.seg_pending)
		return 0;
	return window(p) + off;
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

static uint8_t region_in(const struct fast_page_info *p, uint32_t off)
{
	for (unsigned i = 0; i < p->n_regions; i++)
		if (off >= p->regions[i].lo && off < p->regions[i].hi)
			return p->regions[i].region;
	return REGION_DATA;
}

int fast_trap(struct trap_frame *f)
{
	if (f->vector != VEC_PF || (f->cs & 3) != 3 || !fast.armed ||
	    (f->err & PF_FETCH) || fast.n_recs == FAST_RECORDS)
		return 0;
	uint64_t tsc_in = rdtsc();
	uint32_t lin = read_cr2();
	int write = (f->err & PF_WRITE) != 0;
	struct fast_page *p = lookup(lin);
	uint8_t kind = p ? (write ? p->info.write_kind : p->info.read_kind) : 0;
	if (!kind)
		return 0;

	/* The instruction, from the page the CPU just fetched it from: never
	 * read past that page (the next one need not be mapped). */
	struct emu_regs r;
	uint32_t sel[6];
	frame_gprs(f, &r);
	frame_sels(f, sel);
	for (unsigned i = 0; i < 6; i++)
		r.seg_base[i] = sel[i] == fast.sel[i] ? fast.base[i] : seg_base_in(fast.mode, sel[i]);
	uint32_t code = r.seg_base[INSN_SEG_CS] + f->eip;
	unsigned avail = PAGE_SIZE - (code & 0xfff);
	if (avail > INSN_MAX_LEN)
		avail = INSN_MAX_LEN;
	if (code - SWITCHER_BASE < SWITCHER_HOLE || code + avail - 1 - SWITCHER_BASE < SWITCHER_HOLE)
		return 0;
	const uint8_t *bytes = (const uint8_t *)code;   /* decoded in place */
	struct insn in;
	if (bytes[0] == 0xcc || decode_insn(bytes, avail, &in) <= 0 || lin - code < in.len)
		return 0;   /* a patch (scan.c), a page-crossing or self-touching insn */

	struct emu_access acc;
	uint32_t eip = f->eip;
	uint16_t cs = (uint16_t)f->cs;
	if (emulate_insn(&r, &in, &fast_mem, &acc))
		return 0;   /* nothing was changed */
	frame_from_emu(f, &r);

	/* The record the full path writes (trap.c, pagefault.c, protect.c). */
	struct trap_record *rec = &fast.recs[fast.n_recs++];
	if ((cs >> 3) == GDT_CACHE_SLOT + INSN_SEG_CS && !(cs & 4))
		cs = fast.cs_cached;
	fast_zero(rec, sizeof(*rec) / 4);
	rec->tsc_in = tsc_in;
	rec->vector = VEC_PF;
	rec->err = f->err;
	rec->eip = eip;
	rec->cs = (uint16_t)((cs & ~3u) | fast.cpl);
	rec->cpl = fast.cpl;
	rec->addr = lin;
	rec->gpa = (p->info.gpa & PAGE_MASK) | (lin & 0xfff);
	rec->kind = kind;
	rec->region = kind == KIND_PROTECTED ? region_in(&p->info, lin & 0xfff) : REGION_NONE;
	fast_copy(rec->insn, bytes, in.len);
	rec->insn_len = in.len;
	rec->size = acc.size;
	rec->access = acc.write ? ACCESS_WRITE : ACCESS_READ;
	rec->emul = EMUL_DECODE;
	rec->tsc_out = rdtsc();
	return 1;
}
