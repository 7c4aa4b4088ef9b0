/* lapic.h — the guest's local APIC: QEMU's own, passed through with its
 * writes filtered and its in-service state kept for the guest (lapic.c). */
#ifndef LAPIC_H
#define LAPIC_H
#include <stdint.h>

#define LAPIC_BASE 0xfee00000u   /* the PC's, where QEMU keeps it */

/* Read the real APIC's state at boot (nothing if the CPU has none). */
void lapic_init(void);
/* Does the CPU have a local APIC? */
int lapic_present(void);
/* The guest reads or writes the 32-bit register at offset off. */
uint32_t lapic_read(uint32_t off);
void lapic_write(uint32_t off, uint32_t v);
/* The CPU took vector from the real APIC (its in-service bit is set, or it
 * is the spurious vector): 1, and it waits for the guest; 0 if the APIC did
 * not send it (a PIC's interrupt through LINT0). */
int lapic_arrived(unsigned vector);
/* Is a vector waiting?  Take the highest, now in service for the guest. */
int lapic_pending(void);
unsigned lapic_take(void);
#endif
