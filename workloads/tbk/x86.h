/* x86.h — the CPU as the test kernels use it: one inline function per
 * privileged or system instruction, the register bits they print, and the
 * descriptor formats they build. */
#ifndef TBK_X86_H
#define TBK_X86_H

/* EFLAGS */
#define FL_CF    0x00000001u
#define FL_FIXED 0x00000002u   /* bit 1 always reads 1 */
#define FL_PF    0x00000004u
#define FL_AF    0x00000010u
#define FL_ZF    0x00000040u
#define FL_SF    0x00000080u
#define FL_IF    0x00000200u
#define FL_DF    0x00000400u
#define FL_OF    0x00000800u
#define FL_IOPL  0x00003000u
/* What a kernel prints of EFLAGS: the arithmetic flags, DF, IF and IOPL.
 * TF, NT, RF, AC, ID and the VM bits are left out: no kernel sets them and a
 * monitor may use TF and RF for its own stepping. */
#define FL_SHOWN (FL_FIXED | FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_IF | \
		  FL_DF | FL_OF | FL_IOPL)

#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_PG 0x80000000u
/* CR0 as the kernels print it; CD and NW are the firmware's business. */
#define CR0_SHOWN (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_PG)

#define CR4_PSE 0x00000010u
#define CR4_PAE 0x00000020u
#define CR4_PGE 0x00000080u

/* Descriptor access bytes.  Code and data descriptors are built with the
 * accessed bit already set, as Linux does, so that the CPU never writes the
 * GDT when it loads a segment. */
#define ACC_P          0x80u
#define ACC_DPL(n)     ((uint32_t)(n) << 5)
#define ACC_CODE       0x1bu   /* code, readable, accessed */
#define ACC_DATA       0x13u   /* data, writable, accessed */
#define ACC_LDT        0x02u
#define ACC_TSS        0x09u   /* available 32-bit TSS; 0x0b when busy */
#define ACC_CALL_GATE  0x0cu
#define ACC_INTR_GATE  0x0eu
#define DESC_TSS_BUSY  (1ull << 41)
/* Flags nibble: 4 KiB granularity and 32-bit, or byte granularity and 32-bit. */
#define DF_PAGES_32    0xcu
#define DF_BYTES_32    0x4u

#ifndef __ASSEMBLER__
#include <stdint.h>

struct __attribute__((packed)) pseudo_desc {
	uint16_t limit;
	uint32_t base;
};

/* The 32-bit TSS; only ss0:esp0 (the stack for entries from ring 3) and
 * the I/O map base (past the limit: no I/O bitmap) are used. */
struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
};
_Static_assert(sizeof(struct tss) == 104, "32-bit TSS layout");

static inline uint64_t desc_seg(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
	return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)(access & 0xff) << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

static inline uint64_t desc_gate(uint16_t sel, uint32_t offset, uint32_t access)
{
	return (uint64_t)(offset & 0xffff) | (uint64_t)sel << 16 |
	       (uint64_t)(access & 0xff) << 40 | (uint64_t)(offset >> 16) << 48;
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
/* A write to the POST port: the customary delay between PIC commands. */
static inline void io_wait(void) { outb(0x80, 0); }

#define CR_ACCESSORS(n)                                                              \
	static inline uint32_t read_cr##n(void)                                      \
	{ uint32_t v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; } \
	static inline void write_cr##n(uint32_t v)                                   \
	{ __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
CR_ACCESSORS(0)
CR_ACCESSORS(2)
CR_ACCESSORS(3)
CR_ACCESSORS(4)
#undef CR_ACCESSORS

static inline void invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
/* sti's one-instruction shadow makes "sti; hlt" wait for the next
 * interrupt without a window in which it could be missed. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" : : "r"(sel)); }
static inline void lldt(uint16_t sel) { __asm__ volatile("lldt %0" : : "r"(sel)); }

static inline void lgdt(const void *base, uint16_t limit)
{
	struct pseudo_desc d = { limit, (uint32_t)base };
	__asm__ volatile("lgdt %0" : : "m"(d) : "memory");
}

static inline void lidt(const void *base, uint16_t limit)
{
	struct pseudo_desc d = { limit, (uint32_t)base };
	__asm__ volatile("lidt %0" : : "m"(d) : "memory");
}

static inline uint32_t read_eflags(void)
{
	uint32_t f;
	__asm__ volatile("pushfl; popl %0" : "=r"(f));
	return f;
}

#endif /* __ASSEMBLER__ */
#endif
