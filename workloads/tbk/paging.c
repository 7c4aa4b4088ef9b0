/* paging.c — page tables for the kernels that turn paging on: 2-level
 * 32-bit tables, or PAE when built with -DTBK_PAE, behind the same calls.
 * Frames come from a static pool and are never freed. */
#include "tbk.h"

#define POOL_PAGES 96

#ifdef TBK_PAE
#define LEVELS 3
static const unsigned level_shift[LEVELS] = { 30, 21, 12 };
static const unsigned level_entries[LEVELS] = { 4, 512, 512 };
#else
#define LEVELS 2
static const unsigned level_shift[LEVELS] = { 22, 12 };
static const unsigned level_entries[LEVELS] = { 1024, 1024 };
#endif

#define PTE_ADDR(e) ((uint32_t)((e) & ~(pte_t)0xfff))

/* tbk.ld: where .user is linked (USER_BASE) and where it is loaded. */
extern char __user_start[], __user_end[], __user_load[];

static uint8_t pool[POOL_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned pool_used;

/* A zeroed frame; the pool is in .bss, so its frames are identity-mapped. */
void *page_alloc(void)
{
	if (pool_used == POOL_PAGES)
		tbk_fail("out of page frames");
	return pool[pool_used++];
}

/* Tables above the leaves allow everything; the leaf decides.  PAE's
 * PDPTEs are the exception: R/W and U/S are reserved there and would make
 * the load of CR3 fault. */
static pte_t table_flags(int level)
{
#ifdef TBK_PAE
	if (level == 0)
		return PTE_P;
#else
	(void)level;
#endif
	return PTE_P | PTE_W | PTE_U;
}

/* The leaf entry for va, with the tables above it created as needed. */
static pte_t *vm_pte(pte_t *root, uint32_t va)
{
	pte_t *table = root;

	for (int l = 0; l < LEVELS - 1; l++) {
		pte_t *e = &table[(va >> level_shift[l]) & (level_entries[l] - 1)];
		if (!(*e & PTE_P))
			*e = (uint32_t)page_alloc() | table_flags(l);
		table = (pte_t *)PTE_ADDR(*e);
	}
	return &table[(va >> level_shift[LEVELS - 1]) & (level_entries[LEVELS - 1] - 1)];
}

void vm_map(pte_t *root, uint32_t va, uint32_t pa, uint32_t flags)
{
	*vm_pte(root, va) = pa | flags | PTE_P;
}

/* A new root.  With share, it starts with share's top-level entries and so
 * shares every mapping below them, as xv6 and Linux share the kernel's
 * half: map into share first, then create the roots that share it. */
pte_t *vm_new(const pte_t *share)
{
	pte_t *root = page_alloc();

	if (share)
		memcpy(root, share, level_entries[0] * sizeof(pte_t));
	return root;
}

/* A root with the kernel image identity-mapped, supervisor only. */
pte_t *vm_kernel(void)
{
	pte_t *root = vm_new(0);

	for (uint32_t pa = KERNEL_BASE; pa < KERNEL_TOP; pa += PAGE_SIZE)
		vm_map(root, pa, pa, PTE_W);
	return root;
}

void vm_enable(pte_t *root)
{
#ifdef TBK_PAE
	write_cr4(read_cr4() | CR4_PAE);
#endif
	write_cr3((uint32_t)root);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
}

/* The .user section at USER_BASE — its own frames, or a private copy of
 * them for a task of its own — and a fresh stack page below USER_STACK_TOP. */
void vm_map_user(pte_t *root, int private_copy)
{
	for (uint32_t off = 0; off < (uint32_t)(__user_end - __user_start); off += PAGE_SIZE) {
		uint32_t frame = (uint32_t)__user_load + off;
		if (private_copy)
			frame = (uint32_t)memcpy(page_alloc(), (const void *)frame, PAGE_SIZE);
		vm_map(root, USER_BASE + off, frame, PTE_W | PTE_U);
	}
	vm_map(root, USER_STACK_TOP - PAGE_SIZE, (uint32_t)page_alloc(), PTE_W | PTE_U);
}
