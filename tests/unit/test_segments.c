/* test_segments.c — module/segments.c on the host: how the guest's GDT and
 * LDT are shadowed into the two real GDTs (DPL forced to 3, system
 * descriptors never copied, the user's table without DPL 0-2), the checks
 * and exceptions of segment loads, lldt and far returns' code segments, the
 * cache slot that keeps a loaded register's old descriptor when the guest
 * rewrites it, and the accessed bits copied back.  The guest's linear
 * memory is a buffer (paging off), the real tables are arrays here. */
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "descriptor.h"
#include "gmem.h"
#include "kill.h"
#include "segments.h"
#include "tables.h"
#include "vcpu.h"

#define MEM_SIZE 0x10000u
#define GDT_AT   0x1000u
#define LDT_AT   0x2000u

struct vcpu vcpu;
static uint64_t gdt_store[2][GDT_ENTRIES];
uint64_t *real_gdt[2] = { gdt_store[0], gdt_store[1] };
uint64_t real_ldt[2][LDT_ENTRIES];
static uint8_t mem[MEM_SIZE];
static struct { int n; unsigned vector; uint32_t err; } raised;
static jmp_buf killed;

enum outcome exc_raise(unsigned vector, uint32_t err, uint32_t cr2)
{
	(void)cr2;
	raised.n++;
	raised.vector = vector;
	raised.err = err;
	return OUT_RAISED;
}

void vcpu_kill(const char *fmt, ...)
{
	(void)fmt;
	longjmp(killed, 1);
}

static int sys_read(void *ctx, uint32_t lin, void *dst, unsigned n)
{
	(void)ctx;
	if (lin + n > MEM_SIZE)
		return -1;
	memcpy(dst, mem + lin, n);
	return 0;
}

static int sys_write(void *ctx, uint32_t lin, const void *src, unsigned n)
{
	(void)ctx;
	if (lin + n > MEM_SIZE)
		return -1;
	memcpy(mem + lin, src, n);
	return 0;
}

const struct emu_mem vcpu_mem_sys = { sys_read, sys_write, 0 };

#define ACC(dpl, type) (DESC_P | (dpl) << 5 | DESC_S | DESC_ACCESSED | (type))
#define CODE (DESC_CODE | DESC_RW)
#define DATA DESC_RW

static uint64_t seg(uint32_t base, uint8_t access)
{
	return desc_make(base, 0xfffff, access, DESC_G | DESC_DB);
}

static void put_desc(uint32_t at, unsigned index, uint64_t d)
{
	memcpy(mem + at + index * 8, &d, 8);
}

static uint64_t get_desc(uint32_t at, unsigned index)
{
	uint64_t d;
	memcpy(&d, mem + at + index * 8, 8);
	return d;
}

/* The guest's GDT: 1 kernel code, 2 kernel data, 3 user code, 4 user data,
 * 5 a TSS, 6 the LDT (2 entries: user data, kernel data), 7 data not
 * present, 8 execute-only user code, 9 user data without its accessed
 * bit, 10 kernel code not present.  Limit: 11 entries. */
static void guest_gdt(void)
{
	memset(mem, 0, sizeof(mem));
	memset(gdt_store, 0, sizeof(gdt_store));
	memset(real_ldt, 0, sizeof(real_ldt));
	memset(&vcpu, 0, sizeof(vcpu));
	put_desc(GDT_AT, 1, seg(0, ACC(0, CODE)));
	put_desc(GDT_AT, 2, seg(0, ACC(0, DATA)));
	put_desc(GDT_AT, 3, seg(0, ACC(3, CODE)));
	put_desc(GDT_AT, 4, seg(0, ACC(3, DATA)));
	put_desc(GDT_AT, 5, desc_make(0x3000, 103, DESC_P | DESC_TSS32, 0));
	put_desc(GDT_AT, 6, desc_make(LDT_AT, 15, DESC_P | DESC_LDT, 0));
	put_desc(GDT_AT, 7, seg(0, ACC(3, DATA) & ~DESC_P));
	put_desc(GDT_AT, 8, seg(0, ACC(3, DESC_CODE)));
	put_desc(GDT_AT, 9, seg(0x10000000, ACC(3, DATA) & ~DESC_ACCESSED));
	put_desc(GDT_AT, 10, seg(0, ACC(0, CODE) & ~DESC_P));
	put_desc(LDT_AT, 0, seg(0, ACC(3, DATA)));
	put_desc(LDT_AT, 1, seg(0, ACC(0, DATA)));
	CHECK(seg_load_gdt(0, GDT_AT, 11 * 8 - 1) == 0, "lgdt");
}

