/* tables.h — the real GDT, IDT and TSS, owned by the monitor. */
#ifndef TABLES_H
#define TABLES_H

#include <stdint.h>
#include "layout.h"

/* The guest's kernel and user modes each get a real GDT (segments.c) of
 * GDT_ENTRIES entries. */
enum { GDT_KERNEL, GDT_USER };
extern uint64_t *real_gdt[2];
extern uint64_t real_ldt[2][LDT_ENTRIES];

void tables_init(void);
/* Load the real GDT for the guest's mode, if it is not loaded. */
void tables_use_gdt(int which);
/* --placement inplace: the guest's CPU finds the real GDT at linear lin
 * (8-byte aligned).  The tables move to lin's offset in their first page,
 * so that the page or two holding each can be mapped at lin's page. */
void tables_place_gdt(uint32_t lin);

#endif
