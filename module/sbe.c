/* sbe.c — the sensitive instructions: they would run at ring 3 without a
 * trap and show the guest the real machine (its real IF and IOPL, the
 * monitor's GDT and IDT, RPL 3 selectors, DPL 3 descriptors, the host's CPU
 * features).  scan.c patches them to trap; here each is carried out against
 * the virtual CPU instead. */
#include "sbe.h"
#include "descriptor.h"
#include "emulate.h"
#include "farxfer.h"
#include "interrupts.h"
#include "lib.h"
#include "segments.h"
#include "vcpu.h"
#include "x86.h"

/* Outcomes of one emulation step. */
#define SBE_NEXT 0       /* done: continue after the instruction */
#define SBE_JUMPED 1     /* EIP set: a transfer, or an exception raised */
#define SBE_PF (-1)      /* the guest's #PF is in vcpu.fault_* */

/* Write a result to the r/m operand: a register (size bytes, zero-extended
 * to the register) or memory (mem_size bytes). */
static int put_rm(struct trap_frame *f, const struct insn *in, uint32_t v, unsigned mem_size)
{
	struct emu_regs r;
	uint32_t lin;
	vcpu_to_emu(f, &r);
	if (in->mod == 3) {
		if (in->opsize)
			r.gpr[in->rm] = (r.gpr[in->rm] & 0xffff0000u) | (v & 0xffff);
		else
			r.gpr[in->rm] = v;
		vcpu_from_emu(f, &r);
		return 0;
	}
	if (emu_operand_addr(&r, in, &lin))
		return -1;
	return vmem_write(&vcpu_mem, lin, &v, mem_size);
}

static int push(struct trap_frame *f, uint32_t v, unsigned size)
{
	return vcpu_push(f, v, size) ? SBE_PF : SBE_NEXT;
}

static int popf(struct trap_frame *f, unsigned size)
{
	uint32_t v;
	if (vcpu_pop(f, &v, size))
		return -1;
	if (size == 2)
		v = (vcpu_eflags(f) & 0xffff0000u) | v;
	vcpu_set_eflags(f, v, vcpu.cpl);
	return 0;
}

static int store_dtr(struct trap_frame *f, const struct insn *in, const struct vdtr *t)
{
	struct emu_regs r;
	uint32_t lin;
	uint8_t buf[6] = { (uint8_t)t->limit, (uint8_t)(t->limit >> 8), (uint8_t)t->base,
			   (uint8_t)(t->base >> 8), (uint8_t)(t->base >> 16), (uint8_t)(t->base >> 24) };
	vcpu_to_emu(f, &r);
	return emu_operand_addr(&r, in, &lin) || vmem_write(&vcpu_mem, lin, buf, 6);
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
static int lar_lsl(struct trap_frame *f, const struct insn *in)
{
	static const uint16_t lar_types = 0x1a3e, lsl_types = 0x0a0e;   /* bit per system type */
	uint16_t sel;
	uint64_t d;
	if (vcpu_read_rm16(f, in, &sel))
		return -1;
	int ok = (sel & ~3u) && !seg_guest_desc(sel, &d) && desc_present(d) && visible(sel, d) &&
		 (desc_is_segment(d) || (((in->op == 0x02 ? lar_types : lsl_types) >> desc_type(d)) & 1));
	set_zf(f, ok);
	if (!ok)
		return 0;
	uint32_t v = in->op == 0x02 ? (uint32_t)(d >> 32) & 0x00f0ff00u : desc_limit(d);
	uint32_t *reg = vcpu_gpr(f, in->reg);
	*reg = in->opsize ? (*reg & 0xffff0000u) | (v & 0xffff) : v;
	return 0;
}

/* verr (0F 00 /4), verw (0F 00 /5). */
static int verr_verw(struct trap_frame *f, const struct insn *in)
{
	uint16_t sel;
	uint64_t d;
	if (vcpu_read_rm16(f, in, &sel))
		return -1;
	int ok = (sel & ~3u) && !seg_guest_desc(sel, &d) && desc_present(d) && desc_is_segment(d) &&
		 visible(sel, d);
	unsigned type = desc_type(d);
	if (in->reg == 4)
		ok = ok && (!(type & DESC_CODE) || (type & DESC_RW));
	else
		ok = ok && !(type & DESC_CODE) && (type & DESC_RW);
	set_zf(f, ok);
	return 0;
}

/* cpuid: the host's answer without what the monitor does not virtualize:
 * in leaf 1 EDX VME, MCE, the local APIC, SEP (sysenter) and MCA; in leaf 1
 * ECX x2APIC, TSC deadline, XSAVE/OSXSAVE and AVX; every structured
 * extended feature of leaf 7 (FSGSBASE, SMEP, SMAP, UMIP... need CR4 bits
 * the guest's CR4 never reaches the CPU with). */
static void emulate_cpuid(struct trap_frame *f)
{
	uint32_t r[4];
	uint32_t leaf = f->eax;
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(f->ecx));
	if (leaf == 1) {
		r[3] &= ~((1u << 1) | (1u << 7) | (1u << 9) | (1u << 11) | (1u << 14));
		r[2] &= ~((1u << 21) | (1u << 24) | (1u << 26) | (1u << 27) | (1u << 28));
	} else if (leaf == 7) {
		r[1] = r[2] = r[3] = 0;
	}
	f->eax = r[0];
	f->ebx = r[1];
	f->ecx = r[2];
	f->edx = r[3];
}

