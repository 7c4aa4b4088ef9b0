/* decode.c — table-driven x86 decoder for 32-bit code: finds the length and
 * the prefix, ModRM/SIB, displacement and immediate fields of one instruction. */
#include "decode.h"

/* A table entry: the immediate kind in the low nibble, flags above. */
enum decode_imm {
	IMM_NONE,
	IMM_B,			/* imm8 */
	IMM_W,			/* imm16 */
	IMM_Z,			/* imm16 or imm32 by operand size */
	IMM_WB,			/* enter: imm16, imm8 */
	IMM_BB,			/* extrq/insertq: imm8, imm8 */
	IMM_FAR,		/* ptr16:16 or ptr16:32 */
	IMM_MOFFS,		/* moffs16 or moffs32 by address size */
};
#define F_IMM		0x0f
#define F_MODRM		0x10
#define F_REGFORM	0x20	/* ModRM mod is ignored: always a register */
#define F_BAD		0x40

#define _	IMM_NONE
#define X	F_BAD
#define M	F_MODRM
#define Mr	(F_MODRM | F_REGFORM)
#define Ib	IMM_B
#define Iw	IMM_W
#define Iz	IMM_Z
#define MIb	(F_MODRM | IMM_B)
#define MIz	(F_MODRM | IMM_Z)

/* One-byte opcodes.  Prefixes and the 0F escape never reach this table. */
static const uint8_t decode_one[256] = {
	/* 00-07 add; push/pop es */		M, M, M, M, Ib, Iz, _, _,
	/* 08-0F or; push cs; (0F escape) */	M, M, M, M, Ib, Iz, _, _,
	/* 10-17 adc; push/pop ss */		M, M, M, M, Ib, Iz, _, _,
	/* 18-1F sbb; push/pop ds */		M, M, M, M, Ib, Iz, _, _,
	/* 20-27 and; (es:); daa */		M, M, M, M, Ib, Iz, _, _,
	/* 28-2F sub; (cs:); das */		M, M, M, M, Ib, Iz, _, _,
	/* 30-37 xor; (ss:); aaa */		M, M, M, M, Ib, Iz, _, _,
	/* 38-3F cmp; (ds:); aas */		M, M, M, M, Ib, Iz, _, _,
	/* 40-47 inc reg */			_, _, _, _, _, _, _, _,
	/* 48-4F dec reg */			_, _, _, _, _, _, _, _,
	/* 50-57 push reg */			_, _, _, _, _, _, _, _,
	/* 58-5F pop reg */			_, _, _, _, _, _, _, _,
	/* 60-67 pusha popa bound arpl (fs: gs: 66 67) */
						_, _, M, M, _, _, _, _,
	/* 68-6F push Iz, imul Iz, push Ib, imul Ib, ins, outs */
						Iz, MIz, Ib, MIb, _, _, _, _,
	/* 70-77 jcc rel8 */			Ib, Ib, Ib, Ib, Ib, Ib, Ib, Ib,
	/* 78-7F jcc rel8 */			Ib, Ib, Ib, Ib, Ib, Ib, Ib, Ib,
	/* 80-87 group 1, test, xchg */		MIb, MIz, MIb, MIb, M, M, M, M,
	/* 88-8F mov, mov sreg, lea, pop r/m */	M, M, M, M, M, M, M, M,
	/* 90-97 nop, xchg eax */		_, _, _, _, _, _, _, _,
	/* 98-9F cwde cdq callf fwait pushf popf sahf lahf */
						_, _, IMM_FAR, _, _, _, _, _,
	/* A0-A7 mov moffs, movs, cmps */
		IMM_MOFFS, IMM_MOFFS, IMM_MOFFS, IMM_MOFFS, _, _, _, _,
	/* A8-AF test, stos, lods, scas */	Ib, Iz, _, _, _, _, _, _,
	/* B0-B7 mov reg8, imm8 */		Ib, Ib, Ib, Ib, Ib, Ib, Ib, Ib,
	/* B8-BF mov reg, Iz */			Iz, Iz, Iz, Iz, Iz, Iz, Iz, Iz,
	/* C0-C7 shift Ib, ret Iw, ret, les, lds, mov Ib/Iz */
						MIb, MIb, Iw, _, M, M, MIb, MIz,
	/* C8-CF enter, leave, retf Iw, retf, int3, int Ib, into, iret */
						IMM_WB, _, Iw, _, _, Ib, _, _,
	/* D0-D7 shift 1/cl, aam, aad, salc, xlat */
						M, M, M, M, Ib, Ib, _, _,
	/* D8-DF x87 escapes */			M, M, M, M, M, M, M, M,
	/* E0-E7 loop, jecxz, in/out Ib */	Ib, Ib, Ib, Ib, Ib, Ib, Ib, Ib,
	/* E8-EF call, jmp, jmpf, jmp rel8, in/out dx */
						Iz, Iz, IMM_FAR, Ib, _, _, _, _,
	/* F0-F7 (lock) int1 (repne rep) hlt cmc, group 3 */
						_, _, _, _, _, _, MIb, MIz,
	/* F8-FF clc stc cli sti cld std, group 4, group 5 */
						_, _, _, _, _, _, M, M,
};

