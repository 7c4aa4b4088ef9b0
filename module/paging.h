/* paging.h — page-table entry bits and the monitor's own address space. */
#ifndef PAGING_H
#define PAGING_H

#include <stdint.h>

#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_US  (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PDE_PS  (1ull << 7)   /* a 2 MiB page */
#define PTE_NX  (1ull << 63)

/* NX if the CPU has it (0 otherwise): or it into entries freely. */
extern uint64_t pte_nx;
/* The page table mapping the switcher, shared by every address space. */
extern uint64_t switcher_pt[512];

/* Physical address of an object in the switcher. */
uint32_t switcher_phys(const void *p);

/* Build and load the monitor's address space: all RAM identity-mapped,
 * supervisor-only, and the switcher at SWITCHER_BASE. */
void paging_init(void);

#endif
