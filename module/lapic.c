/* lapic.c — the guest drives QEMU's local APIC itself, as pic.c lets it
 * drive the 8259s: its timer, its priorities, its self-IPIs are the real
 * ones, so it reads what it would natively.  Two things are the monitor's.
 *
 * Writes that would take the CPU from the monitor stop the run: INIT,
 * startup, SMI and NMI messages (an NMI would land in the monitor itself),
 * and vectors below 32, which would reach the monitor's exception stubs.
 *
 * The in-service state.  The guest runs at ring 3 with real interrupts on,
 * so the CPU takes an APIC interrupt (setting its in-service bit) while the
 * guest's virtual IF may still be off: it then waits here, `pending`.  The
 * real in-service register is `pending`, the vectors delivered to the guest
 * and not yet ended (`serving`), and those the guest ended whose real EOI
 * had to wait (`owed`): a real EOI ends the highest vector in service, and
 * one the guest has not even seen must not end in its place.  The guest
 * reads ISR, IRR and PPR as its own CPU would show them. */
#include "lapic.h"
#include "kill.h"
#include "pic.h"
#include "x86.h"

#define REG(off) (*(volatile uint32_t *)(LAPIC_BASE + (off)))
#define TPR 0x080u
#define PPR 0x0a0u
#define EOI 0x0b0u
#define SVR 0x0f0u
#define ISR 0x100u   /* 8 registers 0x10 apart, 32 vectors each */
#define IRR 0x200u
#define ICR_LO 0x300u
#define LVT_TIMER 0x320u
#define LVT_LAST 0x370u   /* thermal, perf, LINT0, LINT1, error in between */
#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define DM(v) (((v) >> 8) & 7u)   /* delivery mode of an LVT entry or the ICR */
#define DM_FIXED 0u
#define DM_LOWEST 1u
#define DM_NMI 4u
#define DM_EXTINT 7u
#define CPUID_APIC (1u << 9)

struct vset { uint32_t w[8]; };
static struct vset pending, serving, owed;
static uint32_t svr;   /* the guest's spurious-vector register */
static int present, spurious;

static int has(const struct vset *s, unsigned v) { return (s->w[v / 32] >> (v % 32)) & 1; }
static void add(struct vset *s, unsigned v) { s->w[v / 32] |= 1u << (v % 32); }
static void del(struct vset *s, unsigned v) { s->w[v / 32] &= ~(1u << (v % 32)); }

/* The highest vector in any of the sets given, or -1. */
static int highest(const struct vset *a, const struct vset *b, const struct vset *c)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = a->w[i] | (b ? b->w[i] : 0) | (c ? c->w[i] : 0);
		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

void lapic_init(void)
{
	uint32_t r[4];
	cpuid(1, r);
	present = (r[3] & CPUID_APIC) != 0;
	if (present)
		svr = REG(SVR);
}

int lapic_present(void)
{
	return present;
}

/* A message or LVT entry the monitor cannot let the real APIC act on. */
static void check_delivery(uint32_t off, uint32_t v, int is_icr)
{
	unsigned dm = off == LVT_TIMER ? DM_FIXED : DM(v);
	unsigned vector = v & 0xff;
	if (is_icr ? dm > DM_LOWEST : dm != DM_FIXED && dm != DM_NMI && dm != DM_EXTINT)
		vcpu_kill("guest writes %08x to local APIC register %03x: delivery mode %u"
			  " is not virtualized", v, off, dm);
	if (dm <= DM_LOWEST && (is_icr || !(v & LVT_MASKED)) && vector < 32)
		vcpu_kill("guest writes %08x to local APIC register %03x: vectors below 32"
			  " are not virtualized", v, off);
}

/* The guest's EOI ends its highest vector in service; real EOIs follow
 * while the real highest is one the guest has ended. */
static void guest_eoi(void)
{
	int v = highest(&serving, 0, 0);
	if (v < 0)
		return;   /* nothing in service: an EOI does nothing */
	del(&serving, (unsigned)v);
	add(&owed, (unsigned)v);
	while ((v = highest(&pending, &serving, &owed)) >= 0 && has(&owed, (unsigned)v)) {
		REG(EOI) = 0;
		del(&owed, (unsigned)v);
	}
}

void lapic_write(uint32_t off, uint32_t v)
{
	if (off == EOI) {
		guest_eoi();
		return;
	}
	if (off == ICR_LO)
		check_delivery(off, v, 1);
	if (off >= LVT_TIMER && off <= LVT_LAST)
		check_delivery(off, v, 0);
	if (off == SVR) {
		if ((v & SVR_ENABLE) && (v & 0xff) < 32)
			vcpu_kill("guest sets the local APIC's spurious vector to %u: vectors"
				  " below 32 are not virtualized", v & 0xff);
		svr = v;
	}
	REG(off) = v;
}

/* PPR as the SDM defines it (vol. 3 §10.8.3.1), from the guest's view. */
static uint32_t guest_ppr(void)
{
	uint32_t tpr = REG(TPR) & 0xff;
	int isrv = highest(&serving, 0, 0);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

uint32_t lapic_read(uint32_t off)
{
	if (off >= ISR && off < ISR + 0x80)
		return serving.w[(off - ISR) / 0x10];
	if (off >= IRR && off < IRR + 0x80)
		return REG(off) | pending.w[(off - IRR) / 0x10];
	if (off == PPR)
		return guest_ppr();
	return REG(off);
}

int lapic_arrived(unsigned vector)
{
	if (!present || !(svr & SVR_ENABLE))
		return 0;
	int in_service = (REG(ISR + vector / 32 * 0x10) >> (vector % 32)) & 1;
	if (in_service && !has(&pending, vector) && !has(&serving, vector) && !has(&owed, vector)) {
		add(&pending, vector);
		return 1;
	}
	if (!in_service && vector == (svr & 0xff) && !pic_real_vector(vector)) {
		spurious = 1;   /* delivered without an in-service bit, no EOI */
		return 1;
	}
	if (in_service && !pic_real_vector(vector))
		vcpu_kill("vector %u arrived again from the local APIC while in service", vector);
	return 0;
}

int lapic_pending(void)
{
	return spurious || highest(&pending, 0, 0) >= 0;
}

unsigned lapic_take(void)
{
	int v = highest(&pending, 0, 0);
	if (v < 0) {
		spurious = 0;
		return svr & 0xff;
	}
	del(&pending, (unsigned)v);
	add(&serving, (unsigned)v);
	return (unsigned)v;
}
