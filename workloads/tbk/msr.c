/* msr.c — the test kernel that reads the model-specific registers a kernel
 * probing its CPU reads (the APIC base, MTRRs, PAT, sysenter, EFER, machine
 * check and feature MSRs) and some the CPU model lacks, prints each value or
 * "#GP", then writes a few and reads them back.  Natively and under the
 * monitor (module/msr.c) the transcript must be the same. */
#include "tbk.h"

void tbk_main(uint32_t magic, const void *mbi);

#define MSR_TSC      0x10u
#define MSR_PRED_CMD 0x49u
#define MSR_PAT      0x277u
#define MSR_MTRR_BASE7 0x20eu
#define MSR_MTRR_MASK7 0x20fu
#define MSR_SYSENTER_EIP 0x176u
#define MSR_EFER     0xc0000080u
#define MSR_BOGUS    0x12345678u
#define EFER_NXE     (1u << 11)

/* What is read: name, number. */
static const struct {
	const char *name;
	uint32_t msr;
} reads[] = {
	{ "APIC base", 0x1b }, { "feature control", 0x3a }, { "microcode revision", 0x8b },
	{ "MTRRcap", 0xfe }, { "arch capabilities", 0x10a }, { "sysenter cs", 0x174 },
	{ "sysenter esp", 0x175 }, { "sysenter eip", 0x176 }, { "MCG_CAP", 0x179 },
	{ "MCG_STATUS", 0x17a }, { "misc enable", 0x1a0 },
	{ "MTRR base 0", 0x200 }, { "MTRR mask 0", 0x201 }, { "MTRR base 1", 0x202 },
	{ "MTRR mask 1", 0x203 }, { "MTRR base 2", 0x204 }, { "MTRR mask 2", 0x205 },
	{ "MTRR base 3", 0x206 }, { "MTRR mask 3", 0x207 }, { "MTRR base 4", 0x208 },
	{ "MTRR mask 4", 0x209 }, { "MTRR base 5", 0x20a }, { "MTRR mask 5", 0x20b },
	{ "MTRR base 6", 0x20c }, { "MTRR mask 6", 0x20d }, { "MTRR base 7", 0x20e },
	{ "MTRR mask 7", 0x20f }, { "MTRR fix64K_00000", 0x250 },
	{ "MTRR fix16K_80000", 0x258 }, { "MTRR fix16K_A0000", 0x259 },
	{ "MTRR fix4K_C0000", 0x268 }, { "MTRR fix4K_C8000", 0x269 },
	{ "MTRR fix4K_D0000", 0x26a }, { "MTRR fix4K_D8000", 0x26b },
	{ "MTRR fix4K_E0000", 0x26c }, { "MTRR fix4K_E8000", 0x26d },
	{ "MTRR fix4K_F0000", 0x26e }, { "MTRR fix4K_F8000", 0x26f }, { "PAT", 0x277 },
	{ "MTRRdefType", 0x2ff }, { "MC0_CTL", 0x400 }, { "EFER", 0xc0000080 },
	{ "STAR", 0xc0000081 }, { "LSTAR", 0xc0000082 }, { "PRED_CMD", 0x49 },
	{ "FLUSH_CMD", 0x10b }, { "unassigned 0x12345678", MSR_BOGUS },
	{ "unassigned 0x40000000", 0x40000000 },
};

/* rdmsr and wrmsr that survive #GP: 0, or 1 where it took one. */
static int rdmsr_safe(uint32_t msr, uint64_t *v)
{
	uint32_t lo = 0, hi = 0;
	trap_seen_clear();
	__asm__ volatile("1:\trdmsr\n2:\n\t" EXTABLE("1b", "2b")
			 : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*v = (uint64_t)hi << 32 | lo;
	return trap_seen.count != 0;
}

static int wrmsr_safe(uint32_t msr, uint64_t v)
{
	trap_seen_clear();
	__asm__ volatile("1:\twrmsr\n2:\n\t" EXTABLE("1b", "2b")
			 : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
	return trap_seen.count != 0;
}

/* " VALUE" or " #GP" (with the error code when it is not 0). */
static void print_read(uint32_t msr)
{
	uint64_t v;
	if (rdmsr_safe(msr, &v))
		con_printf(" #GP%s", trap_seen.err ? " with an error code" : "");
	else
		con_printf(" %08x_%08x", (uint32_t)(v >> 32), (uint32_t)v);
}

static void print_write(uint32_t msr, uint64_t v)
{
	con_printf("wrmsr %08x %08x_%08x:", msr, (uint32_t)(v >> 32), (uint32_t)v);
	con_puts(wrmsr_safe(msr, v) ? " #GP" : " ok");
}

/* Write, then read back. */
static void write_read(uint32_t msr, uint64_t v)
{
	print_write(msr, v);
	con_puts(", reads");
	print_read(msr);
	con_putc('\n');
}

static void writes(void)
{
	uint64_t v;
	/* Linux's PAT: WB, WC, UC-, UC, then the same again */
	write_read(MSR_PAT, 0x0007010600070106ull);
	/* variable MTRR 7, which SeaBIOS leaves unused: 1 MiB at 16 MiB, WB */
	write_read(MSR_MTRR_BASE7, 0x01000006ull);
	write_read(MSR_MTRR_MASK7, 0x0000000ffff00800ull);
	write_read(MSR_SYSENTER_EIP, 0xc0101234u);
	write_read(MSR_EFER, EFER_NXE);
	write_read(MSR_EFER, 0);
	/* a command, not a register: IBPB */
	write_read(MSR_PRED_CMD, 1);
	/* no read back: a CPU that lacks it (#GP) keeps nothing, but QEMU's
	 * TCG, which reads every MSR it does not model as 0, ignores the write
	 * where the monitor keeps it (docs/monitor.md) */
	print_write(MSR_BOGUS, 0x5a5a);
	con_putc('\n');
	/* the TSC counts on: only whether it is there */
	con_printf("TSC %s\n", rdmsr_safe(MSR_TSC, &v) ? "#GP" : "present");
}

void tbk_main(uint32_t magic, const void *mbi)
{
	(void)mbi;
	tbk_up("msr");
	if (magic != 0x2BADB002)
		tbk_fail("not booted by Multiboot");
	cpu_init();
	pic_init();   /* remapped and masked: no BIOS tick on vector 8 */
	trap_init();
	for (unsigned i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		con_printf("rdmsr %08x %s:", reads[i].msr, reads[i].name);
		print_read(reads[i].msr);
		con_putc('\n');
	}
	writes();
	tbk_done();
}
