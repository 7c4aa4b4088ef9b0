/* fault.c — exception conformance: each instruction a monitor emulates,
 * made to fault every way it can, at ring 0 and at ring 3.  One line per
 * case: what the guest's handler saw (vector, error code, CR2 for a #PF)
 * and where, as an offset into the probe function (the same image runs
 * natively and under the monitor, so the offsets are stable).
 *
 * Left out on purpose, because QEMU's TCG (the native reference here)
 * departs from the SDM there: ltr of a null selector (QEMU loads a null TR
 * instead of raising #GP(0)), a return to an outer level whose SS is not
 * present (QEMU raises #NP, the SDM #SS), and a far call at ring 3 whose
 * pushes fault (QEMU pushes with supervisor rights: no U bit in the error
 * code).  The first byte of a straddling access always lies on a present
 * page: for a fault on the first page QEMU reports the aligned address. */
#include "tbk.h"

/* Descriptors that fault when loaded (entries from GDT_FREE on). */
#define GDT_NP_DATA0 GDT_FREE          /* data, DPL 0, not present */
#define GDT_NP_DATA3 (GDT_FREE + 1)    /* data, DPL 3, not present */
#define GDT_XO_CODE3 (GDT_FREE + 2)    /* code, DPL 3, execute-only */
#define GDT_NP_CODE0 (GDT_FREE + 3)    /* code, DPL 0, not present */
#define GDT_NP_CODE3 (GDT_FREE + 4)    /* code, DPL 3, not present */
#define GDT_NP_TSS   (GDT_FREE + 5)    /* available TSS, not present */
#define GDT_NP_LDT   (GDT_FREE + 6)    /* LDT, not present */
#define SEL_NP_DATA0 SEL(GDT_NP_DATA0, 0)   /* 0x38 */
#define SEL_NP_DATA3 SEL(GDT_NP_DATA3, 3)   /* 0x43 */
#define SEL_XO_CODE3 SEL(GDT_XO_CODE3, 3)   /* 0x4b */
#define SEL_NP_CODE0 SEL(GDT_NP_CODE0, 0)   /* 0x50 */
#define SEL_NP_CODE3 SEL(GDT_NP_CODE3, 3)   /* 0x5b */
#define SEL_NP_TSS   SEL(GDT_NP_TSS, 0)     /* 0x60 */
#define SEL_NP_LDT   SEL(GDT_NP_LDT, 0)     /* 0x68 */
#define SEL_BEYOND   SEL(GDT_ENTRIES, 0)    /* 0x80: past the GDT's limit */
#define SEL_LDT_BEYOND 0x17                 /* LDT entry 2: past its limit */

/* Linear pages: a user page followed by a hole (operands that straddle
 * into it, or lie in it), a read-only user page (CR0.WP is set) and a
 * supervisor page (for ring 3). */
#define PG_A    0x60000000u
#define PG_HOLE (PG_A + PAGE_SIZE)
#define PG_RO   (PG_A + 2 * PAGE_SIZE)
#define PG_SUP  (PG_A + 3 * PAGE_SIZE)

/* int n past a shortened IDT. */
#define V_BEYOND_IDT 0x90
#define CR4_DE 0x00000008u

void tbk_main(uint32_t magic, const void *mbi);
extern char escaped[];

static struct tss tss_np;
static uint64_t ldt_np[2];

/* An iret or far transfer that should have faulted lands here. */
__asm__(".pushsection .user.text, \"ax\"\n"
	"escaped:\n\t"
	"ud2\n"
	".popsection");

/* --- probes: fn(arg) faults at label 1 and resumes at label 2 ------------- */

#define PROBE(name) USER_TEXT static uint64_t name(uint32_t arg)

/* Code with arg in %0 that may fault at label 1 and goes on at label 2;
 * eax, ecx and edx are free for it.  INSN_PROBE: one instruction. */
#define ASM_PROBE(name, code)                                                      \
	PROBE(name)                                                                \
	{                                                                          \
		__asm__ volatile(code "\n\t" EXTABLE("1b", "2b")                    \
				 : : "r"(arg) : "eax", "ecx", "edx", "memory", "cc");  \
		return 0;                                                          \
	}
#define INSN_PROBE(name, insn) ASM_PROBE(name, "1:\t" insn "\n2:")

