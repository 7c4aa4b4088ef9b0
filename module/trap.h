/* trap.h — the saved guest state on every monitor entry, and the trap path's
 * entry points. */
#ifndef TRAP_H
#define TRAP_H

#include <stddef.h>
#include <stdint.h>
#include "decode.h"
#include "emulate.h"
#include "trace.h"

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

/* The frame's registers in the orders instructions name them, one table
 * each, which every part of the monitor indexes (the tables are local to
 * the functions so that the switcher's fast path has its own copy):
 * general registers in encoding order (enum emu_gpr), segment registers in
 * the decoder's (enum insn_seg: ES CS SS DS FS GS). */
static inline size_t frame_gpr_offset(unsigned n)
{
	static const uint8_t at[8] = {
		[EMU_EAX] = offsetof(struct trap_frame, eax), [EMU_ECX] = offsetof(struct trap_frame, ecx),
		[EMU_EDX] = offsetof(struct trap_frame, edx), [EMU_EBX] = offsetof(struct trap_frame, ebx),
		[EMU_ESP] = offsetof(struct trap_frame, esp), [EMU_EBP] = offsetof(struct trap_frame, ebp),
		[EMU_ESI] = offsetof(struct trap_frame, esi), [EMU_EDI] = offsetof(struct trap_frame, edi),
	};
	return at[n & 7];
}

static inline size_t frame_sreg_offset(unsigned n)
{
	static const uint8_t at[6] = {
		[INSN_SEG_ES] = offsetof(struct trap_frame, es), [INSN_SEG_CS] = offsetof(struct trap_frame, cs),
		[INSN_SEG_SS] = offsetof(struct trap_frame, ss), [INSN_SEG_DS] = offsetof(struct trap_frame, ds),
		[INSN_SEG_FS] = offsetof(struct trap_frame, fs), [INSN_SEG_GS] = offsetof(struct trap_frame, gs),
	};
	return at[n];
}

static inline uint32_t *frame_gpr(struct trap_frame *f, unsigned n)
{
	return (uint32_t *)((uint8_t *)f + frame_gpr_offset(n));
}

static inline uint32_t frame_gpr_get(const struct trap_frame *f, unsigned n)
{
	return *(const uint32_t *)((const uint8_t *)f + frame_gpr_offset(n));
}

static inline uint32_t *frame_sreg(struct trap_frame *f, unsigned n)
{
	return (uint32_t *)((uint8_t *)f + frame_sreg_offset(n));
}

static inline uint32_t frame_sreg_get(const struct trap_frame *f, unsigned n)
{
	return *(const uint32_t *)((const uint8_t *)f + frame_sreg_offset(n));
}

/* How a handler's work for the guest ended; trap_entry acts on it. */
enum outcome {
	OUT_DONE,       /* carried out; an emulated instruction: the guest goes on after it */
	OUT_JUMPED,     /* carried out, EIP set by the instruction (a transfer, int n) */
	OUT_RAISED,     /* the guest takes the exception queued by exc_raise instead */
	OUT_UNHANDLED,  /* an instruction form the monitor does not emulate: the run ends */
};

/* The one way to give the guest an exception: queue it (cr2 only for a
 * #PF) and return OUT_RAISED; trap_entry delivers it through the guest's
 * IDT when the handler's outcome is OUT_RAISED, with the faulting EIP the
 * frame holds then.  A later exc_raise in the same trap replaces it: the
 * first failing step of an instruction returns at once. */
enum outcome exc_raise(unsigned vector, uint32_t err, uint32_t cr2);

struct trap_record;
/* The trap is the guest's own exception (its own #GP, say): recorded as
 * such and raised with the CPU's error code. */
enum outcome trap_reflect(const struct trap_frame *f, struct trap_record *rec);

/* A trap's record as far as its entry knows it: cs and cpl as the guest
 * sees them.  Both entries, trap_entry and the fast path, start theirs here. */
static inline void trap_record_start(struct trap_record *rec, const struct trap_frame *f,
				     uint64_t tsc_in, uint16_t cs, uint8_t cpl)
{
	/* rep stosl: GCC's own zeroing of a compound literal costs the fast
	 * path twice the instructions, and memset is not switcher code. */
	void *dst = rec;
	unsigned words = sizeof(*rec) / 4;
	__asm__ volatile("rep stosl" : "+D"(dst), "+c"(words) : "a"(0) : "memory");
	rec->tsc_in = tsc_in;
	rec->vector = (uint8_t)f->vector;
	rec->err = f->err;
	rec->eip = f->eip;
	rec->cs = cs;
	rec->cpl = cpl;
}

/* Returns the CR3 to resume in (0: the monitor's own, see trapentry.S). */
uint32_t trap_entry(struct trap_frame *f);
void enter_guest(struct trap_frame *f, uint32_t cr3) __attribute__((noreturn));
extern char trap_stubs[], trap_stack[], trap_stack_top[];
extern uint32_t monitor_cr3;

#endif
