/* protect.c — the seed thread's scheme.  Frames that hold a protected guest
 * table are never mapped (--mode rw) or only read-only (--mode w) in the
 * shadows, whatever linear address the guest reaches them by.  A guest
 * access to such a frame faults; the monitor finds out what the access was,
 * carries it out on the guest's behalf and records it:
 *   decode  decode the instruction and emulate it (emulate.c);
 *   step    map the page for the guest, single-step the instruction with
 *           TF, unmap it again.
 * An instruction the emulator does not handle, or an instruction fetch from a
 * protected page, always takes the step path.
 *
 * The frames of the guest's GDT and LDT are read-only for the guest even
 * when --protect or --mode leave them open: the monitor's shadows of those
 * tables must follow every write.  Such faults are the monitor's own and are
 * recorded as shadow_pf, not protected.
 *
 * --placement shadow keeps the real GDT in the switcher: the guest's page
 * holds only the guest's view.  --placement inplace is the seed thread's
 * trick: the real GDT sits at the guest's own GDT address (the page is
 * mapped to the real table, supervisor-only), and every guest access to that
 * page is fed from the guest's own frame by the emulation above. */
#include "protect.h"
#include "decode.h"
#include "emulate.h"
#include "fastpath.h"
#include "gmem.h"
#include "guest.h"
#include "kill.h"
#include "knobs.h"
#include "layout.h"
#include "lib.h"
#include "paging.h"
#include "ring.h"
#include "segments.h"
#include "shadow.h"
#include "tables.h"
#include "vcpu.h"
#include "x86.h"

#define MAX_RANGES 48      /* the tables, page by page */
#define MAX_OPEN_PAGES 4   /* pages one instruction may touch */

/* The part [lo, hi) of a frame that belongs to a table. */
struct range {
	uint32_t frame;
	uint16_t lo, hi;
	uint8_t region;
	uint8_t knob;     /* protected by --protect; else only watched */
};

static struct range ranges[MAX_RANGES];
static unsigned n_ranges;

/* A single step in flight: the pages opened for it and its record. */
static struct {
	int active;
	uint32_t open[MAX_OPEN_PAGES];
	unsigned n_open;
	uint32_t guest_tf;
	struct trap_record rec;
} step;

static void add_table(const struct vdtr *t, uint8_t region, uint32_t knob_bit,
		      struct range *out, unsigned *n)
{
	uint8_t knob = (knobs.protect & knob_bit) != 0;
	uint32_t end = t->base + t->limit;   /* inclusive */
	if (!t->limit && !t->base)
		return;
	for (uint32_t lin = t->base; *n < MAX_RANGES; lin = (lin & PAGE_MASK) + PAGE_SIZE) {
		struct walk w;
		uint32_t last = (lin & PAGE_MASK) == (end & PAGE_MASK) ? end : lin | 0xfff;
		if (walk_guest(lin, WALK_PEEK, &w) == 0)
			out[(*n)++] = (struct range){ w.gpa & PAGE_MASK, (uint16_t)(lin & 0xfff),
						      (uint16_t)((last & 0xfff) + 1), region, knob };
		if (last == end)
			break;
	}
}

void protect_update(void)
{
	struct range next[MAX_RANGES];
	unsigned n = 0;
	/* The GDT and LDT are always watched: their shadows must follow every
	 * guest write, whatever --protect and --mode say. */
	add_table(&vcpu.gdtr, REGION_GDT, PROTECT_GDT, next, &n);
	add_table(&vcpu.ldt, REGION_LDT, PROTECT_LDT, next, &n);
	if (knobs.protect & PROTECT_IDT)
		add_table(&vcpu.idtr, REGION_IDT, PROTECT_IDT, next, &n);
	if (knobs.protect & PROTECT_TSS)
		add_table(&vcpu.tss, REGION_TSS, PROTECT_TSS, next, &n);
	if (n == n_ranges && !memcmp(next, ranges, n * sizeof(next[0])))
		return;
	memcpy(ranges, next, n * sizeof(next[0]));
	n_ranges = n;
	shadow_flush();
}

