/* emulate.c — runs one decoded guest instruction on its behalf: all reads,
 * then its one staged write, then the registers, so a fault changes nothing. */
#include "emulate.h"

/* One instruction's work in progress. */
struct emu_run {
	const struct emu_regs *r;	/* the state before the instruction */
	const struct insn *in;
	const struct emu_mem *m;
	uint32_t gpr[8];		/* the register file it leaves behind */
	uint32_t eflags;
	uint32_t eip;
	/* The (at most) one read and one write, and which location was the
	 * explicit ModRM or moffs operand, for emu_access. */
	bool load, store, explicit;
	uint8_t load_size, store_size, explicit_size;
	uint32_t load_lin, store_lin, store_val, explicit_lin;
};

/* An operand: a register (8-bit: AL CL DL BL AH CH DH BH) or memory. */
struct emu_opnd {
	bool mem;
	uint8_t reg;
	uint8_t size;
	uint32_t lin;
};

static uint32_t emu_mask(unsigned size)
{
	return size == 4 ? 0xffffffffu : (1u << size * 8) - 1;
}

static uint32_t emu_msb(unsigned size)
{
	return 1u << (size * 8 - 1);
}

static uint32_t emu_sext(uint32_t v, unsigned size)
{
	uint32_t msb = emu_msb(size);

	return ((v & emu_mask(size)) ^ msb) - msb;
}

/* Operand size of a ModRM instruction whose byte form is byte_form. */
static unsigned emu_size(const struct insn *in, bool byte_form)
{
	if (byte_form)
		return 1;
	return in->opsize ? 2 : 4;
}

static uint32_t emu_reg_get(const struct emu_run *run, unsigned reg,
			    unsigned size)
{
	if (size == 1 && reg >= 4)
		return run->gpr[reg - 4] >> 8 & 0xff;
	return run->gpr[reg] & emu_mask(size);
}

/* Partial registers keep the bits they do not cover, as on hardware. */
static void emu_reg_set(struct emu_run *run, unsigned reg, unsigned size,
			uint32_t v)
{
	uint32_t m = emu_mask(size);
	unsigned shift = 0;

	if (size == 1 && reg >= 4) {
		reg -= 4;
		shift = 8;
	}
	run->gpr[reg] = (run->gpr[reg] & ~(m << shift)) | (v & m) << shift;
}

static int emu_load(struct emu_run *run, uint32_t lin, unsigned size,
		    uint32_t *val)
{
	uint8_t b[4];
	uint32_t v = 0;

	run->load = true;
	run->load_lin = lin;
	run->load_size = (uint8_t)size;
	if (run->m->read(run->m->ctx, lin, b, size) < 0)
		return EMU_FAULT;
	for (unsigned i = size; i-- > 0;)
		v = v << 8 | b[i];
	*val = v;
	return 0;
}

/* No instruction handled here writes memory more than once. */
static void emu_stage(struct emu_run *run, uint32_t lin, unsigned size,
		      uint32_t val)
{
	run->store = true;
	run->store_lin = lin;
	run->store_size = (uint8_t)size;
	run->store_val = val;
}

static int emu_flush(const struct emu_run *run)
{
	uint8_t b[4];

	for (unsigned i = 0; i < run->store_size; i++)
		b[i] = (uint8_t)(run->store_val >> i * 8);
	if (run->m->write(run->m->ctx, run->store_lin, b, run->store_size) < 0)
		return EMU_FAULT;
	return 0;
}

/* Linear address of ea in segment def_seg, unless a prefix overrides it. */
static uint32_t emu_seg_lin(const struct insn *in, const uint32_t *seg_base,
			    int def_seg, uint32_t ea)
{
	return seg_base[in->seg >= 0 ? in->seg : def_seg] + ea;
}

