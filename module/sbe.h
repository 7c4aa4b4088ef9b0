/* sbe.h — emulation of the sensitive instructions scan.c patched. */
#ifndef SBE_H
#define SBE_H

#include "decode.h"
#include "trace.h"
#include "trap.h"

/* Carry out the patched instruction in as the guest's CPU would.  0, or -1
 * when the guest must get a fault (its #PF is in vcpu.fault_*). */
int sbe_emulate(struct trap_frame *f, const struct insn *in, struct trap_record *rec);

#endif
