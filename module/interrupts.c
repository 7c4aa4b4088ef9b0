/* interrupts.c — the guest's IDT is never loaded into the CPU: every vector
 * reaches the monitor first (its gates are DPL 0, so even the guest's int n
 * is a #GP), and the monitor delivers it through the guest's table, with the
 * privilege change (guest TSS stack switch) the guest's CPU would make. */
#include "interrupts.h"
#include "descriptor.h"
#include "lib.h"
#include "pic.h"
#include "protect.h"
#include "ring.h"
#include "segments.h"
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

static int guest_push(struct trap_frame *f, uint32_t v)
{
	uint32_t lin = seg_base(f->ss) + f->esp - 4;
	if (vmem_write(&vcpu_mem, lin, &v, 4))
		return -1;
	f->esp -= 4;
	return 0;
}

static int guest_pop(struct trap_frame *f, uint32_t *v, unsigned size)
{
	*v = 0;
	if (vmem_read(&vcpu_mem, seg_base(f->ss) + f->esp, v, size))
		return -1;
	f->esp += size;
	return 0;
}

/* From user mode to the guest kernel: SS:ESP from the guest's TSS. */
static void enter_kernel_stack(struct trap_frame *f, unsigned vector)
{
	uint32_t esp0, ss0 = 0;
	if (!vcpu.tr || vmem_read(&vcpu_mem_sys, vcpu.tss.base + 4, &esp0, 4) ||
	    vmem_read(&vcpu_mem_sys, vcpu.tss.base + 8, &ss0, 2))
		vcpu_kill("triple fault: no usable guest TSS for vector %u from user mode", vector);
	uint32_t old_ss = f->ss, old_esp = f->esp;
	vcpu.cpl = 0;
	if (seg_load_ss(f, (uint16_t)ss0))
		vcpu_kill("triple fault: bad SS0 %04x in the guest TSS", ss0);
	f->esp = esp0;
	if (guest_push(f, old_ss) || guest_push(f, old_esp))
		vcpu_kill("triple fault: guest kernel stack unusable for vector %u", vector);
}

void irq_reflect(struct trap_frame *f, unsigned vector, enum irq_source src,
		 int has_err, uint32_t err, uint32_t return_eip)
{
	uint64_t gate;
	uint32_t cs;
	if (vector * 8 + 7 > vcpu.idtr.limit ||
	    vmem_read(&vcpu_mem_sys, vcpu.idtr.base + vector * 8, &gate, 8))
		vcpu_kill("triple fault: vector %u outside the guest IDT", vector);
	unsigned type = desc_type(gate);
	if (!desc_present(gate) || desc_is_segment(gate) || (type != GATE_INT32 && type != GATE_TRAP32))
		vcpu_kill("triple fault: guest IDT gate %u is not a 32-bit interrupt or trap gate", vector);
	if (src == IRQ_SOFTWARE && desc_dpl(gate) < vcpu.cpl) {
		irq_reflect(f, 13, IRQ_EXCEPTION, 1, vector * 8 + 2, f->eip);
		return;
	}
	if (seg_code_selector(gate_selector(gate) & ~3u, 0, &cs))
		vcpu_kill("triple fault: guest IDT gate %u has a bad code selector", vector);
	uint32_t eflags = vcpu_eflags(f), old_cs = vcpu_cs(f);
	if (vcpu.cpl == 3)
		enter_kernel_stack(f, vector);
	if (guest_push(f, eflags) || guest_push(f, old_cs) || guest_push(f, return_eip) ||
	    (has_err && guest_push(f, err)))
		vcpu_kill("triple fault: guest stack unusable delivering vector %u", vector);
	f->cs = cs;
	f->eip = gate_offset(gate);
	if (type == GATE_INT32)
		eflags &= ~(uint32_t)X86_EFLAGS_IF;
	vcpu_set_eflags(f, eflags & ~(uint32_t)(X86_EFLAGS_TF | X86_EFLAGS_NT), 0);
}

void irq_page_fault(struct trap_frame *f)
{
	vcpu.cr2 = vcpu.fault_lin;
	irq_reflect(f, 14, IRQ_EXCEPTION, 1, vcpu.fault_err, f->eip);
}

/* Returning to user mode, data segments the user may not use are cleared,
 * as the CPU does (SDM vol. 2, IRET). */
static void clear_kernel_segments(struct trap_frame *f)
{
	uint32_t *sregs[4] = { &f->ds, &f->es, &f->fs, &f->gs };
	for (unsigned i = 0; i < 4; i++) {
		uint64_t d;
		if (!(*sregs[i] & ~3u))
			continue;
		if (seg_guest_desc((uint16_t)*sregs[i], &d) ||
		    ((desc_type(d) & (DESC_CODE | DESC_CONFORMING)) != (DESC_CODE | DESC_CONFORMING) &&
		     desc_dpl(d) < 3))
			*sregs[i] = 0;
	}
}

int irq_iret(struct trap_frame *f, int opsize16)
{
	unsigned size = opsize16 ? 2 : 4, cpl = vcpu.cpl;
	uint32_t eip, cs, eflags, esp, ss, real_cs;
	uint32_t saved_esp = f->esp, saved_ss = f->ss;
	if (guest_pop(f, &eip, size) || guest_pop(f, &cs, size) || guest_pop(f, &eflags, size))
		goto gp;
	if (opsize16)
		eflags = (vcpu_eflags(f) & 0xffff0000u) | eflags;
	if ((cs & 3) == 3 && vcpu.cpl == 0) {
		if (guest_pop(f, &esp, size) || guest_pop(f, &ss, size) ||
		    seg_code_selector((uint16_t)cs, 3, &real_cs))
			goto gp;
		vcpu.cpl = 3;
		if (seg_load_ss(f, (uint16_t)ss)) {
			vcpu.cpl = 0;
			goto gp;
		}
		f->esp = esp;
		clear_kernel_segments(f);
	} else if ((cs & 3) != vcpu.cpl || seg_code_selector((uint16_t)cs, vcpu.cpl, &real_cs)) {
		goto gp;
	}
	f->eip = eip;
	f->cs = real_cs;
	vcpu_set_eflags(f, eflags, cpl);
	return 0;
gp:
	f->esp = saved_esp;
	f->ss = saved_ss;
	return -1;
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

/* The instruction after sti may also have been emulated (hlt, cli...):
 * once EIP has moved on, the shadow is over. */
void irq_deliver(struct trap_frame *f)
{
	if (window.active && f->eip != window.eip)
		irq_window_done(f);
	if (vcpu.vif && pic_pending() && !window.active && !protect_stepping())
		irq_reflect(f, pic_take(), IRQ_EXTERNAL, 0, 0, f->eip);
}

void irq_idle(uint32_t eip)
{
	idle_eip = eip;
	idling = 1;
	while (!pic_pending())
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	idling = 0;
}

int irq_arrived(unsigned vector, const struct trap_frame *f)
{
	if (vector < PIC_REAL_BASE || vector >= PIC_REAL_BASE + 16)
		return 0;
	if ((f->cs & 3) == 0 && !idling)
		return 0;
	struct trap_record rec;
	memset(&rec, 0, sizeof(rec));
	rec.tsc_in = rdtsc();
	rec.kind = KIND_IRQ;
	rec.vector = (uint8_t)vector;
	rec.cpl = vcpu.cpl;
	rec.eip = (f->cs & 3) ? f->eip : idle_eip;
	rec.detail = pic_guest_vector(vector - PIC_REAL_BASE);
	pic_raise(vector - PIC_REAL_BASE);
	ring_commit(&rec);
	return 1;
}