/* Linear address of a ModRM memory operand (32-bit addressing). */
static uint32_t emu_modrm_lin(const struct insn *in, const uint32_t *gpr,
			      const uint32_t *seg_base)
{
	uint32_t ea = (uint32_t)in->disp;
	unsigned base = in->has_sib ? in->base : in->rm;

	if (in->has_sib && in->index != 4)
		ea += gpr[in->index] << in->scale;
	if (in->mod == 0 && base == 5)	/* disp32 in place of a base */
		return emu_seg_lin(in, seg_base, INSN_SEG_DS, ea);
	ea += gpr[base];
	if (base == EMU_ESP || base == EMU_EBP)
		return emu_seg_lin(in, seg_base, INSN_SEG_SS, ea);
	return emu_seg_lin(in, seg_base, INSN_SEG_DS, ea);
}

int emu_operand_addr(const struct emu_regs *r, const struct insn *in,
		     uint32_t *lin)
{
	if (!in->has_modrm || in->mod == 3 || in->addrsize)
		return EMU_UNSUPPORTED;
	*lin = emu_modrm_lin(in, r->gpr, r->seg_base);
	return 0;
}

static uint32_t emu_lin(const struct emu_run *run, int def_seg, uint32_t ea)
{
	return emu_seg_lin(run->in, run->r->seg_base, def_seg, ea);
}

static struct emu_opnd emu_rm(const struct emu_run *run, unsigned size)
{
	struct emu_opnd o = {
		.mem = run->in->mod != 3, .reg = run->in->rm,
		.size = (uint8_t)size,
	};

	/* from the working registers: pop r/m addresses with the new ESP */
	if (o.mem)
		o.lin = emu_modrm_lin(run->in, run->gpr, run->r->seg_base);
	return o;
}

static struct emu_opnd emu_reg(unsigned reg, unsigned size)
{
	return (struct emu_opnd){ .reg = (uint8_t)reg, .size = (uint8_t)size };
}

static void emu_explicit(struct emu_run *run, const struct emu_opnd *o)
{
	run->explicit = true;
	run->explicit_lin = o->lin;
	run->explicit_size = o->size;
}

static int emu_get(struct emu_run *run, const struct emu_opnd *o,
		   uint32_t *val)
{
	if (!o->mem) {
		*val = emu_reg_get(run, o->reg, o->size);
		return 0;
	}
	emu_explicit(run, o);
	return emu_load(run, o->lin, o->size, val);
}

static void emu_put(struct emu_run *run, const struct emu_opnd *o,
		    uint32_t val)
{
	if (!o->mem) {
		emu_reg_set(run, o->reg, o->size, val);
		return;
	}
	emu_explicit(run, o);
	emu_stage(run, o->lin, o->size, val);
}

/* --- flags ---------------------------------------------------------------- */

static void emu_set_flags(struct emu_run *run, uint32_t which, uint32_t val)
{
	run->eflags = (run->eflags & ~which) | (val & which);
}

/* ZF, SF and PF (even parity of the low byte) of a result. */
static uint32_t emu_szp(uint32_t res, unsigned size)
{
	uint32_t f = 0, p = res & 0xff;

	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	if (!(p & 1))
		f |= EMU_FL_PF;
	if (!(res & emu_mask(size)))
		f |= EMU_FL_ZF;
	if (res & emu_msb(size))
		f |= EMU_FL_SF;
	return f;
}

/* a + b + c (c = carry in, 0 or 1), setting the flags in which. */
static uint32_t emu_add(struct emu_run *run, uint32_t a, uint32_t b,
			uint32_t c, unsigned size, uint32_t which)
{
	uint32_t m = emu_mask(size), res, f;

	a &= m;
	b &= m;
	res = (a + b + c) & m;
	f = emu_szp(res, size) | ((a ^ b ^ res) & EMU_FL_AF);
	if (c ? res <= a : res < a)
		f |= EMU_FL_CF;
	if ((a ^ res) & (b ^ res) & emu_msb(size))
		f |= EMU_FL_OF;
	emu_set_flags(run, which, f);
	return res;
}