/* Two-byte opcodes 0F xx.  SSE forms take their mandatory prefix from the
 * legacy prefixes, which changes no length. */
static const uint8_t decode_0f[256] = {
	/* 00-07 grp6 grp7 lar lsl, syscall clts sysret */
						M, M, M, M, X, _, _, _,
	/* 08-0F invd wbinvd ud2 prefetch femms (3DNow!) */
						_, _, X, _, X, M, _, X,
	/* 10-17 SSE moves */			M, M, M, M, M, M, M, M,
	/* 18-1F prefetch hints, nop r/m, endbr */
						M, M, M, M, M, M, M, M,
	/* 20-27 mov cr/dr */			Mr, Mr, Mr, Mr, X, X, X, X,
	/* 28-2F SSE moves, converts, compares */
						M, M, M, M, M, M, M, M,
	/* 30-37 wrmsr rdtsc rdmsr rdpmc sysenter sysexit getsec */
						_, _, _, _, _, _, X, _,
	/* 38-3F three-byte escapes */		X, X, X, X, X, X, X, X,
	/* 40-47 cmovcc */			M, M, M, M, M, M, M, M,
	/* 48-4F cmovcc */			M, M, M, M, M, M, M, M,
	/* 50-57 SSE */				M, M, M, M, M, M, M, M,
	/* 58-5F SSE */				M, M, M, M, M, M, M, M,
	/* 60-67 MMX/SSE2 */			M, M, M, M, M, M, M, M,
	/* 68-6F MMX/SSE2 */			M, M, M, M, M, M, M, M,
	/* 70-77 pshuf, shift groups Ib, pcmpeq, emms */
						MIb, MIb, MIb, MIb, M, M, M, _,
	/* 78-7F vmread vmwrite, SSE3, movd/movq */
						M, M, X, X, M, M, M, M,
	/* 80-87 jcc rel16/32 */		Iz, Iz, Iz, Iz, Iz, Iz, Iz, Iz,
	/* 88-8F jcc rel16/32 */		Iz, Iz, Iz, Iz, Iz, Iz, Iz, Iz,
	/* 90-97 setcc */			M, M, M, M, M, M, M, M,
	/* 98-9F setcc */			M, M, M, M, M, M, M, M,
	/* A0-A7 push/pop fs, cpuid, bt, shld, VIA PadLock */
						_, _, _, M, MIb, M, M, M,
	/* A8-AF push/pop gs, rsm, bts, shrd, grp15, imul */
						_, _, _, M, MIb, M, M, M,
	/* B0-B7 cmpxchg lss btr lfs lgs movzx */
						M, M, M, M, M, M, M, M,
	/* B8-BF popcnt ud1 grp8 btc bsf bsr movsx */
						M, M, MIb, M, M, M, M, M,
	/* C0-C7 xadd, cmpps, movnti, pinsrw, pextrw, shufps, grp9 */
						M, M, MIb, M, MIb, MIb, MIb, M,
	/* C8-CF bswap */			_, _, _, _, _, _, _, _,
	/* D0-D7 MMX/SSE */			M, M, M, M, M, M, M, M,
	/* D8-DF MMX/SSE */			M, M, M, M, M, M, M, M,
	/* E0-E7 MMX/SSE */			M, M, M, M, M, M, M, M,
	/* E8-EF MMX/SSE */			M, M, M, M, M, M, M, M,
	/* F0-F7 MMX/SSE */			M, M, M, M, M, M, M, M,
	/* F8-FF MMX/SSE, ud0 */		M, M, M, M, M, M, M, M,
};

/* Three-byte opcodes that exist outside VEX/EVEX, one bit each.
 * 0F 38: 00-0B SSSE3; 10 14 15 17 1C-1E 20-25 28-2B 30-35 37-41 SSE4;
 *        80-82 invept invvpid invpcid; C8-CD CF SHA, GFNI; D8 DB-DF AES,
 *        Key Locker; F0 F1 movbe crc32; F5 F6 F8-FB CET, adx, movdir.
 * 0F 3A: 08-0F 14-17 20-22 40-42 44 60-63 SSE4, pclmul; CC CE CF DF SHA,
 *        GFNI, AES; F0 hreset.  All take ModRM, and 0F 3A an imm8. */
