/* pic.c — the two 8259s remapped to vectors 0x20-0x2f (out of the way of
 * the CPU's exceptions, where the BIOS leaves the master) with every line
 * masked, and PIT channel 0 as a periodic tick on IRQ 0. */
#include "tbk.h"

#define PIC1      0x20
#define PIC2      0xa0
#define ICW1_INIT 0x11    /* edge triggered, cascaded, ICW4 follows */
#define ICW4_8086 0x01
#define PIC_EOI   0x20
#define PIT_CH0   0x40
#define PIT_CMD   0x43
#define PIT_MODE2 0x34    /* channel 0, low then high byte, rate generator */
#define PIT_HZ    1193182u

static void pic_write(uint16_t port, uint8_t v)
{
	outb(port, v);
	io_wait();
}

void pic_init(void)
{
	pic_write(PIC1, ICW1_INIT);
	pic_write(PIC2, ICW1_INIT);
	pic_write(PIC1 + 1, T_IRQ0);
	pic_write(PIC2 + 1, T_IRQ0 + 8);
	pic_write(PIC1 + 1, 1 << 2);   /* the slave hangs off IRQ 2 */
	pic_write(PIC2 + 1, 2);        /* ... and knows it */
	pic_write(PIC1 + 1, ICW4_8086);
	pic_write(PIC2 + 1, ICW4_8086);
	pic_write(PIC1 + 1, 0xff);
	pic_write(PIC2 + 1, 0xff);
}

static uint16_t mask_port(unsigned irq)
{
	return (irq < 8 ? PIC1 : PIC2) + 1;
}

void pic_unmask(unsigned irq)
{
	outb(mask_port(irq), inb(mask_port(irq)) & ~(1u << (irq & 7)));
}

void pic_mask(unsigned irq)
{
	outb(mask_port(irq), inb(mask_port(irq)) | 1u << (irq & 7));
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2, PIC_EOI);
	outb(PIC1, PIC_EOI);
}

void pit_start(uint32_t hz)
{
	uint32_t divisor = PIT_HZ / hz;

	outb(PIT_CMD, PIT_MODE2);
	outb(PIT_CH0, divisor & 0xff);
	outb(PIT_CH0, divisor >> 8);
}
