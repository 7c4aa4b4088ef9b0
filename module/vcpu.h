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
	uint32_t cr0;
	struct vdtr gdtr, idtr;
	uint16_t ldtr, tr;
	uint8_t cpl;        /* virtual CPL: 0 while the guest kernel runs */
	uint8_t vif;        /* virtual EFLAGS.IF */
};

extern struct vcpu vcpu;

/* EFLAGS bits the guest controls directly; IF and IOPL stay virtual. */
#define GUEST_EFLAGS_MASK (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
	X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | X86_EFLAGS_DF | \
	X86_EFLAGS_OF | X86_EFLAGS_AC | X86_EFLAGS_ID)

void vcpu_init(void);
/* The guest's view of EFLAGS and CS. */
uint32_t vcpu_eflags(const struct trap_frame *f);
uint16_t vcpu_cs(const struct trap_frame *f);
/* Set the real EFLAGS from a value the guest wants (iret, popf). */
void vcpu_set_eflags(struct trap_frame *f, uint32_t guest_eflags);

/* Fetch and decode the instruction at the guest's EIP; copies its first
 * bytes into the record.  Returns 0 or -1 (not decodable / not in RAM). */
int vcpu_fetch(const struct trap_frame *f, struct insn *in, struct trap_record *rec);

/* Move registers between the trap frame and the emulator's view. */
void vcpu_to_emu(const struct trap_frame *f, struct emu_regs *r);
void vcpu_from_emu(struct trap_frame *f, const struct emu_regs *r);

/* Guest memory as the emulator sees it (guest RAM only, identity-mapped). */
extern const struct emu_mem vcpu_mem;
/* The same with writes discarded, to learn what an instruction accesses. */
extern const struct emu_mem vcpu_mem_dry;

/* Stop the guest for good: record the first reason, let the host drain the
 * ring, end QEMU.  For guest misbehaviour and monitor panics alike. */
void vcpu_kill(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