/* a - b - c (c = borrow in, 0 or 1), setting the flags in which. */
static uint32_t emu_sub(struct emu_run *run, uint32_t a, uint32_t b,
			uint32_t c, unsigned size, uint32_t which)
{
	uint32_t m = emu_mask(size), res, f;

	a &= m;
	b &= m;
	res = (a - b - c) & m;
	f = emu_szp(res, size) | ((a ^ b ^ res) & EMU_FL_AF);
	if (c ? a <= b : a < b)
		f |= EMU_FL_CF;
	if ((a ^ b) & (a ^ res) & emu_msb(size))
		f |= EMU_FL_OF;
	emu_set_flags(run, which, f);
	return res;
}

/* AF is undefined after logic ops; Intel hardware and QEMU clear it. */
static uint32_t emu_logic(struct emu_run *run, uint32_t res, unsigned size)
{
	res &= emu_mask(size);
	emu_set_flags(run, EMU_FL_ARITH, emu_szp(res, size));
	return res;
}

/* The eight ALU operations in their encoding order (00-3F, group 1). */
enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

static uint32_t emu_arith(struct emu_run *run, unsigned op, uint32_t a,
			  uint32_t b, unsigned size)
{
	uint32_t cf = run->eflags & EMU_FL_CF;

	switch (op) {
	case ALU_ADD: return emu_add(run, a, b, 0, size, EMU_FL_ARITH);
	case ALU_OR: return emu_logic(run, a | b, size);
	case ALU_ADC: return emu_add(run, a, b, cf, size, EMU_FL_ARITH);
	case ALU_SBB: return emu_sub(run, a, b, cf, size, EMU_FL_ARITH);
	case ALU_AND: return emu_logic(run, a & b, size);
	case ALU_XOR: return emu_logic(run, a ^ b, size);
	default: return emu_sub(run, a, b, 0, size, EMU_FL_ARITH);
	}
}

/* Condition cc (the low nibble of jcc/setcc) under eflags. */
static bool emu_cond(uint32_t fl, unsigned cc)
{
	bool cf = fl & EMU_FL_CF, zf = fl & EMU_FL_ZF, sf = fl & EMU_FL_SF;
	bool of = fl & EMU_FL_OF, v;

	switch (cc >> 1) {
	case 0: v = of; break;
	case 1: v = cf; break;
	case 2: v = zf; break;
	case 3: v = cf || zf; break;
	case 4: v = sf; break;
	case 5: v = fl & EMU_FL_PF; break;
	case 6: v = sf != of; break;
	default: v = zf || sf != of; break;
	}
	return v ^ (cc & 1);
}

/* --- shifts and rotates ------------------------------------------------- */

static uint32_t emu_shr32(uint32_t x, unsigned n, bool arith)
{
	if (arith && (x & 0x80000000u))
		return ~(~x >> n);
	return x >> n;
}

/* rol ror rcl rcr (op 0-3) by count 1..31: only CF and OF change.  OF is
 * defined for count 1 only; other counts get the same formula, as QEMU. */
static uint32_t emu_rotate(struct emu_run *run, unsigned op, uint32_t a,
			   unsigned count, unsigned size)
{
	uint32_t m = emu_mask(size), msb = emu_msb(size);
	bool left = !(op & 1), through = op >= 2;
	bool cf = run->eflags & EMU_FL_CF, of;
	unsigned n = count % (size * 8 + through);

	if (through && !n)
		return a;
	for (; n; n--) {
		bool out = left ? a & msb : a & 1;
		bool in = through ? cf : out;

		a = left ? (a << 1 | in) & m : a >> 1 | (in ? msb : 0);
		if (through)
			cf = out;
	}
	if (!through)
		cf = left ? a & 1 : a & msb;
	of = left ? (bool)(a & msb) != cf : (bool)((a ^ a << 1) & msb);
	emu_set_flags(run, EMU_FL_CF | EMU_FL_OF,
		      (cf ? EMU_FL_CF : 0) | (of ? EMU_FL_OF : 0));
	return a;
}

