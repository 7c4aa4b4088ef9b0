/* vcpu.h — the guest's virtual CPU: the state the guest believes it has,
 * kept apart from the real state it runs on (real ring 3, real IF clear). */
#ifndef VCPU_H
#define VCPU_H

#include <stdint.h>
#include "decode.h"
#include "emulate.h"
#include "trace.h"
#include "trap.h"

struct vdtr {
	uint32_t base, limit;
};

struct vcpu {
	uint32_t cr0, cr2, cr3, cr4;
	uint64_t efer;
	struct vdtr gdtr, idtr;
	uint16_t ldtr, tr;
	struct vdtr ldt, tss;   /* from the descriptors ldtr and tr selected */
	uint8_t cpl;        /* virtual CPL: 0 while the guest kernel runs */
	uint8_t vif;        /* virtual EFLAGS.IF */
	uint8_t iopl;       /* virtual EFLAGS.IOPL */
	uint16_t sreg_cached[6];   /* the guest's selectors of cache slots (segments.c) */
};

extern struct vcpu vcpu;

/* EFLAGS bits the guest controls directly; IF and IOPL stay virtual. */
#define GUEST_EFLAGS_MASK (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
	X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | X86_EFLAGS_DF | \
	X86_EFLAGS_OF | X86_EFLAGS_AC | X86_EFLAGS_ID)

/* What the guest always runs with for real: interrupts on (they belong to
 * the monitor), IOPL 0 (so cli, sti, in and out trap). */
#define REAL_EFLAGS (X86_EFLAGS_FIXED | X86_EFLAGS_IF)

void vcpu_init(void);
/* The guest's view of EFLAGS and CS. */
uint32_t vcpu_eflags(const struct trap_frame *f);
uint16_t vcpu_cs(const struct trap_frame *f);
/* Set EFLAGS to a value the guest loads (iret, popf) at privilege cpl. */
void vcpu_set_eflags(struct trap_frame *f, uint32_t guest_eflags, unsigned cpl);

/* Fetch and decode the instruction at the guest's EIP as the guest wrote
 * it; copies its first bytes into the record.  Returns 0, or
 * VCPU_FETCH_PATCHED for a sensitive instruction scan.c patched, or -1 (not
 * decodable / not mapped). */
#define VCPU_FETCH_PATCHED 1
int vcpu_fetch(const struct trap_frame *f, struct insn *in, struct trap_record *rec);

/* The linear address of in's memory operand: OUT_DONE, or OUT_UNHANDLED
 * for a form the emulator cannot address (16-bit addressing). */
enum outcome vcpu_operand(const struct trap_frame *f, const struct insn *in, uint32_t *lin);
/* A 16-bit r/m operand (a selector for ltr, lldt, lar, mov sreg...):
 * OUT_DONE, OUT_RAISED (its #PF) or OUT_UNHANDLED. */
enum outcome vcpu_read_rm16(const struct trap_frame *f, const struct insn *in, uint16_t *v);

/* Move registers between the trap frame and the emulator's view. */
void vcpu_to_emu(const struct trap_frame *f, struct emu_regs *r);
void vcpu_from_emu(struct trap_frame *f, const struct emu_regs *r);

/* Guest memory by linear address, through the guest's page tables:
 *   vcpu_mem      as the guest at its current CPL would access it;
 *   vcpu_mem_dry  the same with writes discarded (to learn what an
 *                 instruction accesses);
 *   vcpu_mem_sys  the CPU's own supervisor accesses (descriptor tables,
 *                 TSS) whatever the CPL.
 * A failed access raises the guest's #PF (exc_raise, trap.h): the first
 * page the access reaches that the guest may not touch, with its error code. */
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

/* Stop the guest for good: record the first reason, let the host drain the
 * ring, end QEMU.  For guest misbehaviour and monitor panics alike. */
void vcpu_kill(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
