/* pic.c — the guest programs the real 8259s (port I/O goes through), except
 * for the vector base: the real PICs deliver IRQs on PIC_REAL_BASE so they
 * never collide with exceptions, and the guest's base is kept here.  An IRQ
 * the guest cannot take yet (virtual IF clear) waits in `pending`; the real
 * PIC holds it in service until the guest's handler sends its EOI. */
#include "pic.h"
#include "x86.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define ICW1_INIT 0x10
#define ICW1_SINGLE 0x02
#define ICW1_ICW4 0x01
#define OCW3 0x08           /* a command-port write with bits 4:3 = 01 */
#define OCW3_RR 0x02        /* ... that selects the register to read: */
#define OCW3_RIS 0x01       /* ISR if set, else IRR */
#define EOI_SPECIFIC 0x60   /* OCW2: end of interrupt for the level in bits 2:0 */
#define PIT_CMD 0x43
#define PIT_CH0 0x40
#define PIT_READ_STATUS0 0xe2   /* read-back: channel 0's status, not its count */

static struct {
	uint8_t guest_base;
	uint8_t step;        /* next data write: 0 = mask, 2/3/4 = ICWn */
	uint8_t icw1;
	uint8_t imr;         /* the guest's mask */
	uint8_t read_isr;    /* the guest's OCW3 choice: inb(cmd) reads the ISR */
} pics[2] = { { 0x08, 0, 0, 0, 0 }, { 0x70, 0, 0, 0, 0 } };
/* IRQs the CPU took from the real PICs but the guest has not: like the
 * PIC's own request register, they wait while masked and vanish when the
 * guest reinitializes the PIC. */
static uint16_t pending;
/* A periodic tick the real master PIC latched while the monitor stalled
 * (pic_stall_end): it is acknowledged, not delivered, when it arrives. */
static int stall_tick;
/* The master's IRQ 0 request bit when the current stall began. */
static int stall_irr0;

static void init_real(unsigned i, uint8_t icw3)
{
	uint16_t cmd = i ? PIC2_CMD : PIC1_CMD;
	uint8_t mask = inb((uint16_t)(cmd + 1));
	outb(cmd, ICW1_INIT | ICW1_ICW4);
	outb((uint16_t)(cmd + 1), (uint8_t)(PIC_REAL_BASE + 8 * i));
	outb((uint16_t)(cmd + 1), icw3);
	outb((uint16_t)(cmd + 1), 0x01);   /* 8086 mode */
	outb((uint16_t)(cmd + 1), mask);   /* the masks the guest inherits */
	pics[i].imr = mask;
}

void pic_init(void)
{
	init_real(0, 0x04);   /* slave on IRQ2 */
	init_real(1, 0x02);
}

uint8_t pic_write(uint16_t port, uint8_t v)
{
	unsigned i = (port & 0x80) ? 1 : 0;
	if (!(port & 1)) {
		if (v & ICW1_INIT) {
			pics[i].step = 2;
			pics[i].icw1 = v;
			pics[i].imr = 0;
			pics[i].read_isr = 0;
			pending &= (uint16_t)~(0xffu << (8 * i));
			if (!i)
				stall_tick = 0;   /* ICW1 clears the real IRR too */
		} else if ((v & 0x18) == OCW3 && (v & OCW3_RR)) {
			pics[i].read_isr = v & OCW3_RIS;
		}
		return v;
	}
	switch (pics[i].step) {
	case 2:
		pics[i].guest_base = v & 0xf8;
		pics[i].step = (pics[i].icw1 & ICW1_SINGLE) ? 4 : 3;
		if (pics[i].step == 4 && !(pics[i].icw1 & ICW1_ICW4))
			pics[i].step = 0;
		return (uint8_t)(PIC_REAL_BASE + 8 * i);
	case 3:
		pics[i].step = (pics[i].icw1 & ICW1_ICW4) ? 4 : 0;
		return v;
	case 4:
		pics[i].step = 0;
		return v;
	}
	pics[i].imr = v;
	return v;
}

int pic_initializing(void)
{
	return pics[0].step || pics[1].step;
}

void pic_raise(unsigned irq)
{
	pending |= (uint16_t)(1u << irq);
}

/* Waiting IRQs the guest's masks let through (the slave's through IRQ2). */
static uint16_t deliverable(void)
{
	uint16_t open = (uint16_t)~(pics[0].imr | pics[1].imr << 8);
	if (pics[0].imr & (1u << 2))
		open &= 0x00ff;
	return pending & open;
}

int pic_pending(void)
{
	return deliverable() != 0;
}

unsigned pic_guest_vector(unsigned irq)
{
	return pics[irq >> 3].guest_base + (irq & 7);
}

unsigned pic_take(void)
{
	unsigned irq = (unsigned)__builtin_ctz(deliverable());
	pending &= (uint16_t)~(1u << irq);
	return pic_guest_vector(irq);
}

/* --- Ticks a stalled monitor must not manufacture ---------------------------
 * While the monitor waits on a full trace ring (ring.c) the guest is stopped,
 * but the PIT counts on (in host time; under -icount in the instructions of
 * the monitor's waiting loop).  A periodic tick that falls due then
 * is time the guest never ran; delivered, it runs the guest's timer handler,
 * whose traps fill the ring and stall again, long enough for the next tick:
 * with a ring of 2 or 4 records the guest did little else but take ticks.
 * So a tick latched during a stall is swallowed: the real PIC's request bit
 * for IRQ 0 is read before and after the stall (interrupts are off in the
 * monitor, so nothing clears it in between), and a tick that appeared is
 * acknowledged by the monitor when the CPU takes it.  Only a periodic PIT
 * (modes 2 and 3) is treated so: a one-shot expiry is an event the guest
 * asked for and waits for.  Other IRQs (a UART's) carry data: never touched. */

/* IRQ 0's bit of the master's IRR, leaving the guest's OCW3 choice as it was. */
static int irr0(void)
{
	outb(PIC1_CMD, OCW3 | OCW3_RR);
	uint8_t irr = inb(PIC1_CMD);
	outb(PIC1_CMD, (uint8_t)(OCW3 | OCW3_RR | pics[0].read_isr));
	return irr & 1;
}

/* Channel 0 in mode 2 or 3 (read back as x10 or x11 in status bits 3:1).  The
 * status latch is read before any count latch, so a count the guest latched
 * is still there for it to read. */
static int pit_periodic(void)
{
	outb(PIT_CMD, PIT_READ_STATUS0);
	return (inb(PIT_CH0) >> 1) & 2;
}

void pic_stall_begin(void)
{
	stall_irr0 = irr0();
}

/* A masked IRQ 0 is left alone: the guest that unmasks it would find a
 * periodic tick latched anyway. */
void pic_stall_end(void)
{
	if (!stall_irr0 && !(pics[0].imr & 1) && irr0() && pit_periodic())
		stall_tick = 1;
}

int pic_swallow(unsigned irq)
{
	if (irq || !stall_tick)
		return 0;
	stall_tick = 0;
	outb(PIC1_CMD, EOI_SPECIFIC);   /* its ISR bit, set as the CPU took it */
	return 1;
}
