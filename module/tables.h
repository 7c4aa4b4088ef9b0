/* tables.h — the real GDT, IDT and TSS, owned by the monitor. */
#ifndef TABLES_H
#define TABLES_H

#include <stdint.h>

extern uint64_t real_gdt[];

void tables_init(void);

#endif