/* Group 2 operation op by count 1..31.  CF is the last bit shifted out.
 * Where Intel leaves flags undefined this does what QEMU does: OF from the
 * count-1 formula (MSB of the result against the last step's input), AF
 * cleared. */
static uint32_t emu_shift(struct emu_run *run, unsigned op, uint32_t a,
			  unsigned count, unsigned size)
{
	uint32_t m = emu_mask(size), msb = emu_msb(size), last, res, f = 0;

	if (op < 4)
		return emu_rotate(run, op, a, count, size);
	if (op == 4 || op == 6) {		/* shl, sal */
		last = a << (count - 1);
		res = last << 1 & m;
		if (last & msb)
			f |= EMU_FL_CF;
	} else {				/* shr, sar */
		bool arith = op == 7;

		last = emu_shr32(arith ? emu_sext(a, size) : a, count - 1,
				 arith);
		res = emu_shr32(last, 1, arith) & m;
		if (last & 1)
			f |= EMU_FL_CF;
	}
	if ((last ^ res) & msb)
		f |= EMU_FL_OF;
	emu_set_flags(run, EMU_FL_ARITH, f | emu_szp(res, size));
	return res;
}

/* --- instructions --------------------------------------------------------- */

/* 00-3B: op r/m, reg and op reg, r/m. */
static int emu_alu_modrm(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, !(in->op & 1)), op = in->op >> 3;
	struct emu_opnd rm = emu_rm(run, size), reg = emu_reg(in->reg, size);
	const struct emu_opnd *dst = in->op & 2 ? &reg : &rm;
	const struct emu_opnd *src = in->op & 2 ? &rm : &reg;
	uint32_t a, b;
	int rc = emu_get(run, src, &b);

	if (!rc)
		rc = emu_get(run, dst, &a);
	if (rc)
		return rc;
	a = emu_arith(run, op, a, b, size);
	if (op != ALU_CMP)
		emu_put(run, dst, a);
	return 0;
}

/* 80-83: op r/m, imm (83 sign-extends its imm8). */
static int emu_alu_imm(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, !(in->op & 1));
	struct emu_opnd rm = emu_rm(run, size);
	uint32_t a, b = in->op == 0x83 ? emu_sext(in->imm, 1) : in->imm;
	int rc = emu_get(run, &rm, &a);

	if (rc)
		return rc;
	a = emu_arith(run, in->reg, a, b, size);
	if (in->reg != ALU_CMP)
		emu_put(run, &rm, a);
	return 0;
}

/* test r/m, b: flags of r/m & b. */
static int emu_test(struct emu_run *run, unsigned size, uint32_t b)
{
	struct emu_opnd rm = emu_rm(run, size);
	uint32_t a;
	int rc = emu_get(run, &rm, &a);

	if (!rc)
		emu_logic(run, a & b, size);
	return rc;
}

/* 84/85: test r/m, reg. */
static int emu_test_reg(struct emu_run *run)
{
	unsigned size = emu_size(run->in, run->in->op == 0x84);

	return emu_test(run, size, emu_reg_get(run, run->in->reg, size));
}

/* F6/F7 /0-/3: test r/m, imm; not; neg.  (mul and div are not handled.) */
static int emu_group3(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, in->op == 0xf6);
	struct emu_opnd rm = emu_rm(run, size);
	uint32_t a;
	int rc;

	if (in->reg < 2)
		return emu_test(run, size, in->imm);
	rc = emu_get(run, &rm, &a);
	if (rc)
		return rc;
	if (in->reg == 2)
		emu_put(run, &rm, ~a);
	else
		emu_put(run, &rm, emu_sub(run, 0, a, 0, size, EMU_FL_ARITH));
	return 0;
}

