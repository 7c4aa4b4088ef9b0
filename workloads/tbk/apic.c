/* apic.c — the test kernel that drives the PC's interrupt and timer devices
 * by address, as an SMP-capable kernel does on one CPU: the local APIC
 * (its registers, self-IPIs with their priorities, in-service and request
 * registers, its timer), the I/O APIC routing the PIT and the HPET's
 * counter.  Every line it prints is what the devices and the CPU decide,
 * never a time: natively and under the monitor the transcript must be the
 * same (module/lapic.c, module/mmio.c).
 *
 * With "refuse=WHAT" on its command line it instead makes one request of
 * the PC's devices that the monitor refuses (an INIT IPI, an NMI route, a
 * low vector, an FSB-routed HPET timer, an SMI command, ACPI sleep), for
 * tests/integration/devices_refused.sh. */
#include "tbk.h"

void tbk_main(uint32_t magic, const void *mbi);

#define LAPIC      0xfee00000u
#define IOAPIC     0xfec00000u
#define HPET       0xfed00000u
#define ID         0x020u
#define VERSION    0x030u
#define TPR        0x080u
#define PPR        0x0a0u
#define EOI        0x0b0u
#define SVR        0x0f0u
#define ISR        0x100u
#define IRR        0x200u
#define ICR_LO     0x300u
#define ICR_HI     0x310u
#define LVT_TIMER  0x320u
#define LVT_LINT0  0x350u
#define LVT_LINT1  0x360u
#define TIMER_INIT 0x380u
#define TIMER_NOW  0x390u
#define TIMER_DIV  0x3e0u
#define SELF       (1u << 18)    /* ICR destination shorthand: self */
#define MASKED     (1u << 16)
#define V_FIRST    0x41u         /* class 4 */
#define V_HIGH     0x61u         /* class 6: preempts class 4 */
#define V_SAME     0x42u         /* class 4: waits for the first's EOI */
#define V_TIMER    0x38u         /* where the monitor's real PIC also delivers */
#define V_PIT      0x70u
#define V_SPURIOUS 0xffu
#define SMI_CMD    0xb2u         /* QEMU's FADT: the APM control port */
#define PM1A_CNT   0x604u        /* the PIIX4's PM base (SeaBIOS: 0x600) + 4 */

static uint32_t rd(uint32_t base, uint32_t off) { return *(volatile uint32_t *)(base + off); }
static void wr(uint32_t base, uint32_t off, uint32_t v) { *(volatile uint32_t *)(base + off) = v; }

static uint32_t bit(uint32_t reg, unsigned v)
{
	return (rd(LAPIC, reg + v / 32 * 0x10) >> (v % 32)) & 1;
}

static void self_ipi(unsigned v)
{
	wr(LAPIC, ICR_HI, 0);
	wr(LAPIC, ICR_LO, SELF | v);
}

static unsigned order[8], n_order, pit_ticks, spurious;

static struct trapframe *on_first(struct trapframe *tf)
{
	order[n_order++] = tf->vector;
	con_printf("in %02x: isr %u, ppr %02x\n", tf->vector, bit(ISR, V_FIRST), rd(LAPIC, PPR));
	self_ipi(V_HIGH);
	self_ipi(V_SAME);
	con_printf("in %02x: irr %02x %u, irr %02x %u, isr %02x %u\n", tf->vector, V_HIGH,
		   bit(IRR, V_HIGH), V_SAME, bit(IRR, V_SAME), V_HIGH, bit(ISR, V_HIGH));
	wr(LAPIC, EOI, 0);
	return tf;
}

static struct trapframe *on_vector(struct trapframe *tf)
{
	order[n_order++] = tf->vector;
	wr(LAPIC, EOI, 0);
	return tf;
}

static struct trapframe *on_pit(struct trapframe *tf)
{
	pit_ticks++;
	wr(LAPIC, EOI, 0);
	return tf;
}

