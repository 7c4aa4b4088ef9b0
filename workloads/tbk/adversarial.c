/* adversarial.c — a guest that tries to get out, one line per attempt:
 * "attempt N <name>: <value>[ trap VV err EEEE]", what the CPU does for a
 * ring-0 kernel doing it.  Containment is checked on the monitor's side. */
#include "tbk.h"

#define GDT_CODE0  GDT_FREE          /* a second flat DPL-0 code segment */
#define GDT_GATE3  (GDT_FREE + 1)    /* call gates to gate_target: DPL 3 */
#define GDT_GATE0  (GDT_FREE + 2)    /* ... and DPL 0 */
#define SEL_CODE0  SEL(GDT_CODE0, 0)
#define SEL_GATE3  SEL(GDT_GATE3, 3)
#define SEL_GATE0  SEL(GDT_GATE0, 3)

/* Addresses where the monitor's memory is under ringmon (the guest's RAM
 * ends at MONITOR_LO there), and the last page below the top 4 MiB, which
 * belong to the monitor's switcher in every address space: a guest must
 * leave them alone, as Linux does with reservetop=4M (docs/monitor.md). */
#define MONITOR_LO 0x0e000000u
#define HIGH_VA    0x60000000u       /* a window onto high physical frames */
#define TOP_PAGE   0xffbff000u
#define SPLIT_VA   0x61000000u       /* two pages: a GDT at 0x808, data around it */
#define IDT_VA     (MONITOR_LO + PAGE_SIZE)
#define SECRET     0x5ec2e75au
#define PRESET     0xdeadbeefu

#define RAM_RANGES   16

void tbk_main(uint32_t magic, const void *mbi);
extern char gate_target[], escaped[];

static volatile uint32_t secret = SECRET;
static pte_t *root;
static struct { uint64_t lo, hi; } ram[RAM_RANGES];
static unsigned ram_count;
/* In and above the monitor's region: mapped as linear pages by attempt 3,
 * as physical frames by attempt 4. */
static const uint32_t high[] = { MONITOR_LO, 0x0f000000u, 0x0ffff000u };

/* Reached through a call gate: report the CS it runs with, return to the
 * caller's ring.  An escaped iret lands on a ud2, which nothing catches. */
__asm__(".text\n"
	"gate_target:\n\t"
	"movl %cs, %eax\n\t"
	"lret\n"
	".pushsection .user.text, \"ax\"\n"
	"escaped:\n\t"
	"ud2\n"
	".popsection");

/* --- kernel-mode attempts -------------------------------------------------- */

static uint64_t k_farjump_dpl0(uint32_t arg)
{
	uint32_t cs;
	(void)arg;
	__asm__ volatile("ljmp %1, $1f\n1:\tmovl %%cs, %0\n\tljmp %2, $2f\n2:"
			 : "=r"(cs) : "i"(SEL_CODE0), "i"(SEL_KCODE));
	return cs;
}

static uint64_t k_ldt_read(uint32_t arg)
{
	uint32_t v;
	(void)arg;
	__asm__ volatile("movw %w1, %%fs\n\tmovl %%fs:(%2), %0\n\tmovw %w3, %%fs"
			 : "=&r"(v) : "r"(SEL_LDT_KDATA), "r"(&secret), "r"(SEL_KDATA));
	return v;
}

/* Three pages of the monitor's linear region mapped onto one guest frame:
 * what is written through them must land in that frame. */
static uint64_t k_map_monitor_linear(uint32_t arg)
{
	uint32_t *frame = page_alloc();
	uint32_t ok = 1;
	(void)arg;

	for (unsigned i = 0; i < 3; i++) {
		vm_map(root, high[i], (uint32_t)frame, PTE_W);
		((volatile uint32_t *)high[i])[i] = 0xc0de0000 | i;
	}
	for (unsigned i = 0; i < 3; i++)
		ok &= frame[i] == (0xc0de0000 | i);
	return ok;
}

static int ram_page(uint32_t pa)
{
	for (unsigned i = 0; i < ram_count; i++)
		if (pa >= ram[i].lo && pa + PAGE_SIZE <= ram[i].hi)
			return 1;
	return 0;
}

/* The frames themselves, where the Multiboot map says they are RAM (under
 * ringmon it says they are not, and none is touched): a pattern must read
 * back, and the old contents go back. */
