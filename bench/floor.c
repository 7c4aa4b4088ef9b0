/* floor.c — bench kernel, booted natively only: the floor a monitor trap is
 * measured against.  The kernel drops to ring 3 (IOPL 3, so ring 3 may
 * print and exit) and times N bare ring 3 -> ring 0 -> ring 3 round trips
 * ("n=N"), two ways:
 *   gp:  `hlt` at ring 3 raises #GP; the handler drops the error code,
 *        steps over the 1-byte hlt and irets (3 instructions);
 *   int: `int $0x81` through a DPL-3 gate to a handler that only irets.
 * Under the monitor this kernel cannot run as intended (it is the floor). */
#include "bench.h"

void tbk_main(uint32_t magic, const void *mbi);
void floor_gp(void), floor_int(void);
__attribute__((noreturn)) void floor_user(void);

IDT_PAGE uint64_t bench_idt[256];
static uint8_t user_stack[16384] __attribute__((aligned(16)));
static uint32_t rounds;

__asm__(
	"	.text\n"
	"	.globl floor_gp, floor_int\n"
	"floor_gp:\n"
	"	addl $4, %esp\n"        /* the error code */
	"	addl $1, (%esp)\n"      /* past the hlt */
	"	iret\n"
	"floor_int:\n"
	"	iret\n");

void floor_user(void)
{
	uint32_t n = rounds;
	uint64_t t0 = bench_tsc();
	for (uint32_t i = 0; i < n; i++)
		__asm__ volatile("hlt" ::: "memory");
	uint64_t t1 = bench_tsc();
	for (uint32_t i = 0; i < n; i++)
		__asm__ volatile("int $0x81" ::: "memory");
	uint64_t t2 = bench_tsc();
	/* the empty loop: what the loop costs without the round trip */
	for (uint32_t i = 0; i < n; i++)
		__asm__ volatile("nop" ::: "memory");
	uint64_t t3 = bench_tsc();
	bench_report("gp", n, t1 - t0);
	bench_report("int", n, t2 - t1);
	bench_report("loop", n, t3 - t2);
	tbk_done();
}

void tbk_main(uint32_t magic, const void *mbi)
{
	(void)magic;
	rounds = bench_arg(mbi, "n", 100000);
	tbk_up("floor");
	cpu_init();
	bench_idt[T_GP] = desc_gate(SEL_KCODE, (uint32_t)floor_gp, ACC_P | ACC_INTR_GATE);
	bench_idt[0x81] = desc_gate(SEL_KCODE, (uint32_t)floor_int,
				    ACC_P | ACC_DPL(3) | ACC_INTR_GATE);
	lidt(bench_idt, sizeof(bench_idt) - 1);
	/* to ring 3: data segments first (DPL 3, loadable at ring 0), then
	 * iret with IOPL 3 and IF clear */
	__asm__ volatile(
		"movw %w0, %%ds\n\tmovw %w0, %%es\n\tmovw %w0, %%fs\n\tmovw %w0, %%gs\n\t"
		"pushl %0\n\tpushl %1\n\tpushl $0x3002\n\tpushl %2\n\tpushl %3\n\tiret"
		: : "r"((uint32_t)SEL_UDATA), "r"((uint32_t)(user_stack + sizeof(user_stack))),
		    "i"(SEL_UCODE), "r"(floor_user)
		: "memory");
	__builtin_unreachable();
}
