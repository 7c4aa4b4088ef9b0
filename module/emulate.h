/* emulate.h — emulation of one decoded guest instruction against guest
 * registers and memory, with exactly the effects native execution has. */
#ifndef EMULATE_H
#define EMULATE_H

#include <stdint.h>
#include "decode.h"

#define EMU_UNSUPPORTED	(-1)	/* not handled here; nothing was changed */
#define EMU_FAULT	(-2)	/* a memory callback failed; nothing changed */

/* EFLAGS bits the emulator reads or writes. */
#define EMU_FL_CF	0x0001u
#define EMU_FL_PF	0x0004u
#define EMU_FL_AF	0x0010u
#define EMU_FL_ZF	0x0040u
#define EMU_FL_SF	0x0080u
#define EMU_FL_DF	0x0400u
#define EMU_FL_OF	0x0800u
#define EMU_FL_ARITH	(EMU_FL_CF | EMU_FL_PF | EMU_FL_AF | EMU_FL_ZF | \
			 EMU_FL_SF | EMU_FL_OF)

/* General registers in encoding order. */
enum emu_gpr { EMU_EAX, EMU_ECX, EMU_EDX, EMU_EBX, EMU_ESP, EMU_EBP, EMU_ESI,
	       EMU_EDI };

struct emu_regs {
	uint32_t gpr[8];	/* enum emu_gpr order */
	uint32_t eip;
	uint32_t eflags;
	uint32_t seg_base[6];	/* enum insn_seg order: ES CS SS DS FS GS */
};

/* Guest memory by linear address; dst/src hold guest bytes in guest
 * (little-endian) order.  Return 0, or negative when the access faults.  A
 * write must be all or nothing: the emulator issues at most one per
 * instruction, after all its reads. */
struct emu_mem {
	int (*read)(void *ctx, uint32_t lin, void *dst, unsigned n);
	int (*write)(void *ctx, uint32_t lin, const void *src, unsigned n);
	void *ctx;
};

/* The instruction's principal memory operand: its explicit (ModRM or moffs)
 * memory operand if it has one; otherwise (push/pop of a register or an
 * immediate, movs/stos/lods) the stack slot or string element written, or if
 * nothing is written the one read.  So a movs reports its destination and
 * not its source.  read/write say what was done to that location; size 0
 * means no memory was touched (register forms, rep with ECX = 0). */
struct emu_access {
	uint32_t addr;		/* linear */
	uint8_t size;
	uint8_t read;
	uint8_t write;
};

/* Emulate in (decoded from guest EIP r->eip) on r and m.  Returns 0 with
 * r->eip = r->eip + in->len (except a rep string iteration that leaves ECX
 * non-zero: EIP stays so the instruction runs again), EMU_UNSUPPORTED or
 * EMU_FAULT with r and memory untouched.  *acc (if acc is not NULL) is
 * filled only on success.
 *
 * Handled, for 8/16/32-bit operands: mov 88-8B C6/C7 /0 A0-A3; movzx/movsx;
 * push r/m, reg, imm; pop r/m, reg; add or adc sbb and sub xor cmp with a
 * ModRM operand (00-3B) and group 1 (80-83); test 84/85 F6/F7 /0 /1; not,
 * neg; inc, dec; xchg; cmpxchg; xadd; movs stos lods with rep (one iteration
 * per call); setcc; the shift/rotate group C0 C1 D0-D3.  Anything with a 67
 * prefix is unsupported.  Stack accesses use 32-bit ESP (a 32-bit SS). */
int emulate_insn(struct emu_regs *r, const struct insn *in,
		 const struct emu_mem *m, struct emu_access *acc);

/* The linear address of in's ModRM memory operand under r: 0 and *lin, or
 * EMU_UNSUPPORTED for a register operand, no ModRM or 16-bit addressing. */
int emu_operand_addr(const struct emu_regs *r, const struct insn *in,
		     uint32_t *lin);

#endif
