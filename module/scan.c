/* scan.c — which guest frames hold scanned code, and the patches in them.
 * A sensitive instruction (one that runs at ring 3 without trapping but
 * shows the guest the real machine: pushf, sgdt, mov from a segment
 * register, lar, cpuid...) gets an int3 (0xCC) over its first byte; at
 * ring 3 that int3 meets a DPL-0 gate and raises #GP, and sbe.c emulates the
 * original instruction.
 *
 * Instruction boundaries: the frame is decoded from the first instruction
 * the guest runs in it to its end.  The part before is decoded from where
 * the previous frame's last instruction ended when that frame was scanned
 * (code is laid out contiguously), else see scan_prefix().
 *
 * When the guest image says where its code is (an ELF's executable
 * sections), only those bytes are ever patched, and a write elsewhere on a
 * scanned frame (data sharing a page with code) leaves the scan alone. */
#include "scan.h"
#include "decode.h"
#include "gmem.h"
#include "kill.h"
#include "layout.h"
#include "lib.h"
#include "vcpu.h"
#include "x86.h"

#define FRAMES (GUEST_MEM_END / PAGE_SIZE)
#define MAX_PATCHES 16384
#define PATCH_BITS 15            /* twice as many slots: probes stay short */
#define PATCH_SLOTS (1u << PATCH_BITS)
#define MAX_HINTS 16
#define INT3 0xcc

static uint32_t scanned[FRAMES / 32];
static uint8_t spill[FRAMES];   /* where the frame's last instruction ends in the next */
/* The patches by guest-physical address, an open-addressing hash table
 * with linear probing: sbe.c asks for a patch's original byte on every
 * trap it takes, with thousands of patches in a Linux kernel. */
static struct patch {
	uint32_t gpa;
	uint8_t orig;
	uint8_t lazy;      /* a push of a data segment register (below) */
	uint8_t applied;   /* the int3 is in place */
	uint8_t used;      /* the slot holds a patch */
} patches[PATCH_SLOTS];
static unsigned n_patches;
static struct hint {
	uint32_t start, end;
} hints[MAX_HINTS];
static unsigned n_hints;
/* push es/ds/fs/gs show the real selector: the guest's own, except while
 * the register sits in a cache slot (segments.c).  Their patches are found
 * with the others but put in place only then: Linux pushes them on every
 * kernel entry. */
static int push_sregs;
#define MAX_LAZY 1024
static uint32_t lazy_gpa[MAX_LAZY];   /* where those patches are */
static unsigned n_lazy;
enum { PLAIN = 1, LAZY = 2 };   /* what sensitive() says (PLAIN: true) */

void scan_hint(uint32_t start, uint32_t end)
{
	if (n_hints < MAX_HINTS && start < end)
		hints[n_hints++] = (struct hint){ start, end };
}

static int overlaps_hint(uint32_t gpa, unsigned n)
{
	for (unsigned i = 0; i < n_hints; i++)
		if (gpa < hints[i].end && gpa + n > hints[i].start)
			return 1;
	return 0;
}

int scan_active(uint32_t gpa)
{
	if (!(vcpu.cr0 & X86_CR0_PG))
		return 0;
	return vcpu.cpl == 0 || (n_hints && overlaps_hint(gpa & PAGE_MASK, PAGE_SIZE));
}

/* Code the image does not declare (copied somewhere and run) counts as
 * code on every frame no declared code shares. */
int scan_is_code(uint32_t gpa, unsigned n)
{
	return overlaps_hint(gpa, n) || !overlaps_hint(gpa & PAGE_MASK, PAGE_SIZE);
}

int scan_done(uint32_t gpa)
{
	uint32_t f = gpa / PAGE_SIZE;
	return f < FRAMES && (scanned[f / 32] >> (f % 32)) & 1;
}

static unsigned home_of(uint32_t gpa)
{
	return (gpa * 2654435761u) >> (32 - PATCH_BITS);   /* Fibonacci hashing */
}

static unsigned next_slot(unsigned i)
{
	return (i + 1) & (PATCH_SLOTS - 1);
}

/* The slot of the patch at gpa, or of the free slot where it would go. */
static unsigned slot_of(uint32_t gpa)
{
	unsigned i = home_of(gpa);
	while (patches[i].used && patches[i].gpa != gpa)
		i = next_slot(i);
	return i;
}

