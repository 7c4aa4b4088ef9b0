/* paging.c — PAE page tables for the whole of QEMU's RAM with 4 KiB pages, so
 * that single guest pages can be protected.  The monitor runs with CR0.WP
 * clear: its own writes go through read-only guest pages, the guest's don't. */
#include "paging.h"
#include "layout.h"
#include "lib.h"
#include "x86.h"

#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_US  (1ull << 2)
#define PTE_NX  (1ull << 63)

#define PT_COUNT (RAM_END / (512u * PAGE_SIZE))   /* one table maps 2 MiB */

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static uint64_t pt[PT_COUNT][512] __attribute__((aligned(4096)));
static uint64_t nx_bit;

static uint64_t *pte_of(uint32_t page)
{
	return &pt[page >> 21][(page >> 12) & 511];
}

void paging_set(uint32_t page, enum page_access a)
{
	uint64_t e = (page & PAGE_MASK) | PTE_P;
	if (a != PAGE_GUEST_NONE)
		e |= PTE_US;
	if (a == PAGE_GUEST_RW || a == PAGE_GUEST_NONE)
		e |= PTE_RW;
	*pte_of(page) = e;
	invlpg(page);
}

/* NX makes the page-fault error code tell instruction fetches apart (I/D). */
static void enable_nx(void)
{
	uint32_t r[4];
	cpuid(0x80000000u, r);
	if (r[0] < 0x80000001u)
		return;
	cpuid(0x80000001u, r);
	if (!(r[3] & (1u << 20)))
		return;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	nx_bit = PTE_NX;
}

void paging_init(void)
{
	enable_nx();
	for (uint32_t i = 0; i < PT_COUNT; i++)
		pd[i / 512][i % 512] = (uint32_t)pt[i] | PTE_P | PTE_RW | PTE_US;
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (uint32_t)pd[i] | PTE_P;
	for (uint32_t page = 0; page < RAM_END; page += PAGE_SIZE) {
		uint64_t e = page | PTE_P | PTE_RW;
		if (page < GUEST_MEM_END)
			e |= PTE_US;
		else if (page < MONITOR_PHYS)
			e |= nx_bit;    /* the ring is data, never code */
		*pte_of(page) = e;
	}
	write_cr4(read_cr4() | X86_CR4_PAE);
	write_cr3((uint32_t)pdpt);
	write_cr0((read_cr0() | X86_CR0_PG) & ~(uint32_t)X86_CR0_WP);
}
