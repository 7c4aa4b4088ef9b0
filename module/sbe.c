/* sbe.c — the sensitive instructions: they would run at ring 3 without a
 * trap and show the guest the real machine (its real IF and IOPL, the
 * monitor's GDT and IDT, RPL 3 selectors, DPL 3 descriptors, the host's CPU
 * features).  scan.c patches them to trap; here each is carried out against
 * the virtual CPU instead. */
#include "sbe.h"
#include "descriptor.h"
#include "emulate.h"
#include "farxfer.h"
#include "gmem.h"
#include "lib.h"
#include "segments.h"
#include "vcpu.h"
#include "x86.h"

/* Each emulation returns an outcome (trap.h): OUT_DONE to continue after
 * the instruction, OUT_JUMPED when it set EIP, OUT_RAISED with the
 * guest's exception queued, OUT_UNHANDLED for a form not emulated here. */

/* Write a result to the r/m operand: a register (size bytes, zero-extended
 * to the register) or memory (mem_size bytes). */
static enum outcome put_rm(struct trap_frame *f, const struct insn *in, uint32_t v,
			   unsigned mem_size)
{
	uint32_t lin;
	if (in->mod == 3) {
		uint32_t *reg = frame_gpr(f, in->rm);
		*reg = in->opsize ? (*reg & 0xffff0000u) | (v & 0xffff) : v;
		return OUT_DONE;
	}
	enum outcome out = vcpu_operand(f, in, &lin);
	return out ? out : vmem_write(&vcpu_mem, lin, &v, mem_size);
}

static enum outcome popf(struct trap_frame *f, unsigned size)
{
	uint32_t v;
	enum outcome out = vcpu_pop(f, &v, size);
	if (out)
		return out;
	if (size == 2)
		v = (vcpu_eflags(f) & 0xffff0000u) | v;
	vcpu_set_eflags(f, v, vcpu.cpl);
	return OUT_DONE;
}

/* sgdt, sidt: a register operand is #UD. */
static enum outcome store_dtr(struct trap_frame *f, const struct insn *in, const struct vdtr *t)
{
	uint32_t lin;
	uint8_t buf[6] = { (uint8_t)t->limit, (uint8_t)(t->limit >> 8), (uint8_t)t->base,
			   (uint8_t)(t->base >> 8), (uint8_t)(t->base >> 16), (uint8_t)(t->base >> 24) };
	if (in->mod == 3)
		return exc_raise(6, 0, 0);
	enum outcome out = vcpu_operand(f, in, &lin);
	return out ? out : vmem_write(&vcpu_mem, lin, buf, 6);
}

/* May the guest at its CPL look at descriptor d through selector sel
 * (lar, lsl, verr, verw)?  Conforming code is visible from any level. */
static int visible(uint16_t sel, uint64_t d)
{
	unsigned dpl = desc_dpl(d), rpl = sel & 3;
	int conforming = desc_is_segment(d) && (desc_type(d) & (DESC_CODE | DESC_CONFORMING)) ==
						  (DESC_CODE | DESC_CONFORMING);
	return conforming || (dpl >= vcpu.cpl && dpl >= rpl);
}

static void set_zf(struct trap_frame *f, int zf)
{
	f->eflags = zf ? f->eflags | X86_EFLAGS_ZF : f->eflags & ~(uint32_t)X86_EFLAGS_ZF;
}

/* lar (0F 02) and lsl (0F 03): ZF set and the result written when the
 * descriptor is valid and visible; system types as the SDM lists them. */
static enum outcome lar_lsl(struct trap_frame *f, const struct insn *in)
{
	static const uint16_t lar_types = 0x1a3e, lsl_types = 0x0a0e;   /* bit per system type */
	uint16_t sel;
	uint64_t d;
	enum outcome out = vcpu_read_rm16(f, in, &sel);
	if (out)
		return out;
	int ok = (sel & ~3u) && !seg_guest_desc(sel, &d) && desc_present(d) && visible(sel, d) &&
		 (desc_is_segment(d) || (((in->op == 0x02 ? lar_types : lsl_types) >> desc_type(d)) & 1));
	set_zf(f, ok);
	if (!ok)
		return OUT_DONE;
	uint32_t v = in->op == 0x02 ? (uint32_t)(d >> 32) & 0x00f0ff00u : desc_limit(d);
	uint32_t *reg = frame_gpr(f, in->reg);
	*reg = in->opsize ? (*reg & 0xffff0000u) | (v & 0xffff) : v;
	return OUT_DONE;
}

