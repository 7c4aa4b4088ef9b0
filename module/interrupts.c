/* interrupts.c — the guest's IDT is never loaded into the CPU: every vector
 * reaches the monitor first (its gates are DPL 0, so even the guest's int n
 * is a #GP), and the monitor delivers it through the guest's table. */
#include "interrupts.h"
#include "descriptor.h"
#include "guest.h"
#include "lib.h"
#include "segments.h"
#include "vcpu.h"
#include "x86.h"

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

void irq_reflect(struct trap_frame *f, unsigned vector, int has_err, uint32_t err,
		 uint32_t return_eip)
{
	uint64_t gate;
	uint32_t cs;
	if (vector * 8 + 7 > vcpu.idtr.limit ||
	    vmem_read(&vcpu_mem_sys, vcpu.idtr.base + vector * 8, &gate, 8))
		vcpu_kill("triple fault: vector %u outside the guest IDT", vector);
	unsigned type = desc_type(gate);
	if (!desc_present(gate) || desc_is_segment(gate) || (type != GATE_INT32 && type != GATE_TRAP32))
		vcpu_kill("triple fault: guest IDT gate %u is not a 32-bit interrupt or trap gate", vector);
	if (seg_code_selector(gate_selector(gate), &cs))
		vcpu_kill("triple fault: guest IDT gate %u has a bad code selector", vector);
	uint32_t eflags = vcpu_eflags(f);
	if (guest_push(f, eflags) || guest_push(f, vcpu_cs(f)) || guest_push(f, return_eip) ||
	    (has_err && guest_push(f, err)))
		vcpu_kill("triple fault: guest stack unusable delivering vector %u", vector);
	f->cs = cs;
	f->eip = gate_offset(gate);
	if (type == GATE_INT32)
		eflags &= ~(uint32_t)X86_EFLAGS_IF;
	vcpu_set_eflags(f, eflags & ~(uint32_t)(X86_EFLAGS_TF | X86_EFLAGS_NT));
}

void irq_page_fault(struct trap_frame *f)
{
	vcpu.cr2 = vcpu.fault_lin;
	irq_reflect(f, 14, 1, vcpu.fault_err, f->eip);
}

int irq_iret(struct trap_frame *f, int opsize16)
{
	unsigned size = opsize16 ? 2 : 4;
	uint32_t eip, cs, eflags, real_cs;
	uint32_t esp = f->esp;
	if (guest_pop(f, &eip, size) || guest_pop(f, &cs, size) || guest_pop(f, &eflags, size))
		goto gp;
	/* Only returns within the guest kernel so far: guest user mode is not
	 * virtualized in this version. */
	if ((cs & 3) != vcpu.cpl || seg_code_selector((uint16_t)cs, &real_cs))
		goto gp;
	if (opsize16)
		eflags = (vcpu_eflags(f) & 0xffff0000u) | eflags;
	f->eip = eip;
	f->cs = real_cs;
	vcpu_set_eflags(f, eflags);
	return 0;
gp:
	f->esp = esp;
	return -1;
}
