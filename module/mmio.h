/* mmio.h — device memory: the pages of the PC's interrupt and timer
 * hardware (local APIC, I/O APIC, HPET) that the guest reaches by address,
 * never mapped for it: each access faults and is carried out here. */
#ifndef MMIO_H
#define MMIO_H
#include <stdint.h>

/* Is gpa in one of the device pages? */
int mmio_frame(uint32_t gpa);
/* The guest's access of n bytes at gpa (in a device page). */
void mmio_read(uint32_t gpa, void *dst, unsigned n);
void mmio_write(uint32_t gpa, const void *src, unsigned n);
#endif