static uint64_t k_map_high_frames(uint32_t arg)
{
	volatile uint32_t *w = (volatile uint32_t *)HIGH_VA;
	uint32_t ok = 1;
	(void)arg;

	for (unsigned i = 0; i < 3; i++) {
		if (!ram_page(high[i]))
			continue;
		vm_map(root, HIGH_VA, high[i], PTE_W);
		invlpg(HIGH_VA);
		uint32_t old = *w;
		*w = 0xa5a5a5a5 ^ high[i];
		ok &= *w == (0xa5a5a5a5 ^ high[i]);
		*w = old;
	}
	return ok;
}

/* The GDT copied to the highest page a guest may use, loaded from there. */
static uint64_t k_gdt_at_top(uint32_t arg)
{
	struct pseudo_desc d;
	(void)arg;

	vm_map(root, TOP_PAGE, (uint32_t)page_alloc(), PTE_W);
	memcpy((void *)TOP_PAGE, gdt_table, GDT_ENTRIES * 8);
	lgdt((void *)TOP_PAGE, GDT_ENTRIES * 8 - 1);
	load_segments();
	__asm__ volatile("sgdt %0" : "=m"(d));
	gdt_reload();
	return d.base;
}

/* The GDT copied to the middle of a page, with data before it and on the
 * next page (--placement inplace puts the real table across both), loaded
 * and used: the data must read back as written, sgdt give the new base. */
static uint64_t k_gdt_mid_page(uint32_t arg)
{
	volatile uint32_t *before = (uint32_t *)(SPLIT_VA + 0x10);
	volatile uint32_t *after = (uint32_t *)(SPLIT_VA + PAGE_SIZE + 0x100);
	void *gdt = (void *)(SPLIT_VA + 0x808);
	struct pseudo_desc d;
	(void)arg;

	vm_map(root, SPLIT_VA, (uint32_t)page_alloc(), PTE_W);
	vm_map(root, SPLIT_VA + PAGE_SIZE, (uint32_t)page_alloc(), PTE_W);
	memcpy(gdt, gdt_table, GDT_ENTRIES * 8);
	lgdt(gdt, GDT_ENTRIES * 8 - 1);
	load_segments();
	*before = SECRET;
	*after = ~*before;
	__asm__ volatile("sgdt %0" : "=m"(d));
	int ok = *before == SECRET && *after == ~SECRET;
	gdt_reload();
	return ok ? d.base : 0;
}

/* The IDT copied into the monitor's linear region, loaded, and used. */
static uint64_t k_idt_in_monitor_region(uint32_t arg)
{
	struct pseudo_desc d;
	(void)arg;

	vm_map(root, IDT_VA, (uint32_t)page_alloc(), PTE_W);
	memcpy((void *)IDT_VA, idt_table, sizeof(idt_table));
	lidt((void *)IDT_VA, sizeof(idt_table) - 1);
	__asm__ volatile("int $0x82");
	__asm__ volatile("sidt %0" : "=m"(d));
	lidt(idt_table, sizeof(idt_table) - 1);
	return d.base;
}

static uint64_t k_ltr_busy(uint32_t arg)
{
	__asm__ volatile("1:\tltr %w0\n2:\n\t" EXTABLE("1b", "2b") : : "r"(arg));
	return 0;
}

/* An iret frame with arg's ss and cs (the rest sane); both faults leave the
 * frame on the stack. */
static uint64_t iret_frame(uint32_t ss, uint32_t cs)
{
	__asm__ volatile("pushl %0\n\tpushl %1\n\tpushl %2\n\tpushl %3\n\tpushl %4\n"
			 "1:\tiret\n2:\taddl $20, %%esp\n\t" EXTABLE("1b", "2b")
			 : : "r"(ss), "r"(USER_STACK_TOP), "r"(FL_FIXED), "r"(cs), "r"(escaped)
			 : "memory");
	return 0;
}

static uint64_t k_iret_cs_rpl0(uint32_t arg)
{
	(void)arg;
	return iret_frame(SEL_UDATA, SEL(GDT_UCODE, 0));
}

static uint64_t k_iret_ss_rpl0(uint32_t arg)
{
	(void)arg;
	return iret_frame(SEL(GDT_UDATA, 0), SEL_UCODE);
}

/* --- user-mode attempts ---------------------------------------------------- */

#define UATTEMPT(name) USER_TEXT static uint64_t name(uint32_t arg __attribute__((unused)))