static int emulate_0f(struct trap_frame *f, const struct insn *in)
{
	switch (in->op) {
	case 0x00:
		if (in->reg == 0)
			return put_rm(f, in, vcpu.ldtr, 2);
		if (in->reg == 1)
			return put_rm(f, in, vcpu.tr, 2);
		return verr_verw(f, in);
	case 0x01:
		if (in->reg == 0)
			return store_dtr(f, in, &vcpu.gdtr);
		if (in->reg == 1)
			return store_dtr(f, in, &vcpu.idtr);
		return put_rm(f, in, vcpu.cr0, 2);   /* smsw */
	case 0x02: case 0x03:
		return lar_lsl(f, in);
	case 0xa2:
		emulate_cpuid(f);
		return 0;
	}
	return -1;
}

static int raise(struct trap_frame *f, const struct xfault *x)
{
	irq_raise(f, x);
	return SBE_JUMPED;
}

/* mov sreg, r/m and pop sreg. */
static int load_sreg(struct trap_frame *f, unsigned n, uint16_t sel)
{
	struct xfault x;
	return seg_load(f, n, sel, &x) ? raise(f, &x) : SBE_NEXT;
}

static int pop_sreg(struct trap_frame *f, unsigned n, unsigned size)
{
	uint32_t sel, esp = f->esp;
	struct xfault x;
	if (vcpu_pop(f, &sel, size))
		return SBE_PF;
	if (seg_load(f, n, (uint16_t)sel, &x)) {
		f->esp = esp;
		return raise(f, &x);
	}
	return SBE_NEXT;
}

/* A far pointer m16:32 (or m16:16) at the r/m operand. */
static int read_far_ptr(const struct trap_frame *f, const struct insn *in, unsigned size,
			uint32_t *off, uint16_t *sel)
{
	struct emu_regs r;
	uint32_t lin;
	*off = 0;
	vcpu_to_emu(f, &r);
	if (in->mod == 3 || emu_operand_addr(&r, in, &lin))
		return -2;   /* #UD: a register operand */
	return vmem_read(&vcpu_mem, lin, off, size) || vmem_read(&vcpu_mem, lin + size, sel, 2);
}

