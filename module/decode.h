/* decode.h — the x86 instruction decoder for 32-bit protected-mode code:
 * lengths, prefixes and operand fields of one instruction. */
#ifndef DECODE_H
#define DECODE_H

#include <stdbool.h>
#include <stdint.h>

#define INSN_MAX_LEN 15		/* architectural limit, prefixes included */

/* Opcode maps: which escape bytes preceded insn.op. */
enum insn_map {
	INSN_MAP_ONE,		/* xx */
	INSN_MAP_0F,		/* 0F xx */
	INSN_MAP_0F38,		/* 0F 38 xx */
	INSN_MAP_0F3A,		/* 0F 3A xx */
};

/* Segment register numbers, in the encoding order used by mov sreg. */
enum insn_seg {
	INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS,
	INSN_SEG_GS,
};

/* decode_insn's failures. */
#define DECODE_ETRUNC	(-1)	/* ran past the bytes available */
#define DECODE_ELONG	(-2)	/* would exceed INSN_MAX_LEN */
#define DECODE_EBAD	(-3)	/* undefined opcode, or VEX/EVEX/XOP/3DNow! */

struct insn {
	uint8_t len;		/* total length, 1..INSN_MAX_LEN */
	uint8_t nprefix;	/* legacy prefix bytes before the opcode */
	bool opsize;		/* 66: 16-bit operands (or SSE mandatory prefix) */
	bool addrsize;		/* 67: 16-bit addressing */
	bool rep;		/* F3 */
	bool repne;		/* F2 */
	bool lock;		/* F0 */
	int8_t seg;		/* last segment override (enum insn_seg), or -1 */
	uint8_t map;		/* enum insn_map */
	uint8_t op;		/* the opcode byte within its map */
	bool has_modrm;
	uint8_t modrm, mod, reg, rm;
	bool has_sib;
	uint8_t sib, scale, index, base;	/* scale is the field: x1 << scale */
	uint8_t disp_size;	/* 0, 1, 2 or 4 bytes */
	int32_t disp;		/* sign-extended; for moffs (A0-A3) the offset */
	uint8_t imm_size;	/* 0, 1, 2 or 4 bytes */
	uint8_t imm2_size;	/* 0, 1 or 2: a second immediate, see imm2 */
	uint32_t imm;		/* zero-extended: the consumer sign-extends */
	uint16_t imm2;		/* enter's imm8, ptr16:32's selector, extrq's */
};

/* Decode the instruction at buf, of which avail bytes may be read.  Returns
 * its length (1..15) and fills *out, or a negative DECODE_E* code. */
int decode_insn(const uint8_t *buf, unsigned avail, struct insn *out);

#endif
