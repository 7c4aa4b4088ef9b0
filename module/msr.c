/* msr.c — the guest's model-specific registers.  Which MSRs exist, and what
 * they hold until the guest writes them, is the real CPU's: the monitor
 * runs on the CPU model the guest has natively (the same QEMU -cpu), so
 * SeaBIOS's MTRRs, the PAT and the APIC base read as natively.  The monitor
 * asks with an rdmsr that survives #GP; an MSR whose rdmsr faults is one
 * the CPU lacks.  What the guest writes is kept here and never reaches the
 * real CPU, which is the monitor's: MTRRs and PAT only steer caching, and
 * the caches are the monitor's too. */
#include "msr.h"
#include "kill.h"
#include "vcpu.h"
#include "x86.h"

#define MSR_TSC       0x10u
#define MSR_APIC_BASE 0x1bu
#define MSR_PRED_CMD  0x49u
#define MSR_FLUSH_CMD 0x10bu

/* The APIC base MSR's bits the monitor would have to virtualize: the
 * base, global enable (11) and x2APIC mode (10).  The BSP flag (8) is
 * read-only, the rest reserved. */
#define APIC_BASE_MOVABLE (~(uint64_t)0x3ff)

/* A kernel writes a few dozen at most: the MTRRs (8 variable pairs, 11
 * fixed, the default type), the PAT, sysenter, a few feature MSRs. */
#define MSR_KEPT_MAX 64

static struct kept_msr {
	uint32_t msr;
	uint64_t v;
} kept[MSR_KEPT_MAX];
static unsigned n_kept;

/* int msr_real(uint32_t msr, uint64_t *v): the real CPU's value and 0, or
 * -1 where its rdmsr takes #GP: msr_fixup resumes at msr_real_gp. */
int msr_real(uint32_t msr, uint64_t *v);
extern const char msr_real_at[], msr_real_gp[];
__asm__(".text\n"
	".globl msr_real\n"
	".type msr_real, @function\n"
	"msr_real:\n\t"
	"movl 4(%esp), %ecx\n"
	"msr_real_at:\n\t"
	"rdmsr\n\t"
	"movl 8(%esp), %ecx\n\t"
	"movl %eax, (%ecx)\n\t"
	"movl %edx, 4(%ecx)\n\t"
	"xorl %eax, %eax\n\t"
	"ret\n"
	"msr_real_gp:\n\t"
	"movl $-1, %eax\n\t"
	"ret\n"
	".size msr_real, . - msr_real");

int msr_fixup(struct trap_frame *f)
{
	if (f->vector != 13 || f->eip != (uint32_t)msr_real_at)
		return 0;
	f->eip = (uint32_t)msr_real_gp;
	return 1;
}

static struct kept_msr *kept_find(uint32_t msr)
{
	for (unsigned i = 0; i < n_kept; i++)
		if (kept[i].msr == msr)
			return &kept[i];
	return 0;
}

static enum outcome keep(uint32_t msr, uint64_t v)
{
	struct kept_msr *k = kept_find(msr);
	if (!k) {
		if (n_kept == MSR_KEPT_MAX)
			vcpu_kill("guest writes MSR %08x, one more than the %u MSRs the monitor keeps",
				  msr, MSR_KEPT_MAX);
		k = &kept[n_kept++];
		k->msr = msr;
	}
	k->v = v;
	return OUT_DONE;
}

/* Only EFER.NXE is the guest's (its page walks, walk.c); the monitor runs
 * with the real EFER. */
static void efer_write(uint64_t v)
{
	if (v & ~(uint64_t)EFER_NXE)
		vcpu_kill("guest sets EFER bits %08x the monitor does not virtualize",
			  (uint32_t)(v & ~(uint64_t)EFER_NXE));
	vcpu.efer = v;
}

enum outcome msr_read(uint32_t msr, uint64_t *v)
{
	const struct kept_msr *k;
	if (msr == MSR_EFER)
		*v = vcpu.efer;
	else if ((k = kept_find(msr)))
		*v = k->v;
	else if (msr_real(msr, v))
		return exc_raise(13, 0, 0);
	return OUT_DONE;
}

/* Not kept: the TSC (the monitor's clock for its records; the guest's
 * write is dropped), the APIC base (the guest's local APIC stays where it
 * is), and the write-only command MSRs (IBPB, L1D flush), which a CPU that
 * has them carries out on its predictors and caches, keeping nothing: the
 * real rdmsr of those faults, so they are taken before the probe. */
enum outcome msr_write(uint32_t msr, uint64_t v)
{
	uint64_t real;
	if (msr == MSR_EFER) {
		efer_write(v);
		return OUT_DONE;
	}
	if (msr == MSR_PRED_CMD || msr == MSR_FLUSH_CMD)
		return OUT_DONE;
	if (msr_real(msr, &real))
		return exc_raise(13, 0, 0);
	if (msr == MSR_TSC)
		return OUT_DONE;
	if (msr == MSR_APIC_BASE) {
		if ((v ^ real) & APIC_BASE_MOVABLE)
			vcpu_kill("guest moves or disables its local APIC (APIC base %08x to %08x%08x)",
				  (uint32_t)real, (uint32_t)(v >> 32), (uint32_t)v);
		return OUT_DONE;
	}
	return keep(msr, v);
}