/* Empty slot i, moving later patches of its probe run back into the hole
 * (no tombstones: lookups stop at the first free slot). */
static void patch_remove(unsigned i)
{
	patches[i].used = 0;
	n_patches--;
	for (unsigned j = next_slot(i); patches[j].used; j = next_slot(j)) {
		unsigned home = home_of(patches[j].gpa);
		if (((j - home) & (PATCH_SLOTS - 1)) >= ((j - i) & (PATCH_SLOTS - 1))) {
			patches[i] = patches[j];   /* the hole lies on j's probe path */
			patches[j].used = 0;
			i = j;
		}
	}
}

int scan_patched(uint32_t gpa, uint8_t *orig)
{
	const struct patch *p = &patches[slot_of(gpa)];
	if (!p->used || !p->applied)
		return 0;
	*orig = p->orig;
	return 1;
}

/* Instructions that leak the real machine at ring 3 without trapping, and
 * those that load segments or transfer control across segments: the real
 * descriptors are compressed to DPL 3, so their privilege checks must be
 * the monitor's against the guest's descriptors.  0, PLAIN or LAZY. */
static int sensitive(const struct insn *in)
{
	if (in->map == INSN_MAP_ONE) {
		switch (in->op) {
		case 0x06: case 0x1e:             /* push es, push ds */
			return LAZY;
		case 0x9c: case 0x9d:             /* pushf, popf */
		case 0x8c: case 0x8e:             /* mov r/m, sreg; mov sreg, r/m */
		case 0x0e: case 0x16:             /* push cs, push ss */
		case 0x07: case 0x17: case 0x1f:  /* pop es, ss, ds */
		case 0xc4: case 0xc5:             /* les, lds */
		case 0x9a: case 0xea:             /* far call, far jmp */
		case 0xca: case 0xcb: case 0xcf:  /* far ret, iret */
			return PLAIN;
		case 0xff:                        /* far call, far jmp m16:32 */
			return in->reg == 3 || in->reg == 5;
		}
		return 0;
	}
	if (in->map != INSN_MAP_0F)
		return 0;
	switch (in->op) {
	case 0x00:   /* sldt, str, verr, verw */
		return in->reg == 0 || in->reg == 1 || in->reg == 4 || in->reg == 5;
	case 0x01:   /* sgdt, sidt (memory forms), smsw */
		return ((in->reg == 0 || in->reg == 1) && in->mod != 3) || in->reg == 4;
	case 0xa0: case 0xa8:              /* push fs, push gs */
		return LAZY;
	case 0x02: case 0x03: case 0xa2:   /* lar, lsl, cpuid */
	case 0xa1: case 0xa9:              /* pop fs, pop gs */
	case 0xb2: case 0xb4: case 0xb5:   /* lss, lfs, lgs */
		return PLAIN;
	}
	return 0;
}

static void apply(struct patch *p, int on)
{
	static const uint8_t int3 = INT3;
	gmem_write(p->gpa, on ? &int3 : &p->orig, 1);
	p->applied = (uint8_t)on;
}

/* Patch the instruction at gpa, sensitive() said how; 1 if the int3 is in
 * place now. */
static int patch(uint32_t gpa, int how)
{
	struct patch *p = &patches[slot_of(gpa)];
	if (p->used)
		return 0;   /* patched already */
	if (n_patches == MAX_PATCHES)
		vcpu_kill("the guest's code needs more than %u patched instructions at once",
			  MAX_PATCHES);
	n_patches++;
	p->gpa = gpa;
	p->used = 1;
	p->lazy = how == LAZY;
	if (p->lazy) {
		if (n_lazy == MAX_LAZY)
			vcpu_kill("the guest's code has more than %u pushes of segment registers",
				  MAX_LAZY);
		lazy_gpa[n_lazy++] = gpa;
	}
	gmem_read(gpa, &p->orig, 1);
	p->applied = 0;
	if (how == LAZY && !push_sregs)
		return 0;
	apply(p, 1);
	return 1;
}

/* Decode [from, frame end); returns the offset past the frame's end where the
 * last instruction ends, and patches if asked. */
/* Decode [from, to) of the frame (the last instruction may run past to);
 * mark each instruction start in starts (if given), patch sensitive ones
 * (if asked).  Returns where the last instruction ends. */
