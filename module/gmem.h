/* gmem.h — guest memory: the one way the monitor reads and writes the
 * guest's RAM (lguest's lgread/lgwrite).  By guest-physical address, with
 * the range check here and nowhere else; by linear address, through the
 * guest's page tables (walk.c), as the guest's CPU would access it. */
#ifndef GMEM_H
#define GMEM_H

#include <stdint.h>
#include "emulate.h"
#include "trap.h"

/* Stop the guest unless [gpa, gpa+n) lies in guest RAM or a device page
 * (mmio.c): every guest-physical address the monitor uses (walk.c's
 * translations too) passes here. */
void gmem_check(uint32_t gpa, uint32_t n);
/* Copy n bytes from or to guest-physical gpa: guest RAM, or a device's
 * register (mmio.c). */
void gmem_read(uint32_t gpa, void *dst, unsigned n);
void gmem_write(uint32_t gpa, const void *src, unsigned n);
/* The bytes at gpa in place, for decoding: *avail of the n asked for lie
 * in guest RAM (none when gpa does not). */
const uint8_t *gmem_peek(uint32_t gpa, unsigned n, unsigned *avail);

/* Copy up to n bytes of code at linear lin as the guest at its CPL would
 * fetch them; returns how many could be read. */
unsigned gmem_fetch(uint32_t lin, uint8_t *buf, unsigned n);

/* Guest memory by linear address, as emulator memory (emulate.h):
 *   vcpu_mem      as the guest at its current CPL would access it;
 *   vcpu_mem_dry  the same with writes discarded (to learn what an
 *                 instruction accesses);
 *   vcpu_mem_sys  the CPU's own supervisor accesses (descriptor tables,
 *                 TSS) whatever the CPL.
 * An access reaches at most two pages, all or nothing.  A failed access
 * raises the guest's #PF (exc_raise, trap.h): the first page the access
 * reaches that the guest may not touch, with its walk's error code. */
extern const struct emu_mem vcpu_mem, vcpu_mem_dry, vcpu_mem_sys;

/* The same as outcomes: OUT_DONE, or OUT_RAISED with the #PF queued. */
static inline enum outcome vmem_read(const struct emu_mem *m, uint32_t lin, void *dst, unsigned n)
{
	return m->read(m->ctx, lin, dst, n) ? OUT_RAISED : OUT_DONE;
}

static inline enum outcome vmem_write(const struct emu_mem *m, uint32_t lin, const void *src,
				      unsigned n)
{
	return m->write(m->ctx, lin, src, n) ? OUT_RAISED : OUT_DONE;
}

/* Push or pop size bytes on the guest's stack (SS:ESP) as the guest at its
 * CPL would: OUT_DONE, or OUT_RAISED (its #PF) with ESP unchanged. */
enum outcome vcpu_push(struct trap_frame *f, uint32_t v, unsigned size);
enum outcome vcpu_pop(struct trap_frame *f, uint32_t *v, unsigned size);

#endif
