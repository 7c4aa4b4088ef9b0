/* farxfer.h — control transfers between code segments (far jmp, far call,
 * far ret, iret) with the guest CPU's privilege checks. */
#ifndef FARXFER_H
#define FARXFER_H

#include <stdint.h>
#include "segments.h"
#include "trap.h"

/* far jmp (call = 0) or far call to sel:off, directly or through a call
 * gate; next_eip is the return address a call pushes.  OUT_JUMPED, or
 * OUT_RAISED with the guest's exception (nothing changed). */
enum outcome far_transfer(struct trap_frame *f, uint16_t sel, uint32_t off, int call,
			  uint32_t next_eip, unsigned opsize);
/* far ret (iret = 0, releasing imm bytes of parameters) or iret, to the
 * same privilege or out to user mode; outcomes as far_transfer's. */
enum outcome far_return(struct trap_frame *f, int iret, unsigned opsize, uint16_t imm);
/* From user mode into the guest kernel: SS:ESP from the guest's TSS, the
 * old SS and ESP pushed there. */
void far_enter_kernel_stack(struct trap_frame *f);

#endif
