/* trap.h — the saved guest state on every monitor entry, and the trap path's
 * entry points. */
#ifndef TRAP_H
#define TRAP_H

#include <stdint.h>

/* Mirrors the push order in trapentry.S, lowest address first. */
struct trap_frame {
	/* pushed by trap_common */
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax; /* pushal */
	/* pushed by the vector's stub */
	uint32_t vector, err;
	/* pushed by the CPU; ESP and SS only on a trap from ring 3 (the guest) */
	uint32_t eip, cs, eflags, esp, ss;
};

/* Returns the CR3 to resume in (0: the monitor's own, see trapentry.S). */
uint32_t trap_entry(struct trap_frame *f);
void enter_guest(struct trap_frame *f, uint32_t cr3) __attribute__((noreturn));
extern char trap_stubs[], trap_stack[], trap_stack_top[];
extern uint32_t monitor_cr3;

#endif
