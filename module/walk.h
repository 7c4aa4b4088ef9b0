/* walk.h — translating guest-linear addresses the way the guest's MMU
 * would, through the guest's own page tables (or none, with paging off). */
#ifndef WALK_H
#define WALK_H

#include <stdint.h>

/* What an access wants (combine). */
#define WALK_WRITE    (1u << 0)
#define WALK_USER     (1u << 1)   /* a CPL-3 access: U/S checked */
#define WALK_FETCH    (1u << 2)
#define WALK_PEEK     (1u << 3)   /* look only: no accessed/dirty bits set */

/* Page-fault error code bits (SDM vol. 3 §4.7). */
#define PF_PRESENT    (1u << 0)
#define PF_WRITE      (1u << 1)
#define PF_USER       (1u << 2)
#define PF_FETCH      (1u << 4)

struct walk {
	uint32_t gpa;        /* guest-physical address of the byte */
	uint8_t writable;    /* for this access's privilege (WP honoured) */
	uint8_t user;        /* guest user code may touch it */
	uint8_t nx;          /* not executable */
	uint8_t dirty;       /* the leaf entry's dirty bit (after this walk) */
	uint32_t err;        /* on failure: the #PF error code the guest gets */
};

/* 0 with w filled, or -1: the guest takes a #PF with w->err.  An address
 * whose guest page tables or frame lie outside guest RAM stops the guest. */
int walk_guest(uint32_t lin, unsigned access, struct walk *w);

#endif
