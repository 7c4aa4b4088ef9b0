/* cpu.c — the standard descriptor tables of the kernels that run user
 * code: flat kernel and user segments, one TSS for entries from ring 3, an
 * LDT with a flat user and a flat kernel data segment.  Entries from
 * GDT_FREE on belong to each kernel. */
#include "tbk.h"

GDT_PAGE uint64_t gdt_table[GDT_ENTRIES];
struct tss tss;
static uint64_t ldt_table[2];
static uint8_t ring0_stack[8192] __attribute__((aligned(16)));

void gdt_reload(void)
{
	lgdt(gdt_table, sizeof(gdt_table) - 1);
	load_segments();
}

void cpu_init(void)
{
	gdt_table[GDT_KCODE] = desc_seg(0, 0xfffff, ACC_P | ACC_DPL(0) | ACC_CODE, DF_PAGES_32);
	gdt_table[GDT_KDATA] = desc_seg(0, 0xfffff, ACC_P | ACC_DPL(0) | ACC_DATA, DF_PAGES_32);
	gdt_table[GDT_UCODE] = desc_seg(0, 0xfffff, ACC_P | ACC_DPL(3) | ACC_CODE, DF_PAGES_32);
	gdt_table[GDT_UDATA] = desc_seg(0, 0xfffff, ACC_P | ACC_DPL(3) | ACC_DATA, DF_PAGES_32);
	gdt_table[GDT_TSS] = desc_seg((uint32_t)&tss, sizeof(tss) - 1, ACC_P | ACC_TSS, 0);
	gdt_table[GDT_LDT] = desc_seg((uint32_t)ldt_table, sizeof(ldt_table) - 1, ACC_P | ACC_LDT, 0);
	ldt_table[0] = gdt_table[GDT_UDATA];
	ldt_table[1] = gdt_table[GDT_KDATA];
	tss.ss0 = SEL_KDATA;
	tss.esp0 = (uint32_t)(ring0_stack + sizeof(ring0_stack));
	tss.iomap = sizeof(tss);   /* past the limit: no I/O bitmap, ring 3 gets no ports */
	gdt_reload();
	ltr(SEL_TSS);
}
