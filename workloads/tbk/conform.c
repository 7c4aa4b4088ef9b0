/* conform.c — conformance: the privileged instructions in kernel mode, then
 * each sensitive instruction (no trap at ring 3, yet ring-0 state shown) at
 * ring 0 and at ring 3, printing what the CPU answered. */
#include "tbk.h"

#define GDT_CALL_GATE GDT_FREE          /* DPL 3, to user code: far_target */
#define GDT_TSS2      (GDT_FREE + 1)    /* for ltr */
#define SEL_CALL_GATE SEL(GDT_CALL_GATE, 3)
#define SEL_TSS2      SEL(GDT_TSS2, 0)
#define GDT_STALE     (GDT_FREE + 2)    /* rewritten while es holds it */
#define SEL_STALE     SEL(GDT_STALE, 0)
#define SEL_BEYOND    SEL(GDT_ENTRIES, 0)  /* past the GDT's limit */

#define V_INT_DPL0    0x81
#define V_INT_DPL3    0x82
#define V_ABSENT_DPL3 0x83
#define V_ABSENT_DPL0 0x84

#define SCRATCH_VA    0x50000000u        /* remapped for invlpg */
#define UNMAPPED_VA   0x7fff0000u        /* for a #PF and CR2 */
#define MSR_SYSENTER_CS 0x174
#define COM1_SCRATCH  0x3ff
#define CMOS_INDEX    0x70
#define CMOS_DATA     0x71
#define PRESET        0xdeadbeefu        /* what a destination held before */
/* CPUID.1:EDX bits every machine we run on has: FPU, TSC, PAE, CX8. */
#define CPUID1_SHOWN  0x00000151u

void tbk_main(uint32_t magic, const void *mbi);
extern char far_target[];

static struct tss tss2;
static pte_t *root;
static volatile uint32_t ticks;

/* --- sensitive-instruction probes: run at ring 0 and ring 3 ------------------
 * Each returns its observation in eax and, for the probes with an aux label,
 * a second one in edx.  A fault is resumed at the fixup and printed. */

#define PROBE(name) USER_TEXT static uint64_t name(uint32_t arg __attribute__((unused)))

/* EFLAGS after xor (ZF and PF set) and, for the cli/sti probes, after an
 * instruction that changes IF at ring 0 and faults at ring 3. */
#define FLAGS_PROBE(name, insn)                                                    \
	PROBE(name)                                                                \
	{                                                                          \
		uint32_t f;                                                        \
		__asm__ volatile("xorl %0, %0\n1:\t" insn "\n2:\tpushfl\n\tpopl %0\n\t" \
				 EXTABLE("1b", "2b") : "=r"(f) : : "memory", "cc");  \
		return f & FL_SHOWN;                                               \
	}
FLAGS_PROBE(p_pushf, "")
FLAGS_PROBE(p_cli_pushf, "cli")
FLAGS_PROBE(p_sti_pushf, "sti")

/* popf of the current flags with `op` applied, the flags read back, then
 * the old flags restored: IF and IOPL change at ring 0 only. */
#define POPF_PROBE(name, op)                                                       \
	PROBE(name)                                                                \
	{                                                                          \
		uint32_t f, old;                                                   \
		__asm__ volatile("xorl %0, %0\n\tpushfl\n\tpopl %1\n\tmovl %1, %0\n\t" \
				 op "\n\tpushl %0\n\tpopfl\n\tpushfl\n\tpopl %0\n\t" \
				 "pushl %1\n\tpopfl"                               \
				 : "=&r"(f), "=&r"(old) : : "memory", "cc");       \
		return f & FL_SHOWN;                                               \
	}
POPF_PROBE(p_popf_if, "xorl $0x200, %0")
POPF_PROBE(p_popf_iopl, "orl $0x3000, %0")

/* iret to the same ring with IF flipped and IOPL 3 in the popped flags. */
PROBE(p_iret_flags)
{
	uint32_t f, old;
	__asm__ volatile("xorl %0, %0\n\tpushfl\n\tpopl %1\n\tmovl %1, %0\n\t"
			 "xorl $0x200, %0\n\torl $0x3000, %0\n\t"
			 "pushl %0\n\tpushl %%cs\n\tpushl $1f\n\tiret\n"
			 "1:\tpushfl\n\tpopl %0\n\tpushl %1\n\tpopfl"
			 : "=&r"(f), "=&r"(old) : : "memory", "cc");
	return f & FL_SHOWN;
}