/* FE/FF /0 /1: inc and dec leave CF alone. */
static int emu_incdec(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, in->op == 0xfe);
	uint32_t which = EMU_FL_ARITH & ~EMU_FL_CF;
	struct emu_opnd rm = emu_rm(run, size);
	uint32_t a;
	int rc = emu_get(run, &rm, &a);

	if (rc)
		return rc;
	if (in->reg == 0)
		a = emu_add(run, a, 1, 0, size, which);
	else
		a = emu_sub(run, a, 1, 0, size, which);
	emu_put(run, &rm, a);
	return 0;
}

static int emu_move(struct emu_run *run, const struct emu_opnd *dst,
		    const struct emu_opnd *src)
{
	uint32_t v;
	int rc = emu_get(run, src, &v);

	if (!rc)
		emu_put(run, dst, v);
	return rc;
}

/* 88-8B: mov r/m, reg and mov reg, r/m. */
static int emu_mov_modrm(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, !(in->op & 1));
	struct emu_opnd rm = emu_rm(run, size), reg = emu_reg(in->reg, size);

	return in->op & 2 ? emu_move(run, &reg, &rm) : emu_move(run, &rm, &reg);
}

/* A0-A3: mov al/eax, moffs and back. */
static int emu_mov_moffs(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, !(in->op & 1));
	struct emu_opnd acc = emu_reg(EMU_EAX, size), mem = {
		.mem = true, .size = (uint8_t)size,
		.lin = emu_lin(run, INSN_SEG_DS, (uint32_t)in->disp),
	};

	return in->op & 2 ? emu_move(run, &mem, &acc) : emu_move(run, &acc, &mem);
}

/* C6/C7 /0: mov r/m, imm. */
static int emu_mov_imm(struct emu_run *run)
{
	struct emu_opnd rm = emu_rm(run, emu_size(run->in, run->in->op == 0xc6));

	emu_put(run, &rm, run->in->imm);
	return 0;
}

/* 0F B6 B7 BE BF: movzx, movsx. */
static int emu_movx(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned from = in->op & 1 ? 2 : 1;
	struct emu_opnd rm = emu_rm(run, from);
	struct emu_opnd reg = emu_reg(in->reg, emu_size(in, false));
	uint32_t v;
	int rc = emu_get(run, &rm, &v);

	if (rc)
		return rc;
	emu_put(run, &reg, in->op >= 0xbe ? emu_sext(v, from) : v);
	return 0;
}

/* 86/87: xchg r/m, reg. */
static int emu_xchg(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, !(in->op & 1));
	struct emu_opnd rm = emu_rm(run, size), reg = emu_reg(in->reg, size);
	uint32_t a, b = emu_reg_get(run, in->reg, size);
	int rc = emu_get(run, &rm, &a);

	if (rc)
		return rc;
	emu_put(run, &rm, b);
	emu_put(run, &reg, a);
	return 0;
}

/* 0F C0/C1: xadd r/m, reg.  The sum lands last, so xadd reg, reg keeps it. */
static int emu_xadd(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, !(in->op & 1));
	struct emu_opnd rm = emu_rm(run, size), reg = emu_reg(in->reg, size);
	uint32_t a, b = emu_reg_get(run, in->reg, size);
	int rc = emu_get(run, &rm, &a);

	if (rc)
		return rc;
	emu_put(run, &reg, a);
	emu_put(run, &rm, emu_add(run, a, b, 0, size, EMU_FL_ARITH));
	return 0;
}

/* 0F B0/B1: cmpxchg r/m, reg.  On a mismatch the hardware still writes the
 * old value back, so a protected destination sees a write either way. */