/* verr (0F 00 /4), verw (0F 00 /5). */
static enum outcome verr_verw(struct trap_frame *f, const struct insn *in)
{
	uint16_t sel;
	uint64_t d;
	enum outcome out = vcpu_read_rm16(f, in, &sel);
	if (out)
		return out;
	int ok = (sel & ~3u) && !seg_guest_desc(sel, &d) && desc_present(d) && desc_is_segment(d) &&
		 visible(sel, d);
	unsigned type = desc_type(d);
	if (in->reg == 4)
		ok = ok && (!(type & DESC_CODE) || (type & DESC_RW));
	else
		ok = ok && !(type & DESC_CODE) && (type & DESC_RW);
	set_zf(f, ok);
	return OUT_DONE;
}

/* cpuid: the host's answer without what the monitor does not virtualize:
 * in leaf 1 EDX VME, MCE, SEP (sysenter) and MCA (the local APIC is the
 * real one, lapic.c); in leaf 1
 * ECX x2APIC, TSC deadline, XSAVE/OSXSAVE and AVX; every structured
 * extended feature of leaf 7 (FSGSBASE, SMEP, SMAP, UMIP... need CR4 bits
 * the guest's CR4 never reaches the CPU with). */
static void emulate_cpuid(struct trap_frame *f)
{
	uint32_t r[4];
	uint32_t leaf = f->eax;
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(f->ecx));
	if (leaf == 1) {
		r[3] &= ~((1u << 1) | (1u << 7) | (1u << 11) | (1u << 14));
		r[2] &= ~((1u << 21) | (1u << 24) | (1u << 26) | (1u << 27) | (1u << 28));
	} else if (leaf == 7) {
		r[1] = r[2] = r[3] = 0;
	}
	f->eax = r[0];
	f->ebx = r[1];
	f->ecx = r[2];
	f->edx = r[3];
}

/* pop sreg: the selector leaves the stack only when it loads. */
static enum outcome pop_sreg(struct trap_frame *f, unsigned n, unsigned size)
{
	uint32_t sel, esp = f->esp;
	enum outcome out = vcpu_pop(f, &sel, size);
	if (out == OUT_DONE && (out = seg_load(f, n, (uint16_t)sel)))
		f->esp = esp;
	return out;
}

/* A far pointer m16:32 (or m16:16) at the r/m operand; a register is #UD. */
static enum outcome read_far_ptr(const struct trap_frame *f, const struct insn *in,
				 unsigned size, uint32_t *off, uint16_t *sel)
{
	uint32_t lin;
	enum outcome out;
	*off = 0;
	if (in->mod == 3)
		return exc_raise(6, 0, 0);
	if ((out = vcpu_operand(f, in, &lin)) || (out = vmem_read(&vcpu_mem, lin, off, size)))
		return out;
	return vmem_read(&vcpu_mem, lin + size, sel, 2);
}

/* lds, les, lss, lfs, lgs: a far pointer into a segment register and reg. */
static enum outcome load_far_ptr(struct trap_frame *f, const struct insn *in, unsigned n,
				 unsigned size)
{
	uint32_t off;
	uint16_t sel;
	enum outcome out;
	if ((out = read_far_ptr(f, in, size, &off, &sel)) || (out = seg_load(f, n, sel)))
		return out;
	uint32_t *reg = frame_gpr(f, in->reg);
	*reg = size == 2 ? (*reg & 0xffff0000u) | off : off;
	return OUT_DONE;
}

static enum outcome indirect_transfer(struct trap_frame *f, const struct insn *in, unsigned size)
{
	uint32_t off;
	uint16_t sel;
	enum outcome out = read_far_ptr(f, in, size, &off, &sel);
	if (out)
		return out;
	return far_transfer(f, sel, off, in->reg == 3, f->eip + in->len, size);
}

