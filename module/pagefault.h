/* pagefault.h — every page fault the guest raises. */
#ifndef PAGEFAULT_H
#define PAGEFAULT_H

#include "trace.h"
#include "trap.h"

enum outcome pagefault(struct trap_frame *f, struct trap_record *rec);

#endif
