/* trap.c — the IDT of the library's kernels: a handler per vector, or an
 * exception-table fixup for a fault the kernel provokes; anything else ends
 * the run with the trap printed. */
#include "tbk.h"

#define STUB_SIZE 16

struct trapframe *trap_dispatch(struct trapframe *tf);

extern const char trap_stubs[];
extern const uint32_t __extable_start[], __extable_end[];

IDT_PAGE uint64_t idt_table[256];
struct trap_seen trap_seen;
static trap_fn *handlers[256];
static uint8_t gate_dpl[256], gate_absent[256];

/* Interrupt gates throughout: every handler runs with IF clear and is never
 * interrupted (mt relies on it for its counts). */
static uint64_t stub_gate(unsigned v)
{
	return desc_gate(SEL_KCODE, (uint32_t)trap_stubs + v * STUB_SIZE,
			 (gate_absent[v] ? 0 : ACC_P) | ACC_DPL(gate_dpl[v]) | ACC_INTR_GATE);
}

/* Kernels set their gates first, so that the IDT is complete when it is
 * loaded and need not be written afterwards (mt.h counts on that); a gate
 * set later still takes effect. */
void trap_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		idt_table[v] = stub_gate(v);
	lidt(idt_table, sizeof(idt_table) - 1);
}

void trap_set(unsigned vector, trap_fn *fn, unsigned dpl)
{
	handlers[vector] = fn;
	gate_dpl[vector] = (uint8_t)dpl;
	idt_table[vector] = stub_gate(vector);
}

void trap_set_absent(unsigned vector, unsigned dpl)
{
	gate_absent[vector] = 1;
	gate_dpl[vector] = (uint8_t)dpl;
	idt_table[vector] = stub_gate(vector);
}

struct trapframe *trap_note(struct trapframe *tf)
{
	trap_seen.count++;
	trap_seen.vector = tf->vector;
	trap_seen.err = tf->err;
	trap_seen.cr2 = tf->vector == T_PAGE_FAULT ? read_cr2() : 0;
	trap_seen.cpl = tf->cs & 3;
	trap_seen.eip = tf->eip;
	return tf;
}

void trap_seen_clear(void)
{
	trap_seen = (struct trap_seen){ 0 };
}

void trap_seen_print(int with_cpl)
{
	if (!trap_seen.count)
		return;
	con_printf(" trap %02x err %04x", trap_seen.vector, trap_seen.err);
	if (trap_seen.vector == T_PAGE_FAULT)
		con_printf(" cr2 %08x", trap_seen.cr2);
	if (with_cpl)
		con_printf(" cpl %u", trap_seen.cpl);
}

static const uint32_t *extable_find(uint32_t eip)
{
	for (const uint32_t *e = __extable_start; e < __extable_end; e += 2)
		if (e[0] == eip)
			return e;
	return 0;
}

struct trapframe *trap_dispatch(struct trapframe *tf)
{
	if (handlers[tf->vector])
		return handlers[tf->vector](tf);
	const uint32_t *fix = extable_find(tf->eip);
	if (fix) {
		trap_note(tf);
		tf->eip = fix[1];
		return tf;
	}
	/* A spurious IRQ needs no EOI; the library never unmasks 7 or 15. */
	if (tf->vector == T_IRQ0 + 7 || tf->vector == T_IRQ0 + 15)
		return tf;
	tbk_fail("unexpected trap %02x err %04x at %04x:%08x cr2 %08x", tf->vector,
		 tf->err, tf->cs & 0xffff, tf->eip, read_cr2());
}
