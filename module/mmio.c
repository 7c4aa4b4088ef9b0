/* mmio.c — the device pages a PC kernel programs by address: the local
 * APIC (lapic.c), the I/O APIC and the HPET, at the addresses QEMU's PC
 * gives them and its MADT and HPET tables announce.  Like the 8259s and
 * the PIT, they are QEMU's own devices, passed through: the guest sees
 * their real registers.  Their pages are never mapped for the guest (the
 * shadow maps guest RAM only), so every access faults, is decoded
 * (pagefault.c) and reaches gmem, which sends it here.  The monitor maps
 * them for itself, uncached (paging.c).
 *
 * Writes that would let the devices act past the guest are refused with a
 * reason: I/O APIC routes that send SMI, NMI or INIT, or vectors 16-31
 * (they would enter the monitor's exception stubs), and HPET timers that
 * deliver by FSB message (a memory write to any address).  A route to a
 * vector below 16 is one no local APIC accepts (SDM vol. 3 §10.5.2: an
 * illegal vector, dropped): the guest reads back what it wrote, the device
 * holds the pin masked meanwhile. */
#include "mmio.h"
#include "kill.h"
#include "lapic.h"
#include "lib.h"

#define IOAPIC_BASE 0xfec00000u
#define HPET_BASE 0xfed00000u
#define IOREGSEL 0x00u
#define IOWIN 0x10u
#define IOAPIC_RTE0 0x10u   /* redirection entries: two registers each */
#define RTE_MASKED (1u << 16)
#define RTE_STATUS ((1u << 12) | (1u << 14))   /* delivery status, remote IRR */
#define IOAPIC_PINS 24
#define HPET_TIMER0 0x100u  /* timer n's configuration at 0x100 + 0x20 n */
#define HPET_FSB_EN (1u << 14)

static uint32_t ioregsel;   /* the register the guest selected */
static uint32_t held_pins;              /* pins routed to an illegal vector */
static uint32_t held_route[IOAPIC_PINS];   /* their routes as the guest wrote them */

static volatile uint32_t *reg(uint32_t gpa)
{
	return (volatile uint32_t *)gpa;
}

int mmio_frame(uint32_t gpa)
{
	uint32_t frame = gpa & ~0xfffu;
	return frame == IOAPIC_BASE || frame == HPET_BASE ||
	       (frame == LAPIC_BASE && lapic_present());
}

/* Device registers are 32 bits wide, read and written whole. */
static uint32_t offset(uint32_t gpa, unsigned n, const char *what)
{
	if (n != 4 || (gpa & 3))
		vcpu_kill("guest %s %u bytes at device register %08x: only aligned"
			  " 32-bit accesses are emulated", what, n, gpa);
	return gpa & 0xfffu;
}

/* The route register the guest selected, as pin number, or -1. */
static int selected_route(void)
{
	if (ioregsel < IOAPIC_RTE0 || (ioregsel & 1) || ioregsel >= IOAPIC_RTE0 + 2 * IOAPIC_PINS)
		return -1;
	return (int)(ioregsel - IOAPIC_RTE0) / 2;
}

void mmio_read(uint32_t gpa, void *dst, unsigned n)
{
	uint32_t off = offset(gpa, n, "reads"), v;
	int pin = (gpa & ~0xfffu) == IOAPIC_BASE && off == IOWIN ? selected_route() : -1;
	if ((gpa & ~0xfffu) == LAPIC_BASE)
		v = lapic_read(off);
	else
		v = *reg(gpa);
	if (pin >= 0 && (held_pins >> pin) & 1)
		v = (held_route[pin] & ~RTE_STATUS) | (v & RTE_STATUS);
	memcpy(dst, &v, 4);
}

/* What of the guest's write v to the selected register reaches the device. */
static uint32_t ioapic_route(uint32_t v)
{
	int pin = selected_route();
	if (pin < 0)
		return v;
	held_pins &= ~(1u << pin);
	if (v & RTE_MASKED)
		return v;
	unsigned dm = (v >> 8) & 7;
	if (dm == 2 || dm == 4 || dm == 5)
		vcpu_kill("guest routes I/O APIC pin %d with delivery mode %u: not virtualized",
			  pin, dm);
	if (dm <= 1 && (v & 0xff) < 16) {
		held_pins |= 1u << pin;
		held_route[pin] = v;
		return v | RTE_MASKED;
	}
	if (dm <= 1 && (v & 0xff) < 32)
		vcpu_kill("guest routes I/O APIC pin %d to vector %u: vectors 16-31 are"
			  " not virtualized", pin, v & 0xff);
	return v;
}

static void hpet_check(uint32_t off, uint32_t v)
{
	if (off >= HPET_TIMER0 && (off - HPET_TIMER0) % 0x20 == 0 && (v & HPET_FSB_EN))
		vcpu_kill("guest makes HPET timer %u deliver by FSB message: not virtualized",
			  (off - HPET_TIMER0) / 0x20);
}

void mmio_write(uint32_t gpa, const void *src, unsigned n)
{
	uint32_t off = offset(gpa, n, "writes"), v;
	memcpy(&v, src, 4);
	switch (gpa & ~0xfffu) {
	case LAPIC_BASE:
		lapic_write(off, v);
		return;
	case IOAPIC_BASE:
		if (off == IOREGSEL)
			ioregsel = v & 0xff;
		if (off == IOWIN)
			v = ioapic_route(v);
		break;
	case HPET_BASE:
		hpet_check(off, v);
		break;
	}
	*reg(gpa) = v;
}
