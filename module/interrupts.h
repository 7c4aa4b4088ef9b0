/* interrupts.h — delivering exceptions and software interrupts through the
 * guest's own IDT, and returning from them. */
#ifndef INTERRUPTS_H
#define INTERRUPTS_H

#include <stdint.h>
#include "trap.h"

/* Vectors for which the CPU pushes an error code. */
int vector_has_error_code(unsigned vector);
/* Deliver vector to the guest as its CPU would: push EFLAGS, CS, the return
 * EIP (and err) on its stack, enter the gate's handler.  A vector the guest
 * cannot take (no IDT, bad gate, unusable stack) kills it, as a triple fault
 * would reset it. */
void irq_reflect(struct trap_frame *f, unsigned vector, int has_err, uint32_t err,
		 uint32_t return_eip);
/* Give the guest the #PF of its last failed memory access (vcpu.h). */
void irq_page_fault(struct trap_frame *f);
/* iret within the guest kernel.  0, or -1 if the guest must get a #GP. */
int irq_iret(struct trap_frame *f, int opsize16);

#endif
