/* paging.c — the monitor's own address space: PAE, every page of QEMU's RAM
 * identity-mapped for ring 0 alone, the device pages (mmio.c), and the
 * switcher at the top.  The monitor runs with CR0.WP clear, so it may
 * write the pages it keeps read-only for the guest. */
#include "paging.h"
#include "layout.h"
#include "lib.h"
#include "trap.h"
#include "x86.h"

#define PT_COUNT (RAM_END / (512u * PAGE_SIZE))   /* one table maps 2 MiB */

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static uint64_t pt[PT_COUNT][512] __attribute__((aligned(4096)));
uint64_t switcher_pt[512] __attribute__((aligned(4096)));
uint64_t pte_nx;
extern char __switcher_phys[], __switcher_start[], __switcher_end[];

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
	pte_nx = PTE_NX;
}

uint32_t switcher_phys(const void *p)
{
	return (uint32_t)__switcher_phys + ((uint32_t)p - (uint32_t)__switcher_start);
}

/* The devices the guest programs through the monitor (mmio.c): 2 MiB
 * pages over fec00000-feffffff (I/O APIC, HPET, local APIC), uncached. */
static void map_devices(void)
{
	for (uint32_t a = 0xfec00000u; a < 0xff000000u; a += 512u * PAGE_SIZE)
		pd[3][(a >> 21) & 511] = a | PTE_P | PTE_RW | PDE_PS | PTE_PCD | PTE_PWT;
}

static void map_switcher(void)
{
	uint32_t size = (uint32_t)(__switcher_end - __switcher_start);
	for (uint32_t off = 0; off < size; off += PAGE_SIZE)
		switcher_pt[off >> 12] = ((uint32_t)__switcher_phys + off) | PTE_P | PTE_RW;
	pd[3][(SWITCHER_BASE >> 21) & 511] = (uint32_t)switcher_pt | PTE_P | PTE_RW;
}

/* The guest's FPU and SSE state lives in the real registers (the monitor
 * never touches them): SSE needs CR4.OSFXSR and OSXMMEXCPT for real, or
 * every SSE instruction of the guest is a #UD. */
static uint32_t sse_bits(void)
{
	uint32_t r[4];
	cpuid(1, r);
	return (r[3] & (1u << 24)) ? X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT : 0;
}

void paging_init(void)
{
	enable_nx();
	for (uint32_t i = 0; i < PT_COUNT; i++)
		pd[i / 512][i % 512] = (uint32_t)pt[i] | PTE_P | PTE_RW;
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (uint32_t)pd[i] | PTE_P;
	for (uint32_t page = 0; page < RAM_END; page += PAGE_SIZE)
		pt[page >> 21][(page >> 12) & 511] = page | PTE_P | PTE_RW;
	map_switcher();
	map_devices();
	write_cr4(read_cr4() | X86_CR4_PAE | sse_bits());
	write_cr3((uint32_t)pdpt);
	write_cr0((read_cr0() | X86_CR0_PG) & ~(uint32_t)X86_CR0_WP);
	monitor_cr3 = (uint32_t)pdpt;   /* in the switcher: mapped only now */
}
