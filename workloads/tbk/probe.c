/* probe.c — the accelerator probe (vmm/accel.c): the least a virtual CPU must
 * do for the monitor to run on it.  Its own GDT, IDT and TSS; paging on; a
 * ring 3 → ring 0 → ring 3 round trip through an exception (#GP from cli);
 * back to ring 0 through int $0x80; the end through port 0xf4.  Each step is
 * announced first, so that a CPU that stops the guest is named with the step
 * it stopped at ("probe: step NAME"). */
#include "tbk.h"

void tbk_main(uint32_t magic, const void *mbi);

/* At ring 3: cli faults (#GP, IOPL 0), the handler resumes after it, and
 * the fault it saw is returned. */
USER_TEXT static uint64_t ring3_round_trip(uint32_t arg)
{
	(void)arg;
	__asm__ volatile("1:\tcli\n2:\n\t" EXTABLE("1b", "2b") ::: "memory");
	return 0;
}

static void step(const char *name)
{
	con_printf("probe: step %s\n", name);
}

void tbk_main(uint32_t magic, const void *mbi)
{
	pte_t *root;

	(void)mbi;
	tbk_up("probe");
	if (magic != 0x2BADB002)
		tbk_fail("not booted through Multiboot");
	step("descriptor tables");
	cpu_init();
	pic_init();   /* remapped and masked: no BIOS tick on vector 8 at ring 3 */
	root = vm_kernel();
	user_init(root);
	trap_init();
	step("paging");
	vm_enable(root);
	step("ring 3 round trip");
	trap_seen_clear();
	run_user(ring3_round_trip, 0);
	if (trap_seen.count != 1 || trap_seen.vector != T_GP || trap_seen.cpl != 3)
		tbk_fail("ring 3 cli: %u traps, the last %02x at cpl %u (want one #GP at cpl 3)",
			 trap_seen.count, trap_seen.vector, trap_seen.cpl);
	step("exit");
	tbk_done();
}
