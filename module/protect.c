/* protect.c — the seed thread's scheme.  Frames that hold a protected guest
 * table are never mapped (--mode rw) or only read-only (--mode w) in the
 * shadows, whatever linear address the guest reaches them by.  A guest
 * access to such a frame faults; the monitor finds out what the access was,
 * carries it out on the guest's behalf and records it:
 *   decode  decode the instruction and emulate it (emulate.c);
 *   step    map the page for the guest, single-step the instruction with
 *           TF, unmap it again.
 * An instruction the emulator does not handle, or an instruction fetch from a
 * protected page, always takes the step path.  What a fault is and the
 * emulation are paccess.c's, shared with the fast path (fastpath.c), which
 * carries out again accesses to pages the decode path here has seen.
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
#include "emuframe.h"
#include "fastpath.h"
#include "gmem.h"
#include "guest.h"
#include "kill.h"
#include "knobs.h"
#include "layout.h"
#include "lib.h"
#include "mmio.h"
#include "paccess.h"
#include "paging.h"
#include "ring.h"
#include "segments.h"
#include "shadow.h"
#include "tables.h"
#include "vcpu.h"
#include "x86.h"

#define MAX_OPEN_PAGES 4   /* pages one instruction may touch */

/* A single step in flight: the pages opened for it and its record. */
static struct {
	int active;
	uint32_t open[MAX_OPEN_PAGES];
	unsigned n_open;
	uint32_t guest_tf;
	struct trap_record rec;
} step;

static void add_table(const struct vdtr *t, uint8_t region, uint32_t knob_bit,
		      struct pacc_table *out)
{
	int knob = (knobs.protect & knob_bit) != 0;
	uint32_t end = t->base + t->limit;   /* inclusive */
	if (!t->limit && !t->base)
		return;
	for (uint32_t lin = t->base;; lin = (lin & PAGE_MASK) + PAGE_SIZE) {
		struct walk w;
		uint32_t last = (lin & PAGE_MASK) == (end & PAGE_MASK) ? end : lin | 0xfff;
		if (walk_guest(lin, WALK_PEEK, &w) == 0 &&
		    pacc_add(out, w.gpa, last - lin + 1, region, knob))
			vcpu_kill("the guest's tables reach frame %08x more than %u times, or more"
				  " than %u frames", w.gpa & PAGE_MASK, PACC_PARTS, PACC_FRAMES);
		if (last == end)
			break;
	}
}

void protect_update(void)
{
	static struct pacc_table next;
	memset(&next, 0, sizeof(next));
	next.mode = knobs.mode;
	/* The GDT and LDT are always watched: their shadows must follow every
	 * guest write, whatever --protect and --mode say. */
	add_table(&vcpu.gdtr, REGION_GDT, PROTECT_GDT, &next);
	add_table(&vcpu.ldt, REGION_LDT, PROTECT_LDT, &next);
	if (knobs.protect & PROTECT_IDT)
		add_table(&vcpu.idtr, REGION_IDT, PROTECT_IDT, &next);
	if (knobs.protect & PROTECT_TSS)
		add_table(&vcpu.tss, REGION_TSS, PROTECT_TSS, &next);
	if (!memcmp(&next, &pacc_table, sizeof(next)))
		return;
	pacc_table = next;
	shadow_flush();
}

static uint8_t region_at(uint32_t gpa)
{
	return pacc_region(pacc_find(gpa), gpa & 0xfff);
}

void protect_written(uint32_t gpa, uint32_t n)
{
	uint8_t first = region_at(gpa), last = region_at(gpa + n - 1);
	if (first == REGION_GDT || last == REGION_GDT || first == REGION_LDT || last == REGION_LDT)
		seg_written();
}