static void shadowing(void)
{
	guest_gdt();
	CHECK(desc_dpl(real_gdt[GDT_KERNEL][1]) == 3 && desc_base(real_gdt[GDT_KERNEL][1]) == 0 &&
	      (desc_type(real_gdt[GDT_KERNEL][1]) & DESC_CODE), "kernel code shadowed with DPL 3");
	CHECK(real_gdt[GDT_USER][1] == 0 && real_gdt[GDT_USER][2] == 0,
	      "the user's GDT lacks DPL-0 segments");
	CHECK(real_gdt[GDT_USER][4] == get_desc(GDT_AT, 4), "a DPL-3 segment is copied as it is");
	CHECK(real_gdt[GDT_KERNEL][5] == 0 && real_gdt[GDT_KERNEL][6] == 0,
	      "system descriptors (TSS, LDT) never reach the real GDT");
	CHECK(real_gdt[GDT_KERNEL][7] == 0, "a descriptor not present is not shadowed");
	CHECK(seg_accessed_pending(), "a descriptor without its accessed bit is watched");
	/* The CPU loads it natively and sets the bit in the real table. */
	real_gdt[GDT_KERNEL][9] |= (uint64_t)DESC_ACCESSED << 40;
	seg_sync_accessed();
	CHECK(desc_access(get_desc(GDT_AT, 9)) & DESC_ACCESSED,
	      "its accessed bit is copied to the guest's GDT");
	CHECK(!seg_accessed_pending(), "and no longer watched");
	CHECK(seg_load_gdt(0, GDT_AT, GDT_GUEST_ENTRIES * 8) == -1, "a GDT too large is refused");
}

/* seg_load of sel into register n at CPL cpl: the exception's vector (0 if
 * it loaded), its error code in *err. */
static unsigned load(unsigned cpl, unsigned n, uint16_t sel, uint32_t *err)
{
	struct trap_frame f;
	memset(&f, 0, sizeof(f));
	vcpu.cpl = (uint8_t)cpl;
	raised.n = 0;
	enum outcome out = seg_load(&f, n, sel);
	*err = raised.err;
	if (out == OUT_DONE) {
		CHECK(raised.n == 0 && frame_sreg_get(&f, n) == (n == INSN_SEG_SS ? (sel | 3u) : sel),
		      "load %04x: register %x", sel, frame_sreg_get(&f, n));
		return 0;
	}
	CHECK(out == OUT_RAISED && raised.n == 1, "load %04x: outcome %d", sel, out);
	return raised.vector;
}

static void loads(void)
{
	static const struct {
		unsigned cpl, n;
		uint16_t sel;
		unsigned vector;
		uint32_t err;
	} cases[] = {
		{ 0, INSN_SEG_DS, 0x00, 0, 0 },    /* null into a data register: fine */
		{ 0, INSN_SEG_SS, 0x00, 13, 0 },   /* ... into SS: #GP(0) */
		{ 0, INSN_SEG_DS, 0x10, 0, 0 },
		{ 0, INSN_SEG_DS, 0x58, 13, 0x58 },   /* past the limit */
		{ 0, INSN_SEG_DS, 0x28, 13, 0x28 },   /* a TSS */
		{ 0, INSN_SEG_DS, 0x3b, 11, 0x38 },   /* not present: #NP */
		{ 3, INSN_SEG_SS, 0x3b, 12, 0x38 },   /* ... into SS: #SS */
		{ 3, INSN_SEG_DS, 0x43, 13, 0x40 },   /* execute-only code */
		{ 0, INSN_SEG_DS, 0x08, 0, 0 },       /* readable code */
		{ 3, INSN_SEG_DS, 0x10, 13, 0x10 },   /* DPL 0 from CPL 3 */
		{ 0, INSN_SEG_DS, 0x13, 13, 0x10 },   /* RPL 3 above DPL 0 */
		{ 0, INSN_SEG_SS, 0x23, 13, 0x20 },   /* SS: DPL must be the CPL */
		{ 3, INSN_SEG_SS, 0x23, 0, 0 },
		{ 0, INSN_SEG_SS, 0x08, 13, 0x08 },   /* SS: code */
		{ 0, INSN_SEG_FS, 0x07, 0, 0 },       /* the LDT's user data... */
		{ 0, INSN_SEG_FS, 0x17, 13, 0x14 },   /* ...and past its limit */
	};
	guest_gdt();
	vcpu.ldtr = 0x30;
	vcpu.ldt = (struct vdtr){ LDT_AT, 15 };
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t err;
		unsigned v = load(cases[i].cpl, cases[i].n, cases[i].sel, &err);
		CHECK(v == cases[i].vector && (!v || err == cases[i].err),
		      "cpl %u sreg %u sel %04x: vector %u err %x, want %u %x", cases[i].cpl,
		      cases[i].n, cases[i].sel, v, err, cases[i].vector, cases[i].err);
	}
}

