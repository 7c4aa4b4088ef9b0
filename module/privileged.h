/* privileged.h — instructions that fault at ring 3 (#GP) and are carried
 * out against the virtual CPU. */
#ifndef PRIVILEGED_H
#define PRIVILEGED_H

#include "trace.h"
#include "trap.h"

/* Handle a #GP from the guest: 0 when it was an instruction the monitor
 * emulates (rec filled), -1 when the guest itself must take the #GP. */
int priv_emulate(struct trap_frame *f, struct trap_record *rec);

#endif
