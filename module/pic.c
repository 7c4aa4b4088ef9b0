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
} pics[2] = { { 0x08, 0, 0 }, { 0x70, 0, 0 } };
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
	return v;
}

void pic_raise(unsigned irq)
{
	pending |= (uint16_t)(1u << irq);
}

int pic_pending(void)
{
	return pending != 0;
}

unsigned pic_guest_vector(unsigned irq)
{
	return pics[irq >> 3].guest_base + (irq & 7);
}

unsigned pic_take(void)
{
	unsigned irq = (unsigned)__builtin_ctz(pending);
	pending &= (uint16_t)~(1u << irq);
	return pic_guest_vector(irq);
}
