/* interrupts.h — delivering interrupts and exceptions through the guest's
 * own IDT, returning from them, and idling until the next one. */
#ifndef INTERRUPTS_H
#define INTERRUPTS_H

#include <stdint.h>
#include "trap.h"

/* How a vector reaches the guest. */
enum irq_source {
	IRQ_EXCEPTION,   /* the CPU raised it: no DPL check */
	IRQ_SOFTWARE,    /* int n: the gate's DPL must allow the guest's CPL */
	IRQ_EXTERNAL,    /* a device */
};

/* Vectors for which the CPU pushes an error code. */
int vector_has_error_code(unsigned vector);
/* Deliver vector to the guest as its CPU would: switch to the kernel stack
 * from its TSS when it comes from user mode, push (SS, ESP,) EFLAGS, CS, the
 * return EIP (and err), enter the gate's handler.  A vector the guest cannot
 * take (no IDT, bad gate, unusable stack) kills it, as a triple fault would
 * reset it. */
void irq_reflect(struct trap_frame *f, unsigned vector, enum irq_source src,
		 int has_err, uint32_t err, uint32_t return_eip);
/* sti: the virtual IF goes on after the next instruction. */
void irq_sti(struct trap_frame *f);
/* A debug trap: 1 if it ended the instruction after an sti. */
int irq_window_done(struct trap_frame *f);
/* Deliver a waiting hardware interrupt if the guest can take it now. */
void irq_deliver(struct trap_frame *f);
/* Nothing for irq_deliver to do until the next trap: no interrupt waits
 * that the guest could take, no sti shadow in flight. */
int irq_quiet(void);
/* hlt at eip: sleep until a hardware interrupt is waiting. */
void irq_idle(uint32_t eip);
/* A hardware interrupt arrived (real vector); records it.  1 if it was one. */
int irq_arrived(unsigned vector, const struct trap_frame *f);

#endif
