/* test_emulate.c — emulate_insn on a fake memory, against the host CPU running
 * the same operation (inline asm) or, for moves, stack and strings, by hand. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "emulate.h"

#define TE_BASE		0x00400000u	/* linear address of the fake memory */
#define TE_MEM_SIZE	256u
#define TE_OP		(TE_BASE + 0x40)	/* the ModRM memory operand */
#define TE_EIP		0x00001000u
#define TE_EFL_OTHER	0x00200202u	/* ID, IF, bit 1: must survive */
#define TE_SS_BASE	(TE_BASE - 0x1000u)
#define TE_ESP		0x000010c0u	/* SS:ESP = TE_BASE + 0xc0 */
#define TE_MAX_REPORTED	100

static unsigned long te_failures, te_checks;

static void te_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void te_fail(const char *fmt, ...)
{
	va_list ap;

	if (++te_failures > TE_MAX_REPORTED)
		return;
	va_start(ap, fmt);
	printf("FAIL ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

#define TE_CHECK(cond, ...)						\
	do {								\
		te_checks++;						\
		if (!(cond))						\
			te_fail(__VA_ARGS__);				\
	} while (0)

/* --- the fake guest ------------------------------------------------------- */

struct te_mem {
	uint8_t bytes[TE_MEM_SIZE];
	bool fail_read, fail_write;	/* make every read or write fault */
	unsigned reads, writes;		/* callback calls */
};

struct te {
	struct emu_regs r;
	struct te_mem mem;
	struct emu_access acc;
	struct insn in;
};

/* What a test expects the guest to look like afterwards. */
struct te_state {
	struct emu_regs r;
	uint8_t mem[TE_MEM_SIZE];
};

static bool te_in_range(uint32_t lin, unsigned n)
{
	uint32_t off = lin - TE_BASE;

	return off < TE_MEM_SIZE && n <= TE_MEM_SIZE - off;
}

static int te_read(void *ctx, uint32_t lin, void *dst, unsigned n)
{
	struct te_mem *mm = ctx;

	mm->reads++;
	if (mm->fail_read || !te_in_range(lin, n))
		return -1;
	memcpy(dst, mm->bytes + (lin - TE_BASE), n);
	return 0;
}

static int te_write(void *ctx, uint32_t lin, const void *src, unsigned n)
{
	struct te_mem *mm = ctx;

	mm->writes++;
	if (mm->fail_write || !te_in_range(lin, n))
		return -1;
	memcpy(mm->bytes + (lin - TE_BASE), src, n);
	return 0;
}

static uint32_t te_mask(unsigned size)
{
	return size == 4 ? 0xffffffffu : (1u << size * 8) - 1;
}

static uint32_t te_sext(uint32_t v, unsigned size)
{
	if (size == 1)
		return (uint32_t)(int32_t)(int8_t)v;
	if (size == 2)
		return (uint32_t)(int32_t)(int16_t)v;
	return v;
}

static void te_mem_put(uint8_t *mem, uint32_t lin, unsigned size, uint32_t v)
{
	for (unsigned i = 0; i < size; i++)
		mem[lin - TE_BASE + i] = (uint8_t)(v >> 8 * i);
}

static uint32_t te_mem_get(const uint8_t *mem, uint32_t lin, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)mem[lin - TE_BASE + i] << 8 * i;
	return v;
}

/* Registers as the encoding names them: 8-bit 4-7 are AH CH DH BH. */
static void te_reg_put(uint32_t *gpr, unsigned reg, unsigned size, uint32_t v)
{
	if (size == 1 && reg >= 4)
		gpr[reg - 4] = (gpr[reg - 4] & 0xffff00ffu) | (v & 0xff) << 8;
	else
		gpr[reg] = (gpr[reg] & ~te_mask(size)) | (v & te_mask(size));
}

static uint32_t te_reg_get(const uint32_t *gpr, unsigned reg, unsigned size)
{
	if (size == 1 && reg >= 4)
		return gpr[reg - 4] >> 8 & 0xff;
	return gpr[reg] & te_mask(size);
}

static void te_reset(struct te *t, uint32_t fin)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < 8; i++)
		t->r.gpr[i] = 0x80402010u ^ (0x01030507u * (i + 1));
	t->r.eip = TE_EIP;
	t->r.eflags = TE_EFL_OTHER | fin;
	t->r.seg_base[INSN_SEG_SS] = TE_SS_BASE;
	t->r.gpr[EMU_ESP] = TE_ESP;
	for (unsigned i = 0; i < TE_MEM_SIZE; i++)
		t->mem.bytes[i] = (uint8_t)(i * 7 + 0x35);
	t->acc = (struct emu_access){ 0xdeadbeef, 0xee, 0xee, 0xee };
}

static void te_snap(const struct te *t, struct te_state *s)
{
	s->r = t->r;
	memcpy(s->mem, t->mem.bytes, TE_MEM_SIZE);
}

