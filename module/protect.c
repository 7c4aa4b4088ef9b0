/* protect.c — the seed thread's scheme.  Pages that hold a protected guest
 * table are made supervisor-only (--mode rw) or read-only (--mode w) in the
 * shadow.  A guest access to such a page faults; the monitor finds out what
 * the access was, carries it out on the guest's behalf and records it:
 *   decode  decode the instruction and emulate it (emulate.c);
 *   step    open the page, single-step the instruction with TF, close it.
 * An instruction the emulator does not handle, or an instruction fetch from a
 * protected page, always takes the step path. */
#include "protect.h"
#include "decode.h"
#include "emulate.h"
#include "guest.h"
#include "knobs.h"
#include "layout.h"
#include "lib.h"
#include "paging.h"
#include "ring.h"
#include "segments.h"
#include "vcpu.h"
#include "x86.h"

#define PF_WRITE (1u << 1)
#define PF_FETCH (1u << 4)
#define MAX_PROTECTED_PAGES 32   /* a full 64 KiB GDT and a 2 KiB IDT */
#define MAX_OPEN_PAGES 4         /* pages one instruction may touch */

static uint32_t protected_pages[MAX_PROTECTED_PAGES];
static unsigned n_protected;

/* A single step in flight: the pages opened for it and its record. */
static struct {
	int active;
	uint32_t open[MAX_OPEN_PAGES];
	unsigned n_open;
	uint32_t guest_tf;
	struct trap_record rec;
} step;

static int is_protected(uint32_t page)
{
	for (unsigned i = 0; i < n_protected; i++)
		if (protected_pages[i] == page)
			return 1;
	return 0;
}

static enum page_access protected_access(void)
{
	return knobs.mode == MODE_RW ? PAGE_GUEST_NONE :
	       knobs.mode == MODE_W ? PAGE_GUEST_RO : PAGE_GUEST_RW;
}

static void add_range(const struct vdtr *t)
{
	if (!t->limit && !t->base)
		return;
	for (uint32_t p = t->base & PAGE_MASK; p <= ((t->base + t->limit) & PAGE_MASK); p += PAGE_SIZE)
		if (!is_protected(p) && n_protected < MAX_PROTECTED_PAGES && guest_range_ok(p, PAGE_SIZE))
			protected_pages[n_protected++] = p;
}

void protect_update(void)
{
	for (unsigned i = 0; i < n_protected; i++)
		paging_set(protected_pages[i], PAGE_GUEST_RW);
	n_protected = 0;
	if (knobs.protect & PROTECT_GDT)
		add_range(&vcpu.gdtr);
	if (knobs.protect & PROTECT_IDT)
		add_range(&vcpu.idtr);
	for (unsigned i = 0; i < n_protected; i++)
		paging_set(protected_pages[i], protected_access());
}

static int in_table(uint32_t lin, const struct vdtr *t, uint32_t bit)
{
	return (knobs.protect & bit) && (t->limit || t->base) &&
	       lin >= t->base && lin - t->base <= t->limit;
}

static uint8_t region_of(uint32_t lin)
{
	if (in_table(lin, &vcpu.gdtr, PROTECT_GDT))
		return REGION_GDT;
	if (in_table(lin, &vcpu.idtr, PROTECT_IDT))
		return REGION_IDT;
	return REGION_DATA;
}

void protect_written(uint32_t lin, uint32_t n)
{
	seg_gdt_written(lin, n);
}

/* Open a protected page to the guest for one instruction. */
static void step_open(uint32_t page)
{
	if (step.n_open == MAX_OPEN_PAGES)
		vcpu_kill("instruction at protected pages touches too many pages");
	step.open[step.n_open++] = page;
	paging_set(page, PAGE_GUEST_RW);
}

static void step_begin(struct trap_frame *f, uint32_t page, struct trap_record *rec)
{
	step.active = 1;
	step.n_open = 0;
	step.rec = *rec;
	step.rec.emul = EMUL_STEP;
	step.rec.kind = KIND_PROTECTED;
	step.guest_tf = f->eflags & X86_EFLAGS_TF;
	rec->kind = 0;   /* committed when the step ends */
	step_open(page);
	f->eflags |= X86_EFLAGS_TF;
}

int protect_step_done(struct trap_frame *f)
{
	if (!step.active)
		return 0;
	for (unsigned i = 0; i < step.n_open; i++)
		paging_set(step.open[i], protected_access());
	step.active = 0;
	f->eflags = (f->eflags & ~(uint32_t)X86_EFLAGS_TF) | step.guest_tf;
	if (step.rec.access == ACCESS_WRITE)
		protect_written(step.rec.addr, step.rec.size);
	ring_commit(&step.rec);
	return 1;
}

int protect_fault(struct trap_frame *f, struct trap_record *rec)
{
	uint32_t cr2 = read_cr2(), page = cr2 & PAGE_MASK;
	struct insn in;
	struct emu_regs r;
	struct emu_access acc;

	if (!is_protected(page))
		return -1;
	if (step.active) {
		/* The stepped instruction reaches a second protected page. */
		step_open(page);
		return 0;
	}
	rec->kind = KIND_PROTECTED;
	rec->addr = cr2;
	rec->gpa = cr2;
	rec->region = region_of(cr2);
	int decoded = vcpu_fetch(f, &in, rec) == 0;
	if ((f->err & PF_FETCH) || (decoded && cr2 - (seg_base(f->cs) + f->eip) < in.len)) {
		rec->access = ACCESS_EXEC;
		rec->size = decoded ? in.len : 1;
		step_begin(f, page, rec);
		return 0;
	}

	int decode = knobs.emulate == EMULATE_DECODE;
	int rc = EMU_UNSUPPORTED;
	if (decoded) {
		vcpu_to_emu(f, &r);
		rc = emulate_insn(&r, &in, decode ? &vcpu_mem : &vcpu_mem_dry, &acc);
	}
	if (rc == EMU_FAULT)
		vcpu_kill("emulated access outside guest RAM at eip %08x", f->eip);
	rec->access = (f->err & PF_WRITE) ? ACCESS_WRITE : ACCESS_READ;
	if (rc == 0) {
		rec->size = acc.size;
		rec->access = acc.write ? ACCESS_WRITE : ACCESS_READ;
	}
	if (rc == 0 && decode) {
		vcpu_from_emu(f, &r);
		rec->emul = EMUL_DECODE;
		return 0;
	}
	step_begin(f, page, rec);
	return 0;
}
