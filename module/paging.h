/* paging.h — the shadow page tables: PAE, identity-mapped while the guest
 * runs with paging off.  Guest RAM is user-accessible, everything else is
 * supervisor-only; protected pages lose user or write access. */
#ifndef PAGING_H
#define PAGING_H

#include <stdint.h>

/* What the guest at ring 3 may do with one page of its RAM. */
enum page_access {
	PAGE_GUEST_RW,     /* ordinary guest page */
	PAGE_GUEST_RO,     /* writes trap (--mode w) */
	PAGE_GUEST_NONE,   /* every access traps (--mode rw) */
};

void paging_init(void);
void paging_set(uint32_t page, enum page_access a);

#endif
