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

#endif