static struct trapframe *on_spurious(struct trapframe *tf)
{
	spurious++;   /* no EOI: it was never in service */
	return tf;
}

static void lapic_registers(void)
{
	uint32_t a = 1, b, c, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	con_printf("cpuid: local apic %s\n", (d >> 9) & 1 ? "yes" : "no");
	con_printf("lapic: id %02x, version %08x, svr %08x, lint0 %08x, lint1 %08x\n",
		   rd(LAPIC, ID) >> 24, rd(LAPIC, VERSION), rd(LAPIC, SVR), rd(LAPIC, LVT_LINT0),
		   rd(LAPIC, LVT_LINT1));
	wr(LAPIC, SVR, 0x100u | V_SPURIOUS);
	wr(LAPIC, TPR, 0);
	con_printf("lapic: enabled, svr %08x, tpr %02x, ppr %02x\n", rd(LAPIC, SVR),
		   rd(LAPIC, TPR), rd(LAPIC, PPR));
}

/* With interrupts off the IPI waits in IRR; once on, the three vectors run
 * in priority order: the first, the higher one it sent, then the other. */
static void self_ipis(void)
{
	cli();
	self_ipi(V_FIRST);
	con_printf("ipi %02x sent: irr %u, isr %u\n", V_FIRST, bit(IRR, V_FIRST), bit(ISR, V_FIRST));
	sti();
	for (volatile int i = 0; i < 1000 && n_order < 3; i++)
		;
	cli();
	con_printf("ipis ran in order:");
	for (unsigned i = 0; i < n_order; i++)
		con_printf(" %02x", order[i]);
	con_printf("; isr %u %u %u\n", bit(ISR, V_FIRST), bit(ISR, V_HIGH), bit(ISR, V_SAME));
}

static void lapic_timer(void)
{
	n_order = 0;
	wr(LAPIC, TIMER_DIV, 0xb);           /* divide by 1 */
	wr(LAPIC, LVT_TIMER, V_TIMER);       /* one-shot */
	wr(LAPIC, TIMER_INIT, 100000);
	while (!n_order)
		sti_hlt();
	cli();
	con_printf("timer: vector %02x, count now %u, lvt %08x\n", order[0], rd(LAPIC, TIMER_NOW),
		   rd(LAPIC, LVT_TIMER));
	wr(LAPIC, LVT_TIMER, MASKED | V_TIMER);
}

static uint32_t ioapic_rd(uint32_t reg)
{
	wr(IOAPIC, 0x00, reg);
	return rd(IOAPIC, 0x10);
}

static void ioapic_wr(uint32_t reg, uint32_t v)
{
	wr(IOAPIC, 0x00, reg);
	wr(IOAPIC, 0x10, v);
}

/* The PIT reaches the I/O APIC on pin 2 (the MADT's override of IRQ 0),
 * with every 8259 line masked. */
static void ioapic_pit(void)
{
	uint32_t ver = ioapic_rd(0x01);
	con_printf("ioapic: id %02x, version %02x, %u pins, pin 2 %08x\n",
		   ioapic_rd(0x00) >> 24, ver & 0xff, ((ver >> 16) & 0xff) + 1, ioapic_rd(0x10 + 4));
	ioapic_wr(0x10 + 5, rd(LAPIC, ID) & 0xff000000u);
	ioapic_wr(0x10 + 4, V_PIT);
	pit_start(1000);
	while (pit_ticks < 3)
		sti_hlt();
	cli();
	ioapic_wr(0x10 + 4, MASKED | V_PIT);
	con_printf("ioapic: pin 2 took %s3 PIT ticks to vector %02x\n", pit_ticks >= 3 ? "" : "not ",
		   V_PIT);
	/* An unmasked route to vector 0, as Linux's check_timer writes one for
	 * a moment, on a pin nothing drives (QEMU wires PCI to pins 16-19). */
	ioapic_wr(0x10 + 2 * 23, 0);
	con_printf("ioapic: pin 23 routed to vector 0 reads back %08x\n", ioapic_rd(0x10 + 2 * 23));
	ioapic_wr(0x10 + 2 * 23, MASKED);
}