/* One instruction that must fault at ring 3, with its operands. */
#define UFAULT(name, insn, ...)                                                    \
	UATTEMPT(name)                                                             \
	{                                                                          \
		uint32_t v = PRESET;                                               \
		__asm__ volatile("1:\t" insn "\n2:\n\t" EXTABLE("1b", "2b")       \
				 : "+a"(v) : __VA_ARGS__ : "memory");              \
		return v;                                                          \
	}
UFAULT(u_read_kernel, "movl (%1), %0", "r"(&secret))
UFAULT(u_write_gdt, "movl %0, (%1)", "r"(&gdt_table[GDT_UCODE]))
UFAULT(u_farjump_dpl0, "ljmp %1, $0", "i"(SEL_CODE0))
UFAULT(u_callgate_dpl3, "lcall %1, $0", "i"(SEL_GATE3))
UFAULT(u_callgate_dpl0, "lcall %1, $0", "i"(SEL_GATE0))
UFAULT(u_ljmp_tss, "ljmp %1, $0", "i"(SEL_TSS))
UFAULT(u_int_dpl0, "int %1", "i"(T_GP))
UFAULT(u_out_debug_exit, "outb %%al, $0xf4")
UFAULT(u_hlt, "hlt")
UFAULT(u_read_cr3, "movl %%cr3, %0")
UFAULT(u_lgdt, "lgdt (%1)", "r"(USER_BASE))
UFAULT(u_sysenter, "sysenter")

/* Segment loads through the LDT: its flat user segment reaches every linear
 * address, yet paging still keeps ring 3 out of the kernel's pages. */
UATTEMPT(u_ldt_flat_read)
{
	uint32_t v = PRESET;
	__asm__ volatile("movw %w1, %%fs\n1:\tmovl %%fs:(%2), %0\n2:\tmovw %w3, %%fs\n\t"
			 EXTABLE("1b", "2b")
			 : "+r"(v) : "r"(SEL_LDT_UDATA), "r"(&secret), "r"(SEL_UDATA));
	return v;
}

UATTEMPT(u_ldt_kernel_data)
{
	uint32_t v = PRESET;
	__asm__ volatile("1:\tmovw %w1, %%fs\n2:\tmovl %%fs, %0\n\tmovw %w2, %%fs\n\t"
			 EXTABLE("1b", "2b")
			 : "+r"(v) : "r"(SEL_LDT_KDATA), "r"(SEL_UDATA));
	return v;
}

/* iret at ring 3 to a ring-0 CS. */
UATTEMPT(u_iret_kernel_cs)
{
	__asm__ volatile("pushl $0x202\n\tpushl %0\n\tpushl %1\n"
			 "1:\tiret\n2:\taddl $12, %%esp\n\t" EXTABLE("1b", "2b")
			 : : "i"(SEL_KCODE), "i"(escaped) : "memory");
	return 0;
}

/* iret at ring 3 to ring 3 with IOPL 3 and IF clear: both are ignored. */
UATTEMPT(u_iret_flags)
{
	uint32_t f;
	__asm__ volatile("pushl %1\n\tpushl %%cs\n\tpushl $1f\n\tiret\n"
			 "1:\tpushfl\n\tpopl %0"
			 : "=r"(f) : "i"(FL_IOPL | FL_FIXED) : "memory", "cc");
	return f & (FL_IF | FL_IOPL);
}

/* popf of IOPL 3 (ignored at ring 3), then cli, which IOPL 0 forbids. */
UATTEMPT(u_popf_iopl_cli)
{
	uint32_t f;
	__asm__ volatile("pushfl\n\torl %1, (%%esp)\n\tpopfl\n\tpushfl\n\tpopl %0\n"
			 "1:\tcli\n2:\n\t" EXTABLE("1b", "2b")
			 : "=r"(f) : "i"(FL_IOPL) : "memory", "cc");
	return f & (FL_IF | FL_IOPL);
}

/* --- the run --------------------------------------------------------------- */

struct attempt {
	const char *name;
	user_fn *fn;
	uint32_t arg;
	int user;
};

