/* test_decode.c — decode_insn against hand-written encodings whose lengths
 * come from the Intel SDM, plus the fields of a few of them. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "decode.h"

struct dt_case {
	const char *what;
	int len;		/* expected length, or a DECODE_E* code */
	uint8_t n;
	uint8_t bytes[16];
};

#define T(len, what, ...)						\
	{ what, len, sizeof((uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ } }

static const struct dt_case dt_cases[] = {
	/* one-byte forms, ModRM, SIB, displacements */
	T(1, "nop", 0x90),
	T(2, "add [eax],al", 0x00, 0x00),
	T(2, "add eax,ebx", 0x01, 0xd8),
	T(4, "add eax,[esp+8]", 0x03, 0x44, 0x24, 0x08),
	T(3, "mov eax,[esp]", 0x8b, 0x04, 0x24),
	T(6, "mov eax,[disp32]", 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12),
	T(7, "mov eax,[disp32] via SIB", 0x8b, 0x04, 0x25, 0x78, 0x56, 0x34,
	  0x12),
	T(7, "mov eax,[ecx*4+disp32]", 0x8b, 0x04, 0x8d, 0, 1, 0, 0),
	T(4, "mov eax,[ebp+ecx*4-4]", 0x8b, 0x44, 0x8d, 0xfc),
	T(7, "mov eax,[ebp+ecx*4+0x100]", 0x8b, 0x84, 0x8d, 0, 1, 0, 0),
	T(3, "mov eax,[ebp+0]", 0x8b, 0x45, 0x00),
	T(6, "mov eax,[eax+0x1000]", 0x8b, 0x80, 0, 0x10, 0, 0),
	T(3, "lea esi,[esi+0]", 0x8d, 0x76, 0x00),
	T(7, "lea esi,[esi+eiz+0]", 0x8d, 0xb4, 0x26, 0, 0, 0, 0),
	/* immediates and the operand-size prefix */
	T(2, "add al,0x7f", 0x04, 0x7f),
	T(5, "add eax,imm32", 0x05, 1, 2, 3, 4),
	T(4, "add ax,imm16", 0x66, 0x05, 1, 2),
	T(3, "add byte [eax],1", 0x80, 0x00, 0x01),
	T(6, "add dword [eax],imm32", 0x81, 0x00, 1, 2, 3, 4),
	T(5, "add word [eax],imm16", 0x66, 0x81, 0x00, 1, 2),
	T(3, "add dword [eax],-1", 0x83, 0x00, 0xff),
	T(3, "add byte [eax],1 (82)", 0x82, 0x00, 0x01),
	T(11, "add dword [esp+d32],imm32", 0x81, 0x84, 0x24, 1, 2, 3, 4, 5, 6,
	  7, 8),
	T(6, "imul eax,eax,imm32", 0x69, 0xc0, 1, 2, 3, 4),
	T(5, "imul ax,ax,imm16", 0x66, 0x69, 0xc0, 1, 2),
	T(3, "imul eax,eax,5", 0x6b, 0xc0, 0x05),
	T(5, "push imm32", 0x68, 1, 2, 3, 4),
	T(4, "push imm16", 0x66, 0x68, 1, 2),
	T(2, "push imm8", 0x6a, 0x01),
	T(2, "mov al,imm8", 0xb0, 0x12),
	T(5, "mov eax,imm32", 0xb8, 1, 2, 3, 4),
	T(4, "mov ax,imm16", 0x66, 0xb8, 1, 2),
	T(3, "mov byte [eax],imm8", 0xc6, 0x00, 0x12),
	T(6, "mov dword [eax],imm32", 0xc7, 0x00, 1, 2, 3, 4),
	T(5, "mov word [eax],imm16", 0x66, 0xc7, 0x00, 1, 2),
	T(10, "mov dword [d32],imm32", 0xc7, 0x05, 1, 2, 3, 4, 5, 6, 7, 8),
	T(3, "xabort", 0xc6, 0xf8, 0x12),
	T(6, "xbegin", 0xc7, 0xf8, 1, 2, 3, 4),
	/* moffs: sized by the address size, not the operand size */
	T(5, "mov al,[moffs32]", 0xa0, 1, 2, 3, 4),
	T(5, "mov eax,[moffs32]", 0xa1, 1, 2, 3, 4),
	T(5, "mov [moffs32],al", 0xa2, 1, 2, 3, 4),
	T(5, "mov [moffs32],eax", 0xa3, 1, 2, 3, 4),
	T(6, "mov ax,[moffs32]", 0x66, 0xa1, 1, 2, 3, 4),
	T(4, "mov eax,[moffs16]", 0x67, 0xa1, 1, 2),
	T(5, "mov ax,[moffs16]", 0x66, 0x67, 0xa1, 1, 2),
	T(6, "mov eax,fs:[0]", 0x64, 0xa1, 0, 0, 0, 0),
	/* far pointers, enter, returns */
	T(7, "call ptr16:32", 0x9a, 1, 2, 3, 4, 5, 6),
	T(7, "jmp ptr16:32", 0xea, 1, 2, 3, 4, 5, 6),
	T(6, "jmp ptr16:16", 0x66, 0xea, 1, 2, 3, 4),
	T(4, "enter 16,1", 0xc8, 0x10, 0x00, 0x01),
	T(5, "enterw 16,1", 0x66, 0xc8, 0x10, 0x00, 0x01),
	T(1, "leave", 0xc9),
	T(3, "ret 8", 0xc2, 0x08, 0x00),
	T(3, "retf 4", 0xca, 0x04, 0x00),
	T(1, "ret", 0xc3),
	T(1, "retf", 0xcb),
	T(1, "iret", 0xcf),
	/* branches */
	T(5, "call rel32", 0xe8, 1, 2, 3, 4),
	T(4, "call rel16", 0x66, 0xe8, 1, 2),
	T(5, "jmp rel32", 0xe9, 1, 2, 3, 4),
	T(2, "jmp rel8", 0xeb, 0xfe),
	T(2, "je rel8", 0x74, 0x05),
	T(3, "je rel8, ds hint", 0x3e, 0x74, 0x05),
	T(6, "je rel32", 0x0f, 0x84, 1, 2, 3, 4),
	T(5, "je rel16", 0x66, 0x0f, 0x84, 1, 2),
	T(2, "loop", 0xe2, 0xfe),
	T(2, "jecxz", 0xe3, 0x10),
	T(2, "call eax", 0xff, 0xd0),
	T(6, "jmp [d32]", 0xff, 0x25, 1, 2, 3, 4),
	T(3, "call far [eax+4]", 0xff, 0x58, 0x04),
	/* group 3: only test takes an immediate */
	T(3, "test bl,1", 0xf6, 0xc3, 0x01),
	T(3, "test byte [eax],imm8", 0xf6, 0x00, 0x12),
	T(6, "test dword [eax],imm32", 0xf7, 0x00, 1, 2, 3, 4),
	T(5, "test word [eax],imm16", 0x66, 0xf7, 0x00, 1, 2),
	T(6, "test /1 alias", 0xf7, 0x08, 1, 2, 3, 4),
	T(2, "not al", 0xf6, 0xd0),
	T(2, "neg dword [eax]", 0xf7, 0x18),
	T(3, "mul dword [eax+4]", 0xf7, 0x60, 0x04),
	T(2, "idiv ecx", 0xf7, 0xf9),
	/* shifts */
	T(3, "shl al,4", 0xc0, 0xe0, 0x04),
	T(3, "shl eax,4", 0xc1, 0xe0, 0x04),
	T(2, "shl eax,1", 0xd1, 0xe0),
	T(2, "shl eax,cl", 0xd3, 0xe0),
	/* I/O, interrupts, flags, misc */
	T(2, "in al,0x60", 0xe4, 0x60),
	T(2, "out 0x80,al", 0xe6, 0x80),
	T(1, "in al,dx", 0xec),
	T(1, "out dx,eax", 0xef),
	T(2, "out dx,ax", 0x66, 0xef),
	T(1, "insb", 0x6c),
	T(2, "rep outsd", 0xf3, 0x6f),
	T(2, "int 0x80", 0xcd, 0x80),
	T(1, "int3", 0xcc),
	T(1, "into", 0xce),
	T(1, "int1", 0xf1),
	T(1, "hlt", 0xf4),
	T(1, "cli", 0xfa),
	T(1, "sti", 0xfb),
	T(1, "pushf", 0x9c),
	T(1, "popf", 0x9d),
	T(1, "fwait", 0x9b),
	T(1, "cwde", 0x98),
	T(1, "pusha", 0x60),
	T(2, "aam", 0xd4, 0x0a),
	T(2, "bound eax,[ecx]", 0x62, 0x01),
	T(2, "arpl [eax],ax", 0x63, 0x00),
	T(2, "les eax,[esi]", 0xc4, 0x06),
	T(2, "lds eax,[esi]", 0xc5, 0x06),
	/* segment registers */
	T(2, "mov eax,ds", 0x8c, 0xd8),
	T(2, "mov ds,eax", 0x8e, 0xd8),
	T(3, "mov [eax+4],ss", 0x8c, 0x50, 0x04),
	T(1, "push es", 0x06),
	T(1, "pop es", 0x07),
	T(1, "push cs", 0x0e),
	T(1, "push ss", 0x16),
	T(1, "pop ss", 0x17),
	T(1, "push ds", 0x1e),
	T(1, "pop ds", 0x1f),
	T(2, "push fs", 0x0f, 0xa0),
	T(2, "pop fs", 0x0f, 0xa1),
	T(2, "push gs", 0x0f, 0xa8),
	T(2, "pop gs", 0x0f, 0xa9),
	T(3, "lss esp,[esi]", 0x0f, 0xb2, 0x26),
	T(3, "lfs eax,[esi]", 0x0f, 0xb4, 0x06),
	T(7, "lgs eax,[d32]", 0x0f, 0xb5, 0x05, 1, 2, 3, 4),
	/* system instructions */
	T(3, "ltr ax", 0x0f, 0x00, 0xd8),
	T(3, "sldt [eax]", 0x0f, 0x00, 0x00),
	T(4, "verr [eax+1]", 0x0f, 0x00, 0x60, 0x01),
	T(3, "lgdt [eax]", 0x0f, 0x01, 0x10),
	T(7, "lgdt [d32]", 0x0f, 0x01, 0x15, 1, 2, 3, 4),
	T(3, "lidt [eax]", 0x0f, 0x01, 0x18),
	T(3, "sgdt [eax]", 0x0f, 0x01, 0x00),
	T(4, "sidt [esp]", 0x0f, 0x01, 0x0c, 0x24),
	T(3, "smsw eax", 0x0f, 0x01, 0xe0),
	T(3, "lmsw ax", 0x0f, 0x01, 0xf0),
	T(3, "invlpg [eax]", 0x0f, 0x01, 0x38),
	T(7, "invlpg [d32]", 0x0f, 0x01, 0x3d, 1, 2, 3, 4),
	T(3, "rdtscp", 0x0f, 0x01, 0xf9),
	T(3, "mov eax,cr0", 0x0f, 0x20, 0xc0),
	T(3, "mov cr3,eax", 0x0f, 0x22, 0xd8),
	T(3, "mov eax,dr7", 0x0f, 0x21, 0xf8),
	T(3, "mov dr7,eax", 0x0f, 0x23, 0xf8),
	T(3, "mov eax,cr0 (mod 00 ignored)", 0x0f, 0x20, 0x05),
	T(3, "mov cr0,eax (mod 01 ignored)", 0x0f, 0x22, 0x40),
	T(2, "clts", 0x0f, 0x06),
	T(2, "invd", 0x0f, 0x08),
	T(2, "wbinvd", 0x0f, 0x09),
	T(2, "ud2", 0x0f, 0x0b),
	T(2, "wrmsr", 0x0f, 0x30),
	T(2, "rdtsc", 0x0f, 0x31),
	T(2, "rdmsr", 0x0f, 0x32),
	T(2, "rdpmc", 0x0f, 0x33),
	T(2, "sysenter", 0x0f, 0x34),
	T(2, "sysexit", 0x0f, 0x35),
	T(2, "cpuid", 0x0f, 0xa2),
	T(3, "lar eax,eax", 0x0f, 0x02, 0xc0),
	T(3, "lsl eax,[esi]", 0x0f, 0x03, 0x06),
	/* 0F integer forms gcc emits for i686 */
	T(3, "cmpxchg8b [esi]", 0x0f, 0xc7, 0x0e),
	T(4, "cmpxchg8b [esi+8]", 0x0f, 0xc7, 0x4e, 0x08),
	T(3, "cmpxchg [edx],cl", 0x0f, 0xb0, 0x0a),
	T(4, "lock cmpxchg [edx],ecx", 0xf0, 0x0f, 0xb1, 0x0a),
	T(3, "xadd [edx],eax", 0x0f, 0xc1, 0x02),
	T(3, "cmove eax,ecx", 0x0f, 0x44, 0xc1),
	T(3, "sete al", 0x0f, 0x94, 0xc0),
	T(3, "bt eax,ecx", 0x0f, 0xa3, 0xc8),
	T(4, "bt eax,5", 0x0f, 0xba, 0xe0, 0x05),
	T(5, "bts dword [eax+1],5", 0x0f, 0xba, 0x68, 0x01, 0x05),
	T(4, "shld edx,eax,4", 0x0f, 0xa4, 0xc2, 0x04),
	T(3, "shld edx,eax,cl", 0x0f, 0xa5, 0xc2),
	T(4, "shrd edx,eax,4", 0x0f, 0xac, 0xc2, 0x04),
	T(3, "shrd edx,eax,cl", 0x0f, 0xad, 0xc2),
	T(2, "bswap eax", 0x0f, 0xc8),
	T(3, "movzx eax,al", 0x0f, 0xb6, 0xc0),
	T(3, "movsx eax,word [esi]", 0x0f, 0xbf, 0x06),
	T(3, "imul eax,ecx", 0x0f, 0xaf, 0xc1),
	T(3, "bsf eax,ecx", 0x0f, 0xbc, 0xc1),
	T(4, "popcnt eax,ecx", 0xf3, 0x0f, 0xb8, 0xc1),
	T(3, "nop [eax]", 0x0f, 0x1f, 0x00),
	T(5, "nop [eax+eax+0]", 0x0f, 0x1f, 0x44, 0x00, 0x00),
	T(7, "nop [eax+d32]", 0x0f, 0x1f, 0x80, 0, 0, 0, 0),
	T(9, "nopw [eax+eax+d32]", 0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0),
	T(4, "endbr32", 0xf3, 0x0f, 0x1e, 0xfb),
	/* x87 */
	T(2, "fld st0", 0xd9, 0xc0),
	T(6, "fld qword [d32]", 0xdd, 0x05, 1, 2, 3, 4),
	T(4, "fadd dword [esp+4]", 0xd8, 0x44, 0x24, 0x04),
	T(2, "fnstsw ax", 0xdf, 0xe0),
	T(2, "fninit", 0xdb, 0xe3),
	T(3, "fnstcw [esp]", 0xd9, 0x3c, 0x24),
	/* MMX/SSE: ModRM and maybe imm8, mandatory prefixes change nothing */
	T(3, "movups xmm0,xmm1", 0x0f, 0x10, 0xc1),
	T(4, "movdqa xmm0,[esi]", 0x66, 0x0f, 0x6f, 0x06),
	T(4, "movdqu xmm0,[esi]", 0xf3, 0x0f, 0x6f, 0x06),
	T(4, "movsd xmm0,[esi]", 0xf2, 0x0f, 0x10, 0x06),
	T(3, "movaps xmm0,xmm1", 0x0f, 0x28, 0xc1),
	T(3, "ucomiss xmm0,xmm1", 0x0f, 0x2e, 0xc1),
	T(3, "xorps xmm0,xmm0", 0x0f, 0x57, 0xc0),
	T(4, "cmpps xmm0,xmm1,1", 0x0f, 0xc2, 0xc1, 0x01),
	T(5, "shufpd xmm0,xmm1,1", 0x66, 0x0f, 0xc6, 0xc1, 0x01),
	T(5, "pshufd xmm0,xmm1,0x1b", 0x66, 0x0f, 0x70, 0xc1, 0x1b),
	T(5, "psrldq xmm0,8", 0x66, 0x0f, 0x73, 0xd8, 0x08),
	T(4, "psrlw mm0,2", 0x0f, 0x71, 0xd0, 0x02),
	T(3, "pxor mm0,mm0", 0x0f, 0xef, 0xc0),
	T(4, "pxor xmm0,xmm0", 0x66, 0x0f, 0xef, 0xc0),
	T(4, "pinsrw mm0,eax,1", 0x0f, 0xc4, 0xc0, 0x01),
	T(3, "movnti [eax],ecx", 0x0f, 0xc3, 0x08),
	T(2, "emms", 0x0f, 0x77),
	T(6, "palignr xmm0,xmm1,8", 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08),
	T(5, "pshufb xmm0,xmm1", 0x66, 0x0f, 0x38, 0x00, 0xc1),
	T(5, "crc32 eax,ecx", 0xf2, 0x0f, 0x38, 0xf1, 0xc1),
	T(10, "pcmpistri xmm0,[d32],0x1a", 0x66, 0x0f, 0x3a, 0x63, 0x05, 1, 2,
	  3, 4, 0x1a),
	T(3, "mfence", 0x0f, 0xae, 0xf0),
	T(3, "stmxcsr [esi]", 0x0f, 0xae, 0x1e),
	T(3, "prefetchnta [esi]", 0x0f, 0x18, 0x06),
	T(3, "prefetchw [eax]", 0x0f, 0x0d, 0x08),
	T(6, "extrq xmm0,1,2", 0x66, 0x0f, 0x78, 0xc0, 0x01, 0x02),
	/* strings */
	T(1, "movsb", 0xa4),
	T(2, "rep movsd", 0xf3, 0xa5),
	T(3, "rep movsw", 0xf3, 0x66, 0xa5),
	T(1, "stosb", 0xaa),
	T(2, "rep stosd", 0xf3, 0xab),
	T(1, "lodsb", 0xac),
	T(1, "lodsd", 0xad),
	T(2, "repne scasb", 0xf2, 0xae),
	/* other prefixes */
	T(3, "mov eax,cs:[eax]", 0x2e, 0x8b, 0x00),
	T(7, "mov ecx,gs:[0x14]", 0x65, 0x8b, 0x0d, 0x14, 0, 0, 0),
	T(3, "lock inc dword [eax]", 0xf0, 0xff, 0x00),
	/* 16-bit addressing (67) */
	T(3, "mov eax,[bx]", 0x67, 0x8b, 0x07),
	T(3, "mov eax,[si] (rm 4: no SIB)", 0x67, 0x8b, 0x04),
	T(5, "mov eax,[disp16]", 0x67, 0x8b, 0x06, 0x34, 0x12),
	T(4, "mov eax,[bx+8]", 0x67, 0x8b, 0x47, 0x08),
	T(5, "mov eax,[bx+disp16]", 0x67, 0x8b, 0x87, 0x34, 0x12),
	T(4, "mov eax,[bp+0]", 0x67, 0x8b, 0x46, 0x00),
	T(4, "mov ax,[si]", 0x67, 0x66, 0x8b, 0x04),
	T(9, "mov dword [disp16],imm32", 0x67, 0xc7, 0x06, 0x34, 0x12, 1, 2,
	  3, 4),
	/* the 15-byte limit */
	T(15, "4 prefixes + 11-byte mov", 0x2e, 0x3e, 0x26, 0x64, 0xc7, 0x84,
	  0x24, 1, 2, 3, 4, 5, 6, 7, 8),
	T(DECODE_ELONG, "5 prefixes + 11-byte mov", 0x2e, 0x3e, 0x26, 0x64,
	  0x65, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8),
	T(15, "14 prefixes + nop", 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90),
	T(DECODE_ELONG, "15 prefixes + nop", 0x66, 0x66, 0x66, 0x66, 0x66,
	  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90),
	T(DECODE_ELONG, "10 prefixes + 6-byte mov", 0x3e, 0x3e, 0x3e, 0x3e,
	  0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x8b, 0x05, 1, 2, 3, 4),
	/* undefined opcodes and encodings this decoder leaves alone */
	T(DECODE_EBAD, "0f 04", 0x0f, 0x04),
	T(DECODE_EBAD, "0f 24 (mov tr)", 0x0f, 0x24, 0xc0),
	T(DECODE_EBAD, "0f 7a", 0x0f, 0x7a, 0xc0),
	T(DECODE_EBAD, "3DNow!", 0x0f, 0x0f, 0xc1, 0xb4),
	T(DECODE_EBAD, "VEX c5", 0xc5, 0xf8, 0x77),
	T(DECODE_EBAD, "VEX c4", 0xc4, 0xe2, 0x79, 0x00, 0xc1),
	T(DECODE_EBAD, "EVEX", 0x62, 0xf1, 0x7c, 0x48, 0x10, 0xc1),
	T(DECODE_EBAD, "XOP / pop /1", 0x8f, 0xc8, 0x00, 0x00, 0x00),
	T(DECODE_EBAD, "inc /2", 0xfe, 0x10),
	T(DECODE_EBAD, "ff /7", 0xff, 0x38),
	T(DECODE_EBAD, "call far eax", 0xff, 0xd8),
	T(DECODE_EBAD, "mov c6 /1", 0xc6, 0x08, 0x00),
	T(DECODE_EBAD, "lea reg form", 0x8d, 0xc0),
	T(DECODE_EBAD, "mov cs,eax", 0x8e, 0xc8),
	T(DECODE_EBAD, "0f b8 without f3", 0x0f, 0xb8, 0xc1),
	T(DECODE_EBAD, "0f 38 50", 0x0f, 0x38, 0x50, 0xc1),
	T(DECODE_EBAD, "0f 3a 30", 0x66, 0x0f, 0x3a, 0x30, 0xc1, 0x00),
	T(DECODE_EBAD, "0f 00 /7", 0x0f, 0x00, 0x38),
	T(DECODE_EBAD, "bt group /0", 0x0f, 0xba, 0xc0, 0x01),
};

/* Decode c padded with int3s, and again cut to each shorter length. */
static void dt_length(const struct dt_case *c)
{
	uint8_t buf[32];
	struct insn in;
	int got;

	memset(buf, 0xcc, sizeof(buf));
	memcpy(buf, c->bytes, c->n);
	got = decode_insn(buf, sizeof(buf), &in);
	CHECK(got == c->len, "%s: length %d, want %d", c->what, got, c->len);
	if (c->len < 0)
		return;
	CHECK(c->n == c->len, "%s: table gives %u bytes", c->what, c->n);
	CHECK(in.len == c->len, "%s: insn.len %u", c->what, in.len);
	got = decode_insn(buf, (unsigned)c->len, &in);
	CHECK(got == c->len, "%s: exact avail gives %d", c->what, got);
	for (int avail = 0; avail < c->len; avail++) {
		got = decode_insn(buf, (unsigned)avail, &in);
		CHECK(got == DECODE_ETRUNC, "%s: avail %d gives %d", c->what,
		      avail, got);
	}
}

static int dt_decode(struct insn *in, const uint8_t *b, unsigned n)
{
	int got = decode_insn(b, n, in);

	CHECK(got == (int)n, "decoding %u bytes from %02x gave %d", n, b[0],
	      got);
	return got;
}

#define DECODE(in, ...)							\
	dt_decode(in, (const uint8_t[]){ __VA_ARGS__ },			\
		  sizeof((uint8_t[]){ __VA_ARGS__ }))

static void dt_fields_prefixes(void)
{
	struct insn in;

	/* lock add word gs:[esp+8], 0x1234 */
	DECODE(&in, 0xf0, 0x65, 0x66, 0x81, 0x44, 0x24, 0x08, 0x34, 0x12);
	CHECK(in.lock && in.opsize && !in.addrsize && !in.rep && !in.repne,
	      "prefix flags");
	CHECK(in.seg == INSN_SEG_GS && in.nprefix == 3, "seg %d nprefix %u",
	      in.seg, in.nprefix);
	CHECK(in.map == INSN_MAP_ONE && in.op == 0x81, "opcode %u:%02x",
	      in.map, in.op);
	CHECK(in.has_modrm && in.modrm == 0x44 && in.mod == 1 && in.reg == 0 &&
	      in.rm == 4, "modrm %02x", in.modrm);
	CHECK(in.has_sib && in.sib == 0x24 && in.scale == 0 && in.index == 4 &&
	      in.base == 4, "sib %02x", in.sib);
	CHECK(in.disp_size == 1 && in.disp == 8, "disp %d/%u", in.disp,
	      in.disp_size);
	CHECK(in.imm_size == 2 && in.imm == 0x1234, "imm %#x/%u", in.imm,
	      in.imm_size);

	static const uint8_t segs[6] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	for (int i = 0; i < 6; i++) {
		DECODE(&in, segs[i], 0x8b, 0x00);
		CHECK(in.seg == i, "prefix %02x gives seg %d", segs[i], in.seg);
	}
	DECODE(&in, 0x26, 0x64, 0x8b, 0x00);
	CHECK(in.seg == INSN_SEG_FS, "last segment prefix wins: %d", in.seg);
	DECODE(&in, 0x8b, 0x00);
	CHECK(in.seg == -1 && in.nprefix == 0, "no prefix: seg %d", in.seg);
	DECODE(&in, 0xf3, 0xa5);
	CHECK(in.rep && !in.repne, "rep");
	DECODE(&in, 0xf2, 0xae);
	CHECK(in.repne && !in.rep, "repne");
}

static void dt_fields_operands(void)
{
	struct insn in;

	DECODE(&in, 0x8b, 0x45, 0xfc);
	CHECK(in.disp_size == 1 && in.disp == -4, "disp8 %d", in.disp);
	DECODE(&in, 0x8b, 0x85, 0x00, 0xff, 0xff, 0xff);
	CHECK(in.disp_size == 4 && in.disp == -256, "disp32 %d", in.disp);
	DECODE(&in, 0x8b, 0x44, 0x8d, 0xfc);
	CHECK(in.scale == 2 && in.index == 1 && in.base == 5 && in.mod == 1,
	      "sib fields %u %u %u", in.scale, in.index, in.base);
	DECODE(&in, 0x67, 0x8b, 0x87, 0x00, 0x80);
	CHECK(in.addrsize && !in.has_sib && in.disp_size == 2 &&
	      in.disp == -0x8000, "disp16 %d", in.disp);
	DECODE(&in, 0x67, 0xa1, 0x34, 0x92);
	CHECK(!in.has_modrm && in.disp_size == 2 && in.disp == 0x9234,
	      "moffs16 %#x", (unsigned)in.disp);
	DECODE(&in, 0xa3, 0x78, 0x56, 0x34, 0x12);
	CHECK(in.disp_size == 4 && in.disp == 0x12345678 && !in.imm_size,
	      "moffs32 %#x", (unsigned)in.disp);
	DECODE(&in, 0x83, 0xc0, 0xff);
	CHECK(in.imm_size == 1 && in.imm == 0xff, "imm8 is zero-extended");
	DECODE(&in, 0xea, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00);
	CHECK(in.imm_size == 4 && in.imm == 0x12345678 && in.imm2_size == 2 &&
	      in.imm2 == 8, "far pointer %#x:%#x", in.imm2, in.imm);
	DECODE(&in, 0xc8, 0x10, 0x20, 0x03);
	CHECK(in.imm_size == 2 && in.imm == 0x2010 && in.imm2_size == 1 &&
	      in.imm2 == 3, "enter %#x,%u", in.imm, in.imm2);
	DECODE(&in, 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08);
	CHECK(in.map == INSN_MAP_0F3A && in.op == 0x0f && in.imm == 8 &&
	      in.opsize, "palignr map %u op %02x", in.map, in.op);
	DECODE(&in, 0x0f, 0x38, 0xf1, 0xc1);
	CHECK(in.map == INSN_MAP_0F38 && in.op == 0xf1, "0f38 map %u", in.map);
	DECODE(&in, 0x0f, 0xb1, 0x0a);
	CHECK(in.map == INSN_MAP_0F && in.op == 0xb1 && in.reg == 1 &&
	      in.rm == 2, "cmpxchg fields");
	DECODE(&in, 0x0f, 0x20, 0x05);
	CHECK(in.mod == 3 && in.rm == 5 && in.disp_size == 0,
	      "mov cr is a register form: mod %u", in.mod);
	DECODE(&in, 0xf6, 0x18);
	CHECK(in.reg == 3 && in.imm_size == 0, "neg has no immediate");
}

int main(void)
{
	size_t n = sizeof(dt_cases) / sizeof(dt_cases[0]);

	for (size_t i = 0; i < n; i++)
		dt_length(&dt_cases[i]);
	dt_fields_prefixes();
	dt_fields_operands();
	char what[32];
	snprintf(what, sizeof(what), "%zu encodings", n);
	return check_done("test_decode", what);
}
