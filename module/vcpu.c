/* vcpu.c — the guest's view of the CPU: flags and selectors as it expects
 * them, its instruction stream, its memory, and how it ends. */
#include <stdarg.h>
#include "vcpu.h"
#include "guest.h"
#include "lib.h"
#include "protect.h"
#include "ring.h"
#include "segments.h"
#include "x86.h"

struct vcpu vcpu;

void vcpu_init(void)
{
	/* As after a Multiboot loader: protected mode, no paging. */
	vcpu.cr0 = X86_CR0_PE | X86_CR0_ET;
	vcpu.cpl = 0;
	vcpu.vif = 0;
}

uint32_t vcpu_eflags(const struct trap_frame *f)
{
	return (f->eflags & GUEST_EFLAGS_MASK) | X86_EFLAGS_FIXED |
	       (vcpu.vif ? X86_EFLAGS_IF : 0);
}

void vcpu_set_eflags(struct trap_frame *f, uint32_t guest_eflags)
{
	f->eflags = (guest_eflags & GUEST_EFLAGS_MASK) | X86_EFLAGS_FIXED;
	vcpu.vif = (guest_eflags & X86_EFLAGS_IF) != 0;
}

uint16_t vcpu_cs(const struct trap_frame *f)
{
	return (uint16_t)((f->cs & ~3u) | vcpu.cpl);
}

int vcpu_fetch(const struct trap_frame *f, struct insn *in, struct trap_record *rec)
{
	uint32_t lin = seg_base(f->cs) + f->eip;
	uint32_t avail = 15;
	if (!guest_range_ok(lin, 1))
		return -1;
	if (!guest_range_ok(lin, avail))
		avail = GUEST_MEM_END - lin;
	const uint8_t *bytes = (const uint8_t *)lin;
	int len = decode_insn(bytes, avail, in);
	unsigned copy = len > 0 ? (unsigned)len : avail;
	if (copy > sizeof(rec->insn))
		copy = sizeof(rec->insn);
	memcpy(rec->insn, bytes, copy);
	rec->insn_len = (uint8_t)copy;
	return len > 0 ? 0 : -1;
}

void vcpu_to_emu(const struct trap_frame *f, struct emu_regs *r)
{
	const uint32_t gpr[8] = { f->eax, f->ecx, f->edx, f->ebx, f->esp, f->ebp, f->esi, f->edi };
	const uint32_t sel[6] = { f->es, f->cs, f->ss, f->ds, f->fs, f->gs };
	memcpy(r->gpr, gpr, sizeof(gpr));
	for (unsigned i = 0; i < 6; i++)
		r->seg_base[i] = seg_base(sel[i]);
	r->eip = f->eip;
	r->eflags = f->eflags;
}

void vcpu_from_emu(struct trap_frame *f, const struct emu_regs *r)
{
	f->eax = r->gpr[0];
	f->ecx = r->gpr[1];
	f->edx = r->gpr[2];
	f->ebx = r->gpr[3];
	f->esp = r->gpr[4];
	f->ebp = r->gpr[5];
	f->esi = r->gpr[6];
	f->edi = r->gpr[7];
	f->eip = r->eip;
	/* The emulator only computes arithmetic flags. */
	f->eflags = (r->eflags & GUEST_EFLAGS_MASK) | X86_EFLAGS_FIXED;
}

static int mem_read(void *ctx, uint32_t lin, void *dst, unsigned n)
{
	(void)ctx;
	if (!guest_range_ok(lin, n))
		return -1;
	memcpy(dst, (const void *)lin, n);
	return 0;
}

static int mem_write(void *ctx, uint32_t lin, const void *src, unsigned n)
{
	(void)ctx;
	if (!guest_range_ok(lin, n))
		return -1;
	memcpy((void *)lin, src, n);
	protect_written(lin, n);
	return 0;
}

const struct emu_mem vcpu_mem = { mem_read, mem_write, 0 };

/* Writes that go nowhere: the emulator then only describes an access. */
static int dry_write(void *ctx, uint32_t lin, const void *src, unsigned n)
{
	(void)ctx, (void)src;
	return guest_range_ok(lin, n) ? 0 : -1;
}

const struct emu_mem vcpu_mem_dry = { mem_read, dry_write, 0 };

void vcpu_kill(const char *fmt, ...)
{
	char reason[RING_REASON_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnformat(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	ring_finish(RING_STATE_KILLED, 0, reason);
	outb(0xf4, 0x7f);   /* isa-debug-exit: QEMU ends */
	for (;;)
		__asm__ volatile("cli; hlt");
}
