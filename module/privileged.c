/* privileged.c — the guest kernel believes it runs at ring 0; at ring 3 its
 * privileged instructions fault with #GP and land here.  Each is decoded and
 * carried out on the virtual CPU (vcpu.h), or on the real device for port
 * I/O, then the guest resumes after it. */
#include "privileged.h"
#include "decode.h"
#include "descriptor.h"
#include "emulate.h"
#include "farxfer.h"
#include "gmem.h"
#include "guest.h"
#include "interrupts.h"
#include "kill.h"
#include "lib.h"
#include "msr.h"
#include "pcdev.h"
#include "pic.h"
#include "protect.h"
#include "ring.h"
#include "sbe.h"
#include "segments.h"
#include "shadow.h"
#include "vcpu.h"
#include "x86.h"

#define PORT_DEBUG_EXIT 0xf4

/* Devices the guest may reach: the PICs (vector base kept virtual), the
 * PIT and its gate, the CMOS, the serial ports, the POST delay port,
 * QEMU's isa-debug-exit and the devices of pcdev.c.  Others read as
 * all-ones, writes vanish. */
static int is_pic(uint32_t port)
{
	return port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1;
}

static int port_allowed(uint32_t port)
{
	return is_pic(port) || (port >= 0x40 && port <= 0x43) || port == 0x61 ||
	       port == 0x70 || port == 0x71 || port == 0x80 ||
	       (port >= 0x3f8 && port <= 0x3ff) || (port >= 0x2f8 && port <= 0x2ff) ||
	       port == PORT_DEBUG_EXIT || pcdev_port((uint16_t)port);
}

