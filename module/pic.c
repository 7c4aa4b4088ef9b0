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

static struct {
	uint8_t guest_base;
	uint8_t step;        /* next data write: 0 = mask, 2/3/4 = ICWn */
	uint8_t icw1;
	uint8_t imr;         /* the guest's mask */
} pics[2] = { { 0x08, 0, 0, 0 }, { 0x70, 0, 0, 0 } };
/* IRQs the CPU took from the real PICs but the guest has not: like the
 * PIC's own request register, they wait while masked and vanish when the
 * guest reinitializes the PIC. */
static uint16_t pending;

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
			pending &= (uint16_t)~(0xffu << (8 * i));
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