static int emu_cmpxchg(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, !(in->op & 1));
	struct emu_opnd rm = emu_rm(run, size);
	uint32_t d, acc = emu_reg_get(run, EMU_EAX, size);
	int rc = emu_get(run, &rm, &d);

	if (rc)
		return rc;
	emu_sub(run, acc, d, 0, size, EMU_FL_ARITH);
	if (acc == d) {
		emu_put(run, &rm, emu_reg_get(run, in->reg, size));
	} else {
		emu_put(run, &rm, d);
		emu_reg_set(run, EMU_EAX, size, d);
	}
	return 0;
}

/* 0F 90-9F: setcc r/m8. */
static int emu_setcc(struct emu_run *run)
{
	struct emu_opnd rm = emu_rm(run, 1);

	emu_put(run, &rm, emu_cond(run->eflags, run->in->op & 15));
	return 0;
}

/* C0 C1 D0-D3: the shift group.  A count of 0 (after masking to 5 bits)
 * changes nothing, not even memory. */
static int emu_group2(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, !(in->op & 1));
	struct emu_opnd rm = emu_rm(run, size);
	uint32_t count = in->op <= 0xc1 ? in->imm :
			 in->op <= 0xd1 ? 1 : run->gpr[EMU_ECX];
	uint32_t a;
	int rc = emu_get(run, &rm, &a);

	count &= 31;
	if (rc || !count)
		return rc;
	emu_put(run, &rm, emu_shift(run, in->reg, a, count, size));
	return 0;
}

/* --- stack ---------------------------------------------------------------- */

static void emu_push(struct emu_run *run, uint32_t val, unsigned size)
{
	uint32_t esp = run->gpr[EMU_ESP] - size;
	uint32_t lin = run->r->seg_base[INSN_SEG_SS] + esp;

	emu_stage(run, lin, size, val);
	run->gpr[EMU_ESP] = esp;
}

static int emu_pop(struct emu_run *run, unsigned size, uint32_t *val)
{
	uint32_t lin = run->r->seg_base[INSN_SEG_SS] + run->gpr[EMU_ESP];
	int rc = emu_load(run, lin, size, val);

	if (!rc)
		run->gpr[EMU_ESP] += size;
	return rc;
}

/* 50-57 push reg (push esp pushes the value before the push), 68 push imm,
 * 6A push imm8 (sign-extended). */
static int emu_push_short(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, false);
	uint32_t v = in->imm;

	if (in->op < 0x58)
		v = emu_reg_get(run, in->op & 7, size);
	else if (in->op == 0x6a)
		v = emu_sext(v, 1);
	emu_push(run, v, size);
	return 0;
}

/* FF /6: push r/m; the operand's address uses ESP before the push. */
static int emu_push_rm(struct emu_run *run)
{
	unsigned size = emu_size(run->in, false);
	struct emu_opnd rm = emu_rm(run, size);
	uint32_t v;
	int rc = emu_get(run, &rm, &v);

	if (!rc)
		emu_push(run, v, size);
	return rc;
}

/* 58-5F pop reg, 8F /0 pop r/m.  The destination's address uses ESP after
 * the pop, and pop esp loads ESP with the popped value, as on hardware. */
static int emu_pop_to(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, false);
	struct emu_opnd dst;
	uint32_t v;
	int rc = emu_pop(run, size, &v);

	if (rc)
		return rc;
	dst = in->has_modrm ? emu_rm(run, size) : emu_reg(in->op & 7, size);
	emu_put(run, &dst, v);
	return 0;
}

/* E8 call rel32, FF /2 call r/m32: push the next EIP, go to the target (a
 * stack on a protected page: Linux's decompressor keeps its stack on the
 * page of its boot GDT, which --placement inplace cannot open for a step). */
static int emu_call(struct emu_run *run)
{
	const struct insn *in = run->in;
	uint32_t target = run->eip + in->imm;

	if (in->opsize)
		return EMU_UNSUPPORTED;   /* a 16-bit call truncates EIP */
	if (in->op == 0xff) {
		struct emu_opnd rm = emu_rm(run, 4);
		int rc = emu_get(run, &rm, &target);
		if (rc)
			return rc;
	}
	emu_push(run, run->eip, 4);
	run->eip = target;
	return 0;
}