static uint32_t port_in(uint16_t port, unsigned size)
{
	if (!port_allowed(port))
		return 0xffffffffu;
	return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

/* The guest ends the run through isa-debug-exit: every record reaches the
 * host before QEMU goes away. */
static void guest_exit(struct trap_record *rec, uint32_t value)
{
	ring_commit(rec);
	ring_finish(RING_STATE_EXITED, value & 0xff, 0);
	outb(PORT_DEBUG_EXIT, (uint8_t)value);
	vcpu_kill("QEMU ignored the debug-exit port");
}

static void port_out(uint16_t port, unsigned size, uint32_t v, struct trap_record *rec)
{
	if (port == PORT_DEBUG_EXIT)
		guest_exit(rec, v);
	if (!port_allowed(port))
		return;
	if (is_pic(port))
		v = pic_write(port, (uint8_t)v);
	if (pcdev_port(port))
		pcdev_write(port, size, v);
	if (size == 1)
		outb(port, (uint8_t)v);
	else if (size == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
}

/* in/out with an immediate port (E4-E7) or DX (EC-EF). */
static void emulate_io(struct trap_frame *f, const struct insn *in, struct trap_record *rec)
{
	uint8_t op = in->op;
	unsigned size = (op & 1) ? (in->opsize ? 2 : 4) : 1;
	uint16_t port = (op & 8) ? (uint16_t)f->edx : (uint16_t)in->imm;
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	rec->detail = port;
	rec->size = (uint8_t)size;
	if (op & 2) {
		rec->access = ACCESS_WRITE;
		port_out(port, size, f->eax & mask, rec);
	} else {
		rec->access = ACCESS_READ;
		f->eax = (f->eax & ~mask) | (port_in(port, size) & mask);
	}
}

/* The memory operand of lgdt/lidt: a 16-bit limit and a 32-bit base (24
 * with an operand-size prefix).  A register operand is #UD. */
static enum outcome read_pseudo_desc(const struct trap_frame *f, const struct insn *in,
				     struct vdtr *t)
{
	uint32_t lin;
	uint8_t buf[6];
	enum outcome out;
	if (in->mod == 3)
		return exc_raise(6, 0, 0);
	if ((out = vcpu_operand(f, in, &lin)) || (out = vmem_read(&vcpu_mem, lin, buf, 6)))
		return out;
	t->limit = (uint32_t)buf[0] | (uint32_t)buf[1] << 8;
	t->base = (uint32_t)buf[2] | (uint32_t)buf[3] << 8 | (uint32_t)buf[4] << 16 |
		  (uint32_t)buf[5] << 24;
	if (in->opsize)
		t->base &= 0xffffff;
	return OUT_DONE;
}

static enum outcome emulate_lgdt_lidt(struct trap_frame *f, const struct insn *in)
{
	struct vdtr t;
	enum outcome out = read_pseudo_desc(f, in, &t);
	if (out)
		return out;
	if (in->reg == 2) {
		if (seg_load_gdt(f, t.base, t.limit))
			vcpu_kill("guest GDT of %u bytes is larger than the monitor shadows", t.limit + 1);
		protect_place_gdt();
	} else {
		vcpu.idtr = t;
	}
	protect_update();
	return OUT_DONE;
}

/* ltr (SDM vol. 2, LTR): #GP(0) for a null selector, #GP(sel) for one into
 * the LDT, past the GDT's limit or not naming an available TSS, #NP(sel)
 * when absent; then the descriptor is marked busy, as the CPU does. */
static enum outcome emulate_ltr(struct trap_frame *f, const struct insn *in)
{
	uint16_t sel;
	uint64_t d;
	enum outcome out = vcpu_read_rm16(f, in, &sel);
	if (out)
		return out;
	if (!(sel & ~3u))
		return exc_raise(13, 0, 0);
	if ((sel & 4) || seg_guest_desc(sel, &d) || desc_is_segment(d) ||
	    desc_type(d) != DESC_TSS32)
		return exc_raise(13, sel & ~3u, 0);
	if (!desc_present(d))
		return exc_raise(11, sel & ~3u, 0);
	d |= (uint64_t)DESC_TSS_BUSY << 40;
	if ((out = vmem_write(&vcpu_mem_sys, vcpu.gdtr.base + (sel & ~7u), &d, 8)))
		return out;
	vcpu.tr = sel;
	vcpu.tss = (struct vdtr){ desc_base(d), desc_limit(d) };
	protect_update();
	return OUT_DONE;
}

static enum outcome emulate_lldt(struct trap_frame *f, const struct insn *in)
{
	uint16_t sel;
	enum outcome out;
	if ((out = vcpu_read_rm16(f, in, &sel)) || (out = seg_load_ldt(f, sel)))
		return out;
	protect_update();
	return OUT_DONE;
}

/* A new CR0, CR3 or CR4 may change every translation. */
static void paging_changed(void)
{
	shadow_flush();
	protect_update();
}

#define CR4_VIRTUALIZED (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR | \
			 X86_CR4_OSXMMEXCPT | X86_CR4_TSD | X86_CR4_DE)

/* XSAVE state lives in the real registers, like the FPU's, so CR4.OSXSAVE
 * and XCR0 are the real ones, where the CPU has XSAVE (GNU Mach reads CPUID
 * with paging off, before the scanner hides XSAVE, and turns it on). */
static uint32_t cr4_virtualized(void)
{
	uint32_t r[4];
	cpuid(1, r);
	return CR4_VIRTUALIZED | (r[2] & (1u << 26) ? X86_CR4_OSXSAVE : 0);
}

/* xsetbv (SDM vol. 2, XSETBV): #UD without CR4.OSXSAVE; #GP(0) for an XCR
 * other than 0, a state component the CPU lacks, x87 off or AVX without
 * SSE; else into the real XCR0. */
static enum outcome emulate_xsetbv(const struct trap_frame *f)
{
	uint32_t r[4];
	uint64_t v = (uint64_t)f->edx << 32 | f->eax;
	if (!(vcpu.cr4 & X86_CR4_OSXSAVE))
		return exc_raise(6, 0, 0);
	cpuid(0xd, r);
	if (f->ecx || (v & ~((uint64_t)r[3] << 32 | r[0])) || !(v & 1) || ((v & 4) && !(v & 2)))
		return exc_raise(13, 0, 0);
	__asm__ volatile("xsetbv" : : "a"(f->eax), "d"(f->edx), "c"(0u));
	return OUT_DONE;
}

static void write_cr(unsigned n, uint32_t v)
{
	switch (n) {
	case 0:
		if (!(v & X86_CR0_PE))
			vcpu_kill("guest leaves protected mode");
		vcpu.cr0 = v | X86_CR0_ET;
		break;
	case 2:
		vcpu.cr2 = v;
		return;
	case 3:
		vcpu.cr3 = v;
		break;
	case 4:
		if (v & ~cr4_virtualized())
			vcpu_kill("guest sets CR4 bits %08x the monitor does not virtualize",
				  v & ~cr4_virtualized());
		vcpu.cr4 = v;
		write_cr4((read_cr4() & ~(uint32_t)X86_CR4_OSXSAVE) | (v & X86_CR4_OSXSAVE));
		break;
	}
	paging_changed();
}

/* mov to and from CR0, CR2, CR3, CR4; the others do not exist (#UD). */
static enum outcome emulate_mov_cr(struct trap_frame *f, const struct insn *in)
{
	const uint32_t *cr[5] = { &vcpu.cr0, 0, &vcpu.cr2, &vcpu.cr3, &vcpu.cr4 };
	if (in->reg > 4 || !cr[in->reg])
		return exc_raise(6, 0, 0);
	if (in->op == 0x20)
		*frame_gpr(f, in->rm) = *cr[in->reg];
	else
		write_cr(in->reg, *frame_gpr(f, in->rm));
	return OUT_DONE;
}

/* invlpg m: forget the page in the shadows; the tables may also have moved. */
static enum outcome emulate_invlpg(const struct trap_frame *f, const struct insn *in)
{
	uint32_t lin;
	enum outcome out = vcpu_operand(f, in, &lin);
	if (out)
		return out;
	shadow_invlpg(lin);
	protect_update();
	return OUT_DONE;
}

/* rdmsr and wrmsr on the guest's MSRs (msr.c); a new EFER.NXE changes the
 * guest's page walks. */
static enum outcome emulate_msr(struct trap_frame *f, int write)
{
	uint64_t v = (uint64_t)f->edx << 32 | f->eax;
	enum outcome out = write ? msr_write(f->ecx, v) : msr_read(f->ecx, &v);
	if (out)
		return out;
	if (write && f->ecx == MSR_EFER)
		paging_changed();
	if (!write) {
		f->eax = (uint32_t)v;
		f->edx = (uint32_t)(v >> 32);
	}
	return OUT_DONE;
}

/* mov to and from DR0-DR7: the guest's debug registers are kept, never
 * loaded (the monitor single-steps with TF, not with them).  DR4 and DR5
 * are DR6 and DR7 again, or #UD with CR4.DE. */
static enum outcome emulate_mov_dr(struct trap_frame *f, const struct insn *in)
{
	static uint32_t dr[8] = { 0, 0, 0, 0, 0, 0, 0xffff0ff0u, 0x400u };
	unsigned n = in->reg;
	if (n == 4 || n == 5) {
		if (vcpu.cr4 & X86_CR4_DE)
			return exc_raise(6, 0, 0);
		n += 2;
	}
	if (in->op == 0x21)
		*frame_gpr(f, in->rm) = dr[n];
	else
		dr[n] = *frame_gpr(f, in->rm);
	return OUT_DONE;
}

static enum outcome emulate_two_byte(struct trap_frame *f, const struct insn *in,
				     struct trap_record *rec)
{
	switch (in->op) {
	case 0x00:
		if (in->reg == 3)
			return emulate_ltr(f, in);
		if (in->reg == 2)
			return emulate_lldt(f, in);
		break;
	case 0x01:
		if (in->reg == 7 && in->mod != 3)
			return emulate_invlpg(f, in);
		if (in->mod == 3 && in->reg == 2 && in->rm == 1)
			return emulate_xsetbv(f);
		if (in->reg == 2 || in->reg == 3)
			return emulate_lgdt_lidt(f, in);
		break;
	case 0x06:            /* clts */
		vcpu.cr0 &= ~(uint32_t)X86_CR0_TS;
		return OUT_DONE;
	case 0x08: case 0x09: /* invd, wbinvd: caches are the monitor's */
		return OUT_DONE;
	case 0x20: case 0x22:
		return emulate_mov_cr(f, in);
	case 0x21: case 0x23:
		return emulate_mov_dr(f, in);
	case 0x30: case 0x32:
		return emulate_msr(f, in->op == 0x30);
	}
	return trap_reflect(f, rec);
}

static enum outcome emulate_one_byte(struct trap_frame *f, const struct insn *in,
				     struct trap_record *rec)
{
	uint16_t sel;
	enum outcome out;
	if (in->map == INSN_MAP_0F)
		return emulate_two_byte(f, in, rec);
	if (in->map != INSN_MAP_ONE)
		return trap_reflect(f, rec);
	switch (in->op) {
	case 0xfa:
		vcpu.vif = 0;
		return OUT_DONE;
	case 0xfb:
		f->eip += in->len;
		irq_sti(f);
		return OUT_JUMPED;
	case 0xf4:
		if (!vcpu.vif)
			vcpu_halted();
		irq_idle(f->eip);
		return OUT_DONE;
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
	case 0xec: case 0xed: case 0xee: case 0xef:
		emulate_io(f, in, rec);
		return OUT_DONE;
	case 0x8e:            /* mov sreg, r/m: only SS never loads natively */
		if (in->reg != INSN_SEG_SS)
			break;
		if ((out = vcpu_read_rm16(f, in, &sel)))
			return out;
		return seg_load(f, INSN_SEG_SS, sel);
	case 0xca: case 0xcb: case 0xcf:     /* not patched yet: still the guest's */
		return far_return(f, in->op == 0xcf, in->opsize ? 2 : 4,
				  in->op == 0xca ? (uint16_t)in->imm : 0);
	case 0xcc: case 0xcd: case 0xce:
		rec->kind = KIND_EXCEPTION;
		rec->detail = in->op == 0xcd ? (in->imm & 0xff) : in->op == 0xcc ? 3 : 4;
		if (in->op == 0xce && !(f->eflags & X86_EFLAGS_OF))
			return OUT_DONE;
		irq_reflect(f, rec->detail, IRQ_SOFTWARE, 0, 0, f->eip + in->len);
		return OUT_JUMPED;
	}
	return trap_reflect(f, rec);
}

/* The guest TSS's I/O permission bitmap (ioperm): may user code use
 * size bytes of ports from port?  Every bit must be clear and within the
 * TSS's limit. */
static int io_permitted(uint16_t port, unsigned size)
{
	uint16_t base, bits;
	if (!vcpu.tr || vmem_read(&vcpu_mem_sys, vcpu.tss.base + 0x66, &base, 2))
		return 0;
	uint32_t at = (uint32_t)base + port / 8;
	if (at + 1 > vcpu.tss.limit || vmem_read(&vcpu_mem_sys, vcpu.tss.base + at, &bits, 2))
		return 0;
	return ((bits >> (port % 8)) & ((1u << size) - 1)) == 0;
}

static int is_port_io(const struct insn *in)
{
	return in->map == INSN_MAP_ONE && (in->op & 0xf4) == 0xe4;
}

/* Guest user code may call into its kernel, with IOPL 3 use cli and sti,
 * and use the ports IOPL 3 or its TSS's I/O bitmap allow. */
static int allowed_in_user_mode(const struct trap_frame *f, const struct insn *in)
{
	if (in->map != INSN_MAP_ONE)
		return 0;
	if (in->op == 0xcc || in->op == 0xcd || in->op == 0xce)
		return 1;
	if (vcpu.iopl == 3)
		return in->op == 0xfa || in->op == 0xfb || is_port_io(in);
	if (!is_port_io(in))
		return 0;
	unsigned size = (in->op & 1) ? (in->opsize ? 2 : 4) : 1;
	return io_permitted((in->op & 8) ? (uint16_t)f->edx : (uint16_t)in->imm, size);
}

enum outcome priv_emulate(struct trap_frame *f, struct trap_record *rec)
{
	struct insn in;
	rec->kind = KIND_PRIVILEGED;
	int fetched = vcpu_fetch(f, &in, rec);
	if (fetched == VCPU_FETCH_PATCHED)
		return sbe_emulate(f, &in, rec);
	if (fetched || (vcpu.cpl == 3 && !allowed_in_user_mode(f, &in)))
		return trap_reflect(f, rec);
	enum outcome out = emulate_one_byte(f, &in, rec);
	if (out == OUT_DONE)
		f->eip += in.len;
	return out;
}