static const uint32_t decode_0f38_defined[8] = {
	0x70b10fff, 0xffbf0f3f, 0x00000003, 0x00000000,
	0x00000007, 0x00000000, 0xf900bf00, 0x0f630000,
};
static const uint32_t decode_0f3a_defined[8] = {
	0x00f0ff00, 0x00000007, 0x00000017, 0x0000000f,
	0x00000000, 0x00000000, 0x8000d000, 0x00010000,
};

#undef _
#undef X
#undef M
#undef Mr
#undef Ib
#undef Iw
#undef Iz
#undef MIb
#undef MIz

/* The bytes being decoded and how far decoding got. */
struct decode_cur {
	const uint8_t *buf;
	unsigned avail;
	unsigned pos;
};

/* Take the next n bytes as a little-endian number. */
static int decode_fetch(struct decode_cur *c, unsigned n, uint32_t *val)
{
	uint32_t v = 0;

	if (c->pos + n > INSN_MAX_LEN)
		return DECODE_ELONG;
	if (c->pos + n > c->avail)
		return DECODE_ETRUNC;
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | c->buf[c->pos + i];
	c->pos += n;
	*val = v;
	return 0;
}

static int32_t decode_sext(uint32_t v, unsigned size)
{
	if (size == 1)
		return (int8_t)v;
	if (size == 2)
		return (int16_t)v;
	return (int32_t)v;
}

/* Record b in in if it is a legacy prefix. */
static bool decode_prefix(struct insn *in, uint32_t b)
{
	switch (b) {
	case 0x26: in->seg = INSN_SEG_ES; return true;
	case 0x2e: in->seg = INSN_SEG_CS; return true;
	case 0x36: in->seg = INSN_SEG_SS; return true;
	case 0x3e: in->seg = INSN_SEG_DS; return true;
	case 0x64: in->seg = INSN_SEG_FS; return true;
	case 0x65: in->seg = INSN_SEG_GS; return true;
	case 0x66: in->opsize = true; return true;
	case 0x67: in->addrsize = true; return true;
	case 0xf0: in->lock = true; return true;
	case 0xf2: in->repne = true; return true;
	case 0xf3: in->rep = true; return true;
	default: return false;
	}
}

/* Consume the prefixes and the escape bytes; leave map and op set. */
static int decode_opcode(struct decode_cur *c, struct insn *in)
{
	uint32_t b;
	int rc;

	do {
		rc = decode_fetch(c, 1, &b);
		if (rc)
			return rc;
	} while (decode_prefix(in, b));
	in->nprefix = (uint8_t)(c->pos - 1);
	in->map = INSN_MAP_ONE;
	if (b == 0x0f) {
		rc = decode_fetch(c, 1, &b);
		in->map = INSN_MAP_0F;
		if (!rc && (b == 0x38 || b == 0x3a)) {
			in->map = b == 0x38 ? INSN_MAP_0F38 : INSN_MAP_0F3A;
			rc = decode_fetch(c, 1, &b);
		}
	}
	in->op = (uint8_t)b;
	return rc;
}

static bool decode_bit(const uint32_t *map, uint8_t op)
{
	return map[op >> 5] >> (op & 31) & 1;
}

static uint8_t decode_entry(const struct insn *in)
{
	switch (in->map) {
	case INSN_MAP_ONE: return decode_one[in->op];
	case INSN_MAP_0F: return decode_0f[in->op];
	case INSN_MAP_0F38:
		return decode_bit(decode_0f38_defined, in->op) ? F_MODRM : F_BAD;
	default:
		return decode_bit(decode_0f3a_defined, in->op) ?
		       F_MODRM | IMM_B : F_BAD;
	}
}

/* Size of the displacement that follows ModRM (and SIB) in a memory form. */
static unsigned decode_disp_size(const struct insn *in)
{
	if (in->mod == 1)
		return 1;
	if (in->addrsize)
		return in->mod == 2 || in->rm == 6 ? 2 : 0;
	if (in->mod == 2 || in->rm == 5 || (in->has_sib && in->base == 5))
		return 4;
	return 0;
}

