/* protect.h — the pages holding the guest's GDT and IDT, and the emulation
 * of every guest access to them. */
#ifndef PROTECT_H
#define PROTECT_H

#include <stdint.h>
#include "trace.h"
#include "trap.h"

/* The guest moved its GDT or IDT: protect the pages it now uses. */
void protect_update(void);
/* The monitor wrote [lin, lin+n) on the guest's behalf. */
void protect_written(uint32_t lin, uint32_t n);
/* A page fault from the guest: 0 if it hit a protected page and was
 * handled (rec filled, or held until the single step ends), -1 if not. */
int protect_fault(struct trap_frame *f, struct trap_record *rec);
/* A debug trap: 1 if it ended a single step of ours, else 0. */
int protect_step_done(struct trap_frame *f);

#endif