static const struct attempt attempts[] = {
	{ "far jump to a new DPL-0 code segment", k_farjump_dpl0, 0, 0 },
	{ "read through an LDT data segment", k_ldt_read, 0, 0 },
	{ "map the monitor's linear region", k_map_monitor_linear, 0, 0 },
	{ "map the frames above guest RAM", k_map_high_frames, 0, 0 },
	{ "lgdt at the top of guest linear memory", k_gdt_at_top, 0, 0 },
	{ "lidt in the monitor's linear region, int 0x82", k_idt_in_monitor_region, 0, 0 },
	{ "ltr of a busy TSS", k_ltr_busy, SEL_TSS, 0 },
	{ "iret to user code with RPL 0", k_iret_cs_rpl0, 0, 0 },
	{ "iret to ring 3 with an RPL-0 SS", k_iret_ss_rpl0, 0, 0 },
	{ "user reads kernel memory", u_read_kernel, 0, 1 },
	{ "user writes the GDT", u_write_gdt, 0, 1 },
	{ "user reads kernel memory through the flat LDT segment", u_ldt_flat_read, 0, 1 },
	{ "user loads the LDT's kernel data segment", u_ldt_kernel_data, 0, 1 },
	{ "user far jump to DPL-0 code", u_farjump_dpl0, 0, 1 },
	{ "user lcall through a DPL-3 gate to ring 0", u_callgate_dpl3, 0, 1 },
	{ "user lcall through a DPL-0 gate", u_callgate_dpl0, 0, 1 },
	{ "user far jump to the TSS", u_ljmp_tss, 0, 1 },
	{ "user int 0x0d (DPL 0)", u_int_dpl0, 0, 1 },
	{ "user iret to a ring-0 CS", u_iret_kernel_cs, 0, 1 },
	{ "user iret with IOPL 3 and IF clear: IF and IOPL", u_iret_flags, 0, 1 },
	{ "user popf IOPL 3, then cli: IF and IOPL", u_popf_iopl_cli, 0, 1 },
	{ "user out to the debug-exit port", u_out_debug_exit, 0, 1 },
	{ "user hlt", u_hlt, 0, 1 },
	{ "user mov from cr3", u_read_cr3, 0, 1 },
	{ "user lgdt", u_lgdt, 0, 1 },
	{ "user sysenter", u_sysenter, 0, 1 },
	{ "lgdt in the middle of a page, data beside it", k_gdt_mid_page, 0, 0 },
};

/* Guest RAM as the loader describes it; read before paging hides low memory. */
static void ram_init(const struct mb_info *mbi)
{
	if (mbi->flags & MB_INFO_MMAP) {
		uint32_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
		for (; p < end && ram_count < RAM_RANGES; p += ((struct mb_mmap *)p)->size + 4) {
			const struct mb_mmap *e = (const struct mb_mmap *)p;
			if (e->type == MB_RAM) {
				ram[ram_count].lo = e->addr;
				ram[ram_count++].hi = e->addr + e->len;
			}
		}
	} else if (mbi->flags & MB_INFO_MEM) {
		ram[0].lo = KERNEL_BASE;
		ram[0].hi = KERNEL_BASE + (uint64_t)mbi->mem_upper * 1024;
		ram_count = 1;
	}
}

static void setup(void)
{
	gdt_table[GDT_CODE0] = desc_seg(0, 0xfffff, ACC_P | ACC_DPL(0) | ACC_CODE, DF_PAGES_32);
	gdt_table[GDT_GATE3] = desc_gate(SEL_KCODE, (uint32_t)gate_target,
					 ACC_P | ACC_DPL(3) | ACC_CALL_GATE);
	gdt_table[GDT_GATE0] = desc_gate(SEL_KCODE, (uint32_t)gate_target,
					 ACC_P | ACC_DPL(0) | ACC_CALL_GATE);
	cpu_init();
	lldt(SEL_LDT);
	pic_init();
	trap_set(0x82, trap_note, 0);
	root = vm_kernel();
	user_init(root);
	trap_init();
	vm_enable(root);
}

void tbk_main(uint32_t magic, const void *mbi)
{
	tbk_up("adversarial");
	if (magic != 0x2BADB002)
		tbk_fail("not booted through Multiboot");
	ram_init(mbi);
	setup();
	for (unsigned i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
		const struct attempt *a = &attempts[i];
		trap_seen_clear();
		uint64_t r = a->user ? run_user(a->fn, a->arg) : a->fn(a->arg);
		con_printf("attempt %u %s: %08x", i + 1, a->name, (uint32_t)r);
		trap_seen_print(0);
		con_putc('\n');
	}
	tbk_done();
}