/* iret to the same ring; the CS it lands with. */
PROBE(p_iret)
{
	uint32_t cs;
	__asm__ volatile("pushfl\n\tpushl %%cs\n\tpushl $1f\n\tiret\n1:\tmovl %%cs, %0"
			 : "=r"(cs) : : "memory");
	return cs;
}

/* The far-call target: returns the CS the call pushed. */
__asm__(".pushsection .user.text, \"ax\"\n"
	"far_target:\n\t"
	"movzwl 4(%esp), %eax\n\t"
	"lret\n"
	".popsection");

/* lcall to the current CS through a far pointer on the stack: the pushed CS. */
PROBE(p_lcall)
{
	uint32_t v;
	__asm__ volatile("movl %%cs, %0\n\tpushl %0\n\tpushl $far_target\n\t"
			 "lcall *(%%esp)\n\taddl $8, %%esp"
			 : "=a"(v) : : "memory");
	return v;
}

/* lcall through the DPL-3 call gate to user code: the same ring at ring 3,
 * a #GP at ring 0 (a gate never leads to a less privileged segment). */
PROBE(p_lcall_gate)
{
	uint32_t v = PRESET;
	__asm__ volatile("1:\tlcall %1, $0\n2:\n\t" EXTABLE("1b", "2b")
			 : "+a"(v) : "i"(SEL_CALL_GATE) : "memory");
	return v;
}

PROBE(p_sgdt)
{
	struct pseudo_desc d;
	__asm__ volatile("sgdt %0" : "=m"(d));
	return (uint64_t)d.limit << 32 | d.base;
}

PROBE(p_sidt)
{
	struct pseudo_desc d;
	__asm__ volatile("sidt %0" : "=m"(d));
	return (uint64_t)d.limit << 32 | d.base;
}

/* Register forms write all 32 bits (P6 and later zero the top half);
 * memory forms write 16 and leave the rest of the preset. */
