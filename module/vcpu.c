/* vcpu.c — the guest's view of the CPU: flags, selectors and registers as
 * it expects them, and its instruction stream.  Its memory is gmem.c's,
 * how it ends kill.c's. */
#include "vcpu.h"
#include "emuframe.h"
#include "gmem.h"
#include "lib.h"
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
	unsigned avail = gmem_fetch(lin, bytes, sizeof(bytes));
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
	frame_to_emu(f, vcpu.cpl == 3 ? GDT_USER : GDT_KERNEL, 0, r);
}

void vcpu_from_emu(struct trap_frame *f, const struct emu_regs *r)
{
	frame_from_emu(f, r);
}
