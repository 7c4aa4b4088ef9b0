/* pic.h — the 8259 interrupt controllers as the guest sees them. */
#ifndef PIC_H
#define PIC_H

#include <stdint.h>

#define PIC_REAL_BASE 0x30u   /* real vectors 0x30-0x3f: IRQ 0-15 */
/* Is a real vector one the PICs deliver on? */
static inline int pic_real_vector(unsigned v)
{
	return v >= PIC_REAL_BASE && v < PIC_REAL_BASE + 16;
}

void pic_init(void);
/* The guest writes v to a PIC port: returns what to write to the real one
 * (the guest's vector base is kept virtual). */
uint8_t pic_write(uint16_t port, uint8_t v);
/* Is the guest between ICW1 and its last ICW?  A PIC in that state has
 * vector base 0: it must not interrupt. */
int pic_initializing(void);
/* IRQ n (0-15) arrived: hold it until the guest can take it. */
void pic_raise(unsigned irq);
/* Is an IRQ waiting?  Take the first one, as the guest's vector. */
int pic_pending(void);
unsigned pic_take(void);
/* Around a stall on the full trace ring: notes a periodic timer tick that
 * fell due meanwhile (pic.c says why it must not reach the guest). */
void pic_stall_begin(void);
void pic_stall_end(void);
/* IRQ n arrived: 1 if it is such a tick, now acknowledged and gone. */
int pic_swallow(unsigned irq);
/* The guest vector of IRQ n. */
unsigned pic_guest_vector(unsigned irq);

#endif