static unsigned sweep(uint32_t frame, unsigned from, unsigned to, uint8_t *starts,
		      int do_patch, unsigned *n)
{
	unsigned off = from;
	while (off < to) {
		struct insn in;
		uint32_t at = frame + off;
		unsigned avail;
		const uint8_t *bytes = gmem_peek(at, INSN_MAX_LEN, &avail);
		int len = decode_insn(bytes, avail, &in);
		if (len <= 0) {
			off++;   /* not code: go on with the next byte */
			continue;
		}
		if (starts)
			starts[off / 8] |= (uint8_t)(1u << (off % 8));
		int how = do_patch ? sensitive(&in) : 0;
		if (how && scan_is_code(at, 1))
			*n += (unsigned)patch(at, how);
		off += (unsigned)len;
	}
	return off;
}

/* The part of the frame before the entry, when the previous frame's scan
 * does not say where its last instruction ended: the instruction that
 * straddles into this frame ends within its first 15 bytes, so the true
 * decoding starts at one of those offsets.  Every candidate that meets the
 * entry exactly is tried; only instructions all of them agree on are
 * patched (decodings converge within a few bytes; before that, a patch
 * could land inside an instruction). */
static void scan_prefix(uint32_t frame, unsigned entry, unsigned *n)
{
	uint8_t agreed[PAGE_SIZE / 8], starts[PAGE_SIZE / 8];
	int candidates = 0;
	memset(agreed, 0xff, sizeof(agreed));
	for (unsigned s = 0; s < INSN_MAX_LEN && s < entry; s++) {
		memset(starts, 0, sizeof(starts));
		if (sweep(frame, s, entry, starts, 0, n) != entry)
			continue;
		candidates++;
		for (unsigned i = 0; i < sizeof(agreed); i++)
			agreed[i] &= starts[i];
	}
	for (unsigned off = 0; candidates && off < entry; off++)
		if (agreed[off / 8] & (1u << (off % 8))) {
			struct insn in;
			unsigned avail;
			const uint8_t *bytes = gmem_peek(frame + off, INSN_MAX_LEN, &avail);
			int how = decode_insn(bytes, avail, &in) > 0 ? sensitive(&in) : 0;
			if (how && scan_is_code(frame + off, 1))
				*n += (unsigned)patch(frame + off, how);
		}
}

unsigned scan_frame(uint32_t gpa)
{
	uint32_t frame = gpa & PAGE_MASK, f = frame / PAGE_SIZE;
	unsigned entry = gpa & 0xfff, n = 0;
	int prev = frame && scan_done(frame - PAGE_SIZE);
	if (prev && spill[f - 1] <= entry)
		sweep(frame, spill[f - 1], entry, 0, 1, &n);
	else if (prev)
		/* the fetch of an instruction that straddles in from the
		 * previous frame (GNU Mach's t128_detect has a push imm32
		 * there): its tail is no instruction, the code goes on after */
		entry = spill[f - 1];
	else
		scan_prefix(frame, entry, &n);
	unsigned end = sweep(frame, entry, PAGE_SIZE, 0, 1, &n);
	spill[f] = (uint8_t)(end - PAGE_SIZE);
	scanned[f / 32] |= 1u << (f % 32);
	return n;
}

void scan_forget(uint32_t gpa)
{
	uint32_t frame = gpa & PAGE_MASK, f = frame / PAGE_SIZE;
	for (unsigned off = 0; n_patches && off < PAGE_SIZE; off++) {
		unsigned i = slot_of(frame + off);
		if (!patches[i].used)
			continue;
		if (patches[i].applied)
			apply(&patches[i], 0);
		for (unsigned l = 0; patches[i].lazy && l < n_lazy; l++)
			if (lazy_gpa[l] == frame + off) {
				lazy_gpa[l] = lazy_gpa[--n_lazy];
				break;
			}
		patch_remove(i);
	}
	scanned[f / 32] &= ~(1u << (f % 32));
}

void scan_push_sregs(int on)
{
	if (!on == !push_sregs)
		return;
	push_sregs = on;
	for (unsigned l = 0; l < n_lazy; l++)
		apply(&patches[slot_of(lazy_gpa[l])], on);
}