/* C3 ret, C2 ret imm16: pop EIP, then release imm16 more bytes. */
static int emu_ret(struct emu_run *run)
{
	uint32_t target;
	int rc;

	if (run->in->opsize)
		return EMU_UNSUPPORTED;
	if ((rc = emu_pop(run, 4, &target)))
		return rc;
	if (run->in->op == 0xc2)
		run->gpr[EMU_ESP] += run->in->imm & 0xffff;
	run->eip = target;
	return 0;
}

/* C9 leave: ESP from EBP, then pop EBP. */
static int emu_leave(struct emu_run *run)
{
	unsigned size = emu_size(run->in, false);
	uint32_t v;
	int rc;

	run->gpr[EMU_ESP] = run->gpr[EMU_EBP];
	if ((rc = emu_pop(run, size, &v)))
		return rc;
	emu_reg_set(run, EMU_EBP, size, v);
	return 0;
}

/* --- strings -------------------------------------------------------------- */

/* Source DS:ESI (the segment may be overridden), destination ES:EDI. */
static uint32_t emu_str_src(const struct emu_run *run)
{
	return emu_lin(run, INSN_SEG_DS, run->gpr[EMU_ESI]);
}

static uint32_t emu_str_dst(const struct emu_run *run)
{
	return run->r->seg_base[INSN_SEG_ES] + run->gpr[EMU_EDI];
}

/* The destination element of movs and stos. */
static void emu_str_store(struct emu_run *run, unsigned size, uint32_t v,
			  uint32_t step)
{
	emu_stage(run, emu_str_dst(run), size, v);
	run->gpr[EMU_EDI] += step;
}

/* movs, stos and lods, one element each; step is +-size by DF. */
static int emu_movs(struct emu_run *run, unsigned size, uint32_t step)
{
	uint32_t v;
	int rc = emu_load(run, emu_str_src(run), size, &v);

	if (rc)
		return rc;
	emu_str_store(run, size, v, step);
	run->gpr[EMU_ESI] += step;
	return 0;
}

static int emu_stos(struct emu_run *run, unsigned size, uint32_t step)
{
	emu_str_store(run, size, emu_reg_get(run, EMU_EAX, size), step);
	return 0;
}

static int emu_lods(struct emu_run *run, unsigned size, uint32_t step)
{
	uint32_t v;
	int rc = emu_load(run, emu_str_src(run), size, &v);

	if (rc)
		return rc;
	emu_reg_set(run, EMU_EAX, size, v);
	run->gpr[EMU_ESI] += step;
	return 0;
}

/* A4 A5 AA AB AC AD, one iteration per call as under single-stepping: with
 * rep (F3, or F2, which acts alike here) and ECX = 0 only EIP moves; else
 * EIP moves once this iteration brings ECX to 0. */
static int emu_string(struct emu_run *run)
{
	const struct insn *in = run->in;
	unsigned size = emu_size(in, !(in->op & 1));
	uint32_t step = run->eflags & EMU_FL_DF ? 0u - size : size;
	bool rep = in->rep || in->repne;
	int rc;

	if (rep && !run->gpr[EMU_ECX])
		return 0;
	if (in->op < 0xa6)
		rc = emu_movs(run, size, step);
	else if (in->op < 0xac)
		rc = emu_stos(run, size, step);
	else
		rc = emu_lods(run, size, step);
	if (!rc && rep && --run->gpr[EMU_ECX])
		run->eip = run->r->eip;
	return rc;
}

/* --- dispatch ------------------------------------------------------------- */