/* Descriptor-table loads and stores, with the operand's address in arg. */
INSN_PROBE(p_lgdt, "lgdt (%0)")
INSN_PROBE(p_lidt, "lidt (%0)")
INSN_PROBE(p_lldt_m, "lldt (%0)")
INSN_PROBE(p_ltr_m, "ltr (%0)")
INSN_PROBE(p_sgdt, "sgdt (%0)")
INSN_PROBE(p_sidt, "sidt (%0)")
INSN_PROBE(p_sldt_m, "sldt (%0)")
INSN_PROBE(p_str_m, "str (%0)")
INSN_PROBE(p_smsw_m, "smsw (%0)")
INSN_PROBE(p_mov_ds_m, "movw %%ds, (%0)")
/* ltr and lldt of the selector in arg. */
INSN_PROBE(p_ltr, "ltr %w0")
INSN_PROBE(p_lldt, "lldt %w0")

/* A segment register loaded with arg, by mov, or from a far pointer at arg;
 * the old value goes back whether or not it faulted. */
#define SREG_PROBES(s)                                                             \
	ASM_PROBE(p_mov_##s, "movw %%" #s ", %%ax\n1:\tmovw %w0, %%" #s "\n2:\tmovw %%ax, %%" #s "") \
	ASM_PROBE(p_l##s, "movw %%" #s ", %%ax\n1:\tl" #s " (%0), %%ecx\n2:\tmovw %%ax, %%" #s "")
SREG_PROBES(ds)
SREG_PROBES(es)
SREG_PROBES(fs)
SREG_PROBES(gs)

/* SS alone: a load that succeeded would leave the stack, so only faults
 * are probed; the restore is for safety. */
ASM_PROBE(p_mov_ss, "movw %%ss, %%ax\n1:\tmovw %w0, %%ss\n2:\tmovw %%ax, %%ss")

/* Far jmp and call through a far pointer in memory: at arg (an address), or
 * on the stack with selector arg. */
INSN_PROBE(p_ljmp_m, "ljmp *(%0)")
INSN_PROBE(p_lcall_m, "lcall *(%0)")

#define FAR_SEL_PROBE(name, insn)                                                  \
	PROBE(name)                                                                \
	{                                                                          \
		volatile uint32_t ptr[2] = { (uint32_t)escaped, arg };            \
		__asm__ volatile("1:\t" insn " *(%0)\n2:\n\t" EXTABLE("1b", "2b") \
				 : : "r"(ptr) : "memory");                         \
		return 0;                                                          \
	}
FAR_SEL_PROBE(p_ljmp_sel, "ljmp")
FAR_SEL_PROBE(p_lcall_sel, "lcall")

/* lret to arg:escaped, and iret to arg:escaped at the same level or (from
 * ring 0) to ring 3 with the user stack; esp is put back afterwards. */
ASM_PROBE(p_lret, "movl %%esp, %%ecx\n\tpushl %0\n\tpushl $escaped\n1:\tlret\n2:\tmovl %%ecx, %%esp")
ASM_PROBE(p_iret, "movl %%esp, %%ecx\n\tpushfl\n\tpushl %0\n\tpushl $escaped\n"
		   "1:\tiret\n2:\tmovl %%ecx, %%esp")
ASM_PROBE(p_iret_user, "movl %%esp, %%ecx\n\tpushl $0x23\n\tpushl $0x40400000\n\tpushl $2\n"
			"\tpushl %0\n\tpushl $escaped\n1:\tiret\n2:\tmovl %%ecx, %%esp")

/* Stack accesses with ESP at arg (ring 3: the kernel's own stack is
 * switched to through the TSS). */
ASM_PROBE(p_pushf, "movl %%esp, %%ecx\n\tmovl %0, %%esp\n1:\tpushfl\n2:\tmovl %%ecx, %%esp")
ASM_PROBE(p_popf, "movl %%esp, %%ecx\n\tmovl %0, %%esp\n1:\tpopfl\n2:\tmovl %%ecx, %%esp")
ASM_PROBE(p_push_cs, "movl %%esp, %%ecx\n\tmovl %0, %%esp\n1:\tpushl %%cs\n2:\tmovl %%ecx, %%esp")

/* Instructions without operands worth varying. */
INSN_PROBE(p_int_beyond, "int $0x90")
INSN_PROBE(p_in, "inb $0x80, %%al")
INSN_PROBE(p_out, "outb %%al, $0x80")
INSN_PROBE(p_cli, "cli")
INSN_PROBE(p_sti, "sti")
INSN_PROBE(p_hlt, "hlt")
ASM_PROBE(p_rdmsr, "movl $0x174, %%ecx\n1:\trdmsr\n2:")
ASM_PROBE(p_wrmsr, "movl $0x174, %%ecx\n\txorl %%eax, %%eax\n\txorl %%edx, %%edx\n1:\twrmsr\n2:")
INSN_PROBE(p_mov_from_cr0, "movl %%cr0, %%eax")
ASM_PROBE(p_mov_to_cr3, "xorl %%eax, %%eax\n1:\tmovl %%eax, %%cr3\n2:")
INSN_PROBE(p_mov_from_cr1, ".byte 0x0f, 0x20, 0xc8")     /* mov %cr1, %eax */
INSN_PROBE(p_mov_to_cr5, ".byte 0x0f, 0x22, 0xe8")       /* mov %eax, %cr5 */
INSN_PROBE(p_mov_from_dr7, "movl %%dr7, %%eax")

/* mov from DR4: DR6 without CR4.DE, #UD with it. */
PROBE(p_mov_from_dr4)
{
	uint32_t v = 0;
	(void)arg;
	__asm__ volatile("1:\t.byte 0x0f, 0x21, 0xe0\n2:\n\t" EXTABLE("1b", "2b")   /* mov %dr4, %eax */
			 : "+a"(v) : : "memory");
	return v;
}

/* --- the run --------------------------------------------------------------- */

enum { KERNEL = 1, USER = 2, BOTH = 3 };
/* Kernel-mode state a probe needs around it. */
enum { NONE, SHORT_IDT, DEBUG_EXT };

struct probe {
	const char *name;
	user_fn *fn;
	uint32_t arg;
	unsigned rings, around;
	int value;   /* print the probe's result too */
};

static const struct probe probes[] = {
	/* descriptor-table loads: privileged, so #GP(0) at ring 3 */
	{ "lgdt, operand not present", p_lgdt, PG_HOLE, BOTH, NONE, 0 },
	{ "lgdt, base straddles into the hole", p_lgdt, PG_HOLE - 2, KERNEL, NONE, 0 },
	{ "lgdt, base straddles at an odd offset", p_lgdt, PG_HOLE - 4, KERNEL, NONE, 0 },
	{ "lidt, operand not present", p_lidt, PG_HOLE, BOTH, NONE, 0 },
	{ "lidt, base straddles into the hole", p_lidt, PG_HOLE - 2, KERNEL, NONE, 0 },
	{ "lldt m16, not present", p_lldt_m, PG_HOLE, BOTH, NONE, 0 },
	{ "lldt m16, straddling", p_lldt_m, PG_HOLE - 1, KERNEL, NONE, 0 },
	{ "ltr m16, not present", p_ltr_m, PG_HOLE, BOTH, NONE, 0 },
	{ "ltr m16, straddling", p_ltr_m, PG_HOLE - 1, KERNEL, NONE, 0 },
	/* ltr and lldt of bad selectors */
	{ "ltr 0x10 (data)", p_ltr, SEL_KDATA, BOTH, NONE, 0 },
	{ "ltr 0x0c (in the LDT)", p_ltr, SEL_LDT_KDATA, KERNEL, NONE, 0 },
	{ "ltr 0x80 (past the limit)", p_ltr, SEL_BEYOND, KERNEL, NONE, 0 },
	{ "ltr 0x60 (TSS not present)", p_ltr, SEL_NP_TSS, KERNEL, NONE, 0 },
	{ "ltr 0x28 (busy)", p_ltr, SEL_TSS, KERNEL, NONE, 0 },
	{ "lldt 0x28 (a TSS)", p_lldt, SEL_TSS, BOTH, NONE, 0 },
	{ "lldt 0x04 (in the LDT)", p_lldt, 0x04, KERNEL, NONE, 0 },
	{ "lldt 0x80 (past the limit)", p_lldt, SEL_BEYOND, KERNEL, NONE, 0 },
	{ "lldt 0x68 (LDT not present)", p_lldt, SEL_NP_LDT, KERNEL, NONE, 0 },
	/* descriptor-table stores: sensitive, they run at ring 3 too */
	{ "sgdt, not present", p_sgdt, PG_HOLE, BOTH, NONE, 0 },
	{ "sgdt, straddling", p_sgdt, PG_HOLE - 2, BOTH, NONE, 0 },
	{ "sgdt, read-only page", p_sgdt, PG_RO, BOTH, NONE, 0 },
	{ "sgdt, supervisor page", p_sgdt, PG_SUP, USER, NONE, 0 },
	{ "sidt, not present", p_sidt, PG_HOLE, BOTH, NONE, 0 },
	{ "sidt, straddling", p_sidt, PG_HOLE - 4, BOTH, NONE, 0 },
	{ "sidt, read-only page", p_sidt, PG_RO, BOTH, NONE, 0 },
	{ "sldt m16, not present", p_sldt_m, PG_HOLE, BOTH, NONE, 0 },
	{ "sldt m16, straddling", p_sldt_m, PG_HOLE - 1, BOTH, NONE, 0 },
	{ "sldt m16, read-only page", p_sldt_m, PG_RO, BOTH, NONE, 0 },
	{ "str m16, not present", p_str_m, PG_HOLE, BOTH, NONE, 0 },
	{ "str m16, read-only page", p_str_m, PG_RO, BOTH, NONE, 0 },
	{ "str m16, supervisor page", p_str_m, PG_SUP, USER, NONE, 0 },
	{ "smsw m16, not present", p_smsw_m, PG_HOLE, BOTH, NONE, 0 },
	{ "smsw m16, read-only page", p_smsw_m, PG_RO, BOTH, NONE, 0 },
	{ "mov ds to m16, straddling", p_mov_ds_m, PG_HOLE - 1, BOTH, NONE, 0 },
	{ "mov ds to m16, read-only page", p_mov_ds_m, PG_RO, BOTH, NONE, 0 },
	/* segment loads */
	{ "mov 0x80 to ds (past the limit)", p_mov_ds, SEL_BEYOND, BOTH, NONE, 0 },
	{ "mov 0x17 to ds (past the LDT's limit)", p_mov_ds, SEL_LDT_BEYOND, BOTH, NONE, 0 },
	{ "mov 0x38 to ds (not present)", p_mov_ds, SEL_NP_DATA0, KERNEL, NONE, 0 },
	{ "mov 0x43 to ds (not present)", p_mov_ds, SEL_NP_DATA3, BOTH, NONE, 0 },
	{ "mov 0x4b to ds (execute-only code)", p_mov_ds, SEL_XO_CODE3, BOTH, NONE, 0 },
	{ "mov 0x28 to ds (a TSS)", p_mov_ds, SEL_TSS, BOTH, NONE, 0 },
	{ "mov 0x43 to es (not present)", p_mov_es, SEL_NP_DATA3, BOTH, NONE, 0 },
	{ "mov 0x28 to es (a TSS)", p_mov_es, SEL_TSS, BOTH, NONE, 0 },
	{ "mov 0x43 to fs (not present)", p_mov_fs, SEL_NP_DATA3, BOTH, NONE, 0 },
	{ "mov 0x4b to fs (execute-only code)", p_mov_fs, SEL_XO_CODE3, BOTH, NONE, 0 },
	{ "mov 0x80 to gs (past the limit)", p_mov_gs, SEL_BEYOND, BOTH, NONE, 0 },
	{ "mov 0x43 to gs (not present)", p_mov_gs, SEL_NP_DATA3, BOTH, NONE, 0 },
	{ "mov 0x00 to ss (null)", p_mov_ss, 0, BOTH, NONE, 0 },
	{ "mov 0x80 to ss (past the limit)", p_mov_ss, SEL_BEYOND, BOTH, NONE, 0 },
	{ "mov 0x38 to ss (not present)", p_mov_ss, SEL_NP_DATA0, KERNEL, NONE, 0 },
	{ "mov 0x43 to ss (not present)", p_mov_ss, SEL_NP_DATA3, USER, NONE, 0 },
	{ "mov 0x08 to ss (code)", p_mov_ss, SEL_KCODE, KERNEL, NONE, 0 },
	{ "mov 0x28 to ss (a TSS)", p_mov_ss, SEL_TSS, BOTH, NONE, 0 },
	{ "lds, pointer not present", p_lds, PG_HOLE, BOTH, NONE, 0 },
	{ "les, selector straddles", p_les, PG_HOLE - 5, BOTH, NONE, 0 },
	{ "lfs, offset straddles", p_lfs, PG_HOLE - 2, BOTH, NONE, 0 },
	{ "lgs, supervisor page", p_lgs, PG_SUP, USER, NONE, 0 },
	/* far transfers */
	{ "ljmp m16:32, not present", p_ljmp_m, PG_HOLE, BOTH, NONE, 0 },
	{ "ljmp m16:32, selector straddles", p_ljmp_m, PG_HOLE - 4, BOTH, NONE, 0 },
	{ "lcall m16:32, not present", p_lcall_m, PG_HOLE, BOTH, NONE, 0 },
	{ "ljmp 0x00 (null)", p_ljmp_sel, 0, BOTH, NONE, 0 },
	{ "ljmp 0x80 (past the limit)", p_ljmp_sel, SEL_BEYOND, BOTH, NONE, 0 },
	{ "ljmp 0x10 (data)", p_ljmp_sel, SEL_KDATA, KERNEL, NONE, 0 },
	{ "ljmp 0x23 (data)", p_ljmp_sel, SEL_UDATA, USER, NONE, 0 },
	{ "ljmp 0x50 (code not present)", p_ljmp_sel, SEL_NP_CODE0, KERNEL, NONE, 0 },
	{ "ljmp 0x5b (code not present)", p_ljmp_sel, SEL_NP_CODE3, USER, NONE, 0 },
	{ "lcall 0x00 (null)", p_lcall_sel, 0, BOTH, NONE, 0 },
	{ "lcall 0x50 (code not present)", p_lcall_sel, SEL_NP_CODE0, KERNEL, NONE, 0 },
	{ "lcall 0x5b (code not present)", p_lcall_sel, SEL_NP_CODE3, USER, NONE, 0 },
	{ "lcall 0x08 (more privileged, no gate)", p_lcall_sel, SEL_KCODE, USER, NONE, 0 },
	{ "lret to 0x00 (null)", p_lret, 0, BOTH, NONE, 0 },
	{ "lret to 0x80 (past the limit)", p_lret, SEL_BEYOND, BOTH, NONE, 0 },
	{ "lret to 0x10 (data)", p_lret, SEL_KDATA, KERNEL, NONE, 0 },
	{ "lret to 0x50 (code not present)", p_lret, SEL_NP_CODE0, KERNEL, NONE, 0 },
	{ "lret to 0x5b (code not present)", p_lret, SEL_NP_CODE3, USER, NONE, 0 },
	{ "lret to 0x08 (more privileged)", p_lret, SEL_KCODE, USER, NONE, 0 },
	{ "iret to 0x00 (null)", p_iret, 0, BOTH, NONE, 0 },
	{ "iret to 0x50 (code not present)", p_iret, SEL_NP_CODE0, KERNEL, NONE, 0 },
	{ "iret to 0x5b (code not present)", p_iret, SEL_NP_CODE3, USER, NONE, 0 },
	{ "iret to 0x08 (more privileged)", p_iret, SEL_KCODE, USER, NONE, 0 },
	{ "iret to ring 3, 0x5b (code not present)", p_iret_user, SEL_NP_CODE3, KERNEL, NONE, 0 },
	{ "iret to ring 3, 0x83 (past the limit)", p_iret_user, SEL_BEYOND | 3, KERNEL, NONE, 0 },
	/* stack faults at ring 3 */
	{ "pushf, stack not present", p_pushf, PG_HOLE + 4, USER, NONE, 0 },
	{ "pushf, stack read-only", p_pushf, PG_RO + 4, USER, NONE, 0 },
	{ "popf, stack not present", p_popf, PG_HOLE, USER, NONE, 0 },
	{ "popf, stack supervisor", p_popf, PG_SUP, USER, NONE, 0 },
	{ "push cs, stack not present", p_push_cs, PG_HOLE + 4, USER, NONE, 0 },
	/* the rest */
	{ "int 0x90 past the IDT's limit", p_int_beyond, 0, BOTH, SHORT_IDT, 0 },
	{ "in from 0x80", p_in, 0, USER, NONE, 0 },
	{ "out to 0x80", p_out, 0, USER, NONE, 0 },
	{ "cli", p_cli, 0, USER, NONE, 0 },
	{ "sti", p_sti, 0, USER, NONE, 0 },
	{ "hlt", p_hlt, 0, USER, NONE, 0 },
	{ "rdmsr 0x174", p_rdmsr, 0, USER, NONE, 0 },
	{ "wrmsr 0x174", p_wrmsr, 0, USER, NONE, 0 },
	{ "mov from cr0", p_mov_from_cr0, 0, USER, NONE, 0 },
	{ "mov to cr3", p_mov_to_cr3, 0, USER, NONE, 0 },
	{ "mov from cr1", p_mov_from_cr1, 0, BOTH, NONE, 0 },
	{ "mov to cr5", p_mov_to_cr5, 0, BOTH, NONE, 0 },
	{ "mov from dr7", p_mov_from_dr7, 0, USER, NONE, 0 },
	{ "mov from dr4", p_mov_from_dr4, 0, BOTH, NONE, 1 },
	{ "mov from dr4 with CR4.DE", p_mov_from_dr4, 0, KERNEL, DEBUG_EXT, 1 },
};

static void around(unsigned what, int on)
{
	if (what == SHORT_IDT)
		lidt(idt_table, on ? V_BEYOND_IDT * 8 - 1 : sizeof(idt_table) - 1);
	else if (what == DEBUG_EXT)
		write_cr4(on ? read_cr4() | CR4_DE : read_cr4() & ~CR4_DE);
}

/* " k|u <what the handler saw>" */
static void run(const struct probe *p, int user)
{
	trap_seen_clear();
	around(p->around, 1);
	uint64_t r = user ? run_user(p->fn, p->arg) : p->fn(p->arg);
	around(p->around, 0);
	con_printf(" %c", user ? 'u' : 'k');
	if (p->value)
		con_printf(" %08x", (uint32_t)r);
	if (!trap_seen.count) {
		con_puts(" no trap");
		return;
	}
	con_printf(" trap %02x err %04x", trap_seen.vector, trap_seen.err);
	if (trap_seen.vector == T_PAGE_FAULT)
		con_printf(" cr2 %08x", trap_seen.cr2);
	con_printf(" eip +%x", trap_seen.eip - (uint32_t)p->fn);
}

static void pages(pte_t *root)
{
	vm_map(root, PG_A, (uint32_t)page_alloc(), PTE_W | PTE_U);
	vm_map(root, PG_RO, (uint32_t)page_alloc(), PTE_U);
	vm_map(root, PG_SUP, (uint32_t)page_alloc(), PTE_W);
}

static void setup(void)
{
	gdt_table[GDT_NP_DATA0] = desc_seg(0, 0xfffff, ACC_DPL(0) | ACC_DATA, DF_PAGES_32);
	gdt_table[GDT_NP_DATA3] = desc_seg(0, 0xfffff, ACC_DPL(3) | ACC_DATA, DF_PAGES_32);
	gdt_table[GDT_XO_CODE3] = desc_seg(0, 0xfffff, ACC_P | ACC_DPL(3) | (ACC_CODE & ~0x02u),
					   DF_PAGES_32);
	gdt_table[GDT_NP_CODE0] = desc_seg(0, 0xfffff, ACC_DPL(0) | ACC_CODE, DF_PAGES_32);
	gdt_table[GDT_NP_CODE3] = desc_seg(0, 0xfffff, ACC_DPL(3) | ACC_CODE, DF_PAGES_32);
	gdt_table[GDT_NP_TSS] = desc_seg((uint32_t)&tss_np, sizeof(tss_np) - 1, ACC_TSS, 0);
	gdt_table[GDT_NP_LDT] = desc_seg((uint32_t)ldt_np, sizeof(ldt_np) - 1, ACC_LDT, 0);
	cpu_init();
	lldt(SEL_LDT);
	pic_init();
	pte_t *root = vm_kernel();
	pages(root);
	user_init(root);
	trap_init();
	vm_enable(root);
}

void tbk_main(uint32_t magic, const void *mbi)
{
	(void)mbi;
	tbk_up("fault");
	if (magic != 0x2BADB002)
		tbk_fail("not booted through Multiboot");
	setup();
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe *p = &probes[i];
		con_printf("%s:", p->name);
		if (p->rings & KERNEL)
			run(p, 0);
		if (p->rings & USER)
			run(p, 1);
		con_putc('\n');
	}
	tbk_done();
}