static void lldt(void)
{
	guest_gdt();
	raised.n = 0;
	CHECK(seg_load_ldt(0, 0x30) == OUT_DONE && vcpu.ldtr == 0x30 && vcpu.ldt.base == LDT_AT &&
	      vcpu.ldt.limit == 15, "lldt 0x30");
	CHECK(desc_dpl(real_ldt[GDT_KERNEL][1]) == 3 && real_ldt[GDT_USER][1] == 0 &&
	      real_ldt[GDT_USER][0] == get_desc(LDT_AT, 0), "the LDT shadowed as the GDT is");
	CHECK(seg_load_ldt(0, 0x28) == OUT_RAISED && raised.vector == 13 && raised.err == 0x28,
	      "lldt of a TSS: #GP(0x28)");
	CHECK(seg_load_ldt(0, 0x34) == OUT_RAISED && raised.vector == 13 && raised.err == 0x34,
	      "lldt of an LDT selector: #GP(0x34)");
	put_desc(GDT_AT, 6, desc_make(LDT_AT, 15, DESC_LDT, 0));
	CHECK(seg_load_ldt(0, 0x30) == OUT_RAISED && raised.vector == 11 && raised.err == 0x30,
	      "lldt of an absent LDT: #NP(0x30)");
	put_desc(GDT_AT, 6, desc_make(LDT_AT, LDT_ENTRIES * 8, DESC_P | DESC_LDT, 0));
	if (!setjmp(killed)) {
		seg_load_ldt(0, 0x30);
		CHECK(0, "an LDT too large stops the guest");
	}
	CHECK(seg_load_ldt(0, 0) == OUT_DONE && vcpu.ldtr == 0 && real_ldt[GDT_KERNEL][0] == 0,
	      "lldt 0: no LDT");
}

static void code_segments(void)
{
	guest_gdt();
	CHECK(seg_code_fault(0x08, 0) == 0 && seg_code_fault(0x1b, 3) == 0, "code at its DPL");
	CHECK(seg_code_fault(0x08, 3) == 13 && seg_code_fault(0x1b, 0) == 13, "code at another DPL");
	CHECK(seg_code_fault(0x00, 0) == 13 && seg_code_fault(0x10, 0) == 13 &&
	      seg_code_fault(0x58, 0) == 13, "null, data, past the limit: #GP");
	CHECK(seg_code_fault(0x50, 0) == 11, "absent code: #NP");
}

/* A loaded register keeps its descriptor when the guest changes it: the
 * register moves to a cache slot, the guest still sees its selector. */
static void cache_slot(void)
{
	struct trap_frame f;
	guest_gdt();
	memset(&f, 0, sizeof(f));
	vcpu.cpl = 3;
	f.cs = 0x1b;
	f.ds = 0x4b;   /* entry 9, base 0x10000000 */
	f.ss = 0x23;
	uint64_t old = real_gdt[GDT_USER][9];
	put_desc(GDT_AT, 9, seg(0x20000000, ACC(3, DATA)));
	seg_written();
	CHECK(real_gdt[GDT_USER][9] == old, "a guest write waits for seg_refresh");
	seg_refresh(&f);
	CHECK(desc_base(real_gdt[GDT_USER][9]) == 0x20000000, "then entry 9 holds the new descriptor");
	CHECK((f.ds >> 3) == GDT_CACHE_SLOT + INSN_SEG_DS && real_gdt[GDT_USER][f.ds >> 3] == old,
	      "ds moved to its cache slot with the old descriptor (ds %x)", f.ds);
	CHECK(seg_visible(&f, INSN_SEG_DS) == 0x4b, "the guest still sees 0x4b: %x",
	      seg_visible(&f, INSN_SEG_DS));
	CHECK(f.cs == 0x1b && f.ss == 0x23, "registers whose descriptor stayed are left alone");
	CHECK(seg_visible(&f, INSN_SEG_CS) == 0x1b, "CS shows the CPL as its RPL");
	vcpu.cpl = 0;
	f.cs = 0x0b;
	CHECK(seg_visible(&f, INSN_SEG_CS) == 0x08, "kernel CS: %x", seg_visible(&f, INSN_SEG_CS));
}

/* Going to user mode clears data registers user code may not use. */
static void clear_for_user(void)
{
	struct trap_frame f;
	guest_gdt();
	memset(&f, 0, sizeof(f));
	f.ds = 0x10;
	f.es = 0x23;
	f.fs = 0x13;
	f.gs = 0;
	seg_clear_for_user(&f);
	CHECK(f.ds == 0 && f.es == 0x23 && f.fs == 0 && f.gs == 0,
	      "ds %x es %x fs %x gs %x", f.ds, f.es, f.fs, f.gs);
}

int main(void)
{
	shadowing();
	loads();
	lldt();
	code_segments();
	cache_slot();
	clear_for_user();
	return check_done("test_segments", 0);
}