#define STORE_PROBES(insn)                                                         \
	PROBE(p_##insn##_reg)                                                      \
	{                                                                          \
		uint32_t v = PRESET;                                               \
		__asm__ volatile(#insn " %0" : "+r"(v));                           \
		return v;                                                          \
	}                                                                          \
	PROBE(p_##insn##_mem)                                                      \
	{                                                                          \
		uint32_t v = PRESET;                                               \
		__asm__ volatile(#insn " %0" : "+m"(v));                           \
		return v;                                                          \
	}
STORE_PROBES(sldt)
STORE_PROBES(str)

/* smsw r32 leaves bits 16-31 undefined; of the rest PE..NE are shown. */
PROBE(p_smsw_reg)
{
	uint32_t v = PRESET;
	__asm__ volatile("smsw %0" : "+r"(v));
	return v & 0x3f;
}

PROBE(p_smsw_mem)
{
	uint32_t v = PRESET;
	__asm__ volatile("smsw %0" : "+m"(v));
	return v & 0xffff003f;
}

PROBE(p_mov_cs_mem)
{
	uint32_t v = PRESET;
	__asm__ volatile("movw %%cs, %0" : "+m"(v));
	return v;
}

/* mov from and push of each segment register.  A 32-bit push of a segment
 * register writes 16 or 32 bits depending on the CPU: only 16 are shown. */
#define SREG_PROBES(s)                                                             \
	PROBE(p_mov_##s)                                                           \
	{                                                                          \
		uint32_t v = PRESET;                                               \
		__asm__ volatile("movl %%" #s ", %0" : "+r"(v));                   \
		return v;                                                          \
	}                                                                          \
	PROBE(p_push_##s)                                                          \
	{                                                                          \
		uint32_t v;                                                        \
		__asm__ volatile("pushl %%" #s "\n\tpopl %0" : "=r"(v));           \
		return v & 0xffff;                                                 \
	}
SREG_PROBES(cs)
SREG_PROBES(ds)
SREG_PROBES(es)
SREG_PROBES(fs)
SREG_PROBES(gs)
SREG_PROBES(ss)

/* Load arg into a segment register by pop or mov, read it back, restore
 * it.  A pop that faults leaves its operand on the stack. */
#define LOAD_PROBES(s)                                                             \
	PROBE(p_pop_##s)                                                           \
	{                                                                          \
		uint32_t v, old;                                                   \
		__asm__ volatile("movl %%" #s ", %1\n\tpushl %2\n"                 \
				 "1:\tpopl %%" #s "\n\tjmp 3f\n"                   \
				 "2:\taddl $4, %%esp\n"                            \
				 "3:\tmovl %%" #s ", %0\n\tmovl %1, %%" #s "\n\t"  \
				 EXTABLE("1b", "2b")                               \
				 : "=&r"(v), "=&r"(old) : "r"(arg) : "memory");    \
		return v & 0xffff;                                                 \
	}                                                                          \
	PROBE(p_load_##s)                                                          \
	{                                                                          \
		uint32_t v, old;                                                   \
		__asm__ volatile("movl %%" #s ", %1\n"                             \
				 "1:\tmovl %2, %%" #s "\n"                         \
				 "2:\tmovl %%" #s ", %0\n\tmovl %1, %%" #s "\n\t"  \
				 EXTABLE("1b", "2b")                               \
				 : "=&r"(v), "=&r"(old) : "r"(arg) : "memory");    \
		return v & 0xffff;                                                 \
	}
LOAD_PROBES(ds)
LOAD_PROBES(es)
LOAD_PROBES(fs)
LOAD_PROBES(gs)
LOAD_PROBES(ss)

/* lar, lsl, verr, verw on selector arg: the result (lar's masked to the
 * defined bits) and ZF.  With ZF clear the destination keeps its preset. */
PROBE(p_lar)
{
	uint32_t v = PRESET;
	uint8_t zf;
	__asm__ volatile("lar %2, %0\n\tsetz %1" : "+r"(v), "=q"(zf) : "r"(arg) : "cc");
	return (uint64_t)zf << 32 | (zf ? v & 0x00f0ff00 : v);
}

PROBE(p_lsl)
{
	uint32_t v = PRESET;
	uint8_t zf;
	__asm__ volatile("lsl %2, %0\n\tsetz %1" : "+r"(v), "=q"(zf) : "r"(arg) : "cc");
	return (uint64_t)zf << 32 | v;
}

PROBE(p_verr)
{
	uint8_t zf;
	__asm__ volatile("verr %w1\n\tsetz %0" : "=q"(zf) : "r"(arg) : "cc");
	return zf;
}

PROBE(p_verw)
{
	uint8_t zf;
	__asm__ volatile("verw %w1\n\tsetz %0" : "=q"(zf) : "r"(arg) : "cc");
	return zf;
}

PROBE(p_cpuid)
{
	uint32_t a = arg, b, c, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return arg ? d & CPUID1_SHOWN : a;
}

PROBE(p_rdtsc)
{
	uint32_t lo1, hi1, lo2, hi2;
	__asm__ volatile("rdtsc" : "=a"(lo1), "=d"(hi1));
	__asm__ volatile("rdtsc" : "=a"(lo2), "=d"(hi2));
	return ((uint64_t)hi2 << 32 | lo2) > ((uint64_t)hi1 << 32 | lo1);
}

/* Software interrupts and exceptions: what arrived is printed as a trap. */
#define TRAP_PROBE(name, insn)                                                     \
	PROBE(name)                                                                \
	{                                                                          \
		__asm__ volatile("1:\t" insn "\n2:\n\t" EXTABLE("1b", "2b")       \
				 : : : "memory", "cc", "eax");                    \
		return 0;                                                          \
	}
TRAP_PROBE(p_int3, "int3")
TRAP_PROBE(p_into, "movb $0x7f, %%al\n\taddb $1, %%al\n\tinto")
TRAP_PROBE(p_int_dpl0, "int $0x81")
TRAP_PROBE(p_int_dpl3, "int $0x82")
TRAP_PROBE(p_int_absent_dpl3, "int $0x83")
TRAP_PROBE(p_int_absent_dpl0, "int $0x84")
TRAP_PROBE(p_ud2, "ud2")

struct probe {
	const char *name;
	user_fn *fn;
	uint32_t arg;
	const char *aux;    /* label of the edx result, if any */
};

#define SEL_PROBES(sel) \
	{ "lar " #sel, p_lar, sel, "zf" }, { "lsl " #sel, p_lsl, sel, "zf" }, \
	{ "verr " #sel, p_verr, sel, 0 }, { "verw " #sel, p_verw, sel, 0 }

static const struct probe probes[] = {
	{ "pushf", p_pushf, 0, 0 },
	{ "cli; pushf", p_cli_pushf, 0, 0 },
	{ "sti; pushf", p_sti_pushf, 0, 0 },
	{ "popf IF flipped", p_popf_if, 0, 0 },
	{ "popf IOPL 3", p_popf_iopl, 0, 0 },
	{ "iret, IF flipped and IOPL 3", p_iret_flags, 0, 0 },
	{ "iret to the same ring: cs", p_iret, 0, 0 },
	{ "lcall to the same ring: pushed cs", p_lcall, 0, 0 },
	{ "lcall through a DPL-3 gate to ring 3", p_lcall_gate, 0, 0 },
	{ "sgdt", p_sgdt, 0, "limit" },
	{ "sidt", p_sidt, 0, "limit" },
	{ "sldt r32", p_sldt_reg, 0, 0 },
	{ "sldt m16", p_sldt_mem, 0, 0 },
	{ "str r32", p_str_reg, 0, 0 },
	{ "str m16", p_str_mem, 0, 0 },
	{ "smsw r32", p_smsw_reg, 0, 0 },
	{ "smsw m16", p_smsw_mem, 0, 0 },
	{ "mov cs, m16", p_mov_cs_mem, 0, 0 },
	{ "mov cs, r32", p_mov_cs, 0, 0 },
	{ "mov ds, r32", p_mov_ds, 0, 0 },
	{ "mov es, r32", p_mov_es, 0, 0 },
	{ "mov fs, r32", p_mov_fs, 0, 0 },
	{ "mov gs, r32", p_mov_gs, 0, 0 },
	{ "mov ss, r32", p_mov_ss, 0, 0 },
	{ "push cs", p_push_cs, 0, 0 },
	{ "push ds", p_push_ds, 0, 0 },
	{ "push es", p_push_es, 0, 0 },
	{ "push fs", p_push_fs, 0, 0 },
	{ "push gs", p_push_gs, 0, 0 },
	{ "push ss", p_push_ss, 0, 0 },
	{ "pop ds 0x10", p_pop_ds, SEL_KDATA, 0 },
	{ "pop ds 0x00", p_pop_ds, 0, 0 },
	{ "pop es 0x10", p_pop_es, SEL_KDATA, 0 },
	{ "pop fs 0x10", p_pop_fs, SEL_KDATA, 0 },
	{ "pop gs 0x10", p_pop_gs, SEL_KDATA, 0 },
	{ "pop ss 0x10", p_pop_ss, SEL_KDATA, 0 },
	{ "pop ss 0x23", p_pop_ss, SEL_UDATA, 0 },
	{ "pop ss 0x00", p_pop_ss, 0, 0 },
	{ "mov 0x23 to ss", p_load_ss, SEL_UDATA, 0 },
	{ "mov 0x13 to ds", p_load_ds, SEL(GDT_KDATA, 3), 0 },
	{ "mov 0x1b to ds", p_load_ds, SEL_UCODE, 0 },
	{ "mov 0x07 to es", p_load_es, SEL_LDT_UDATA, 0 },
	{ "mov 0x0c to fs", p_load_fs, SEL_LDT_KDATA, 0 },
	{ "mov 0x28 to gs", p_load_gs, SEL_TSS, 0 },
	{ "mov 0x80 to gs", p_load_gs, SEL_BEYOND, 0 },
	SEL_PROBES(0x00), SEL_PROBES(0x08), SEL_PROBES(0x10), SEL_PROBES(0x13),
	SEL_PROBES(0x1b), SEL_PROBES(0x23), SEL_PROBES(0x28), SEL_PROBES(0x30),
	SEL_PROBES(0x3b), SEL_PROBES(0x40), SEL_PROBES(0x07), SEL_PROBES(0x0c),
	SEL_PROBES(0x80),
	{ "cpuid 0: max leaf", p_cpuid, 0, 0 },
	{ "cpuid 1: edx fpu tsc pae cx8", p_cpuid, 1, 0 },
	{ "rdtsc increases", p_rdtsc, 0, 0 },
	{ "int3", p_int3, 0, 0 },
	{ "into with OF", p_into, 0, 0 },
	{ "int 0x81 (DPL 0)", p_int_dpl0, 0, 0 },
	{ "int 0x82 (DPL 3)", p_int_dpl3, 0, 0 },
	{ "int 0x83 (absent, DPL 3)", p_int_absent_dpl3, 0, 0 },
	{ "int 0x84 (absent, DPL 0)", p_int_absent_dpl0, 0, 0 },
	{ "ud2", p_ud2, 0, 0 },
};

/* Kernel mode runs each probe with IF set, as ring 3 does. */
static void run_probe(const struct probe *p, int user)
{
	uint64_t r;

	trap_seen_clear();
	if (user) {
		r = run_user(p->fn, p->arg);
	} else {
		sti();
		r = p->fn(p->arg);
		cli();
	}
	con_printf(" %08x", (uint32_t)r);
	if (p->aux)
		con_printf(" %s %x", p->aux, (uint32_t)(r >> 32));
	trap_seen_print(1);
}

static void sensitive(void)
{
	con_puts("-- sensitive instructions: kernel | user\n");
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		con_printf("%s:", probes[i].name);
		run_probe(&probes[i], 0);
		con_puts(" |");
		run_probe(&probes[i], 1);
		con_putc('\n');
	}
}

/* --- privileged instructions: kernel mode only ---------------------------- */

static void tables(void)
{
	uint64_t g, i;

	gdt_reload();
	g = p_sgdt(0);
	lidt(idt_table, sizeof(idt_table) - 1);
	i = p_sidt(0);
	con_printf("lgdt again: base %08x limit %x; lidt again: base %08x limit %x\n",
		   (uint32_t)g, (uint32_t)(g >> 32), (uint32_t)i, (uint32_t)(i >> 32));
	lldt(SEL_LDT);
	con_printf("lldt %04x: sldt %04x\n", SEL_LDT, (uint32_t)p_sldt_reg(0));
	tss2.ss0 = tss.ss0;
	tss2.esp0 = tss.esp0;
	tss2.iomap = sizeof(tss2);
	ltr(SEL_TSS2);
	con_printf("ltr %04x: str %04x, busy bits: first tss %u, second %u\n", SEL_TSS2,
		   (uint32_t)p_str_reg(0), (gdt_table[GDT_TSS] & DESC_TSS_BUSY) != 0,
		   (gdt_table[GDT_TSS2] & DESC_TSS_BUSY) != 0);
}

/* A segment register keeps the descriptor it was loaded with when its GDT
 * entry changes: reads through es still reach the old base, and push and
 * mov still show the selector, whatever stands behind it. */
static void descriptor_cache(void)
{
	static volatile uint32_t cells[2] = { 0x11111111, 0x22222222 };
	uint32_t through, pushed, moved;

	gdt_table[GDT_STALE] = desc_seg((uint32_t)&cells[0], 0xfffff, ACC_P | ACC_DATA, DF_PAGES_32);
	__asm__ volatile("movw %w0, %%es" : : "r"(SEL_STALE) : "memory");
	gdt_table[GDT_STALE] = desc_seg((uint32_t)&cells[1], 0xfffff, ACC_P | ACC_DATA, DF_PAGES_32);
	__asm__ volatile("movl %%es:0, %0\n\tpushl %%es\n\tpopl %1\n\tmovl %%es, %2\n\t"
			 "movw %w3, %%es"
			 : "=&r"(through), "=&r"(pushed), "=&r"(moved) : "r"(SEL_KDATA) : "memory");
	con_printf("es kept its descriptor when its GDT entry changed: reads %08x,"
		   " push es %08x, mov es %08x\n", through, pushed, moved);
}

static void control_registers(void)
{
	uint32_t cr0 = read_cr0(), cr4 = read_cr4();

	con_printf("cr0: %08x", cr0 & CR0_SHOWN);
	write_cr0(cr0 | CR0_TS);
	con_printf(", with TS %08x", read_cr0() & CR0_SHOWN);
	__asm__ volatile("clts");
	con_printf(", after clts %08x\n", read_cr0() & CR0_SHOWN);

	con_printf("cr4: %08x", cr4 & (CR4_PSE | CR4_PAE | CR4_PGE));
	write_cr4(cr4 | CR4_PSE | CR4_PGE);
	con_printf(", with PSE and PGE %08x", read_cr4() & (CR4_PSE | CR4_PAE | CR4_PGE));
	write_cr4(cr4);
	con_printf(", restored %08x\n", read_cr4() & (CR4_PSE | CR4_PAE | CR4_PGE));

	con_printf("cr3 is the root: %u", read_cr3() == (uint32_t)root);
	write_cr3((uint32_t)root);
	con_printf(", reloaded: %u\n", read_cr3() == (uint32_t)root);

	trap_seen_clear();
	__asm__ volatile("1:\tmovl (%0), %%eax\n2:\n\t" EXTABLE("1b", "2b")
			 : : "r"(UNMAPPED_VA) : "eax", "memory");
	con_printf("read of %08x:", UNMAPPED_VA);
	trap_seen_print(1);
	con_printf("; cr2 %08x", read_cr2());
	write_cr2(0x12345000);
	con_printf(", written back %08x\n", read_cr2());
}

static void tlb(void)
{
	uint32_t *a = page_alloc(), *b = page_alloc();
	volatile uint32_t *scratch = (volatile uint32_t *)SCRATCH_VA;
	uint32_t before, after;

	*a = 0xaaaa5555;
	*b = 0x5555aaaa;
	vm_map(root, SCRATCH_VA, (uint32_t)a, PTE_W);
	invlpg(SCRATCH_VA);
	before = *scratch;
	vm_map(root, SCRATCH_VA, (uint32_t)b, PTE_W);
	invlpg(SCRATCH_VA);
	after = *scratch;
	con_printf("invlpg after a remap: %08x then %08x\n", before, after);
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void io_and_misc(void)
{
	outb(COM1_SCRATCH, 0x5a);
	con_printf("com1 scratch register: %02x", inb(COM1_SCRATCH));
	outb(COM1_SCRATCH, 0xa5);
	con_printf(" %02x\n", inb(COM1_SCRATCH));
	/* base memory in KiB: the same on every PC QEMU makes */
	con_printf("cmos base memory: %u KiB\n", cmos_read(0x15) | cmos_read(0x16) << 8);
	con_printf("rdtsc increases: %u\n", (uint32_t)p_rdtsc(0));

	__asm__ volatile("wbinvd");
	con_puts("wbinvd: ok\n");

	cli();
	con_printf("cli: IF %u", (read_eflags() & FL_IF) != 0);
	sti();
	con_printf(", sti: IF %u\n", (read_eflags() & FL_IF) != 0);
	cli();
}

/* IA32_SYSENTER_CS: harmless until a sysenter, which nothing here does. */
static void msr(void)
{
	con_puts("-- model-specific registers, kernel mode\n");
	wrmsr(MSR_SYSENTER_CS, SEL_KCODE);
	con_printf("wrmsr sysenter_cs %02x: rdmsr %02x", SEL_KCODE,
		   (uint32_t)rdmsr(MSR_SYSENTER_CS));
	wrmsr(MSR_SYSENTER_CS, 0);
	con_printf(", cleared %02x\n", (uint32_t)rdmsr(MSR_SYSENTER_CS));
}

static struct trapframe *timer(struct trapframe *tf)
{
	ticks++;
	pic_eoi(0);
	return tf;
}

/* hlt with IF set: returns once the PIT's next tick has been handled. */
static void halt(void)
{
	ticks = 0;
	pit_start(1000);
	pic_unmask(0);
	cli();
	sti_hlt();
	cli();
	pic_mask(0);
	con_printf("hlt with IF set woke on a timer tick: %u\n", ticks > 0);
}

static void setup(void)
{
	gdt_table[GDT_CALL_GATE] = desc_gate(SEL_UCODE, (uint32_t)far_target,
					     ACC_P | ACC_DPL(3) | ACC_CALL_GATE);
	gdt_table[GDT_TSS2] = desc_seg((uint32_t)&tss2, sizeof(tss2) - 1, ACC_P | ACC_TSS, 0);
	cpu_init();
	pic_init();
	trap_set(T_IRQ0, timer, 0);
	trap_set(T_BREAKPOINT, trap_note, 3);
	trap_set(T_OVERFLOW, trap_note, 3);
	trap_set(V_INT_DPL0, trap_note, 0);
	trap_set(V_INT_DPL3, trap_note, 3);
	trap_set_absent(V_ABSENT_DPL3, 3);
	trap_set_absent(V_ABSENT_DPL0, 0);
	root = vm_kernel();
	user_init(root);
	trap_init();
	vm_enable(root);
}

void tbk_main(uint32_t magic, const void *mbi)
{
	(void)mbi;
	tbk_up("conform");
	if (magic != 0x2BADB002)
		tbk_fail("not booted through Multiboot");
	setup();
	con_puts("-- privileged instructions, kernel mode\n");
	tables();
	descriptor_cache();
	control_registers();
	tlb();
	io_and_misc();
	halt();
	sensitive();
	msr();
	tbk_done();
}
