/* farxfer.c — the guest's far jumps, calls and returns.  The real
 * descriptors are all DPL 3, so the CPU's own checks would let the guest
 * kernel wander into user code without the monitor noticing and push RPL-3
 * selectors; scan.c patches these instructions and they are carried out
 * here against the guest's descriptors and its virtual CPL (SDM vol. 2,
 * CALL, JMP, RET, IRET).  Task switches and call-gate parameters are not
 * virtualized: a guest that needs them is stopped. */
#include "farxfer.h"
#include "descriptor.h"
#include "gmem.h"
#include "kill.h"
#include "lib.h"
#include "vcpu.h"
#include "x86.h"

#define DESC_CALL_GATE32 0x0cu

void far_enter_kernel_stack(struct trap_frame *f)
{
	uint32_t esp0, ss0 = 0;
	if (!vcpu.tr || vmem_read(&vcpu_mem_sys, vcpu.tss.base + 4, &esp0, 4) ||
	    vmem_read(&vcpu_mem_sys, vcpu.tss.base + 8, &ss0, 2))
		vcpu_kill("no usable guest TSS to enter the kernel from user mode");
	uint32_t old_ss = f->ss, old_esp = f->esp;
	vcpu.cpl = 0;
	if (seg_load(f, INSN_SEG_SS, (uint16_t)ss0))
		vcpu_kill("bad SS0 %04x in the guest TSS: its #TS is not virtualized", ss0);
	f->esp = esp0;
	if (vcpu_push(f, old_ss, 4) || vcpu_push(f, old_esp, 4))
		vcpu_kill("guest kernel stack unusable entering from user mode");
}

/* The code segment a transfer lands in: for a direct jump or call the CPL
 * must equal a non-conforming segment's DPL; through a gate a call may also
 * go inward (to ring 0).  Sets *inward. */
static enum outcome check_target(uint16_t sel, int via_gate, int call, int *inward)
{
	uint64_t d;
	*inward = 0;
	if (!(sel & ~3u) || seg_guest_desc(sel, &d) || !desc_is_segment(d) ||
	    !(desc_type(d) & DESC_CODE))
		return exc_raise(13, sel & ~3u, 0);
	unsigned dpl = desc_dpl(d);
	if (desc_type(d) & DESC_CONFORMING) {
		if (dpl > vcpu.cpl)
			return exc_raise(13, sel & ~3u, 0);
	} else if (via_gate ? (dpl > vcpu.cpl || (dpl < vcpu.cpl && !call))
			    : ((sel & 3) > vcpu.cpl || dpl != vcpu.cpl)) {
		return exc_raise(13, sel & ~3u, 0);
	} else {
		*inward = dpl < vcpu.cpl;
	}
	if (!desc_present(d))
		return exc_raise(11, sel & ~3u, 0);
	return OUT_DONE;
}

enum outcome far_transfer(struct trap_frame *f, uint16_t sel, uint32_t off, int call,
			  uint32_t next_eip, unsigned opsize)
{
	uint64_t d;
	int via_gate = 0, inward;
	if ((sel & ~3u) && !seg_guest_desc(sel, &d) && !desc_is_segment(d)) {
		if (desc_type(d) != DESC_CALL_GATE32) {
			if (desc_dpl(d) >= vcpu.cpl && desc_dpl(d) >= (sel & 3u))
				vcpu_kill("guest task switch through %04x: not virtualized", sel);
			return exc_raise(13, sel & ~3u, 0);
		}
		if (desc_dpl(d) < vcpu.cpl || desc_dpl(d) < (sel & 3u))
			return exc_raise(13, sel & ~3u, 0);
		if (!desc_present(d))
			return exc_raise(11, sel & ~3u, 0);
		if ((d >> 32) & 0x1f)
			vcpu_kill("call gate %04x copies parameters: not virtualized", sel);
		via_gate = 1;
		sel = gate_selector(d);
		off = gate_offset(d);
	}
	enum outcome out = check_target(sel, via_gate, call, &inward);
	if (out)
		return out;
	uint32_t old_cs = vcpu_cs(f), old_esp = f->esp, old_ss = f->ss;
	uint8_t old_cpl = vcpu.cpl;
	if (inward)
		far_enter_kernel_stack(f);
	if (call && ((out = vcpu_push(f, old_cs, opsize)) || (out = vcpu_push(f, next_eip, opsize)))) {
		f->esp = old_esp;
		f->ss = old_ss;
		vcpu.cpl = old_cpl;
		return out;
	}
	f->cs = (sel & ~3u) | 3;
	f->eip = opsize == 2 ? off & 0xffff : off;
	return OUT_JUMPED;
}

/* Pop what a return to an outer level adds (ESP, SS), load SS at the new
 * CPL and go to user mode. */
static enum outcome return_outward(struct trap_frame *f, unsigned opsize, uint8_t cpl)
{
	uint32_t esp, ss;
	enum outcome out;
	if ((out = vcpu_pop(f, &esp, opsize)) || (out = vcpu_pop(f, &ss, opsize)))
		return out;
	vcpu.cpl = 3;
	if ((out = seg_load(f, INSN_SEG_SS, (uint16_t)ss))) {
		vcpu.cpl = cpl;
		return out;
	}
	f->esp = esp;
	seg_clear_for_user(f);
	return OUT_DONE;
}

enum outcome far_return(struct trap_frame *f, int iret, unsigned opsize, uint16_t imm)
{
	uint32_t eip, cs, eflags = 0;
	uint32_t saved_esp = f->esp, saved_ss = f->ss;
	uint8_t cpl = vcpu.cpl;
	enum outcome out;
	if ((out = vcpu_pop(f, &eip, opsize)) || (out = vcpu_pop(f, &cs, opsize)) ||
	    (iret && (out = vcpu_pop(f, &eflags, opsize))))
		goto undo;
	if (iret && opsize == 2)
		eflags = (vcpu_eflags(f) & 0xffff0000u) | eflags;
	unsigned rpl = cs & 3, fault = seg_code_fault((uint16_t)cs, rpl);
	if (rpl < cpl || (rpl > cpl && (cpl != 0 || rpl != 3)))
		fault = 13;
	if (fault) {
		out = exc_raise(fault, cs & 0xfffcu, 0);
		goto undo;
	}
	f->esp += imm;
	if (rpl > cpl && (out = return_outward(f, opsize, cpl)))
		goto undo;
	f->eip = eip;
	f->cs = (cs & 0xffffu) | 3;
	if (iret)
		vcpu_set_eflags(f, eflags, cpl);
	return OUT_JUMPED;
undo:
	f->esp = saved_esp;
	f->ss = saved_ss;
	return out;
}