static int decode_modrm(struct decode_cur *c, struct insn *in, bool regform)
{
	uint32_t b;
	int rc = decode_fetch(c, 1, &b);

	if (rc)
		return rc;
	in->has_modrm = true;
	in->modrm = (uint8_t)b;
	in->mod = (uint8_t)(b >> 6);
	in->reg = (uint8_t)(b >> 3 & 7);
	in->rm = (uint8_t)(b & 7);
	if (regform)
		in->mod = 3;
	if (in->mod == 3)
		return 0;
	if (!in->addrsize && in->rm == 4) {
		rc = decode_fetch(c, 1, &b);
		if (rc)
			return rc;
		in->has_sib = true;
		in->sib = (uint8_t)b;
		in->scale = (uint8_t)(b >> 6);
		in->index = (uint8_t)(b >> 3 & 7);
		in->base = (uint8_t)(b & 7);
	}
	in->disp_size = (uint8_t)decode_disp_size(in);
	rc = decode_fetch(c, in->disp_size, &b);
	in->disp = decode_sext(b, in->disp_size);
	return rc;
}

/* Opcodes whose ModRM byte selects between instructions, immediate sizes,
 * or other encodings (VEX, EVEX and XOP hide in invalid register forms). */
static uint8_t decode_group(const struct insn *in, uint8_t e)
{
	bool reg_form = in->mod == 3;

	if (in->map == INSN_MAP_0F) {
		switch (in->op) {
		case 0x00: return in->reg >= 6 ? F_BAD : e;
		case 0x78: return in->opsize || in->repne ? F_MODRM | IMM_BB : e;
		case 0xb2: case 0xb4: case 0xb5: return reg_form ? F_BAD : e;
		case 0xb8: return in->rep ? e : F_BAD;
		case 0xba: return in->reg < 4 ? F_BAD : e;
		default: return e;
		}
	}
	if (in->map != INSN_MAP_ONE)
		return e;
	switch (in->op) {
	case 0x62: case 0xc4: case 0xc5: case 0x8d: return reg_form ? F_BAD : e;
	case 0x8c: return in->reg >= 6 ? F_BAD : e;
	case 0x8e: return in->reg >= 6 || in->reg == 1 ? F_BAD : e;
	case 0x8f: return in->reg ? F_BAD : e;
	case 0xc6: case 0xc7:	/* mov, or xabort/xbegin at F8 */
		return in->reg == 0 || in->modrm == 0xf8 ? e : F_BAD;
	case 0xf6: case 0xf7: return in->reg < 2 ? e : F_MODRM;
	case 0xfe: return in->reg < 2 ? e : F_BAD;
	case 0xff:
		if (in->reg == 7 || (reg_form && (in->reg == 3 || in->reg == 5)))
			return F_BAD;
		return e;
	default: return e;
	}
}

/* Sizes of the first and second immediate of each kind; OSZ stands for the
 * operand size. */
#define OSZ 0xff
static const uint8_t decode_imm_sizes[][2] = {
	[IMM_NONE] = { 0, 0 }, [IMM_B] = { 1, 0 }, [IMM_W] = { 2, 0 },
	[IMM_Z] = { OSZ, 0 }, [IMM_WB] = { 2, 1 }, [IMM_BB] = { 1, 1 },
	[IMM_FAR] = { OSZ, 2 },
};

/* Fetch the immediates of kind k into imm and imm2 (moffs into disp). */
static int decode_imm(struct decode_cur *c, struct insn *in, unsigned k)
{
	uint32_t v = 0;
	int rc;

	if (k == IMM_MOFFS) {
		in->disp_size = in->addrsize ? 2 : 4;
		rc = decode_fetch(c, in->disp_size, &v);
		in->disp = (int32_t)v;
		return rc;
	}
	in->imm_size = decode_imm_sizes[k][0];
	if (in->imm_size == OSZ)
		in->imm_size = in->opsize ? 2 : 4;
	in->imm2_size = decode_imm_sizes[k][1];
	rc = decode_fetch(c, in->imm_size, &in->imm);
	if (!rc)
		rc = decode_fetch(c, in->imm2_size, &v);
	in->imm2 = (uint16_t)v;
	return rc;
}

int decode_insn(const uint8_t *buf, unsigned avail, struct insn *out)
{
	struct decode_cur c = { buf, avail, 0 };
	uint8_t e;
	int rc;

	*out = (struct insn){ .seg = -1 };
	rc = decode_opcode(&c, out);
	if (rc)
		return rc;
	e = decode_entry(out);
	if (e & F_BAD)
		return DECODE_EBAD;
	if (e & F_MODRM) {
		rc = decode_modrm(&c, out, e & F_REGFORM);
		if (rc)
			return rc;
		e = decode_group(out, e);
		if (e & F_BAD)
			return DECODE_EBAD;
	}
	rc = decode_imm(&c, out, e & F_IMM);
	if (rc)
		return rc;
	out->len = (uint8_t)c.pos;
	return out->len;
}
