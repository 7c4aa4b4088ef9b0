/* protect.h — the frames holding the guest's GDT and IDT, and the emulation
 * of every guest access to them. */
#ifndef PROTECT_H
#define PROTECT_H

#include <stdint.h>
#include "paccess.h"
#include "trace.h"
#include "trap.h"
#include "walk.h"

/* The guest moved its GDT or IDT, or remapped them: find their frames
 * (pacc_table). */
void protect_update(void);
/* After lgdt: with --placement inplace, put the real GDT where the guest's is. */
void protect_place_gdt(void);
/* The monitor wrote [gpa, gpa+n) on the guest's behalf. */
void protect_written(uint32_t gpa, uint32_t n);
/* An access at lin (walked to w) hit a protected frame, and is c
 * (pacc_classify): carry it out. */
enum outcome protect_fault(struct trap_frame *f, struct trap_record *rec, uint32_t lin,
			   const struct walk *w, struct pacc_class c);
/* Carry out the faulting access at lin for the guest, by decoding (if
 * decode, else by single-stepping it with the page open); rec is completed
 * now or when the step ends.  OUT_RAISED when the instruction also reaches
 * memory the guest may not touch (its #PF). */
enum outcome protect_carry_out(struct trap_frame *f, struct trap_record *rec, uint32_t lin,
			       int decode);
/* A fault while single-stepping over a protected page: 1 if it was ours
 * (the instruction reaches a second protected page, now opened too). */
int protect_step_fault(uint32_t lin);
/* Is a single step over a protected page in flight? */
int protect_stepping(void);
/* A debug trap: 1 if it ended a single step of ours, else 0. */
int protect_step_done(struct trap_frame *f);

#endif
