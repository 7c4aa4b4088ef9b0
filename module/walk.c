/* walk.c — the guest's MMU in software: 2-level (4 KiB and, with CR4.PSE,
 * 4 MiB pages) and PAE (4 KiB and 2 MiB pages, NX with EFER.NXE) walks, with
 * the accessed and dirty bits set in the guest's entries as the CPU would.
 * The shadow page tables (shadow.c) and every monitor access to guest memory
 * go through here. */
#include "walk.h"
#include "gmem.h"
#include "layout.h"
#include "vcpu.h"
#include "x86.h"

#define E_P   (1ull << 0)
#define E_RW  (1ull << 1)
#define E_US  (1ull << 2)
#define E_A   (1ull << 5)
#define E_D   (1ull << 6)
#define E_PS  (1ull << 7)
#define E_NX  (1ull << 63)

/* A guest page-table entry, read from guest-physical memory. */
struct gpte {
	uint32_t gpa;   /* where the entry lives */
	unsigned size;  /* 4 or 8 bytes */
	uint64_t v;
};

static uint64_t read_entry(struct gpte *e, uint32_t gpa, unsigned size)
{
	e->gpa = gpa;
	e->size = size;
	e->v = 0;
	gmem_read(gpa, &e->v, size);
	return e->v;
}

static void set_bits(struct gpte *e, uint64_t bits)
{
	if ((e->v & bits) == bits)
		return;
	e->v |= bits;
	uint32_t low = (uint32_t)e->v;   /* A and D are in the low word */
	gmem_write(e->gpa, &low, 4);
}

/* Up to three levels of entries, leaf last. */
struct path {
	struct gpte e[3];
	unsigned n;
	uint32_t gpa;
};

static int path_2level(uint32_t lin, struct path *p)
{
	uint64_t pde = read_entry(&p->e[0], (vcpu.cr3 & PAGE_MASK) + (lin >> 22) * 4, 4);
	p->n = 1;
	if (!(pde & E_P))
		return -1;
	if ((pde & E_PS) && (vcpu.cr4 & X86_CR4_PSE)) {
		p->gpa = ((uint32_t)pde & 0xffc00000u) | (lin & 0x3fffff);
		return 0;
	}
	uint64_t pte = read_entry(&p->e[1], ((uint32_t)pde & PAGE_MASK) + ((lin >> 12) & 1023) * 4, 4);
	p->n = 2;
	if (!(pte & E_P))
		return -1;
	p->gpa = ((uint32_t)pte & PAGE_MASK) | (lin & 0xfff);
	return 0;
}

/* PAE: the PDPTE has no access bits; an entry naming a frame above 4 GiB
 * faults. */
static int path_pae(uint32_t lin, struct path *p)
{
	struct gpte pdpt;
	uint64_t pdpte = read_entry(&pdpt, (vcpu.cr3 & ~0x1fu) + (lin >> 30) * 8, 8);
	p->n = 0;
	if (!(pdpte & E_P))
		return -1;
	uint64_t pde = read_entry(&p->e[0], (uint32_t)(pdpte & 0xfffff000u) + ((lin >> 21) & 511) * 8, 8);
	p->n = 1;
	if ((pdpte >> 32) || !(pde & E_P))
		return -1;
	if (pde & E_PS) {
		p->gpa = ((uint32_t)pde & 0xffe00000u) | (lin & 0x1fffff);
		return (pde >> 32) & 0x7fffffff ? -1 : 0;
	}
	uint64_t pte = read_entry(&p->e[1], (uint32_t)(pde & 0xfffff000u) + ((lin >> 12) & 511) * 8, 8);
	p->n = 2;
	if ((pde >> 32) & 0x7fffffff || !(pte & E_P))
		return -1;
	p->gpa = ((uint32_t)pte & PAGE_MASK) | (lin & 0xfff);
	return (pte >> 32) & 0x7fffffff ? -1 : 0;
}

static int nx_enabled(void)
{
	return (vcpu.cr4 & X86_CR4_PAE) && (vcpu.efer & EFER_NXE);
}

static uint32_t fault(uint32_t err, unsigned access)
{
	err |= (access & WALK_WRITE) ? PF_WRITE : 0;
	err |= (access & WALK_USER) ? PF_USER : 0;
	err |= ((access & WALK_FETCH) && nx_enabled()) ? PF_FETCH : 0;
	return err;
}

static int walk_paged(uint32_t lin, unsigned access, struct walk *w)
{
	struct path p;
	int pae = (vcpu.cr4 & X86_CR4_PAE) != 0;
	if (pae ? path_pae(lin, &p) : path_2level(lin, &p)) {
		w->err = fault(0, access);
		return -1;
	}
	uint64_t rw = E_RW, us = E_US, nx = 0;
	for (unsigned i = 0; i < p.n; i++) {
		rw &= p.e[i].v;
		us &= p.e[i].v;
		nx |= p.e[i].v & E_NX;
	}
	w->user = us != 0;
	w->writable = rw || (!(access & WALK_USER) && !(vcpu.cr0 & X86_CR0_WP));
	w->nx = nx_enabled() && nx;
	if (((access & WALK_USER) && !w->user) || ((access & WALK_WRITE) && !w->writable) ||
	    ((access & WALK_FETCH) && w->nx)) {
		w->err = fault(PF_PRESENT, access);
		return -1;
	}
	struct gpte *leaf = &p.e[p.n - 1];
	if (!(access & WALK_PEEK)) {
		for (unsigned i = 0; i < p.n; i++)
			set_bits(&p.e[i], E_A);
		if (access & WALK_WRITE)
			set_bits(leaf, E_D);
	}
	w->dirty = (leaf->v & E_D) != 0;
	w->gpa = p.gpa;
	return 0;
}

int walk_guest(uint32_t lin, unsigned access, struct walk *w)
{
	if (vcpu.cr0 & X86_CR0_PG) {
		if (walk_paged(lin, access, w))
			return -1;
	} else {
		w->gpa = lin;
		w->writable = w->user = w->dirty = 1;
		w->nx = 0;
	}
	gmem_check(w->gpa & PAGE_MASK, PAGE_SIZE);
	return 0;
}