/* lds, les, lss, lfs, lgs: a far pointer into a segment register and reg. */
static int load_far_ptr(struct trap_frame *f, const struct insn *in, unsigned n, unsigned size)
{
	uint32_t off;
	uint16_t sel;
	struct xfault x;
	int rc = read_far_ptr(f, in, size, &off, &sel);
	if (rc)
		return rc == -2 ? raise(f, &(struct xfault){ 6, 0 }) : SBE_PF;
	if (seg_load(f, n, sel, &x))
		return raise(f, &x);
	struct emu_regs r;
	vcpu_to_emu(f, &r);
	r.gpr[in->reg] = size == 2 ? (r.gpr[in->reg] & 0xffff0000u) | off : off;
	vcpu_from_emu(f, &r);
	return SBE_NEXT;
}

static int transfer(struct trap_frame *f, const struct insn *in, uint16_t sel, uint32_t off,
		    int call, unsigned size)
{
	struct xfault x;
	return far_transfer(f, sel, off, call, f->eip + in->len, size, &x) ? raise(f, &x) : SBE_JUMPED;
}

static int indirect_transfer(struct trap_frame *f, const struct insn *in, unsigned size)
{
	uint32_t off;
	uint16_t sel;
	int rc = read_far_ptr(f, in, size, &off, &sel);
	if (rc)
		return rc == -2 ? raise(f, &(struct xfault){ 6, 0 }) : SBE_PF;
	return transfer(f, in, sel, off, in->reg == 3, size);
}

static int ret(struct trap_frame *f, int iret, unsigned size, uint16_t imm)
{
	struct xfault x;
	return far_return(f, iret, size, imm, &x) ? raise(f, &x) : SBE_JUMPED;
}

static int emulate_one(struct trap_frame *f, const struct insn *in, unsigned size)
{
	switch (in->op) {
	case 0x9c:
		return push(f, vcpu_eflags(f) & (size == 2 ? 0xffffu : 0x00fcffffu), size);
	case 0x9d:
		return popf(f, size);
	case 0x8c:
		return put_rm(f, in, seg_visible(f, in->reg), 2);
	case 0x8e: {
		uint16_t sel;
		if (in->reg == 1 || in->reg > 5)
			return raise(f, &(struct xfault){ 6, 0 });
		return vcpu_read_rm16(f, in, &sel) ? SBE_PF : load_sreg(f, in->reg, sel);
	}
	case 0x0e: case 0x16:
		return push(f, seg_visible(f, in->op == 0x0e ? 1 : 2), size);
	case 0x07: case 0x17: case 0x1f:
		return pop_sreg(f, in->op >> 3, size);
	case 0xc4: case 0xc5:
		return load_far_ptr(f, in, in->op == 0xc4 ? 0 : 3, size);
	case 0x9a: case 0xea:
		return transfer(f, in, in->imm2, in->imm, in->op == 0x9a, size);
	case 0xff:
		return indirect_transfer(f, in, size);
	case 0xca: case 0xcb:
		return ret(f, 0, size, in->op == 0xca ? (uint16_t)in->imm : 0);
	case 0xcf:
		return ret(f, 1, size, 0);
	}
	return SBE_PF;
}

static int emulate_two(struct trap_frame *f, const struct insn *in, unsigned size)
{
	switch (in->op) {
	case 0xa1: case 0xa9:
		return pop_sreg(f, in->op == 0xa1 ? 4 : 5, size);
	case 0xb2: case 0xb4: case 0xb5:
		return load_far_ptr(f, in, in->op == 0xb2 ? 2 : in->op - 0xb0, size);
	}
	return emulate_0f(f, in) ? SBE_PF : SBE_NEXT;
}

int sbe_emulate(struct trap_frame *f, const struct insn *in, struct trap_record *rec)
{
	unsigned size = in->opsize ? 2 : 4;
	rec->kind = KIND_SBE;
	rec->detail = (uint32_t)in->map << 8 | in->op;
	int rc = in->map == INSN_MAP_0F ? emulate_two(f, in, size) : emulate_one(f, in, size);
	if (rc == SBE_PF)
		return -1;
	if (rc == SBE_NEXT)
		f->eip += in->len;
	return 0;
}