void protect_place_gdt(void)
{
	if (knobs.placement != PLACEMENT_INPLACE)
		return;
	uint32_t base = vcpu.gdtr.base, pages = (base & 0xfff) ? 2 : 1;
	if (base & 7)
		vcpu_kill("placement inplace needs an 8-byte aligned GDT, the guest's is at %08x", base);
	if (shadow_in_hole(base & PAGE_MASK, pages * PAGE_SIZE))
		vcpu_kill("placement inplace: the real GDT at the guest's %08x would reach the"
			  " monitor's hole", base);
	tables_place_gdt(base);
	shadow_pin(base & PAGE_MASK, pages, switcher_phys(real_gdt[GDT_KERNEL]) & PAGE_MASK,
		   switcher_phys(real_gdt[GDT_USER]) & PAGE_MASK);
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
	if (!step.active || walk_guest(lin, WALK_PEEK, &w) || pacc_frame(w.gpa) == FRAME_RW)
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
 * one step: the CPU reads it on every trap.  Nor can a device page be
 * opened: the guest would reach the device past mmio.c's filters. */
static void step_or_die(struct trap_frame *f, uint32_t lin, struct trap_record *rec)
{
	if (shadow_pinned(lin) && rec->access == ACCESS_EXEC)
		vcpu_kill("placement inplace: the guest runs code at %08x, on a page the real GDT"
			  " takes", lin);
	if (shadow_pinned(lin))
		vcpu_kill("cannot emulate the instruction at %08x on the in-place GDT page", f->eip);
	if (mmio_frame((uint32_t)rec->gpa))
		vcpu_kill("cannot emulate the instruction at %08x on device memory at %08x",
			  f->eip, (uint32_t)rec->gpa);
	step_begin(f, lin, rec);
}

/* Carry out the access at lin for the guest: by decoding when asked (or
 * on the in-place GDT page), else or when the emulator cannot, by a step.
 * Asked to step, the emulation runs all the same, on memory that ignores
 * writes, to learn the access it makes. */
enum outcome protect_carry_out(struct trap_frame *f, struct trap_record *rec, uint32_t lin,
			       int decode)
{
	struct insn in;
	struct emu_regs r;

	int decoded = vcpu_fetch(f, &in, rec) >= 0;
	if (f->err & PF_FETCH) {
		rec->access = ACCESS_EXEC;
		rec->size = decoded ? in.len : 1;
		step_or_die(f, lin, rec);
		return OUT_DONE;
	}
	if (!decoded) {
		rec->access = (f->err & PF_WRITE) ? ACCESS_WRITE : ACCESS_READ;
		step_or_die(f, lin, rec);
		return OUT_DONE;
	}
	decode = decode || shadow_pinned(lin);
	vcpu_to_emu(f, &r);
	enum pacc_outcome out = pacc_emulate(&r, &in, r.seg_base[INSN_SEG_CS] + f->eip, lin,
					     (f->err & PF_WRITE) != 0,
					     decode ? &vcpu_mem : &vcpu_mem_dry, rec);
	if (out == PACC_FAULT) {
		/* The instruction also reaches a page the guest may not touch:
		 * the memory access queued its #PF. */
		return OUT_RAISED;
	}
	if (out == PACC_DONE && decode) {
		vcpu_from_emu(f, &r);
		return OUT_DONE;
	}
	step_or_die(f, lin, rec);
	return OUT_DONE;
}

enum outcome protect_fault(struct trap_frame *f, struct trap_record *rec, uint32_t lin,
			   const struct walk *w, struct pacc_class c)
{
	rec->kind = c.kind;
	rec->region = c.region;
	rec->addr = lin;
	rec->gpa = w->gpa;
	enum outcome out = protect_carry_out(f, rec, lin, knobs.emulate == EMULATE_DECODE);
	/* Decoded once here (with --emulate step, only the in-place GDT's
	 * pages are), the page's next accesses can be decoded in the guest's
	 * address space. */
	if (rec->emul == EMUL_DECODE)
		fast_remember(lin, w->gpa, w->writable && w->dirty, shadow_pinned(lin));
	return out;
}
