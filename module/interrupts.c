/* interrupts.c — the guest's IDT is never loaded into the CPU: every vector
 * reaches the monitor first (its gates are DPL 0, so even the guest's int n
 * is a #GP), and the monitor delivers it through the guest's table, with the
 * privilege change (guest TSS stack switch) the guest's CPU would make.  The
 * way back, iret, is in farxfer.c. */
#include "interrupts.h"
#include "descriptor.h"
#include "farxfer.h"
#include "gmem.h"
#include "kill.h"
#include "lapic.h"
#include "lib.h"
#include "pic.h"
#include "protect.h"
#include "ring.h"
#include "segments.h"
#include "trap.h"
#include "vcpu.h"
#include "x86.h"

static volatile int idling;
static uint32_t idle_eip;
/* sti keeps interrupts off for one more instruction: that instruction is
 * single-stepped, and interrupts are delivered only after it. */
static struct {
	int active;
	uint32_t eip;        /* of the instruction in the shadow */
	uint32_t guest_tf;
} window;

int vector_has_error_code(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

/* Read the vector's gate: 0, or why it cannot be delivered through it,
 * the exception the CPU raises instead (SDM vol. 3 §6.12.1) with *err. */
static unsigned gate_fault(unsigned vector, enum irq_source src, uint64_t *gate, uint32_t *err)
{
	*err = vector * 8 + 2 + (src == IRQ_SOFTWARE ? 0 : 1);
	if (vector * 8 + 7 > vcpu.idtr.limit ||
	    vmem_read(&vcpu_mem_sys, vcpu.idtr.base + vector * 8, gate, 8))
		return 13;
	unsigned type = desc_type(*gate);
	if (desc_is_segment(*gate) || (type != GATE_INT32 && type != GATE_TRAP32))
		return 13;
	if (src == IRQ_SOFTWARE && desc_dpl(*gate) < vcpu.cpl)
		return 13;
	if (!desc_present(*gate))
		return 11;
	*err = gate_selector(*gate) & ~3u;
	return seg_code_fault(gate_selector(*gate) & ~3u, 0);
}

/* Exceptions while delivering one: a second is a double fault, a third a
 * triple fault (the guest's CPU would reset). */
static unsigned delivering;

void irq_reflect(struct trap_frame *f, unsigned vector, enum irq_source src,
		 int has_err, uint32_t err, uint32_t return_eip)
{
	uint64_t gate = 0;
	uint32_t fault_err;
	if (delivering >= 2)
		vcpu_kill("triple fault delivering vector %u", vector);
	unsigned fault = gate_fault(vector, src, &gate, &fault_err);
	if (fault) {
		delivering++;
		if (delivering == 1)
			irq_reflect(f, fault, IRQ_EXCEPTION, 1, fault_err, f->eip);
		else
			irq_reflect(f, 8, IRQ_EXCEPTION, 1, 0, f->eip);
		delivering = 0;
		return;
	}
	uint32_t eflags = vcpu_eflags(f), old_cs = vcpu_cs(f);
	if (vcpu.cpl == 3)
		far_enter_kernel_stack(f);
	if (vcpu_push(f, eflags, 4) || vcpu_push(f, old_cs, 4) || vcpu_push(f, return_eip, 4) ||
	    (has_err && vcpu_push(f, err, 4)))
		vcpu_kill("triple fault: guest stack unusable delivering vector %u", vector);
	f->cs = gate_selector(gate) | 3u;
	f->eip = gate_offset(gate);
	if (desc_type(gate) == GATE_INT32)
		eflags &= ~(uint32_t)X86_EFLAGS_IF;
	vcpu_set_eflags(f, eflags & ~(uint32_t)(X86_EFLAGS_TF | X86_EFLAGS_NT), 0);
}

void irq_sti(struct trap_frame *f)
{
	if (vcpu.vif || window.active)
		return;
	vcpu.vif = 1;
	window.active = 1;
	window.eip = f->eip;   /* sti is one byte: already past it */
	window.guest_tf = f->eflags & X86_EFLAGS_TF;
	f->eflags |= X86_EFLAGS_TF;
}

int irq_window_done(struct trap_frame *f)
{
	if (!window.active)
		return 0;
	window.active = 0;
	f->eflags = (f->eflags & ~(uint32_t)X86_EFLAGS_TF) | window.guest_tf;
	return 1;
}

/* An interrupt waits: the local APIC's first (it has priorities; a PIC's
 * comes through its LINT0 as ExtINT, which it does not order). */
static int waiting(void)
{
	return lapic_pending() || pic_pending();
}

/* The instruction after sti may also have been emulated (hlt, cli...):
 * once EIP has moved on, the shadow is over. */
void irq_deliver(struct trap_frame *f)
{
	if (window.active && f->eip != window.eip)
		irq_window_done(f);
	if (vcpu.vif && waiting() && !window.active && !protect_stepping())
		irq_reflect(f, lapic_pending() ? lapic_take() : pic_take(), IRQ_EXTERNAL, 0, 0,
			    f->eip);
}

int irq_quiet(void)
{
	return !window.active && !(vcpu.vif && waiting());
}

void irq_idle(uint32_t eip)
{
	idle_eip = eip;
	idling = 1;
	while (!waiting())
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	idling = 0;
}

/* A real vector the CPU took, as the guest's vector: the local APIC's is
 * the same, a PIC's is its IRQ's; NOT_IRQ for no interrupt, SWALLOWED for a
 * tick of the monitor's own stall (pic.c says why). */
#define NOT_IRQ (-1)
#define SWALLOWED (-2)
static int guest_vector(unsigned vector)
{
	if (lapic_arrived(vector))
		return (int)vector;
	if (!pic_real_vector(vector))
		return NOT_IRQ;
	unsigned irq = vector - PIC_REAL_BASE;
	if (pic_swallow(irq))
		return SWALLOWED;
	pic_raise(irq);
	return (int)pic_guest_vector(irq);
}

int irq_arrived(unsigned vector, const struct trap_frame *f)
{
	if (vector < 32 || ((f->cs & 3) == 0 && !idling))
		return 0;
	int gv = guest_vector(vector);
	if (gv < 0)
		return gv == SWALLOWED;
	/* In the monitor's idle loop the frame is the monitor's: the record
	 * names where the guest waits, its hlt. */
	int guest = (f->cs & 3) != 0;
	struct trap_record rec;
	trap_record_start(&rec, f, rdtsc(), guest ? vcpu_cs(f) : 0, vcpu.cpl);
	rec.kind = KIND_IRQ;
	if (!guest)
		rec.eip = idle_eip;
	rec.detail = (uint32_t)gv;
	ring_commit(&rec);
	return 1;
}