/* 0: not a table frame, 1: watched only, 2: protected by --protect. */
static int frame_state(uint32_t gpa)
{
	int state = 0;
	for (unsigned i = 0; i < n_ranges; i++)
		if (ranges[i].frame == (gpa & PAGE_MASK) && state < 1 + ranges[i].knob)
			state = 1 + ranges[i].knob;
	return state;
}

static int frame_protected(uint32_t gpa)
{
	return frame_state(gpa) != 0;
}

enum frame_access protect_frame(uint32_t gpa)
{
	int state = frame_state(gpa);
	if (state == 2 && knobs.mode == MODE_RW)
		return FRAME_NONE;
	return state ? FRAME_RO : FRAME_RW;
}

/* Is this access one that --protect and --mode ask to trap?  The others
 * that reach protect_fault serve the monitor alone (shadow_pf). */
static int knob_trap(uint32_t gpa, int write)
{
	return frame_state(gpa) == 2 && (knobs.mode == MODE_RW || (knobs.mode == MODE_W && write));
}

static uint8_t region_of(uint32_t gpa)
{
	uint32_t off = gpa & 0xfff;
	for (unsigned i = 0; i < n_ranges; i++)
		if (ranges[i].frame == (gpa & PAGE_MASK) && off >= ranges[i].lo && off < ranges[i].hi)
			return ranges[i].region;
	return frame_protected(gpa) ? REGION_DATA : REGION_NONE;
}

void protect_written(uint32_t gpa, uint32_t n)
{
	uint8_t first = region_of(gpa), last = region_of(gpa + n - 1);
	if (first == REGION_GDT || last == REGION_GDT || first == REGION_LDT || last == REGION_LDT)
		seg_written();
}

void protect_place_gdt(void)
{
	if (knobs.placement != PLACEMENT_INPLACE)
		return;
	if (vcpu.gdtr.base & ~PAGE_MASK)
		vcpu_kill("placement inplace needs a page-aligned GDT, the guest's is at %08x",
			  vcpu.gdtr.base);
	shadow_pin(vcpu.gdtr.base, switcher_phys(real_gdt[GDT_KERNEL]),
		   switcher_phys(real_gdt[GDT_USER]));
	tables_place_gdt(vcpu.gdtr.base);
}

/* Map a protected page for the guest for one instruction. */
static void step_open(uint32_t lin)
{
	struct walk w;
	if (step.n_open == MAX_OPEN_PAGES)
		vcpu_kill("instruction at protected pages touches too many pages");
	if (walk_guest(lin, WALK_PEEK | (vcpu.cpl == 3 ? WALK_USER : 0), &w))
		vcpu_kill("protected page at %08x vanished during a step", lin);
	step.open[step.n_open++] = lin;
	shadow_map(lin, w.gpa, w.writable, w.nx);
}

static void step_begin(struct trap_frame *f, uint32_t lin, struct trap_record *rec)
{
	step.active = 1;
	step.n_open = 0;
	step.rec = *rec;
	step.rec.emul = EMUL_STEP;
	step.guest_tf = f->eflags & X86_EFLAGS_TF;
	rec->kind = 0;   /* committed when the step ends */
	step_open(lin);
	f->eflags |= X86_EFLAGS_TF;
}

int protect_step_fault(uint32_t lin)
{
	struct walk w;
	if (!step.active || walk_guest(lin, WALK_PEEK, &w) || !frame_protected(w.gpa))
		return 0;
	step_open(lin);
	return 1;
}

int protect_stepping(void)
{
	return step.active;
}

int protect_step_done(struct trap_frame *f)
{
	if (!step.active)
		return 0;
	for (unsigned i = 0; i < step.n_open; i++)
		shadow_invlpg(step.open[i]);
	step.active = 0;
	f->eflags = (f->eflags & ~(uint32_t)X86_EFLAGS_TF) | step.guest_tf;
	if (step.rec.access == ACCESS_WRITE)
		protect_written((uint32_t)step.rec.gpa, step.rec.size ? step.rec.size : 1);
	ring_commit(&step.rec);
	return 1;
}

/* The real GDT in place cannot make way for the guest's page, not even for
 * one step: the CPU reads it on every trap. */
