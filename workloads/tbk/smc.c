/* smc.c — self-modifying code: code that has run is patched and run again,
 * code is generated into a data page and patched through a second mapping.
 * Reads of code must show the guest's own bytes, never a monitor's patches. */
#include "tbk.h"

#define ALIAS_VA   0xd0000000u   /* a second mapping of the jit page */
#define BUMPS      100

void tbk_main(uint32_t magic, const void *mbi);
typedef uint32_t code_fn(void);

/* The patch sites are named; the byte counts in the comments are what the
 * patches below rely on. */
extern uint8_t smc_imm[], smc_insert[], smc_remove[], smc_jump[], smc_ahead[];
extern uint8_t smc_sensitive[], smc_sensitive_end[];
extern uint32_t smc_counter;
uint32_t smc_bump(void);

__asm__(
	"	.text\n"
	/* b8 imm32 c3: the immediate is at +1 */
	"smc_imm:\n"
	"	movl $0x11111111, %eax\n"
	"	ret\n"
	/* 31 c0, then two nops at +2 to become pushf; pop %eax */
	"smc_insert:\n"
	"	xorl %eax, %eax\n"
	"	nop\n"
	"	nop\n"
	"	ret\n"
	/* 8c c8 (mov %cs, %eax) at +0 to become 31 c0 (xor %eax, %eax) */
	"smc_remove:\n"
	"	movl %cs, %eax\n"
	"	ret\n"
	/* b8 01.. (5), then eb 05 at +5: its displacement at +6 */
	"smc_jump:\n"
	"	movl $1, %eax\n"
	"	jmp 1f\n"
	"	movl $2, %eax\n"
	"1:	ret\n"
	/* the store writes the immediate of the very next instruction */
	"smc_ahead:\n"
	"	movl $0x33333333, 2f + 1\n"
	"2:	movl $0x11111111, %eax\n"
	"	ret\n"
	"smc_sensitive:\n"
	"	pushfl\n"
	"	popl %eax\n"
	"	movl %cs, %eax\n"
	"	smsw %eax\n"
	"	str %eax\n"
	"	ret\n"
	"smc_sensitive_end:\n"
	/* data on the page of code that runs */
	"	.globl smc_bump\n"
	"smc_bump:\n"
	"	incl smc_counter\n"
	"	movl smc_counter, %eax\n"
	"	ret\n"
	"	.balign 4\n"
	"smc_counter:\n"
	"	.long 0\n");

static uint8_t jit[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void patch(uint8_t *at, const char *bytes, unsigned n)
{
	volatile uint8_t *p = at;

	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)bytes[i];
}

static uint32_t run(const void *code)
{
	return ((code_fn *)code)();
}

static void show(const char *what, uint8_t *fn, unsigned off, const char *bytes, unsigned n,
		 uint32_t mask)
{
	uint32_t before = run(fn) & mask;

	patch(fn + off, bytes, n);
	con_printf("%s: %08x then %08x\n", what, before, run(fn) & mask);
}

static uint32_t checksum(const uint8_t *p, const uint8_t *end)
{
	uint32_t sum = 0;

	while (p < end)
		sum = sum * 31 + *p++;
	return sum;
}

static void patched_text(void)
{
	show("patched immediate", smc_imm, 1, "\x22\x22\x22\x22", 4, ~0u);
	show("pushf put in", smc_insert, 2, "\x9c\x58", 2, FL_SHOWN);
	show("mov from cs taken out", smc_remove, 0, "\x31\xc0", 2, ~0u);
	show("jump retargeted", smc_jump, 6, "\x00", 1, ~0u);
	con_printf("store to the next instruction: %08x\n", run(smc_ahead));
	for (int i = 0; i < BUMPS; i++)
		smc_bump();
	con_printf("data on a code page, %u increments: %u\n", BUMPS, smc_counter);

	uint32_t before = checksum(smc_sensitive, smc_sensitive_end);
	run(smc_sensitive);
	con_printf("bytes of a sensitive function before and after it ran: %08x %08x\n",
		   before, checksum(smc_sensitive, smc_sensitive_end));
}

static void generated(pte_t *root)
{
	uint8_t *alias = (uint8_t *)ALIAS_VA;
	uint32_t a, b, c;

	patch(jit, "\xb8\x78\x56\x34\x12\xc3", 6);        /* mov $0x12345678, %eax */
	a = run(jit);
	patch(jit, "\x31\xc0\x9c\x58\xc3", 5);            /* xor; pushf; pop %eax */
	b = run(jit) & FL_SHOWN;
	patch(jit, "\x8c\xd0\xc3", 3);                    /* mov %ss, %eax */
	c = run(jit);
	con_printf("generated code: %08x, %08x, %08x\n", a, b, c);

	vm_map(root, ALIAS_VA, (uint32_t)jit, PTE_W);
	patch(jit, "\xb8\x44\x44\x44\x44\xc3", 6);
	a = run(jit);
	patch(alias + 1, "\x55\x55\x55\x55", 4);
	b = run(jit);
	patch(jit + 1, "\x66\x66\x66\x66", 4);
	c = run(alias);
	con_printf("patched through an alias: %08x then %08x; run through it after a "
		   "patch: %08x\n", a, b, c);
}

void tbk_main(uint32_t magic, const void *mbi)
{
	(void)mbi;
	tbk_up("smc");
	if (magic != 0x2BADB002)
		tbk_fail("not booted through Multiboot");
	cpu_init();
	trap_init();
	pte_t *root = vm_kernel();
	vm_enable(root);
	patched_text();
	generated(root);
	tbk_done();
}