static int emu_map_one(struct emu_run *run)
{
	const struct insn *in = run->in;
	uint8_t op = in->op;

	if (op < 0x40)
		return (op & 7) < 4 ? emu_alu_modrm(run) : EMU_UNSUPPORTED;
	if (op >= 0x50 && op < 0x58)
		return emu_push_short(run);
	if (op >= 0x58 && op < 0x60)
		return emu_pop_to(run);
	if (op >= 0x80 && op < 0x84)
		return emu_alu_imm(run);
	if (op >= 0x88 && op < 0x8c)
		return emu_mov_modrm(run);
	if (op >= 0xa0 && op < 0xa4)
		return emu_mov_moffs(run);
	switch (op) {
	case 0x68: case 0x6a: return emu_push_short(run);
	case 0x84: case 0x85: return emu_test_reg(run);
	case 0x86: case 0x87: return emu_xchg(run);
	case 0x8f: return emu_pop_to(run);
	case 0xa4: case 0xa5: case 0xaa: case 0xab: case 0xac: case 0xad:
		return emu_string(run);
	case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
		return emu_group2(run);
	case 0xc2: case 0xc3: return emu_ret(run);
	case 0xc6: case 0xc7:
		return in->reg == 0 ? emu_mov_imm(run) : EMU_UNSUPPORTED;
	case 0xc9: return emu_leave(run);
	case 0xe8: return emu_call(run);
	case 0xf6: case 0xf7:
		return in->reg < 4 ? emu_group3(run) : EMU_UNSUPPORTED;
	case 0xfe: case 0xff:
		if (in->reg < 2)
			return emu_incdec(run);
		return op == 0xff && in->reg == 6 ? emu_push_rm(run) :
		       op == 0xff && in->reg == 2 ? emu_call(run) : EMU_UNSUPPORTED;
	default: return EMU_UNSUPPORTED;
	}
}

static int emu_map_0f(struct emu_run *run)
{
	uint8_t op = run->in->op;

	if (op >= 0x90 && op < 0xa0)
		return emu_setcc(run);
	switch (op) {
	case 0xb0: case 0xb1: return emu_cmpxchg(run);
	case 0xb6: case 0xb7: case 0xbe: case 0xbf: return emu_movx(run);
	case 0xc0: case 0xc1: return emu_xadd(run);
	default: return EMU_UNSUPPORTED;
	}
}

/* The access to report (see struct emu_access): the explicit operand, else
 * the write, else the read. */
static struct emu_access emu_principal(const struct emu_run *run)
{
	struct emu_access a = { 0 };

	if (run->explicit) {
		a.addr = run->explicit_lin;
		a.size = run->explicit_size;
	} else if (run->store) {
		a.addr = run->store_lin;
		a.size = run->store_size;
	} else if (run->load) {
		a.addr = run->load_lin;
		a.size = run->load_size;
	}
	a.read = run->load && run->load_lin == a.addr;
	a.write = run->store && run->store_lin == a.addr;
	return a;
}

int emulate_insn(struct emu_regs *r, const struct insn *in,
		 const struct emu_mem *m, struct emu_access *acc)
{
	struct emu_run run = {
		.r = r, .in = in, .m = m, .eflags = r->eflags,
		.eip = r->eip + in->len,
	};
	int rc;

	if (in->addrsize)
		return EMU_UNSUPPORTED;
	for (unsigned i = 0; i < 8; i++)
		run.gpr[i] = r->gpr[i];
	if (in->map == INSN_MAP_ONE)
		rc = emu_map_one(&run);
	else if (in->map == INSN_MAP_0F)
		rc = emu_map_0f(&run);
	else
		rc = EMU_UNSUPPORTED;
	if (!rc && run.store)
		rc = emu_flush(&run);
	if (rc)
		return rc;
	for (unsigned i = 0; i < 8; i++)
		r->gpr[i] = run.gpr[i];
	r->eflags = run.eflags;
	r->eip = run.eip;
	if (acc)
		*acc = emu_principal(&run);
	return 0;
}
