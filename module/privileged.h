/* privileged.h — instructions that fault at ring 3 (#GP) and are carried
 * out against the virtual CPU. */
#ifndef PRIVILEGED_H
#define PRIVILEGED_H

#include "trace.h"
#include "trap.h"

/* Handle a #GP (or #NP) from the guest: an instruction the monitor
 * carries out (rec filled; OUT_DONE with EIP past it, OUT_JUMPED, or
 * OUT_RAISED with the exception the guest's CPU raises instead), the
 * guest's own exception (trap_reflect), or OUT_UNHANDLED. */
enum outcome priv_emulate(struct trap_frame *f, struct trap_record *rec);

#endif
