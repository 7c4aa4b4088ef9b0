/* msr.h — the guest's model-specific registers (rdmsr, wrmsr). */
#ifndef MSR_H
#define MSR_H

#include <stdint.h>
#include "trap.h"

/* rdmsr and wrmsr as the guest's CPU carries them out: OUT_DONE (the value
 * in *v for a read), or OUT_RAISED with #GP(0) for an MSR the CPU lacks. */
enum outcome msr_read(uint32_t msr, uint64_t *v);
enum outcome msr_write(uint32_t msr, uint64_t v);

/* trap_entry's one fault of the monitor's own: a #GP of msr.c's probe of
 * the real CPU (1: the frame now resumes the probe, which fails). */
int msr_fixup(struct trap_frame *f);

#endif