/* Compare everything but the flags in ignore (those left undefined). */
static void te_compare(const struct te *t, const struct te_state *exp,
		       uint32_t ignore, const char *what)
{
	static const char *const names[8] = {
		"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	};
	unsigned off = 0;

	for (unsigned i = 0; i < 8; i++)
		TE_CHECK(t->r.gpr[i] == exp->r.gpr[i], "%s: %s = %#x, want %#x",
			 what, names[i], t->r.gpr[i], exp->r.gpr[i]);
	TE_CHECK(t->r.eip == exp->r.eip, "%s: eip = %#x, want %#x", what,
		 t->r.eip, exp->r.eip);
	TE_CHECK(!((t->r.eflags ^ exp->r.eflags) & ~ignore),
		 "%s: eflags = %#x, want %#x (ignoring %#x)", what,
		 t->r.eflags, exp->r.eflags, ignore);
	TE_CHECK(!memcmp(t->r.seg_base, exp->r.seg_base,
			 sizeof(t->r.seg_base)), "%s: segment bases", what);
	while (off < TE_MEM_SIZE && t->mem.bytes[off] == exp->mem[off])
		off++;
	TE_CHECK(off == TE_MEM_SIZE, "%s: memory at %#x is %02x, want %02x",
		 what, TE_BASE + off, t->mem.bytes[off % TE_MEM_SIZE],
		 exp->mem[off % TE_MEM_SIZE]);
}

static void te_check_acc(const struct te *t, uint32_t addr, unsigned size,
			 bool rd, bool wr, const char *what)
{
	const struct emu_access *a = &t->acc;

	if (!size) {
		TE_CHECK(!a->size && !a->read && !a->write,
			 "%s: access %u bytes r%u w%u, want none", what,
			 a->size, a->read, a->write);
		return;
	}
	TE_CHECK(a->addr == addr && a->size == size && a->read == rd &&
		 a->write == wr, "%s: access %#x/%u r%u w%u, want %#x/%u r%d w%d",
		 what, a->addr, a->size, a->read, a->write, addr, size, rd,
		 wr);
}

/* --- instruction bytes ---------------------------------------------------- */

struct te_code {
	uint8_t b[16];
	unsigned n;
};

static void te_emit(struct te_code *c, unsigned n, uint32_t v)
{
	for (unsigned i = 0; i < n; i++)
		c->b[c->n++] = (uint8_t)(v >> 8 * i);
}

/* ModRM for [disp32] = TE_OP (DS base is 0). */
static void te_emit_abs(struct te_code *c, unsigned reg)
{
	te_emit(c, 1, reg << 3 | 5);
	te_emit(c, 4, TE_OP);
}

static void te_emit_opsize(struct te_code *c, unsigned size)
{
	if (size == 2)
		te_emit(c, 1, 0x66);
}

/* Decode c, check the decoder agrees on its length, emulate it. */
static int te_exec(struct te *t, const struct te_code *c, const char *what)
{
	const struct emu_mem m = { te_read, te_write, &t->mem };
	int len = decode_insn(c->b, c->n, &t->in);

	if (len != (int)c->n) {
		te_fail("%s: decoded as %d bytes, want %u", what, len, c->n);
		return -100;
	}
	return emulate_insn(&t->r, &t->in, &m, &t->acc);
}

/* Run c expecting success and exactly the state exp. */
static void te_expect(struct te *t, const struct te_code *c,
		      const struct te_state *exp, uint32_t ignore,
		      const char *what)
{
	int rc = te_exec(t, c, what);

	TE_CHECK(rc == 0, "%s: returned %d", what, rc);
	te_compare(t, exp, ignore, what);
}

/* --- the host CPU as reference ------------------------------------------ */

/* Load flags, run body, read the flags back.  The stack pointer moves past
 * the red zone first: this code may run in a leaf function using it. */
#define TE_ASM(body)							\
	"sub $128, %%rsp\n\tpushq %[f]\n\tpopfq\n\t" body		\
	"\n\tpushfq\n\tpopq %[f]\n\tadd $128, %%rsp"

typedef uint32_t (*te_bin_fn)(uint32_t a, uint32_t b, uint32_t *fl);
typedef uint32_t (*te_xadd_fn)(uint32_t a, uint32_t *b, uint32_t *fl);
typedef uint32_t (*te_cmpxchg_fn)(uint32_t a, uint32_t b, uint32_t *acc,
				  uint32_t *fl);
typedef uint32_t (*te_un_fn)(uint32_t a, uint32_t *fl);
typedef uint32_t (*te_shift_fn)(uint32_t a, uint32_t count, uint32_t *fl);
typedef uint32_t (*te_set_fn)(uint32_t *fl);
typedef uint32_t (*te_movx_fn)(uint32_t src, uint32_t dst);

/* a = a op b */
#define HOST_BIN(fn, mn, m)						\
	static uint32_t fn(uint32_t a, uint32_t b, uint32_t *fl)	\
	{								\
		uint64_t f = *fl;					\
		__asm__ volatile(TE_ASM(mn " %" m "[b], %" m "[a]")	\
				 : [a] "+r"(a), [f] "+r"(f)		\
				 : [b] "r"(b) : "cc", "memory");	\
		*fl = (uint32_t)f;					\
		return a;						\
	}
/* a = a + b, b = old a */
#define HOST_XADD(fn, mn, m)						\
	static uint32_t fn(uint32_t a, uint32_t *b, uint32_t *fl)	\
	{								\
		uint64_t f = *fl;					\
		__asm__ volatile(TE_ASM(mn " %" m "[b], %" m "[a]")	\
				 : [a] "+r"(a), [b] "+r"(*b), [f] "+r"(f) \
				 : : "cc", "memory");			\
		*fl = (uint32_t)f;					\
		return a;						\
	}
/* cmpxchg b, a with the accumulator in *acc */
#define HOST_CMPXCHG(fn, mn, m)						\
	static uint32_t fn(uint32_t a, uint32_t b, uint32_t *acc,	\
			   uint32_t *fl)				\
	{								\
		uint64_t f = *fl;					\
		__asm__ volatile(TE_ASM(mn " %" m "[b], %" m "[a]")	\
				 : [a] "+r"(a), [f] "+r"(f), "+a"(*acc)	\
				 : [b] "r"(b) : "cc", "memory");	\
		*fl = (uint32_t)f;					\
		return a;						\
	}
#define HOST_UN(fn, mn, m)						\
	static uint32_t fn(uint32_t a, uint32_t *fl)			\
	{								\
		uint64_t f = *fl;					\
		__asm__ volatile(TE_ASM(mn " %" m "[a]")		\
				 : [a] "+r"(a), [f] "+r"(f)		\
				 : : "cc", "memory");			\
		*fl = (uint32_t)f;					\
		return a;						\
	}
#define HOST_SHIFT(fn, mn, m)						\
	static uint32_t fn(uint32_t a, uint32_t count, uint32_t *fl)	\
	{								\
		uint64_t f = *fl;					\
		__asm__ volatile(TE_ASM(mn " %%cl, %" m "[a]")		\
				 : [a] "+r"(a), [f] "+r"(f)		\
				 : "c"(count) : "cc", "memory");	\
		*fl = (uint32_t)f;					\
		return a;						\
	}
#define HOST_SET(cc)							\
	static uint32_t host_set##cc(uint32_t *fl)			\
	{								\
		uint64_t f = *fl;					\
		uint32_t a = 0;						\
		__asm__ volatile(TE_ASM("set" #cc " %b[a]")		\
				 : [a] "+r"(a), [f] "+r"(f)		\
				 : : "cc", "memory");			\
		return a;						\
	}
#define HOST_MOVX(fn, mn, ms, md)					\
	static uint32_t fn(uint32_t s, uint32_t d)			\
	{								\
		__asm__(mn " %" ms "[s], %" md "[d]"			\
			: [d] "+r"(d) : [s] "r"(s));			\
		return d;						\
	}

/* One definition per operand size. */
#define HOST3(kind, op)							\
	kind(host_##op##_8, #op "b", "b")				\
	kind(host_##op##_16, #op "w", "w")				\
	kind(host_##op##_32, #op "l", "k")
#define HOST3_FNS(op) { host_##op##_8, host_##op##_16, host_##op##_32 }

HOST3(HOST_BIN, add) HOST3(HOST_BIN, or) HOST3(HOST_BIN, adc)
HOST3(HOST_BIN, sbb) HOST3(HOST_BIN, and) HOST3(HOST_BIN, sub)
HOST3(HOST_BIN, xor) HOST3(HOST_BIN, cmp) HOST3(HOST_BIN, test)
HOST3(HOST_XADD, xadd) HOST3(HOST_CMPXCHG, cmpxchg)
HOST3(HOST_UN, inc) HOST3(HOST_UN, dec) HOST3(HOST_UN, not)
HOST3(HOST_UN, neg)
HOST3(HOST_SHIFT, rol) HOST3(HOST_SHIFT, ror) HOST3(HOST_SHIFT, rcl)
HOST3(HOST_SHIFT, rcr) HOST3(HOST_SHIFT, shl) HOST3(HOST_SHIFT, shr)
HOST3(HOST_SHIFT, sal) HOST3(HOST_SHIFT, sar)
HOST_SET(o) HOST_SET(no) HOST_SET(b) HOST_SET(ae) HOST_SET(e) HOST_SET(ne)
HOST_SET(be) HOST_SET(a) HOST_SET(s) HOST_SET(ns) HOST_SET(p) HOST_SET(np)
HOST_SET(l) HOST_SET(ge) HOST_SET(le) HOST_SET(g)
HOST_MOVX(host_movzbw, "movzbw", "b", "w")
HOST_MOVX(host_movzbl, "movzbl", "b", "k")
HOST_MOVX(host_movzwl, "movzwl", "w", "k")
HOST_MOVX(host_movsbw, "movsbw", "b", "w")
HOST_MOVX(host_movsbl, "movsbl", "b", "k")
HOST_MOVX(host_movswl, "movswl", "w", "k")

/* Indexed [operation][size index 0 1 2 for 8 16 32 bits]; operations in
 * encoding order, test last. */
#define TE_CMP 7
#define TE_TEST 8
static const te_bin_fn te_host_alu[9][3] = {
	HOST3_FNS(add), HOST3_FNS(or), HOST3_FNS(adc), HOST3_FNS(sbb),
	HOST3_FNS(and), HOST3_FNS(sub), HOST3_FNS(xor), HOST3_FNS(cmp),
	HOST3_FNS(test),
};
static const char *const te_alu_names[9] = {
	"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test",
};
static const te_xadd_fn te_host_xadd[3] = HOST3_FNS(xadd);
static const te_cmpxchg_fn te_host_cmpxchg[3] = HOST3_FNS(cmpxchg);
/* inc dec not neg */
static const te_un_fn te_host_un[4][3] = {
	HOST3_FNS(inc), HOST3_FNS(dec), HOST3_FNS(not), HOST3_FNS(neg),
};
/* group 2 in ModRM reg order */
static const te_shift_fn te_host_shift[8][3] = {
	HOST3_FNS(rol), HOST3_FNS(ror), HOST3_FNS(rcl), HOST3_FNS(rcr),
	HOST3_FNS(shl), HOST3_FNS(shr), HOST3_FNS(sal), HOST3_FNS(sar),
};
static const te_set_fn te_host_set[16] = {
	host_seto, host_setno, host_setb, host_setae, host_sete, host_setne,
	host_setbe, host_seta, host_sets, host_setns, host_setp, host_setnp,
	host_setl, host_setge, host_setle, host_setg,
};

static unsigned te_si(unsigned size)
{
	return size == 1 ? 0 : size == 2 ? 1 : 2;
}

static const unsigned te_sizes[3] = { 1, 2, 4 };
static const uint32_t te_fins[2] = { 0, EMU_FL_ARITH };

/* Edge cases, then pseudo-random values (filled in by main). */
#define TE_NVALS 21
static uint32_t te_vals[TE_NVALS] = {
	0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
	0x80000000, 0xffffffff,
};

static void te_fill_random(void)
{
	uint32_t x = 0x2545f491;

	for (unsigned i = 11; i < TE_NVALS; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		te_vals[i] = x;
	}
}

/* Register operands: the reg field's and a ModRM register's, both with an
 * alternative so that AH..BH and the upper registers get their turn. */
static unsigned te_reg_a(unsigned size, bool alt)
{
	if (size == 1)
		return alt ? 4 : EMU_ECX;		/* ah / cl */
	return alt ? EMU_EDI : EMU_ECX;
}

static unsigned te_reg_b(unsigned size, bool alt)
{
	if (size == 1)
		return alt ? 7 : EMU_EDX;		/* bh / dl */
	return alt ? EMU_ESI : EMU_EDX;
}

/* --- ALU: 00-3B, 80-83, 84/85, F6/F7 /0 ----------------------------------- */

enum te_form { FORM_MR, FORM_RM, FORM_IMM, FORM_RR, FORM_COUNT };
static const char *const te_form_names[FORM_COUNT] = {
	"r/m,reg", "reg,r/m", "r/m,imm", "reg,reg",
};

/* Group 1 (83 when b fits a sign-extended imm8), or F6/F7 /0. */
static void te_emit_alu_imm(struct te_code *c, unsigned op, unsigned size,
				uint32_t b, bool alt)
{
	bool short_imm = size > 1 && (te_sext(b, 1) & te_mask(size)) == b;
	unsigned imm_size = short_imm ? 1 : size;

	if (op == TE_TEST) {
		imm_size = size;
		te_emit(c, 1, size == 1 ? 0xf6 : 0xf7);
	} else if (size == 1) {
		te_emit(c, 1, alt ? 0x82 : 0x80);
	} else {
		te_emit(c, 1, short_imm ? 0x83 : 0x81);
	}
	te_emit_abs(c, op == TE_TEST ? 0 : op);
	te_emit(c, imm_size, b);
}

static void te_emit_alu(struct te_code *c, unsigned op, unsigned size,
			enum te_form form, unsigned reg, unsigned rm)
{
	unsigned opc = op == TE_TEST ? 0x84 : op << 3;

	te_emit(c, 1, opc | (size > 1) | (form == FORM_RM ? 2 : 0));
	if (form == FORM_RR)
		te_emit(c, 1, 0xc0 | reg << 3 | rm);
	else
		te_emit_abs(c, reg);
}

/* dst op= src, the destination holding a and the source b. */
static void te_alu_one(unsigned op, unsigned size, enum te_form form,
		       uint32_t a, uint32_t b, uint32_t fin)
{
	bool alt = (a ^ b ^ op) & 1, writes = op < TE_CMP;
	bool mem_dst = form == FORM_MR || form == FORM_IMM;
	unsigned reg = te_reg_a(size, alt), rm = te_reg_b(size, alt);
	uint32_t fl = fin | 2, res;
	struct te_state exp;
	struct te_code c = { .n = 0 };
	struct te t;
	char what[128];

	a &= te_mask(size);
	b &= te_mask(size);
	te_reset(&t, fin);
	if (fin && mem_dst)		/* lock changes nothing */
		te_emit(&c, 1, 0xf0);
	te_emit_opsize(&c, size);
	if (form == FORM_IMM)
		te_emit_alu_imm(&c, op, size, b, alt);
	else
		te_emit_alu(&c, op, size, form, reg, rm);
	if (form == FORM_RR) {
		te_reg_put(t.r.gpr, rm, size, a);
		te_reg_put(t.r.gpr, reg, size, b);
	} else if (form == FORM_RM) {
		te_reg_put(t.r.gpr, reg, size, a);
		te_mem_put(t.mem.bytes, TE_OP, size, b);
	} else {
		te_mem_put(t.mem.bytes, TE_OP, size, a);
		te_reg_put(t.r.gpr, reg, size, b);
	}
	te_snap(&t, &exp);
	res = te_host_alu[op][te_si(size)](a, b, &fl);
	if (writes && mem_dst)
		te_mem_put(exp.mem, TE_OP, size, res);
	else if (writes)
		te_reg_put(exp.r.gpr, form == FORM_RR ? rm : reg, size, res);
	exp.r.eflags = (exp.r.eflags & ~EMU_FL_ARITH) | (fl & EMU_FL_ARITH);
	exp.r.eip += c.n;
	snprintf(what, sizeof(what), "%s%u %s a=%#x b=%#x flags=%#x",
		 te_alu_names[op], size * 8, te_form_names[form], a, b, fin);
	te_expect(&t, &c, &exp, 0, what);
	if (form == FORM_RR)
		te_check_acc(&t, 0, 0, 0, 0, what);
	else
		te_check_acc(&t, TE_OP, size, true, writes && mem_dst, what);
}

/* Every pair of values, with the flags in clear and set. */
static void te_alu_values(unsigned op, unsigned size, enum te_form form)
{
	for (unsigned i = 0; i < TE_NVALS; i++)
		for (unsigned j = 0; j < TE_NVALS; j++)
			for (unsigned k = 0; k < 2; k++)
				te_alu_one(op, size, form, te_vals[i], te_vals[j],
					   te_fins[k]);
}

static void te_alu(void)
{
	for (unsigned op = 0; op <= TE_TEST; op++)
		for (unsigned s = 0; s < 3; s++)
			for (unsigned f = 0; f < FORM_COUNT; f++)
				/* test is symmetric: it has no reg,r/m form */
				if (op != TE_TEST || f != FORM_RM)
					te_alu_values(op, te_sizes[s], f);
}

/* --- inc dec not neg ------------------------------------------------------ */

static const char *const te_un_names[4] = { "inc", "dec", "not", "neg" };

/* op 0-1: FE/FF /0 /1; op 2-3: F6/F7 /2 /3. */
static void te_unary_one(unsigned op, unsigned size, bool regform, uint32_t a,
			 uint32_t fin)
{
	unsigned rm = te_reg_b(size, a & 1);
	uint32_t fl = fin | 2, res;
	struct te_state exp;
	struct te_code c = { .n = 0 };
	struct te t;
	char what[96];

	a &= te_mask(size);
	te_reset(&t, fin);
	te_emit_opsize(&c, size);
	te_emit(&c, 1, (op < 2 ? 0xfe : 0xf6) | (size > 1));
	if (regform) {
		te_emit(&c, 1, 0xc0 | op << 3 | rm);
		te_reg_put(t.r.gpr, rm, size, a);
	} else {
		te_emit_abs(&c, op);
		te_mem_put(t.mem.bytes, TE_OP, size, a);
	}
	te_snap(&t, &exp);
	res = te_host_un[op][te_si(size)](a, &fl);
	if (regform)
		te_reg_put(exp.r.gpr, rm, size, res);
	else
		te_mem_put(exp.mem, TE_OP, size, res);
	exp.r.eflags = (exp.r.eflags & ~EMU_FL_ARITH) | (fl & EMU_FL_ARITH);
	exp.r.eip += c.n;
	snprintf(what, sizeof(what), "%s%u%s a=%#x flags=%#x", te_un_names[op],
		 size * 8, regform ? " reg" : "", a, fin);
	te_expect(&t, &c, &exp, 0, what);
	te_check_acc(&t, TE_OP, regform ? 0 : size, true, true, what);
}

static void te_unary(void)
{
	for (unsigned op = 0; op < 4; op++)
		for (unsigned s = 0; s < 3; s++)
			for (unsigned n = 0; n < TE_NVALS * 4; n++)
				te_unary_one(op, te_sizes[s], n & 2,
					     te_vals[n / 4], te_fins[n & 1]);
}

/* --- xadd, cmpxchg, xchg -------------------------------------------------- */

static void te_xadd_one(unsigned size, uint32_t a, uint32_t b, uint32_t fin)
{
	unsigned reg = te_reg_a(size, (a ^ b) & 1);
	uint32_t fl = fin | 2, nb = b & te_mask(size), res;
	struct te_state exp;
	struct te_code c = { .n = 0 };
	struct te t;
	char what[96];

	te_reset(&t, fin);
	te_emit_opsize(&c, size);
	te_emit(&c, 2, 0xc00f | (size > 1) << 8);
	te_emit_abs(&c, reg);
	te_mem_put(t.mem.bytes, TE_OP, size, a);
	te_reg_put(t.r.gpr, reg, size, b);
	te_snap(&t, &exp);
	res = te_host_xadd[te_si(size)](a & te_mask(size), &nb, &fl);
	te_mem_put(exp.mem, TE_OP, size, res);
	te_reg_put(exp.r.gpr, reg, size, nb);
	exp.r.eflags = (exp.r.eflags & ~EMU_FL_ARITH) | (fl & EMU_FL_ARITH);
	exp.r.eip += c.n;
	snprintf(what, sizeof(what), "xadd%u a=%#x b=%#x flags=%#x", size * 8,
		 a, b, fin);
	te_expect(&t, &c, &exp, 0, what);
	te_check_acc(&t, TE_OP, size, true, true, what);
}

/* cmpxchg [mem] = a, reg = b, accumulator = x: the write happens either way. */
static void te_cmpxchg_one(unsigned size, uint32_t a, uint32_t b, uint32_t x,
			   uint32_t fin)
{
	unsigned reg = te_reg_a(size, (a ^ b) & 1), si = te_si(size);
	uint32_t fl = fin | 2, m = te_mask(size), res;
	struct te_state exp;
	struct te_code c = { .n = 0 };
	struct te t;
	char what[96];

	te_reset(&t, fin);
	te_emit_opsize(&c, size);
	te_emit(&c, 2, 0xb00f | (size > 1) << 8);
	te_emit_abs(&c, reg);
	te_mem_put(t.mem.bytes, TE_OP, size, a);
	te_reg_put(t.r.gpr, EMU_EAX, size, x);
	te_reg_put(t.r.gpr, reg, size, b);
	te_snap(&t, &exp);
	x = te_reg_get(t.r.gpr, EMU_EAX, size);
	res = te_host_cmpxchg[si](a & m, te_reg_get(t.r.gpr, reg, size), &x,
				  &fl);
	te_mem_put(exp.mem, TE_OP, size, res);
	te_reg_put(exp.r.gpr, EMU_EAX, size, x);
	exp.r.eflags = (exp.r.eflags & ~EMU_FL_ARITH) | (fl & EMU_FL_ARITH);
	exp.r.eip += c.n;
	snprintf(what, sizeof(what), "cmpxchg%u a=%#x b=%#x acc=%#x", size * 8,
		 a, b, te_reg_get(t.r.gpr, EMU_EAX, size));
	te_expect(&t, &c, &exp, 0, what);
	te_check_acc(&t, TE_OP, size, true, true, what);
}

static void te_xchg_one(unsigned size, uint32_t a, uint32_t b)
{
	unsigned reg = te_reg_a(size, (a ^ b) & 1);
	struct te_state exp;
	struct te_code c = { .n = 0 };
	struct te t;
	char what[96];

	te_reset(&t, 0);
	te_emit_opsize(&c, size);
	te_emit(&c, 1, 0x86 | (size > 1));
	te_emit_abs(&c, reg);
	te_mem_put(t.mem.bytes, TE_OP, size, a);
	te_reg_put(t.r.gpr, reg, size, b);
	te_snap(&t, &exp);
	te_mem_put(exp.mem, TE_OP, size, b);
	te_reg_put(exp.r.gpr, reg, size, a);
	exp.r.eip += c.n;
	snprintf(what, sizeof(what), "xchg%u a=%#x b=%#x", size * 8, a, b);
	te_expect(&t, &c, &exp, 0, what);
	te_check_acc(&t, TE_OP, size, true, true, what);
}

static void te_exchanges(void)
{
	for (unsigned s = 0; s < 3; s++)
		for (unsigned i = 0; i < TE_NVALS; i++)
			for (unsigned j = 0; j < TE_NVALS; j++) {
				uint32_t a = te_vals[i], b = te_vals[j];

				te_xadd_one(te_sizes[s], a, b, te_fins[j & 1]);
				te_cmpxchg_one(te_sizes[s], a, b, a, te_fins[i & 1]);
				te_cmpxchg_one(te_sizes[s], a, b, b, te_fins[j & 1]);
				te_xchg_one(te_sizes[s], a, b);
			}
}

/* --- setcc ---------------------------------------------------------------- */

/* The 6 arithmetic flags from the bits of n. */
static uint32_t te_flags_from(unsigned n)
{
	static const uint32_t bits[6] = {
		EMU_FL_CF, EMU_FL_PF, EMU_FL_AF, EMU_FL_ZF, EMU_FL_SF, EMU_FL_OF,
	};
	uint32_t f = 0;

	for (unsigned i = 0; i < 6; i++)
		if (n >> i & 1)
			f |= bits[i];
	return f;
}

static void te_setcc_one(unsigned cc, uint32_t fin, bool regform)
{
	unsigned rm = te_reg_b(1, cc & 1);
	uint32_t fl = fin | 2, v;
	struct te_state exp;
	struct te_code c = { .n = 0 };
	struct te t;
	char what[64];

	te_reset(&t, fin);
	te_emit(&c, 2, 0x900f | cc << 8);
	if (regform)
		te_emit(&c, 1, 0xc0 | rm);
	else
		te_emit_abs(&c, 0);
	te_snap(&t, &exp);
	v = te_host_set[cc](&fl);
	if (regform)
		te_reg_put(exp.r.gpr, rm, 1, v);
	else
		te_mem_put(exp.mem, TE_OP, 1, v);
	exp.r.eip += c.n;
	snprintf(what, sizeof(what), "set%x%s flags=%#x", cc,
		 regform ? " reg" : "", fin);
	te_expect(&t, &c, &exp, 0, what);
	te_check_acc(&t, TE_OP, regform ? 0 : 1, false, true, what);
}

static void te_setcc(void)
{
	for (unsigned cc = 0; cc < 16; cc++)
		for (unsigned n = 0; n < 128; n++)
			te_setcc_one(cc, te_flags_from(n & 63), n >= 64);
}

/* --- shifts and rotates --------------------------------------------------- */

static const char *const te_shift_names[8] = {
	"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar",
};

/* The flags Intel leaves undefined for group-2 operation op. */
static uint32_t te_shift_undefined(unsigned op, unsigned size, uint32_t count)
{
	uint32_t u = 0;

	count &= 31;
	if (!count)
		return 0;
	if (count != 1)
		u |= EMU_FL_OF;
	if (op < 4)
		return u;
	u |= EMU_FL_AF;
	if (op != 7 && count >= size * 8)
		u |= EMU_FL_CF;
	return u;
}

/* form 0: C0/C1 imm8, 1: D0/D1 (count 1), 2: D2/D3 (count in CL). */
static void te_shift_one(unsigned op, unsigned size, unsigned form,
			 uint32_t a, uint32_t count, uint32_t fin)
{
	uint32_t fl = fin | 2, res, m = te_mask(size);
	bool changes = count & 31;
	struct te_state exp;
	struct te_code c = { .n = 0 };
	struct te t;
	char what[96];

	a &= m;
	te_reset(&t, fin);
	te_emit_opsize(&c, size);
	te_emit(&c, 1, (form == 0 ? 0xc0 : form == 1 ? 0xd0 : 0xd2) | (size > 1));
	te_emit_abs(&c, op);
	if (form == 0)
		te_emit(&c, 1, count);
	te_mem_put(t.mem.bytes, TE_OP, size, a);
	t.r.gpr[EMU_ECX] = 0x12345600 | count;
	te_snap(&t, &exp);
	res = te_host_shift[op][te_si(size)](a, count, &fl);
	te_mem_put(exp.mem, TE_OP, size, res);
	exp.r.eflags = (exp.r.eflags & ~EMU_FL_ARITH) | (fl & EMU_FL_ARITH);
	exp.r.eip += c.n;
	snprintf(what, sizeof(what), "%s%u form %u a=%#x count=%u flags=%#x",
		 te_shift_names[op], size * 8, form, a, count, fin);
	te_expect(&t, &c, &exp, te_shift_undefined(op, size, count), what);
	te_check_acc(&t, TE_OP, size, true, changes, what);
}

static void te_shifts(void)
{
	static const uint8_t counts[] = {
		0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 64, 255,
	};
	const unsigned nc = sizeof(counts);

	for (unsigned op = 0; op < 8; op++)
		for (unsigned s = 0; s < 3; s++)
			for (unsigned n = 0; n < TE_NVALS * 2; n++) {
				uint32_t a = te_vals[n / 2], fin = te_fins[n & 1];

				te_shift_one(op, te_sizes[s], 1, a, 1, fin);
				for (unsigned k = 0; k < nc; k++)
					te_shift_one(op, te_sizes[s], 2 * (k & 1),
						     a, counts[k], fin);
				for (unsigned k = 0; k < nc; k++)
					te_shift_one(op, te_sizes[s], 2 - 2 * (k & 1),
						     a, counts[k], fin);
			}
}

/* --- movzx, movsx, mov ---------------------------------------------------- */

/* 0F B6 B7 BE BF to a 16- or 32-bit register. */
static void te_movx_one(unsigned op, unsigned dsize, uint32_t v)
{
	static const te_movx_fn host[2][4] = {
		{ host_movzbw, NULL, host_movsbw, NULL },	/* 66: r16 */
		{ host_movzbl, host_movzwl, host_movsbl, host_movswl },
	};
	te_movx_fn fn = host[dsize == 4][(op & 1) | (op >= 0xbe) << 1];
	unsigned from = op & 1 ? 2 : 1, reg = te_reg_a(4, v & 1);
	struct te_state exp;
	struct te_code c = { .n = 0 };
	struct te t;
	char what[64];

	te_reset(&t, 0);
	te_emit_opsize(&c, dsize);
	te_emit(&c, 2, 0x0f | op << 8);
	te_emit_abs(&c, reg);
	te_mem_put(t.mem.bytes, TE_OP, from, v);
	te_snap(&t, &exp);
	v &= te_mask(from);
	/* movzx/movsx r16, r/m16 is a plain move (and has no host mnemonic) */
	te_reg_put(exp.r.gpr, reg, dsize, fn ? fn(v, t.r.gpr[reg]) : v);
	exp.r.eip += c.n;
	snprintf(what, sizeof(what), "0f %02x to r%u v=%#x", op, dsize * 8, v);
	te_expect(&t, &c, &exp, 0, what);
	te_check_acc(&t, TE_OP, from, true, false, what);
}

enum te_mov { MOV_STORE, MOV_LOAD, MOV_IMM, MOV_MOFFS_STORE, MOV_MOFFS_LOAD,
	      MOV_KINDS };

/* 88/89, 8A/8B, C6/C7 /0, and A2/A3, A0/A1 through fs and gs. */
static void te_mov_one(enum te_mov kind, unsigned size, uint32_t v)
{
	static const uint8_t opc[MOV_KINDS] = { 0x88, 0x8a, 0xc6, 0xa2, 0xa0 };
	unsigned reg = kind >= MOV_MOFFS_STORE ? EMU_EAX : te_reg_a(size, v & 1);
	bool load = kind == MOV_LOAD || kind == MOV_MOFFS_LOAD;
	struct te_state exp;
	struct te_code c = { .n = 0 };
	struct te t;
	char what[64];

	v &= te_mask(size);
	te_reset(&t, EMU_FL_ARITH);
	if (kind >= MOV_MOFFS_STORE) {	/* fs: or gs: based at TE_BASE */
		te_emit(&c, 1, kind == MOV_MOFFS_STORE ? 0x64 : 0x65);
		t.r.seg_base[kind == MOV_MOFFS_STORE ? INSN_SEG_FS :
			     INSN_SEG_GS] = TE_BASE;
	}
	te_emit_opsize(&c, size);
	te_emit(&c, 1, opc[kind] | (size > 1));
	if (kind >= MOV_MOFFS_STORE)
		te_emit(&c, 4, TE_OP - TE_BASE);
	else
		te_emit_abs(&c, kind == MOV_IMM ? 0 : reg);
	if (kind == MOV_IMM)
		te_emit(&c, size, v);
	if (load)
		te_mem_put(t.mem.bytes, TE_OP, size, v);
	else
		te_reg_put(t.r.gpr, reg, size, v);
	te_snap(&t, &exp);
	if (load)
		te_reg_put(exp.r.gpr, reg, size, v);
	else
		te_mem_put(exp.mem, TE_OP, size, v);
	exp.r.eip += c.n;
	snprintf(what, sizeof(what), "mov kind %d size %u v=%#x", kind, size, v);
	te_expect(&t, &c, &exp, 0, what);
	te_check_acc(&t, TE_OP, size, load, !load, what);
}

static void te_moves(void)
{
	static const uint8_t movx_ops[4] = { 0xb6, 0xb7, 0xbe, 0xbf };

	for (unsigned i = 0; i < TE_NVALS; i++) {
		for (unsigned k = 0; k < 4; k++) {
			te_movx_one(movx_ops[k], 2, te_vals[i]);
			te_movx_one(movx_ops[k], 4, te_vals[i]);
		}
		for (unsigned s = 0; s < 3; s++)
			for (unsigned k = 0; k < MOV_KINDS; k++)
				te_mov_one(k, te_sizes[s], te_vals[i]);
	}
}

/* --- stack ---------------------------------------------------------------- */

static uint32_t te_slot(uint32_t esp)
{
	return TE_SS_BASE + esp;
}

static void te_push_reg(void)
{
	for (unsigned size = 2; size <= 4; size += 2)
		for (unsigned r = 0; r < 8; r++) {
			uint32_t esp = TE_ESP - size;
			struct te_state exp;
			struct te_code c = { .n = 0 };
			struct te t;
			char what[32];

			te_reset(&t, 0);
			te_emit_opsize(&c, size);
			te_emit(&c, 1, 0x50 + r);
			te_snap(&t, &exp);
			/* push esp stores the value from before the push */
			te_mem_put(exp.mem, te_slot(esp), size,
				   te_reg_get(t.r.gpr, r, size));
			exp.r.gpr[EMU_ESP] = esp;
			exp.r.eip += c.n;
			snprintf(what, sizeof(what), "push r%u/%u", r, size * 8);
			te_expect(&t, &c, &exp, 0, what);
			te_check_acc(&t, te_slot(esp), size, false, true, what);
		}
}

static void te_pop_reg(void)
{
	for (unsigned size = 2; size <= 4; size += 2)
		for (unsigned r = 0; r < 8; r++) {
			uint32_t v = 0x8badf00d, esp = TE_ESP + size;
			struct te_state exp;
			struct te_code c = { .n = 0 };
			struct te t;
			char what[32];

			te_reset(&t, 0);
			te_emit_opsize(&c, size);
			te_emit(&c, 1, 0x58 + r);
			te_mem_put(t.mem.bytes, te_slot(TE_ESP), 4, v);
			te_snap(&t, &exp);
			/* pop esp: the loaded value replaces the increment */
			exp.r.gpr[EMU_ESP] = esp;
			te_reg_put(exp.r.gpr, r, size, v);
			exp.r.eip += c.n;
			snprintf(what, sizeof(what), "pop r%u/%u", r, size * 8);
			te_expect(&t, &c, &exp, 0, what);
			te_check_acc(&t, te_slot(TE_ESP), size, true, false, what);
		}
}

/* A push or pop given as bytes: where ESP ends up, what lands where, and
 * the principal access. */
struct te_stack_case {
	const char *what;
	struct te_code code;
	int32_t esp_delta;
	uint32_t store_lin;	/* 0: the instruction stores to memory nothing */
	unsigned size;
	uint32_t value;		/* stored there, or loaded into ECX */
	uint32_t acc_lin;
	bool acc_read, acc_write;
};

#define TE_CODE(...)							\
	{ { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }) }
#define TE_ABS(a) (a) & 0xff, (a) >> 8 & 0xff, (a) >> 16 & 0xff, (a) >> 24

/* Memory before each case: TE_OP holds 0x11223344, the stack top (SS:ESP)
 * 0x55667788, and SS:ESP+4 0x99aabbcc. */
static const struct te_stack_case te_stack_cases[] = {
	{ "push imm32", TE_CODE(0x68, 0x78, 0x56, 0x34, 0x12), -4,
	  TE_BASE + 0xbc, 4, 0x12345678, TE_BASE + 0xbc, false, true },
	{ "push imm16", TE_CODE(0x66, 0x68, 0x34, 0x12), -2,
	  TE_BASE + 0xbe, 2, 0x1234, TE_BASE + 0xbe, false, true },
	{ "push imm8 -128", TE_CODE(0x6a, 0x80), -4,
	  TE_BASE + 0xbc, 4, 0xffffff80, TE_BASE + 0xbc, false, true },
	{ "push imm8 -128 as word", TE_CODE(0x66, 0x6a, 0x80), -2,
	  TE_BASE + 0xbe, 2, 0xff80, TE_BASE + 0xbe, false, true },
	{ "push imm8 127", TE_CODE(0x6a, 0x7f), -4,
	  TE_BASE + 0xbc, 4, 0x7f, TE_BASE + 0xbc, false, true },
	{ "push [mem]", TE_CODE(0xff, 0x35, TE_ABS(TE_OP)), -4,
	  TE_BASE + 0xbc, 4, 0x11223344, TE_OP, true, false },
	{ "push word [mem]", TE_CODE(0x66, 0xff, 0x35, TE_ABS(TE_OP)), -2,
	  TE_BASE + 0xbe, 2, 0x3344, TE_OP, true, false },
	{ "push [esp+4] (old esp)", TE_CODE(0xff, 0x74, 0x24, 0x04), -4,
	  TE_BASE + 0xbc, 4, 0x99aabbcc, TE_BASE + 0xc4, true, false },
	{ "push [esp-4] (same slot)", TE_CODE(0xff, 0x74, 0x24, 0xfc), -4,
	  TE_BASE + 0xbc, 4, 0x6e676059, TE_BASE + 0xbc, true, true },
	{ "push ecx via ff /6", TE_CODE(0xff, 0xf1), -4,
	  TE_BASE + 0xbc, 4, 0x82462a1e, TE_BASE + 0xbc, false, true },
	{ "pop [mem]", TE_CODE(0x8f, 0x05, TE_ABS(TE_OP)), 4,
	  TE_OP, 4, 0x55667788, TE_OP, false, true },
	{ "pop word [mem]", TE_CODE(0x66, 0x8f, 0x05, TE_ABS(TE_OP)), 2,
	  TE_OP, 2, 0x7788, TE_OP, false, true },
	{ "pop [esp] (new esp)", TE_CODE(0x8f, 0x04, 0x24), 4,
	  TE_BASE + 0xc4, 4, 0x55667788, TE_BASE + 0xc4, false, true },
	{ "pop [esp+4] (new esp)", TE_CODE(0x8f, 0x44, 0x24, 0x04), 4,
	  TE_BASE + 0xc8, 4, 0x55667788, TE_BASE + 0xc8, false, true },
	{ "pop ecx via 8f /0", TE_CODE(0x8f, 0xc1), 4,
	  0, 4, 0x55667788, TE_BASE + 0xc0, true, false },
};

/* The memory the stack cases start from (see te_stack_cases). */
static void te_stack_reset(struct te *t)
{
	te_reset(t, 0);
	te_mem_put(t->mem.bytes, TE_OP, 4, 0x11223344);
	te_mem_put(t->mem.bytes, te_slot(TE_ESP), 4, 0x55667788);
	te_mem_put(t->mem.bytes, te_slot(TE_ESP + 4), 4, 0x99aabbcc);
}

static void te_stack_case(const struct te_stack_case *k)
{
	struct te_state exp;
	struct te t;

	te_stack_reset(&t);
	te_snap(&t, &exp);
	exp.r.gpr[EMU_ESP] += (uint32_t)k->esp_delta;
	if (k->store_lin)
		te_mem_put(exp.mem, k->store_lin, k->size, k->value);
	else
		exp.r.gpr[EMU_ECX] = k->value;
	exp.r.eip += k->code.n;
	te_expect(&t, &k->code, &exp, 0, k->what);
	te_check_acc(&t, k->acc_lin, k->size, k->acc_read, k->acc_write,
		     k->what);
}

static void te_stack(void)
{
	te_push_reg();
	te_pop_reg();
	for (size_t i = 0; i < sizeof(te_stack_cases) / sizeof(te_stack_cases[0]);
	     i++)
		te_stack_case(&te_stack_cases[i]);
}

/* Near call, ret and leave: the stack the call pushes to or ret pops from,
 * and where EIP goes (TE_OP holds 0x11223344, the stack top 0x55667788,
 * SS:ESP+4 0x99aabbcc; the code is at EIP 0x1000). */
struct te_transfer_case {
	const char *what;
	struct te_code code;
	int32_t esp_delta;
	uint32_t pushed;	/* the return address pushed, 0 for ret */
	uint32_t eip;
	uint32_t acc_lin;	/* the principal access */
	bool acc_read, acc_write;
};

static const struct te_transfer_case te_transfer_cases[] = {
	{ "call rel32", TE_CODE(0xe8, 0x10, 0, 0, 0), -4, 0x1005, 0x1015,
	  TE_BASE + 0xbc, false, true },
	{ "call rel32 back", TE_CODE(0xe8, 0xfb, 0xff, 0xff, 0xff), -4, 0x1005, 0x1000,
	  TE_BASE + 0xbc, false, true },
	{ "call [mem]", TE_CODE(0xff, 0x15, TE_ABS(TE_OP)), -4, 0x1006, 0x11223344,
	  TE_OP, true, false },
	{ "ret", TE_CODE(0xc3), 4, 0, 0x55667788, TE_BASE + 0xc0, true, false },
	{ "ret 8", TE_CODE(0xc2, 8, 0), 12, 0, 0x55667788, TE_BASE + 0xc0, true, false },
};

static void te_transfer_case(const struct te_transfer_case *k)
{
	struct te_state exp;
	struct te t;

	te_stack_reset(&t);
	te_snap(&t, &exp);
	exp.r.gpr[EMU_ESP] += (uint32_t)k->esp_delta;
	if (k->pushed)
		te_mem_put(exp.mem, te_slot(TE_ESP - 4), 4, k->pushed);
	exp.r.eip = k->eip;
	te_expect(&t, &k->code, &exp, 0, k->what);
	te_check_acc(&t, k->acc_lin, 4, k->acc_read, k->acc_write, k->what);
}

/* leave: ESP from EBP, EBP popped from there. */
static void te_leave(void)
{
	struct te_state exp;
	struct te t;
	const struct te_code c = TE_CODE(0xc9);

	te_stack_reset(&t);
	t.r.gpr[EMU_EBP] = TE_ESP + 4;
	te_snap(&t, &exp);
	exp.r.gpr[EMU_ESP] = TE_ESP + 8;
	exp.r.gpr[EMU_EBP] = 0x99aabbcc;
	exp.r.eip += c.n;
	te_expect(&t, &c, &exp, 0, "leave");
	te_check_acc(&t, te_slot(TE_ESP + 4), 4, true, false, "leave");
}

static void te_transfers(void)
{
	for (size_t i = 0; i < sizeof(te_transfer_cases) / sizeof(te_transfer_cases[0]); i++)
		te_transfer_case(&te_transfer_cases[i]);
	te_leave();
}

/* --- strings -------------------------------------------------------------- */

#define TE_STR_SRC	(TE_BASE + 0x10)
#define TE_STR_DST	(TE_BASE + 0x80)

/* DS base 0 with ESI at TE_STR_SRC; ES based at TE_BASE with EDI = 0x80, or
 * with override, the source through FS based at TE_BASE. */
static void te_string_setup(struct te *t, bool fs)
{
	t->r.seg_base[INSN_SEG_ES] = TE_BASE;
	t->r.gpr[EMU_EDI] = TE_STR_DST - TE_BASE;
	t->r.gpr[EMU_ESI] = TE_STR_SRC;
	if (fs) {
		t->r.seg_base[INSN_SEG_FS] = TE_BASE;
		t->r.gpr[EMU_ESI] = TE_STR_SRC - TE_BASE;
	}
}

/* Expect one element of op (A4/A5 movs, AA/AB stos, AC/AD lods) at the
 * addresses te_string_setup gives. */
static void te_string_expect(const struct te *t, struct te_state *exp,
			     unsigned op, unsigned size)
{
	uint32_t step = t->r.eflags & EMU_FL_DF ? 0u - size : size;
	uint32_t src = te_mem_get(t->mem.bytes, TE_STR_SRC, size);

	if (op >= 0xac) {
		te_reg_put(exp->r.gpr, EMU_EAX, size, src);
		exp->r.gpr[EMU_ESI] += step;
		return;
	}
	te_mem_put(exp->mem, TE_STR_DST, size,
		   op >= 0xaa ? te_reg_get(t->r.gpr, EMU_EAX, size) : src);
	exp->r.gpr[EMU_EDI] += step;
	if (op < 0xaa)
		exp->r.gpr[EMU_ESI] += step;
}

static void te_string_acc(const struct te *t, unsigned op, unsigned size,
			  const char *what)
{
	if (op >= 0xac)
		te_check_acc(t, TE_STR_SRC, size, true, false, what);
	else
		te_check_acc(t, TE_STR_DST, size, false, true, what);
}

/* One element without rep: prefix is 0 or a segment override (64). */
static void te_string_one(unsigned op, unsigned size, bool df, bool fs)
{
	struct te_state exp;
	struct te_code c = { .n = 0 };
	struct te t;
	char what[64];

	te_reset(&t, df ? EMU_FL_DF : 0);
	te_string_setup(&t, fs);
	if (fs)
		te_emit(&c, 1, 0x64);
	te_emit_opsize(&c, size);
	te_emit(&c, 1, op | (size > 1));
	te_snap(&t, &exp);
	te_string_expect(&t, &exp, op, size);
	exp.r.eip += c.n;
	snprintf(what, sizeof(what), "%02x/%u df=%d fs=%d", op, size * 8, df,
		 fs);
	te_expect(&t, &c, &exp, 0, what);
	te_string_acc(&t, op, size, what);
}

/* rep (F3, or F2) with ECX = ecx: one iteration, EIP moves when done. */
static void te_string_rep(unsigned op, unsigned size, uint8_t rep,
			  uint32_t ecx)
{
	struct te_state exp;
	struct te_code c = { .n = 0 };
	struct te t;
	char what[64];

	te_reset(&t, 0);
	te_string_setup(&t, false);
	t.r.gpr[EMU_ECX] = ecx;
	te_emit(&c, 1, rep);
	te_emit_opsize(&c, size);
	te_emit(&c, 1, op | (size > 1));
	te_snap(&t, &exp);
	if (ecx) {
		te_string_expect(&t, &exp, op, size);
		exp.r.gpr[EMU_ECX] = ecx - 1;
	}
	if (ecx <= 1)
		exp.r.eip += c.n;
	snprintf(what, sizeof(what), "%02x %02x/%u ecx=%u", rep, op, size * 8,
		 ecx);
	te_expect(&t, &c, &exp, 0, what);
	if (ecx)
		te_string_acc(&t, op, size, what);
	else
		TE_CHECK(!t.acc.size && !t.mem.reads && !t.mem.writes,
			 "%s: touched memory", what);
}

/* rep movsd over 5 elements, forwards or backwards, until EIP moves on. */
static void te_string_loop(bool df)
{
	static const struct te_code c = TE_CODE(0xf3, 0xa5);
	uint32_t off = df ? 16 : 0;
	unsigned runs = 0;
	struct te t;

	te_reset(&t, df ? EMU_FL_DF : 0);
	te_string_setup(&t, false);
	t.r.gpr[EMU_ECX] = 5;
	t.r.gpr[EMU_ESI] += off;
	t.r.gpr[EMU_EDI] += off;
	while (t.r.eip == TE_EIP && runs++ < 10)
		TE_CHECK(te_exec(&t, &c, "rep movsd loop") == 0,
			 "rep movsd loop: failed");
	TE_CHECK(runs == 5 && t.r.gpr[EMU_ECX] == 0 &&
		 t.r.eip == TE_EIP + 2, "rep movsd df=%d: %u runs, ecx %u",
		 df, runs, t.r.gpr[EMU_ECX]);
	TE_CHECK(t.r.gpr[EMU_ESI] == TE_STR_SRC + (df ? -4u : 20) &&
		 t.r.gpr[EMU_EDI] == TE_STR_DST - TE_BASE + (df ? -4u : 20),
		 "rep movsd df=%d: esi %#x edi %#x", df, t.r.gpr[EMU_ESI],
		 t.r.gpr[EMU_EDI]);
	TE_CHECK(!memcmp(t.mem.bytes + (TE_STR_DST - TE_BASE),
			 t.mem.bytes + (TE_STR_SRC - TE_BASE), 20),
		 "rep movsd df=%d: copy differs", df);
}

static void te_strings(void)
{
	static const uint8_t ops[3] = { 0xa4, 0xaa, 0xac };
	static const uint32_t ecxs[3] = { 0, 1, 3 };

	for (unsigned k = 0; k < 3; k++)
		for (unsigned s = 0; s < 3; s++) {
			for (unsigned v = 0; v < 4; v++)
				te_string_one(ops[k], te_sizes[s], v & 1,
					      ops[k] != 0xaa && v & 2);
			for (unsigned e = 0; e < 3; e++) {
				te_string_rep(ops[k], te_sizes[s], 0xf3, ecxs[e]);
				te_string_rep(ops[k], te_sizes[s], 0xf2, ecxs[e]);
			}
		}
	te_string_loop(false);
	te_string_loop(true);
}

/* --- addressing ----------------------------------------------------------- */

/* mov eax, [operand]: which linear address the operand resolves to. */
struct te_addr_case {
	const char *what;
	struct te_code code;
	uint32_t gpr[8];	/* set where non-zero */
	int seg;		/* segment whose base is set, or -1 */
	uint32_t seg_base;
	uint32_t lin;
};

static const struct te_addr_case te_addr_cases[] = {
	{ "[ebx+esi*4+8]", TE_CODE(0x8b, 0x44, 0xb3, 0x08),
	  { [EMU_EBX] = TE_BASE, [EMU_ESI] = 0x10 }, -1, 0, TE_BASE + 0x48 },
	{ "[ebp-4] is in SS", TE_CODE(0x8b, 0x45, 0xfc),
	  { [EMU_EBP] = 0x1044 }, -1, 0, TE_BASE + 0x40 },
	{ "[esp+8] is in SS", TE_CODE(0x8b, 0x44, 0x24, 0x08),
	  { 0 }, -1, 0, TE_BASE + 0xc8 },
	{ "[ebp*2+disp32] is in DS", TE_CODE(0x8b, 0x04, 0x6d, TE_ABS(TE_BASE)),
	  { [EMU_EBP] = 0x20 }, -1, 0, TE_BASE + 0x40 },
	{ "fs:[ebp+0]", TE_CODE(0x64, 0x8b, 0x45, 0x00),
	  { [EMU_EBP] = 0x30 }, INSN_SEG_FS, TE_BASE, TE_BASE + 0x30 },
	{ "ds:[ebp+0]", TE_CODE(0x3e, 0x8b, 0x45, 0x00),
	  { [EMU_EBP] = TE_BASE + 0x60 }, -1, 0, TE_BASE + 0x60 },
	{ "[eax+disp32] wraps", TE_CODE(0x8b, 0x80, TE_ABS(TE_BASE + 0x120)),
	  { [EMU_EAX] = 0xffffff00 }, -1, 0, TE_BASE + 0x20 },
	{ "[ebx] with a DS base", TE_CODE(0x8b, 0x03),
	  { [EMU_EBX] = TE_BASE - 0x100 + 0x70 }, INSN_SEG_DS, 0x100,
	  TE_BASE + 0x70 },
	{ "gs:moffs", TE_CODE(0x65, 0xa1, 0x50, 0, 0, 0),
	  { 0 }, INSN_SEG_GS, TE_BASE, TE_BASE + 0x50 },
	{ "es:[esi]", TE_CODE(0x26, 0x8b, 0x06),
	  { [EMU_ESI] = 0x24 }, INSN_SEG_ES, TE_BASE, TE_BASE + 0x24 },
};

/* emu_operand_addr agrees, or declines the moffs form, which has no ModRM. */
static void te_operand_addr(const struct te *t, const struct te_addr_case *k)
{
	struct insn in;
	uint32_t lin = 0;
	int rc;

	decode_insn(k->code.b, k->code.n, &in);
	rc = emu_operand_addr(&t->r, &in, &lin);
	if (in.has_modrm)
		TE_CHECK(rc == 0 && lin == k->lin, "%s: emu_operand_addr %d %#x",
			 k->what, rc, lin);
	else
		TE_CHECK(rc == EMU_UNSUPPORTED, "%s: emu_operand_addr %d",
			 k->what, rc);
}

static void te_addr_case(const struct te_addr_case *k)
{
	struct te_state exp;
	struct te t;

	te_reset(&t, 0);
	for (unsigned i = 0; i < 8; i++)
		if (k->gpr[i])
			t.r.gpr[i] = k->gpr[i];
	if (k->seg >= 0)
		t.r.seg_base[k->seg] = k->seg_base;
	te_operand_addr(&t, k);
	te_snap(&t, &exp);
	exp.r.gpr[EMU_EAX] = te_mem_get(t.mem.bytes, k->lin, 4);
	exp.r.eip += k->code.n;
	te_expect(&t, &k->code, &exp, 0, k->what);
	te_check_acc(&t, k->lin, 4, true, false, k->what);
}

static void te_addressing(void)
{
	static const struct te_code declined[] = {
		TE_CODE(0x8b, 0xc1),		/* mov eax,ecx */
		TE_CODE(0x67, 0x8b, 0x07),	/* mov eax,[bx] */
		TE_CODE(0x90),			/* nop */
	};
	struct emu_regs r = { .eip = 0 };
	struct insn in;
	uint32_t lin;

	for (size_t i = 0; i < sizeof(te_addr_cases) / sizeof(te_addr_cases[0]);
	     i++)
		te_addr_case(&te_addr_cases[i]);
	for (size_t i = 0; i < sizeof(declined) / sizeof(declined[0]); i++) {
		decode_insn(declined[i].b, declined[i].n, &in);
		TE_CHECK(emu_operand_addr(&r, &in, &lin) == EMU_UNSUPPORTED,
			 "emu_operand_addr accepts %02x %02x", declined[i].b[0],
			 declined[i].b[1]);
	}
}

/* --- unsupported and faulting instructions -------------------------------- */

static const struct te_code te_unsupported_cases[] = {
	TE_CODE(0x67, 0x8b, 0x07),			/* mov eax,[bx] */
	TE_CODE(0x67, 0xa4),				/* movsb, a16 */
	TE_CODE(0xf7, 0x25, TE_ABS(TE_OP)),		/* mul dword [mem] */
	TE_CODE(0xf6, 0x35, TE_ABS(TE_OP)),		/* div byte [mem] */
	TE_CODE(0xa6),					/* cmpsb */
	TE_CODE(0xf3, 0xae),				/* rep scasb */
	TE_CODE(0x6c),					/* insb */
	TE_CODE(0x0f, 0xa2),				/* cpuid */
	TE_CODE(0x66, 0xe8, 0, 0),			/* call rel16 */
	TE_CODE(0x66, 0xc3),				/* ret, 16-bit */
	TE_CODE(0x8e, 0x1d, TE_ABS(TE_OP)),		/* mov ds,[mem] */
	TE_CODE(0x8c, 0x1d, TE_ABS(TE_OP)),		/* mov [mem],ds */
	TE_CODE(0x0f, 0xc7, 0x0d, TE_ABS(TE_OP)),	/* cmpxchg8b [mem] */
	TE_CODE(0x0f, 0xab, 0x05, TE_ABS(TE_OP)),	/* bts [mem],eax */
	TE_CODE(0x0f, 0xa4, 0x05, TE_ABS(TE_OP), 4),	/* shld [mem],eax,4 */
	TE_CODE(0x0f, 0x11, 0x05, TE_ABS(TE_OP)),	/* movups [mem],xmm0 */
	TE_CODE(0x66, 0x0f, 0x38, 0x00, 0xc1),		/* pshufb */
	TE_CODE(0xc7, 0xf8, 0, 0, 0, 0),		/* xbegin */
	TE_CODE(0x9c),					/* pushf */
	TE_CODE(0x05, 1, 0, 0, 0),			/* add eax,imm32 */
	TE_CODE(0x40),					/* inc eax */
	TE_CODE(0xc8, 8, 0, 0),				/* enter 8,0 */
};

static void te_unsupported(void)
{
	size_t n = sizeof(te_unsupported_cases) / sizeof(te_unsupported_cases[0]);

	for (size_t i = 0; i < n; i++) {
		const struct te_code *c = &te_unsupported_cases[i];
		struct te_state exp;
		struct te t;
		char what[48];
		int rc;

		te_reset(&t, EMU_FL_CF | EMU_FL_ZF);
		te_snap(&t, &exp);
		snprintf(what, sizeof(what), "unsupported %02x %02x %02x",
			 c->b[0], c->b[1], c->b[2]);
		rc = te_exec(&t, c, what);
		TE_CHECK(rc == EMU_UNSUPPORTED, "%s: returned %d", what, rc);
		te_compare(&t, &exp, 0, what);
		TE_CHECK(t.acc.addr == 0xdeadbeef && t.acc.size == 0xee &&
			 !t.mem.reads && !t.mem.writes,
			 "%s: touched acc or memory", what);
	}
}

struct te_fault_case {
	const char *what;
	struct te_code code;
	bool fail_read;		/* else the write fails */
};

static const struct te_fault_case te_fault_cases[] = {
	{ "add [mem],ecx, read", TE_CODE(0x01, 0x0d, TE_ABS(TE_OP)), true },
	{ "add [mem],ecx, write", TE_CODE(0x01, 0x0d, TE_ABS(TE_OP)), false },
	{ "add ecx,[mem], read", TE_CODE(0x03, 0x0d, TE_ABS(TE_OP)), true },
	{ "xadd [mem],ecx", TE_CODE(0x0f, 0xc1, 0x0d, TE_ABS(TE_OP)), false },
	{ "cmpxchg [mem],ecx", TE_CODE(0x0f, 0xb1, 0x0d, TE_ABS(TE_OP)), false },
	{ "xchg [mem],ecx", TE_CODE(0x87, 0x0d, TE_ABS(TE_OP)), false },
	{ "neg [mem]", TE_CODE(0xf7, 0x1d, TE_ABS(TE_OP)), false },
	{ "shl [mem],3", TE_CODE(0xc1, 0x25, TE_ABS(TE_OP), 3), false },
	{ "push ecx", TE_CODE(0x51), false },
	{ "push [mem], read", TE_CODE(0xff, 0x35, TE_ABS(TE_OP)), true },
	{ "push [mem], write", TE_CODE(0xff, 0x35, TE_ABS(TE_OP)), false },
	{ "pop ecx", TE_CODE(0x59), true },
	{ "pop [mem]", TE_CODE(0x8f, 0x05, TE_ABS(TE_OP)), false },
	{ "rep movsd, read", TE_CODE(0xf3, 0xa5), true },
	{ "rep movsd, write", TE_CODE(0xf3, 0xa5), false },
	{ "rep stosb", TE_CODE(0xf3, 0xaa), false },
	{ "lodsd", TE_CODE(0xad), true },
	{ "sete [mem]", TE_CODE(0x0f, 0x94, 0x05, TE_ABS(TE_OP)), false },
	{ "mov eax,[unmapped]", TE_CODE(0x8b, 0x05, TE_ABS(0x1000)), false },
};

static void te_faults(void)
{
	size_t n = sizeof(te_fault_cases) / sizeof(te_fault_cases[0]);

	for (size_t i = 0; i < n; i++) {
		const struct te_fault_case *k = &te_fault_cases[i];
		struct te_state exp;
		struct te t;
		int rc;

		te_reset(&t, EMU_FL_CF | EMU_FL_OF);
		te_string_setup(&t, false);
		t.r.gpr[EMU_ECX] = 3;
		t.mem.fail_read = k->fail_read;
		t.mem.fail_write = !k->fail_read;
		te_snap(&t, &exp);
		rc = te_exec(&t, &k->code, k->what);
		TE_CHECK(rc == EMU_FAULT, "%s: returned %d", k->what, rc);
		te_compare(&t, &exp, 0, k->what);
		TE_CHECK(t.mem.writes <= 1 && t.acc.addr == 0xdeadbeef,
			 "%s: %u writes, acc touched", k->what, t.mem.writes);
	}
}

int main(void)
{
	te_fill_random();
	te_alu();
	te_unary();
	te_exchanges();
	te_setcc();
	te_shifts();
	te_moves();
	te_stack();
	te_transfers();
	te_strings();
	te_addressing();
	te_unsupported();
	te_faults();
	if (te_failures > TE_MAX_REPORTED)
		printf("... %lu more failures not shown\n",
		       te_failures - TE_MAX_REPORTED);
	printf("test_emulate: %lu checks, %lu failures\n", te_checks,
	       te_failures);
	return te_failures != 0;
}
