/* tables.c — the monitor's own descriptor tables: the two real GDTs (whose
 * low entries shadow the guest's GDT, see segments.c), the IDT that sends every
 * vector to trapentry.S, and the TSS whose only job is the trap stack. */
#include "tables.h"
#include "descriptor.h"
#include "layout.h"
#include "lib.h"
#include "trap.h"

/* Hardware 32-bit TSS (SDM vol. 3 §8.2.1); only esp0/ss0 and the I/O map
 * base matter: no hardware task switches, no I/O bitmap (every in/out from
 * ring 3 faults). */
struct tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
};
_Static_assert(sizeof(struct tss32) == 104, "TSS layout");

/* In the switcher: the CPU reads them while the guest's address space is
 * loaded. */
#define SWITCHER_DATA __attribute__((section(".switcher.data")))
/* Two pages per mode: in place, a table starts at the guest's GDT's offset
 * in its page and may run into the next one. */
static uint64_t gdt_pages[2][2 * GDT_ENTRIES] SWITCHER_DATA __attribute__((aligned(4096)));
uint64_t *real_gdt[2] SWITCHER_DATA = { gdt_pages[0], gdt_pages[1] };
uint64_t real_ldt[2][LDT_ENTRIES] SWITCHER_DATA __attribute__((aligned(4096)));
static int gdt_loaded;   /* which of the two */
static uint64_t real_idt[256] SWITCHER_DATA __attribute__((aligned(4096)));
static struct tss32 tss SWITCHER_DATA __attribute__((aligned(128)));

struct __attribute__((packed)) pseudo_desc {
	uint16_t limit;
	uint32_t base;
};

#define SEG_FLAT(dpl, type) desc_make(0, 0xfffff, DESC_P | DESC_S | ((dpl) << 5) | (type), DESC_G | DESC_DB)

extern struct pseudo_desc monitor_gdtr, guest_gdtr;   /* trapentry.S */
static uint32_t inplace_base;   /* where the guest sees the real GDT, or 0 */

/* The GDT and the LDT of one guest mode; the LDT's descriptor in each GDT
 * names that mode's LDT.  The monitor reaches the GDT in the switcher; the
 * guest, with --placement inplace, at its own GDT's address (shadow.c maps
 * the same frame there). */
static void load_gdt(int which)
{
	monitor_gdtr = (struct pseudo_desc){ GDT_ENTRIES * 8 - 1, (uint32_t)real_gdt[which] };
	guest_gdtr = monitor_gdtr;
	if (inplace_base)
		guest_gdtr.base = inplace_base;
	__asm__ volatile("lgdt %0" : : "m"(monitor_gdtr));
	__asm__ volatile("lldt %w0" : : "r"(SEL_MON_LDT));
	gdt_loaded = which;
}

void tables_use_gdt(int which)
{
	if (which != gdt_loaded)
		load_gdt(which);
}

void tables_place_gdt(uint32_t lin)
{
	for (int i = 0; i < 2; i++) {
		uint64_t *to = gdt_pages[i] + (lin & 0xfff) / 8;
		memmove(to, real_gdt[i], GDT_ENTRIES * 8);
		real_gdt[i] = to;
	}
	inplace_base = lin;
	load_gdt(gdt_loaded);
}

static void load_tables(void)
{
	struct pseudo_desc idtr = { sizeof(real_idt) - 1, (uint32_t)real_idt };
	load_gdt(GDT_KERNEL);
	__asm__ volatile("lidt %0" : : "m"(idtr));
	/* Reload every segment register from the new GDT. */
	__asm__ volatile("ljmp %0, $1f\n1:\n"
			 "movw %w1, %%ds\n movw %w1, %%es\n movw %w1, %%ss\n"
			 "xorw %%ax, %%ax\n movw %%ax, %%fs\n movw %%ax, %%gs\n"
			 : : "i"(SEL_MON_CS), "r"(SEL_MON_DS) : "eax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(SEL_MON_TSS));
}

void tables_init(void)
{
	tss.ss0 = SEL_MON_DS;
	tss.esp0 = (uint32_t)trap_stack_top;
	tss.iomap_base = sizeof(tss);   /* beyond the limit: no I/O bitmap */
	for (int i = 0; i < 2; i++) {
		uint64_t *gdt = real_gdt[i];
		gdt[SEL_MON_CS >> 3] = SEG_FLAT(0, DESC_CODE | DESC_RW);
		gdt[SEL_MON_DS >> 3] = SEG_FLAT(0, DESC_RW);
		gdt[SEL_BOOT_CS >> 3] = SEG_FLAT(3, DESC_CODE | DESC_RW);
		gdt[SEL_BOOT_DS >> 3] = SEG_FLAT(3, DESC_RW);
		gdt[SEL_MON_TSS >> 3] = desc_make((uint32_t)&tss, sizeof(tss) - 1, DESC_P | DESC_TSS32, 0);
		gdt[SEL_MON_LDT >> 3] = desc_make((uint32_t)real_ldt[i], sizeof(real_ldt[i]) - 1,
						  DESC_P | DESC_LDT, 0);
	}

	/* DPL 0 everywhere: an int n from the guest is a #GP we emulate. */
	for (unsigned v = 0; v < 256; v++)
		real_idt[v] = gate_make((uint32_t)(trap_stubs + 16 * v), SEL_MON_CS, DESC_P | GATE_INT32);
	load_tables();
}