static enum outcome emulate_0f(struct trap_frame *f, const struct insn *in)
{
	switch (in->op) {
	case 0x00:
		if (in->reg == 0)
			return put_rm(f, in, vcpu.ldtr, 2);
		if (in->reg == 1)
			return put_rm(f, in, vcpu.tr, 2);
		if (in->reg == 4 || in->reg == 5)
			return verr_verw(f, in);
		break;
	case 0x01:
		if (in->reg == 0)
			return store_dtr(f, in, &vcpu.gdtr);
		if (in->reg == 1)
			return store_dtr(f, in, &vcpu.idtr);
		if (in->reg == 4)
			return put_rm(f, in, vcpu.cr0, 2);   /* smsw */
		break;
	case 0x02: case 0x03:
		return lar_lsl(f, in);
	case 0xa2:
		emulate_cpuid(f);
		return OUT_DONE;
	case 0xa0: case 0xa8:   /* push fs, push gs: the opcode holds the sreg number */
		return vcpu_push(f, seg_visible(f, (in->op >> 3) & 7), in->opsize ? 2 : 4);
	case 0xa1: case 0xa9:
		return pop_sreg(f, in->op == 0xa1 ? INSN_SEG_FS : INSN_SEG_GS, in->opsize ? 2 : 4);
	case 0xb2: case 0xb4: case 0xb5:
		return load_far_ptr(f, in, in->op == 0xb2 ? INSN_SEG_SS : in->op == 0xb4 ? INSN_SEG_FS : INSN_SEG_GS,
				    in->opsize ? 2 : 4);
	}
	return OUT_UNHANDLED;
}

static enum outcome emulate_one(struct trap_frame *f, const struct insn *in, unsigned size)
{
	uint16_t sel;
	enum outcome out;
	switch (in->op) {
	case 0x9c:
		return vcpu_push(f, vcpu_eflags(f) & (size == 2 ? 0xffffu : 0x00fcffffu), size);
	case 0x9d:
		return popf(f, size);
	case 0x8c:
		return put_rm(f, in, seg_visible(f, in->reg), 2);
	case 0x8e:
		if (in->reg == INSN_SEG_CS || in->reg > INSN_SEG_GS)
			return exc_raise(6, 0, 0);
		if ((out = vcpu_read_rm16(f, in, &sel)))
			return out;
		return seg_load(f, in->reg, sel);
	case 0x06: case 0x0e: case 0x16: case 0x1e:
		return vcpu_push(f, seg_visible(f, in->op >> 3), size);   /* push es, cs, ss, ds */
	case 0x07: case 0x17: case 0x1f:
		return pop_sreg(f, in->op >> 3, size);   /* the opcode holds the sreg number */
	case 0xc4: case 0xc5:
		return load_far_ptr(f, in, in->op == 0xc4 ? INSN_SEG_ES : INSN_SEG_DS, size);
	case 0x9a: case 0xea:
		return far_transfer(f, in->imm2, in->imm, in->op == 0x9a, f->eip + in->len, size);
	case 0xff:
		if (in->reg == 3 || in->reg == 5)
			return indirect_transfer(f, in, size);
		break;
	case 0xca: case 0xcb:
		return far_return(f, 0, size, in->op == 0xca ? (uint16_t)in->imm : 0);
	case 0xcf:
		return far_return(f, 1, size, 0);
	}
	return OUT_UNHANDLED;
}

enum outcome sbe_emulate(struct trap_frame *f, const struct insn *in, struct trap_record *rec)
{
	rec->kind = KIND_SBE;
	rec->detail = (uint32_t)in->map << 8 | in->op;
	enum outcome out = in->map == INSN_MAP_0F ? emulate_0f(f, in) :
			   in->map == INSN_MAP_ONE ? emulate_one(f, in, in->opsize ? 2 : 4) :
						     OUT_UNHANDLED;
	if (out == OUT_DONE)
		f->eip += in->len;
	return out;
}
