/* tbk.c — the first test kernel.  It runs natively at ring 0 (qemu -kernel)
 * and under the monitor at ring 3 and must print the same transcript either
 * way.  It loads its own GDT and IDT, takes interrupts and exceptions
 * through them, and touches the data that shares their pages a known number
 * of times (hot.h). */
#include <stdint.h>
#include "hot.h"

#define COM1 0x3f8
#define DEBUG_EXIT 0xf4

void tbk_main(uint32_t magic, const void *mbi);
void load_segments(void);
void divide_by_zero(void);
void isr_syscall(void), isr_breakpoint(void), isr_divide(void);

/* The GDT page: the table and then hot scheduler data. */
__attribute__((section(".gdtpage.table"), aligned(8))) uint64_t gdt_table[4] = {
	0,
	0x00cf9a000000ffffull,   /* 0x08: flat code, ring 0 */
	0x00cf92000000ffffull,   /* 0x10: flat data, ring 0 */
	0,                       /* 0x18: the TSS, filled in at run time */
};
__attribute__((section(".gdtpage.hot"))) uint32_t hot_ticks = 0;
__attribute__((section(".gdtpage.hot"))) uint32_t hot_lock = 7;

/* The IDT page: the table at the start of .bss, then timer data. */
__attribute__((section(".bss.idt"), aligned(8))) uint64_t idt_table[256];
__attribute__((section(".bss.idt_hot"))) uint32_t hot_jiffies;

/* Everything else lives on ordinary pages. */
uint32_t syscall_count, breakpoint_count, divide_count;
static uint32_t tss[26];

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static void putc_serial(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

static void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

static void put_hex(uint32_t v)
{
	for (int i = 28; i >= 0; i -= 4)
		putc_serial("0123456789abcdef"[(v >> i) & 0xf]);
}

static void put_dec(uint32_t v)
{
	char buf[11];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc_serial(buf[--n]);
}

static void say(const char *label, uint32_t v)
{
	puts_serial(label);
	put_dec(v);
	putc_serial('\n');
}

struct __attribute__((packed)) pseudo_desc {
	uint16_t limit;
	uint32_t base;
};

static void setup_gdt(void)
{
	uint32_t base = (uint32_t)tss;
	gdt_table[3] = (uint64_t)(sizeof(tss) - 1) | (uint64_t)(base & 0xffffff) << 16 |
		       0x89ull << 40 | (uint64_t)(base >> 24) << 56;
	struct pseudo_desc d = { sizeof(gdt_table) - 1, (uint32_t)gdt_table };
	__asm__ volatile("lgdt %0" : : "m"(d));
	load_segments();
	__asm__ volatile("ltr %w0" : : "r"(0x18));
}

static uint64_t gate(void (*handler)(void))
{
	uint32_t off = (uint32_t)handler;
	return (uint64_t)(off & 0xffff) | 0x08ull << 16 | 0x8eull << 40 |
	       (uint64_t)(off >> 16) << 48;
}

static void setup_idt(void)
{
	idt_table[0] = gate(isr_divide);
	idt_table[3] = gate(isr_breakpoint);
	idt_table[0x80] = gate(isr_syscall);
	struct pseudo_desc d = { sizeof(idt_table) - 1, (uint32_t)idt_table };
	__asm__ volatile("lidt %0" : : "m"(d));
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
	puts_serial("tbk: test kernel up\n");
	say("multiboot magic ok: ", magic == 0x2BADB002);
	setup_gdt();
	puts_serial("gdt loaded, segments reloaded\n");
	uint32_t *tss_desc = (uint32_t *)&gdt_table[3];
	say("tss busy after ltr: ", (HOT_LOAD(tss_desc[1]) >> 9) & 1);
	setup_idt();
	for (int i = 0; i < TBK_SYSCALLS; i++)
		__asm__ volatile("int $0x80");
	__asm__ volatile("int3");
	divide_by_zero();
	say("syscalls: ", syscall_count);
	say("breakpoints: ", breakpoint_count);
	say("divide errors: ", divide_count);

	uint32_t cr0;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	say("cr0.pe: ", cr0 & 1);
	__asm__ volatile("cli");
	__asm__ volatile("sti");
	__asm__ volatile("cli");

	run_ticks();
	say("ticks: ", HOT_LOAD(hot_ticks));
	say("jiffies: ", HOT_LOAD(hot_jiffies));
	say("lock: ", HOT_LOAD(hot_lock));
	puts_serial("gdt checksum: ");
	put_hex(gdt_checksum());
	putc_serial('\n');
	puts_serial("tbk: done\n");
	outb(DEBUG_EXIT, 0);
}
