/* shadow.c — shadow page tables.  The guest's own page tables are never
 * loaded: each guest mode has a PAE shadow that starts empty and is filled
 * one 4 KiB page at a time when the guest faults on it (trap.c asks walk.c
 * what the guest's tables say and protect.c what the frame may be used for).
 * Shadows are flushed wholesale on a guest CR3 write or when protection
 * changes, and page by page on invlpg; a full pool flushes too.  The real
 * CR3 is reloaded on every return to the guest, so the TLB never holds a
 * stale shadow entry. */
#include "shadow.h"
#include "fastpath.h"
#include "kill.h"
#include "layout.h"
#include "lib.h"
#include "paging.h"
#include "vcpu.h"

struct shadow {
	uint64_t pdpt[4] __attribute__((aligned(32)));
	uint64_t pd[4][512] __attribute__((aligned(4096)));
};

static struct shadow shadows[2] __attribute__((aligned(4096)));
static uint64_t pool[SHADOW_POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned pool_used;

/* Pages mapped for the CPU rather than the guest: with --placement inplace
 * the real GDT of each mode sits at the guest's GDT address, on one page or
 * two.  Supervisor only, so every guest access to them still faults. */
static struct {
	uint32_t lin;          /* the first page; 0: none */
	uint32_t pages;        /* 1 or 2 */
	uint32_t frame[2];     /* per shadow, the first; the second follows it */
} pin;

static uint64_t *pte_of(struct shadow *s, uint32_t lin);

static uint64_t *pde_of(struct shadow *s, uint32_t lin)
{
	return &s->pd[lin >> 30][(lin >> 21) & 511];
}

static void reset(struct shadow *s)
{
	memset(s->pd, 0, sizeof(s->pd));
	for (unsigned i = 0; i < 4; i++)
		s->pdpt[i] = (uint32_t)s->pd[i] | PTE_P;
	*pde_of(s, SWITCHER_BASE) = (uint32_t)switcher_pt | PTE_P | PTE_RW;
}

static void map_pin(unsigned i)
{
	for (uint32_t p = 0; pin.lin && p < pin.pages; p++)
		*pte_of(&shadows[i], pin.lin + p * PAGE_SIZE) = (pin.frame[i] + p * PAGE_SIZE) |
								 PTE_P | PTE_RW | pte_nx;
}

void shadow_flush(void)
{
	fast_forget();
	pool_used = 0;
	for (unsigned i = 0; i < 2; i++) {
		reset(&shadows[i]);
		map_pin(i);
	}
}

void shadow_pin(uint32_t lin, uint32_t pages, uint32_t kernel_frame, uint32_t user_frame)
{
	pin.lin = lin;
	pin.pages = pages;
	pin.frame[SHADOW_KERNEL] = kernel_frame;
	pin.frame[SHADOW_USER] = user_frame;
	shadow_flush();
}

int shadow_pinned(uint32_t lin)
{
	return pin.lin && (lin & PAGE_MASK) - pin.lin < pin.pages * PAGE_SIZE;
}

static struct shadow *current(void)
{
	return &shadows[vcpu.cpl == 3 ? SHADOW_USER : SHADOW_KERNEL];
}

uint32_t shadow_cr3(void)
{
	return (uint32_t)current()->pdpt;
}

void shadow_invlpg(uint32_t lin)
{
	fast_forget();
	for (unsigned i = 0; i < 2; i++) {
		uint64_t pde = *pde_of(&shadows[i], lin);
		if (pde & PTE_P)
			((uint64_t *)(uint32_t)(pde & 0xfffff000u))[(lin >> 12) & 511] = 0;
		if (shadow_pinned(lin))
			map_pin(i);
	}
}

static uint64_t *pte_of(struct shadow *s, uint32_t lin)
{
	uint64_t *pde = pde_of(s, lin);
	if (!(*pde & PTE_P)) {
		if (pool_used == SHADOW_POOL_PAGES) {
			shadow_flush();
			pde = pde_of(s, lin);
		}
		uint64_t *pt = pool[pool_used++];
		memset(pt, 0, PAGE_SIZE);
		*pde = (uint32_t)pt | PTE_P | PTE_RW | PTE_US;
	}
	return &((uint64_t *)(uint32_t)(*pde & 0xfffff000u))[(lin >> 12) & 511];
}

void shadow_unmap_frame(uint32_t gpa)
{
	uint64_t frame = gpa & PAGE_MASK;
	fast_forget();
	for (unsigned t = 0; t < pool_used; t++)
		for (unsigned i = 0; i < 512; i++)
			if ((pool[t][i] & PTE_P) && (pool[t][i] & 0xfffff000u) == frame)
				pool[t][i] = 0;
}

void shadow_map(uint32_t lin, uint32_t gpa, int writable, int nx)
{
	if (shadow_in_hole(lin, 1))
		vcpu_kill("guest uses linear %08x, in the monitor's hole", lin);
	*pte_of(current(), lin) = (gpa & PAGE_MASK) | PTE_P | PTE_US |
				   (writable ? PTE_RW : 0) | (nx ? pte_nx : 0);
}