static void hpet(void)
{
	uint32_t cap = rd(HPET, 0x000);
	con_printf("hpet: vendor %04x, %u timers, revision %02x, period %u fs\n", cap >> 16,
		   ((cap >> 8) & 0x1f) + 1, cap & 0xff, rd(HPET, 0x004));
	wr(HPET, 0x010, rd(HPET, 0x010) | 1);   /* counter on */
	uint32_t a = rd(HPET, 0x0f0);
	for (volatile int i = 0; i < 10000; i++)
		;
	con_printf("hpet: counter %s\n", rd(HPET, 0x0f0) != a ? "advances" : "stands still");
	wr(HPET, 0x010, rd(HPET, 0x010) & ~1u);
}

/* One request the monitor must refuse (natively the INIT resets the PC,
 * the sleep powers it off, SeaBIOS ignores SMI command 0x42; the others
 * change nothing this kernel looks at). */
static void refuse(const char *what)
{
	con_printf("refuse: %s\n", what);
	if (!memcmp(what, "init", 4))
		wr(LAPIC, ICR_LO, SELF | (5u << 8));
	else if (!memcmp(what, "nmi", 3))
		ioapic_wr(0x10 + 2 * 9, 4u << 8);
	else if (!memcmp(what, "vector", 6))
		wr(LAPIC, LVT_TIMER, 0x0e);
	else if (!memcmp(what, "fsb", 3))
		wr(HPET, 0x100, 1u << 14);
	else if (!memcmp(what, "smi", 3))
		outb(SMI_CMD, 0x42);
	else if (!memcmp(what, "sleep", 5))
		__asm__ volatile("outw %0, %1" : : "a"((uint16_t)(1u << 13 | 5u << 10)), "Nd"((uint16_t)PM1A_CNT));
	con_printf("refuse: not refused\n");
}

/* The word after "refuse=" on the command line, copied (paging will hide
 * the Multiboot info), or 0. */
static const char *refusal(const struct mb_info *mb)
{
	static char word[16];
	if (!(mb->flags & 0x04))
		return 0;
	for (const char *s = (const char *)mb->cmdline; *s; s++) {
		if (memcmp(s, "refuse=", 7))
			continue;
		for (unsigned i = 0; i + 1 < sizeof(word) && s[7 + i] > ' '; i++)
			word[i] = s[7 + i];
		return word;
	}
	return 0;
}

void tbk_main(uint32_t magic, const void *mbi)
{
	tbk_up("apic");
	if (magic != 0x2BADB002)
		tbk_fail("not booted through Multiboot");
	cpu_init();
	pic_init();
	trap_set(V_FIRST, on_first, 0);
	trap_set(V_HIGH, on_vector, 0);
	trap_set(V_SAME, on_vector, 0);
	trap_set(V_TIMER, on_vector, 0);
	trap_set(V_PIT, on_pit, 0);
	trap_set(V_SPURIOUS, on_spurious, 0);
	/* Paging on, as a kernel runs: the devices through its page tables,
	 * cpuid through the monitor's scan of its code. */
	pte_t *root = vm_kernel();
	vm_map(root, LAPIC, LAPIC, PTE_P | PTE_W);
	vm_map(root, IOAPIC, IOAPIC, PTE_P | PTE_W);
	vm_map(root, HPET, HPET, PTE_P | PTE_W);
	const char *what = refusal(mbi);
	trap_init();
	vm_enable(root);
	if (what) {
		wr(LAPIC, SVR, 0x100u | V_SPURIOUS);
		refuse(what);
		tbk_done();
	}
	lapic_registers();
	self_ipis();
	lapic_timer();
	ioapic_pit();
	hpet();
	con_printf("spurious interrupts: %u\n", spurious);
	tbk_done();
}
