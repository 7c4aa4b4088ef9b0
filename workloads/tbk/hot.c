/* hot.c — the first test kernel: its own GDT and IDT, interrupts and
 * exceptions through them, and the data sharing their pages touched a known
 * number of times (hot.h).  No paging, no user mode, no sensitive
 * instruction that runs without a trap. */
#include "tbk.h"
#include "hot.h"

void tbk_main(uint32_t magic, const void *mbi);
void divide_by_zero(void);
void isr_syscall(void), isr_breakpoint(void), isr_divide(void);

/* The GDT page: the table and then hot scheduler data. */
GDT_PAGE uint64_t gdt_table[4] = {
	0,
	0x00cf9a000000ffffull,   /* 0x08: flat code, ring 0 */
	0x00cf92000000ffffull,   /* 0x10: flat data, ring 0 */
	0,                       /* 0x18: the TSS, filled in at run time */
};
GDT_HOT uint32_t hot_ticks = 0;
GDT_HOT uint32_t hot_lock = 7;

/* The IDT page: the table at the start of .bss, then timer data. */
IDT_PAGE uint64_t idt_table[256];
IDT_HOT uint32_t hot_jiffies;

/* Everything else lives on ordinary pages. */
uint32_t syscall_count, breakpoint_count, divide_count;
struct tss tss;

/* Handlers without a frame: each ends in iret, which the monitor emulates. */
__asm__(
	"	.text\n"
	"	.globl isr_syscall, isr_breakpoint, isr_divide, divide_by_zero\n"
	"isr_syscall:\n"
	"	incl syscall_count\n"
	"	iret\n"
	"isr_breakpoint:\n"
	"	incl breakpoint_count\n"
	"	iret\n"
	/* #DE is a fault: skip the 2-byte divl that raised it. */
	"isr_divide:\n"
	"	incl divide_count\n"
	"	addl $2, (%esp)\n"
	"	iret\n"
	"divide_by_zero:\n"
	"	xorl %edx, %edx\n"
	"	movl $1, %eax\n"
	"	xorl %ecx, %ecx\n"
	"	divl %ecx\n"            /* F7 F1: 2 bytes */
	"	ret\n");

static void setup_gdt(void)
{
	gdt_table[3] = desc_seg((uint32_t)&tss, sizeof(tss) - 1, ACC_P | ACC_TSS, 0);
	lgdt(gdt_table, sizeof(gdt_table) - 1);
	load_segments();
	ltr(0x18);
}

static uint64_t gate(void (*handler)(void))
{
	return desc_gate(SEL_KCODE, (uint32_t)handler, ACC_P | ACC_INTR_GATE);
}

static void setup_idt(void)
{
	idt_table[0] = gate(isr_divide);
	idt_table[3] = gate(isr_breakpoint);
	idt_table[0x80] = gate(isr_syscall);
	lidt(idt_table, sizeof(idt_table) - 1);
}

/* The scheduler-like loop: every access to a hot variable is one
 * instruction, counted in hot.h. */
static void run_ticks(void)
{
	for (uint32_t i = 0; i < TBK_ITERS; i++) {
		uint32_t t = HOT_LOAD(hot_ticks);
		HOT_STORE(hot_ticks, t + 1);
		uint32_t j = HOT_LOAD(hot_jiffies);
		if (i % 4 == 0)
			HOT_STORE(hot_jiffies, j + 3);
	}
	for (uint32_t i = 0; i < TBK_LOCKS; i++) {
		HOT_INC(hot_lock);
		HOT_DEC(hot_lock);
	}
}

/* Reads the descriptor table the guest itself wrote (region 'gdt'). */
static uint32_t gdt_checksum(void)
{
	uint32_t sum = 0;
	for (int i = 0; i < 4; i++) {
		uint32_t *e = (uint32_t *)&gdt_table[i];
		sum = sum * 31 + HOT_LOAD(e[0]);
		sum = sum * 31 + HOT_LOAD(e[1]);
	}
	return sum;
}

void tbk_main(uint32_t magic, const void *mbi)
{
	(void)mbi;
	tbk_up("hot");
	con_printf("multiboot magic ok: %u\n", magic == 0x2BADB002);
	setup_gdt();
	con_puts("gdt loaded, segments reloaded\n");
	uint32_t *tss_desc = (uint32_t *)&gdt_table[3];
	con_printf("tss busy after ltr: %u\n", (HOT_LOAD(tss_desc[1]) >> 9) & 1);
	setup_idt();
	for (int i = 0; i < TBK_SYSCALLS; i++)
		__asm__ volatile("int $0x80");
	__asm__ volatile("int3");
	divide_by_zero();
	con_printf("syscalls: %u\n", syscall_count);
	con_printf("breakpoints: %u\n", breakpoint_count);
	con_printf("divide errors: %u\n", divide_count);

	con_printf("cr0.pe: %u\n", read_cr0() & CR0_PE);
	cli();
	sti();
	cli();

	run_ticks();
	con_printf("ticks: %u\n", HOT_LOAD(hot_ticks));
	con_printf("jiffies: %u\n", HOT_LOAD(hot_jiffies));
	con_printf("lock: %u\n", HOT_LOAD(hot_lock));
	con_printf("gdt checksum: %08x\n", gdt_checksum());
	tbk_done();
}