static void step_or_die(struct trap_frame *f, uint32_t lin, struct trap_record *rec)
{
	if (shadow_pinned(lin))
		vcpu_kill("cannot emulate the instruction at %08x on the in-place GDT page", f->eip);
	step_begin(f, lin, rec);
}

/* Carry out the access at lin for the guest: by decoding when asked (or
 * on the in-place GDT page), else or when the emulator cannot, by a step. */
enum outcome protect_carry_out(struct trap_frame *f, struct trap_record *rec, uint32_t lin,
			       int decode)
{
	struct insn in;
	struct emu_regs r;
	struct emu_access acc;

	int decoded = vcpu_fetch(f, &in, rec) >= 0;
	if ((f->err & PF_FETCH) || (decoded && lin - (seg_base(f->cs) + f->eip) < in.len)) {
		rec->access = ACCESS_EXEC;
		rec->size = decoded ? in.len : 1;
		step_or_die(f, lin, rec);
		return OUT_DONE;
	}
	decode = decode || shadow_pinned(lin);
	int rc = EMU_UNSUPPORTED;
	if (decoded) {
		vcpu_to_emu(f, &r);
		rc = emulate_insn(&r, &in, decode ? &vcpu_mem : &vcpu_mem_dry, &acc);
	}
	rec->access = (f->err & PF_WRITE) ? ACCESS_WRITE : ACCESS_READ;
	if (rc == EMU_FAULT) {
		/* The instruction also reaches a page the guest may not touch:
		 * the memory access queued its #PF. */
		return OUT_RAISED;
	}
	if (rc == 0) {
		rec->size = acc.size;
		rec->access = acc.write ? ACCESS_WRITE : ACCESS_READ;
	}
	if (rc == 0 && decode) {
		vcpu_from_emu(f, &r);
		rec->emul = EMUL_DECODE;
		return OUT_DONE;
	}
	step_or_die(f, lin, rec);
	return OUT_DONE;
}

static uint8_t fault_kind(uint32_t gpa, int write)
{
	return knob_trap(gpa, write) ? KIND_PROTECTED : KIND_SHADOW_PF;
}

/* Tell the fast path what a fault at lin (walked to w) means, as
 * pagefault() and protect_fault() would decide it. */
static void remember(uint32_t lin, const struct walk *w)
{
	struct fast_page_info p = { .lin = lin, .gpa = w->gpa, .seg_lo = 0xffff };
	enum frame_access fa = protect_frame(w->gpa);
	for (unsigned i = 0; i < n_ranges; i++) {
		const struct range *r = &ranges[i];
		if (r->frame != (w->gpa & PAGE_MASK))
			continue;
		if (p.n_regions == FAST_REGIONS)
			return;
		p.regions[p.n_regions++] = (struct fast_region){ r->lo, r->hi, r->region };
		if (r->region == REGION_GDT || r->region == REGION_LDT) {
			p.seg_lo = r->lo < p.seg_lo ? r->lo : p.seg_lo;
			p.seg_hi = r->hi > p.seg_hi ? r->hi : p.seg_hi;
		}
	}
	p.read_kind = fa == FRAME_NONE ? fault_kind(w->gpa, 0) : 0;
	p.write_kind = fa != FRAME_RW ? fault_kind(w->gpa, 1) : 0;
	p.write_ok = w->writable && w->dirty;
	fast_remember(&p);
}

enum outcome protect_fault(struct trap_frame *f, struct trap_record *rec, uint32_t lin,
			   const struct walk *w)
{
	int protected = knob_trap(w->gpa, (f->err & PF_WRITE) != 0);
	rec->kind = fault_kind(w->gpa, (f->err & PF_WRITE) != 0);
	rec->addr = lin;
	rec->gpa = w->gpa;
	rec->region = protected ? region_of(w->gpa) : REGION_NONE;
	enum outcome out = protect_carry_out(f, rec, lin, knobs.emulate == EMULATE_DECODE);
	if (rec->emul == EMUL_DECODE && knobs.emulate == EMULATE_DECODE && !shadow_pinned(lin))
		remember(lin, w);
	return out;
}
