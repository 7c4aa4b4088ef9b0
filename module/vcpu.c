/* vcpu.c — the guest's view of the CPU: flags and selectors as it expects
 * them, its instruction stream, its memory, and how it ends. */
#include <stdarg.h>
#include "vcpu.h"
#include "fastpath.h"
#include "guest.h"
#include "layout.h"
#include "lib.h"
#include "protect.h"
#include "ring.h"
#include "scan.h"
#include "segments.h"
#include "walk.h"
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
	       (vcpu.vif ? X86_EFLAGS_IF : 0) | ((uint32_t)vcpu.iopl << X86_EFLAGS_IOPL_BIT);
}

/* As popf and iret do: IOPL only changes at CPL 0, IF only at CPL <= IOPL. */
void vcpu_set_eflags(struct trap_frame *f, uint32_t guest_eflags, unsigned cpl)
{
	f->eflags = (guest_eflags & GUEST_EFLAGS_MASK) | REAL_EFLAGS;
	if (cpl <= vcpu.iopl)
		vcpu.vif = (guest_eflags & X86_EFLAGS_IF) != 0;
	if (cpl == 0)
		vcpu.iopl = (guest_eflags & X86_EFLAGS_IOPL) >> X86_EFLAGS_IOPL_BIT;
}

uint16_t vcpu_cs(const struct trap_frame *f)
{
	return seg_visible(f, INSN_SEG_CS);
}

/* Copy up to n bytes of code at lin; returns how many could be read. */
static unsigned read_code(uint32_t lin, uint8_t *buf, unsigned n)
{
	unsigned got = 0;
	while (got < n) {
		struct walk w;
		unsigned access = WALK_FETCH | (vcpu.cpl == 3 ? WALK_USER : 0);
		if (walk_guest(lin + got, access, &w))
			break;
		unsigned chunk = PAGE_SIZE - (w.gpa & 0xfff);
		if (chunk > n - got)
			chunk = n - got;
		memcpy(buf + got, (const void *)w.gpa, chunk);
		got += chunk;
	}
	return got;
}

/* Is the int3 at lin one of scan.c's patches?  Gives the original byte. */
static int patched_at(uint32_t lin, uint8_t *orig)
{
	struct walk w;
	unsigned access = WALK_FETCH | WALK_PEEK | (vcpu.cpl == 3 ? WALK_USER : 0);
	return walk_guest(lin, access, &w) == 0 && scan_patched(w.gpa, orig);
}

int vcpu_fetch(const struct trap_frame *f, struct insn *in, struct trap_record *rec)
{
	uint8_t bytes[INSN_MAX_LEN];
	uint32_t lin = seg_base(f->cs) + f->eip;
	unsigned avail = read_code(lin, bytes, sizeof(bytes));
	int patched = avail && bytes[0] == 0xcc && patched_at(lin, &bytes[0]);
	int len = decode_insn(bytes, avail, in);
	unsigned copy = len > 0 ? (unsigned)len : avail;
	memcpy(rec->insn, bytes, copy);
	rec->insn_len = (uint8_t)copy;
	if (len <= 0)
		return -1;
	return patched ? VCPU_FETCH_PATCHED : 0;
}

enum outcome vcpu_operand(const struct trap_frame *f, const struct insn *in, uint32_t *lin)
{
	struct emu_regs r;
	vcpu_to_emu(f, &r);
	return emu_operand_addr(&r, in, lin) ? OUT_UNHANDLED : OUT_DONE;
}

enum outcome vcpu_read_rm16(const struct trap_frame *f, const struct insn *in, uint16_t *v)
{
	uint32_t lin;
	if (in->mod == 3) {
		*v = (uint16_t)frame_gpr_get(f, in->rm);
		return OUT_DONE;
	}
	enum outcome out = vcpu_operand(f, in, &lin);
	return out ? out : vmem_read(&vcpu_mem, lin, v, 2);
}

void vcpu_to_emu(const struct trap_frame *f, struct emu_regs *r)
{
	frame_to_emu(f, vcpu.cpl == 3 ? GDT_USER : GDT_KERNEL, r);
}

void vcpu_from_emu(struct trap_frame *f, const struct emu_regs *r)
{
	frame_from_emu(f, r);
}

/* How an emu_mem instance accesses guest memory (its ctx). */
struct mem_mode {
	int system;   /* supervisor access whatever the CPL */
	int dry;      /* writes go nowhere */
};

/* Translate [lin, lin+n) (at most two pages) all or nothing. */
static int translate(const struct mem_mode *m, uint32_t lin, unsigned n, int write,
		     uint32_t gpa[2], unsigned len[2])
{
	unsigned access = (write ? WALK_WRITE : 0) | (!m->system && vcpu.cpl == 3 ? WALK_USER : 0);
	len[0] = PAGE_SIZE - (lin & 0xfff);
	if (len[0] > n)
		len[0] = n;
	len[1] = n - len[0];
	for (unsigned i = 0; i < 2 && len[i]; i++) {
		struct walk w;
		uint32_t at = i ? (lin & PAGE_MASK) + PAGE_SIZE : lin;
		if (walk_guest(at, access, &w)) {
			exc_raise(14, w.err, at);
			return -1;
		}
		gpa[i] = w.gpa;
	}
	return 0;
}

static int mem_read(void *ctx, uint32_t lin, void *dst, unsigned n)
{
	uint32_t gpa[2];
	unsigned len[2];
	if (n > PAGE_SIZE || translate(ctx, lin, n, 0, gpa, len))
		return -1;
	memcpy(dst, (const void *)gpa[0], len[0]);
	memcpy((uint8_t *)dst + len[0], (const void *)gpa[1], len[1]);
	return 0;
}

static int mem_write(void *ctx, uint32_t lin, const void *src, unsigned n)
{
	const struct mem_mode *m = ctx;
	uint32_t gpa[2];
	unsigned len[2];
	if (n > PAGE_SIZE || translate(m, lin, n, 1, gpa, len))
		return -1;
	if (m->dry)
		return 0;
	/* The CPU's own bookkeeping writes (accessed and busy bits) never
	 * change what the GDT shadow holds; the guest's writes may. */
	for (unsigned i = 0; i < 2 && len[i]; i++) {
		memcpy((void *)gpa[i], (const uint8_t *)src + (i ? len[0] : 0), len[i]);
		if (!m->system)
			protect_written(gpa[i], len[i]);
	}
	return 0;
}

static struct mem_mode mode_guest = { 0, 0 }, mode_dry = { 0, 1 }, mode_sys = { 1, 0 };
const struct emu_mem vcpu_mem = { mem_read, mem_write, &mode_guest };
const struct emu_mem vcpu_mem_dry = { mem_read, mem_write, &mode_dry };
const struct emu_mem vcpu_mem_sys = { mem_read, mem_write, &mode_sys };

enum outcome vcpu_push(struct trap_frame *f, uint32_t v, unsigned size)
{
	enum outcome out = vmem_write(&vcpu_mem, seg_base(f->ss) + f->esp - size, &v, size);
	if (out == OUT_DONE)
		f->esp -= size;
	return out;
}

enum outcome vcpu_pop(struct trap_frame *f, uint32_t *v, unsigned size)
{
	*v = 0;
	enum outcome out = vmem_read(&vcpu_mem, seg_base(f->ss) + f->esp, v, size);
	if (out == OUT_DONE)
		f->esp += size;
	return out;
}

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
