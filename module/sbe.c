/* sbe.c — the sensitive instructions: they would run at ring 3 without a
 * trap and show the guest the real machine (its real IF and IOPL, the
 * monitor's GDT and IDT, RPL 3 selectors, DPL 3 descriptors, the host's CPU
 * features).  scan.c patches them to trap; here each is carried out against
 * the virtual CPU instead. */
#include "sbe.h"
#include "descriptor.h"
#include "emulate.h"
#include "lib.h"
#include "segments.h"
#include "vcpu.h"
#include "x86.h"

/* Guest-visible selector of segment register n (ES CS SS DS FS GS). */
static uint16_t visible_sreg(const struct trap_frame *f, unsigned n)
{
	const uint32_t sel[6] = { f->es, f->cs, f->ss, f->ds, f->fs, f->gs };
	if (n == 1 || n == 2)   /* CS and SS carry the CPL in their RPL */
		return (uint16_t)((sel[n] & ~3u) | vcpu.cpl);
	return (uint16_t)sel[n];
}

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

static int get_rm16(const struct trap_frame *f, const struct insn *in, uint16_t *v)
{
	struct emu_regs r;
	uint32_t lin;
	vcpu_to_emu(f, &r);
	if (in->mod == 3) {
		*v = (uint16_t)r.gpr[in->rm];
		return 0;
	}
	return emu_operand_addr(&r, in, &lin) || vmem_read(&vcpu_mem, lin, v, 2);
}

static int push(struct trap_frame *f, uint32_t v, unsigned size)
{
	if (vmem_write(&vcpu_mem, seg_base(f->ss) + f->esp - size, &v, size))
		return -1;
	f->esp -= size;
	return 0;
}

static int popf(struct trap_frame *f, unsigned size)
{
	uint32_t v = 0;
	if (vmem_read(&vcpu_mem, seg_base(f->ss) + f->esp, &v, size))
		return -1;
	f->esp += size;
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
	if (get_rm16(f, in, &sel))
		return -1;
	int ok = (sel & ~3u) && !seg_guest_desc(sel, &d) && desc_present(d) && visible(sel, d) &&
		 (desc_is_segment(d) || (((in->op == 0x02 ? lar_types : lsl_types) >> desc_type(d)) & 1));
	set_zf(f, ok);
	if (!ok)
		return 0;
	uint32_t v = in->op == 0x02 ? (uint32_t)(d >> 32) & 0x00f0ff00u : desc_limit(d);
	uint32_t *gpr[8] = { &f->eax, &f->ecx, &f->edx, &f->ebx, &f->esp, &f->ebp, &f->esi, &f->edi };
	*gpr[in->reg] = in->opsize ? (*gpr[in->reg] & 0xffff0000u) | (v & 0xffff) : v;
	return 0;
}

/* verr (0F 00 /4), verw (0F 00 /5). */
static int verr_verw(struct trap_frame *f, const struct insn *in)
{
	uint16_t sel;
	uint64_t d;
	if (get_rm16(f, in, &sel))
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
 * VME, SEP (sysenter), the local APIC, MCE/MCA, PGE's global pages are
 * fine; in leaf 1 ECX x2APIC, TSC deadline, XSAVE/OSXSAVE and AVX. */
static void emulate_cpuid(struct trap_frame *f)
{
	uint32_t r[4];
	uint32_t leaf = f->eax;
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(f->ecx));
	if (leaf == 1) {
		r[3] &= ~((1u << 1) | (1u << 7) | (1u << 9) | (1u << 11) | (1u << 14));
		r[2] &= ~((1u << 21) | (1u << 24) | (1u << 26) | (1u << 27) | (1u << 28));
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

int sbe_emulate(struct trap_frame *f, const struct insn *in, struct trap_record *rec)
{
	unsigned size = in->opsize ? 2 : 4;
	int rc;
	rec->kind = KIND_SBE;
	rec->detail = (uint32_t)in->map << 8 | in->op;
	if (in->map == INSN_MAP_0F)
		rc = emulate_0f(f, in);
	else if (in->op == 0x9c)
		rc = push(f, vcpu_eflags(f) & (size == 2 ? 0xffffu : 0x00fcffffu), size);
	else if (in->op == 0x9d)
		rc = popf(f, size);
	else if (in->op == 0x8c)
		rc = put_rm(f, in, visible_sreg(f, in->reg), 2);
	else   /* push cs (0E), push ss (16) */
		rc = push(f, visible_sreg(f, in->op == 0x0e ? 1 : 2), size);
	if (rc)
		return -1;
	f->eip += in->len;
	return 0;
}
