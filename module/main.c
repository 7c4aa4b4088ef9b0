/* main.c — from Multiboot entry to the guest's first instruction: own the
 * machine (tables, paging, ring), load the guest, drop it to ring 3. */
#include "guest.h"
#include "kill.h"
#include "knobs.h"
#include "layout.h"
#include "lib.h"
#include "multiboot.h"
#include "paging.h"
#include "protect.h"
#include "lapic.h"
#include "pic.h"
#include "ring.h"
#include "shadow.h"
#include "tables.h"
#include "trap.h"
#include "vcpu.h"
#include "x86.h"

void monitor_main(uint32_t magic, const struct mb_info *mbi);
extern char __monitor_end[];

/* The guest module must sit in the monitor's part of RAM, where QEMU puts it
 * right after the monitor image. */
static const struct mb_module *guest_modules(const struct mb_info *mbi)
{
	if (!(mbi->flags & MB_INFO_MODS) || mbi->mods_count < 1)
		vcpu_kill("no guest image: QEMU passed no Multiboot module");
	const struct mb_module *mods = (const struct mb_module *)mbi->mods_addr;
	for (unsigned i = 0; i < mbi->mods_count; i++)
		if (mods[i].start < (uint32_t)__monitor_end || mods[i].end > RAM_END ||
		    mods[i].end < mods[i].start)
			vcpu_kill("guest module at %08x-%08x is outside the monitor's memory",
				  mods[i].start, mods[i].end);
	return mods;
}

void monitor_main(uint32_t magic, const struct mb_info *mbi)
{
	/* The first return to the guest takes the normal way: from a frame on
	 * the trap stack, shaped as a trap from ring 3 leaves it. */
	struct trap_frame *boot =
		(struct trap_frame *)(trap_stack + TRAP_STACK_SIZE - sizeof(struct trap_frame));
	char err[RING_REASON_LEN] = "";
	struct guest_boot gb;

	paging_init();   /* first: the tables live in the switcher */
	tables_init();
	shadow_flush();
	pic_init();
	lapic_init();
	if (magic == MB_BOOT_MAGIC && (mbi->flags & MB_INFO_CMDLINE))
		knobs_parse((const char *)mbi->cmdline, err, sizeof(err));
	ring_init(knobs.ring_records);
	if (magic != MB_BOOT_MAGIC)
		vcpu_kill("monitor not started by a Multiboot loader");
	if (err[0])
		vcpu_kill("%s", err);
	vcpu_init();
	if (guest_load(mbi, guest_modules(mbi), mbi->mods_count, &gb, err, sizeof(err)))
		vcpu_kill("%s", err);
	protect_update();

	/* The machine state Multiboot promises: flat segments, EAX magic, EBX
	 * the info block; the guest runs at ring 3 on the monitor's boot
	 * segments until it loads its own GDT. */
	memset(boot, 0, sizeof(*boot));
	boot->cs = gb.cs ? gb.cs | 3u : SEL_BOOT_CS;
	boot->ds = boot->es = boot->fs = boot->gs = gb.ds ? gb.ds : SEL_BOOT_DS;
	boot->ss = gb.ds ? gb.ds | 3u : SEL_BOOT_DS;
	boot->eip = gb.eip;
	boot->eflags = REAL_EFLAGS;
	boot->eax = gb.eax;
	boot->ebx = gb.ebx;
	boot->esi = gb.esi;
	enter_guest(boot, shadow_cr3());
}
