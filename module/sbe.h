/* sbe.h — emulation of the sensitive instructions scan.c patched. */
#ifndef SBE_H
#define SBE_H

#include "decode.h"
#include "trace.h"
#include "trap.h"

/* Carry out the patched instruction in as the guest's CPU would: OUT_DONE
 * (EIP past it), OUT_JUMPED, OUT_RAISED (the exception its CPU raises
 * instead) or OUT_UNHANDLED (a form not emulated: the run ends). */
enum outcome sbe_emulate(struct trap_frame *f, const struct insn *in, struct trap_record *rec);

#endif
