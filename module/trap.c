/* trap.c — the trap path, in reading order:
 *   1. the guest, at ring 3, faults or executes a privileged instruction;
 *   2. the CPU enters the monitor through the real IDT (tables.c) and a stub
 *      in trapentry.S saves the guest's registers as a struct trap_frame;
 *   2a. a protected access on a page the monitor has decoded on before is
 *      carried out right there, in the guest's address space, by the same
 *      classification and emulation the full path runs (fastpath.c,
 *      paccess.c);
 *   3. trap_entry() starts a trace record and sends the trap to the part of
 *      the monitor it belongs to: privileged.c (#GP: privileged and, via
 *      sbe.c, patched sensitive instructions), pagefault.c (#PF: shadow
 *      fill, protected page, or the guest's own fault), or reflects it
 *      (everything else the guest takes itself); the handler returns an
 *      outcome (trap.h);
 *   4. the record is appended to the shared ring (ring.c), which the host
 *      drains into SQLite (vmm/);
 *   5. an exception the handler raised (exc_raise) is delivered through
 *      the guest's IDT (interrupts.c), then a waiting IRQ;
 *   6. trap_return in trapentry.S resumes the guest. */
#include "trap.h"
#include "descriptor.h"
#include "fastpath.h"
#include "interrupts.h"
#include "kill.h"
#include "knobs.h"
#include "msr.h"
#include "pagefault.h"
#include "pic.h"
#include "privileged.h"
#include "protect.h"
#include "ring.h"
#include "scan.h"
#include "segments.h"
#include "shadow.h"
#include "tables.h"
#include "vcpu.h"
#include "x86.h"

#define VEC_DB 1
#define VEC_DF 8
#define VEC_NP 11
#define VEC_GP 13
#define VEC_PF 14

/* The exception a handler raised, waiting for trap_entry to deliver it. */
static struct {
	uint8_t queued, vector;
	uint32_t err, cr2;
} raised;

enum outcome exc_raise(unsigned vector, uint32_t err, uint32_t cr2)
{
	raised.queued = 1;
	raised.vector = (uint8_t)vector;
	raised.err = err;
	raised.cr2 = cr2;
	return OUT_RAISED;
}

static void deliver_raised(struct trap_frame *f)
{
	if (!raised.queued)
		vcpu_kill("monitor panic: OUT_RAISED without an exception at %08x", f->eip);
	raised.queued = 0;
	if (raised.vector == VEC_PF)
		vcpu.cr2 = raised.cr2;
	irq_reflect(f, raised.vector, IRQ_EXCEPTION, vector_has_error_code(raised.vector),
		    raised.err, f->eip);
}

/* A #NP for a segment the guest has present comes from the split of the
 * real GDTs: natively it is the privilege check's #GP. */
enum outcome trap_reflect(const struct trap_frame *f, struct trap_record *rec)
{
	unsigned v = f->vector;
	uint64_t d;
	if (v == VEC_NP && !seg_guest_desc((uint16_t)f->err, &d) && desc_present(d))
		v = VEC_GP;
	rec->kind = KIND_EXCEPTION;
	rec->detail = v;
	return exc_raise(v, f->err, 0);
}

static enum outcome dispatch(struct trap_frame *f, struct trap_record *rec)
{
	switch (f->vector) {
	case VEC_NP:   /* an iret into user code: see segments.c */
	case VEC_GP:
		return priv_emulate(f, rec);
	case VEC_PF:
		return pagefault(f, rec);
	case VEC_DB:
		/* Steps of the monitor's own complete the trap that set them. */
		if (protect_step_done(f) || irq_window_done(f))
			return OUT_DONE;
		return trap_reflect(f, rec);
	case VEC_DF:
		vcpu_kill("double fault at eip %08x", f->eip);
	}
	if (f->vector < 32)
		return trap_reflect(f, rec);
	vcpu_kill("unexpected interrupt vector %u", f->vector);
}

/* An instruction the handler recognised but cannot carry out as the
 * guest's CPU would: no exception is made up for it. */
static void unhandled(const struct trap_frame *f, const struct trap_record *rec)
{
#define KIND_NAME(kind, value, name) [value] = name,
	static const char *const kinds[KIND_MAX] = { TRACE_KINDS(KIND_NAME) };
#undef KIND_NAME
	const char *kind = rec->kind < KIND_MAX && kinds[rec->kind] ? kinds[rec->kind] : "trap";
	vcpu_kill("%s instruction %02x %02x %02x %02x at %04x:%08x is not emulated", kind,
		  rec->insn[0], rec->insn[1], rec->insn[2], rec->insn[3], vcpu_cs(f), f->eip);
}

/* Back to the guest: its mode picks the real GDT and the shadow address
 * space.  Real interrupts stay on, except while the monitor single-steps
 * an instruction over an open page, or while the guest reprograms a PIC
 * (between ICW1 and ICW2 its vector base is 0: IRQs would look like
 * exceptions). */
static uint32_t resume(struct trap_frame *f)
{
	seg_refresh(f);
	/* A push of a data segment register in a cache slot would show the
	 * slot's selector: the scanner patches those pushes meanwhile. */
	scan_push_sregs(seg_data_cached(f));
	int mode = vcpu.cpl == 3 ? GDT_USER : GDT_KERNEL;
	int quiet = !protect_stepping() && !pic_initializing();
	if (quiet)
		f->eflags |= X86_EFLAGS_IF;
	else
		f->eflags &= ~(uint32_t)X86_EFLAGS_IF;
	/* Until the next full entry nothing below may change: the fast path
	 * may carry out protected accesses alone (fastpath.c). */
	fast_arm(knobs.fastpath == FASTPATH_ON && quiet && irq_quiet(),
		 seg_accessed_pending(), f, mode, vcpu.cpl,
		 vcpu.sreg_cached[1]);
	tables_use_gdt(mode);
	return shadow_cr3();
}

uint32_t trap_entry(struct trap_frame *f)
{
	struct trap_record rec;
	uint64_t tsc_in = rdtsc();

	fast_flush();   /* the fast path's records come first */
	if (irq_arrived(f->vector, f)) {
		if ((f->cs & 3) == 0)
			return 0;   /* it woke the monitor idling for the guest */
		irq_deliver(f);
		return resume(f);
	}
	if ((f->cs & 3) != 3) {
		/* The monitor's one expected fault: msr.c asks the real CPU
		 * whether it has an MSR with an rdmsr that may #GP. */
		if (msr_fixup(f))
			return 0;
		vcpu_kill("monitor panic: vector %u in the monitor at %08x, cr2 %08x",
			  f->vector, f->eip, read_cr2());
	}
	seg_sync_accessed();
	raised.queued = 0;   /* what earlier traps' probes raised is not this one's */
	trap_record_start(&rec, f, tsc_in, vcpu_cs(f), vcpu.cpl);
	enum outcome out = dispatch(f, &rec);
	if (out == OUT_UNHANDLED)
		unhandled(f, &rec);
	if (rec.kind)
		ring_commit(&rec);
	if (out == OUT_RAISED)
		deliver_raised(f);
	irq_deliver(f);
	return resume(f);
}
