/* sym_percpu.c — per-CPU variables' copies.  An SMP Linux links its per-CPU
 * variables once, in .data..percpu ([__per_cpu_start, __per_cpu_end)): a
 * template, which setup_per_cpu_areas() copies for each CPU at boot.  CPU
 * n's copy of a variable lies at its template address plus
 * __per_cpu_offset[n], in memory no symbol table describes (Debian's GDT is
 * CPU 0's copy of gdt_page).  Such an address is named after the template's
 * symbol, with the offsets read from guest RAM as they are when the access
 * is symbolized. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "symbols.h"

/* x86-32's largest NR_CPUS (arch/x86/Kconfig, NR_CPUS_RANGE_END): the most
 * entries of __per_cpu_offset ever read. */
#define PERCPU_MAX_CPUS 64

struct sym_percpu {
	uint32_t start, end;         /* the template, [__per_cpu_start, __per_cpu_end) */
	uint32_t offsets;            /* __per_cpu_offset's guest-physical address */
	uint32_t ncpu;               /* its entries */
	uint32_t this_cpu_off;       /* the template of x86's this_cpu_off */
	int64_t direct;              /* the kernel's direct map: virtual less physical */
	const uint8_t *ram;          /* all of guest RAM, read-only */
	size_t ram_size;
	struct sym_copy *copies;     /* the copies named so far (symtab_copies) */
	size_t n, cap;
};

/* How many 4-byte entries the symbol at a holds: its size's, or for an
 * unsized one (a System.map's) those before the next symbol; at most
 * PERCPU_MAX_CPUS. */
static uint32_t entries_at(const struct symtab *st, uint32_t a)
{
	struct sym_ref first = symtab_lookup_virt(st, a);
	uint32_t n = 0;

	while (n < PERCPU_MAX_CPUS) {
		struct sym_ref r = symtab_lookup_virt(st, a + 4 * n + 3);
		if (!r.name || r.id != first.id)
			break;
		n++;
	}
	return n;
}

/* All of guest RAM, read-only: the guest's writes show through
 * (MAP_SHARED), and reading is a load, not a system call per lookup. */
static int map_ram(struct sym_percpu *p, int ram_fd)
{
	struct stat sb;
	void *m;

	if (fstat(ram_fd, &sb))
		return -errno;
	m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, ram_fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	p->ram = m;
	p->ram_size = (size_t)sb.st_size;
	return 0;
}

/* The 4 bytes of guest RAM at pa, read once (the guest may be writing
 * them); false outside RAM or unaligned. */
static bool ram_u32(const struct sym_percpu *p, uint64_t pa, uint32_t *v)
{
	if (pa % 4 || pa + 4 > p->ram_size)
		return false;
	*v = __atomic_load_n((const uint32_t *)(p->ram + pa), __ATOMIC_RELAXED);
	return true;
}

/* The template, the offsets' place in RAM and how many there are; false
 * for symbols without a per-CPU area (a UP kernel, kallsyms without data). */
static bool find_area(const struct symtab *st, struct sym_percpu *p)
{
	const struct sym_seg *g;
	uint32_t offsets;

	if (!symtab_addr_of(st, "__per_cpu_start", &p->start) ||
	    !symtab_addr_of(st, "__per_cpu_end", &p->end) || p->start >= p->end ||
	    !symtab_addr_of(st, "this_cpu_off", &p->this_cpu_off) ||
	    !symtab_addr_of(st, "__per_cpu_offset", &offsets) ||
	    !symtab_paddr(st, offsets, &p->offsets))
		return false;
	p->ncpu = entries_at(st, offsets);
	/* the image lies in the direct map, as the copies do (the embedded
	 * first chunk: percpu: Embedded N pages/cpu) */
	g = symtab_seg(st, p->start, false);
	p->direct = g ? (int64_t)g->vaddr - g->paddr : 0;
	return g && p->ncpu;
}

int symtab_percpu_attach(struct symtab *st, int ram_fd)
{
	struct sym_percpu *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	if (!find_area(st, p)) {
		free(p);
		return 0;
	}
	ret = map_ram(p, ram_fd);
	if (ret) {
		free(p);
		return ret;
	}
	st->percpu = p;
	return 0;
}

void symtab_percpu_free(struct symtab *st)
{
	struct sym_percpu *p = st->percpu;

	if (!p)
		return;
	munmap((void *)p->ram, p->ram_size);   /* fails only for a range mmap did not give */
	free(p->copies);
	free(p);
	st->percpu = NULL;
}

static bool seen(const uint32_t *offs, uint32_t n, uint32_t off)
{
	for (uint32_t i = 0; i < n; i++)
		if (offs[i] == off)
			return true;
	return false;
}

/* Whether off is a CPU's offset already: setup_per_cpu_areas() sets each
 * CPU's this_cpu_off to it, in that CPU's copy.  Until the kernel is
 * decompressed, __per_cpu_offset's frame holds other bytes, nonzero. */
static bool offset_set(const struct sym_percpu *p, int64_t slide, uint32_t off)
{
	uint32_t v;

	return ram_u32(p, (uint64_t)(p->this_cpu_off + slide + off - p->direct), &v) && v == off;
}

/* Whether a lies in a CPU's copy: which CPU, and the template address as
 * linked.  The offsets count while they are set (0: not yet) and distinct.
 * A kernel that runs slide bytes above its link address (KASLR) has its
 * template, its __per_cpu_offset and its copies' offsets from there. */
static bool copy_of(const struct sym_percpu *p, int64_t slide, uint32_t a, uint32_t *cpu,
		    uint32_t *t)
{
	uint32_t offs[PERCPU_MAX_CPUS];

	for (uint32_t c = 0; c < p->ncpu; c++) {
		uint32_t off;
		if (!ram_u32(p, (uint64_t)(p->offsets + slide) + 4ull * c, &off) || !off ||
		    seen(offs, c, off) || !offset_set(p, slide, off))
			return false;
		offs[c] = off;
		uint32_t linked = (uint32_t)(a - off - slide);
		if (linked >= p->start && linked < p->end) {
			*cpu = c;
			*t = linked;
			return true;
		}
	}
	return false;
}

/* The copy's symbols.id, the copy added the first time; false if there is
 * no memory for it (it then stays unnamed, as without per-CPU naming). */
static bool copy_id(const struct symtab *st, struct sym_percpu *p, const struct sym_copy *c,
		    uint32_t *id)
{
	size_t k = 0;

	while (k < p->n && (p->copies[k].sym != c->sym || p->copies[k].cpu != c->cpu))
		k++;
	if (k == p->n && p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct sym_copy *grown = realloc(p->copies, cap * sizeof(*grown));
		if (!grown)
			return false;
		p->copies = grown;
		p->cap = cap;
	}
	if (k == p->n)
		p->copies[p->n++] = *c;
	*id = (uint32_t)(st->n + k);
	return true;
}

/* By the linear address first; then, for an alias (the GDT's read-only
 * fixmap), by the direct-map address of the frame. */
static bool find_copy(const struct sym_percpu *p, int64_t slide, uint32_t addr, uint64_t gpa,
		      uint32_t *a, uint32_t *cpu, uint32_t *t)
{
	int64_t v = (int64_t)gpa + p->direct;

	*a = addr;
	if (copy_of(p, slide, addr, cpu, t))
		return true;
	if (!gpa || v < 0 || v > UINT32_MAX)
		return false;
	*a = (uint32_t)v;
	return copy_of(p, slide, *a, cpu, t);
}

struct sym_ref symtab_percpu_lookup(const struct symtab *st, uint32_t addr, uint64_t gpa)
{
	struct sym_percpu *p = st->percpu;
	uint32_t a, cpu, t, id;
	struct sym_ref r;

	if (!p || !find_copy(p, st->slide, addr, gpa, &a, &cpu, &t))
		return (struct sym_ref){ 0 };
	r = symtab_lookup_virt(st, t);
	if (!r.name || !copy_id(st, p, &(struct sym_copy){
			.sym = r.id, .addr = a - r.off, .cpu = cpu,
			.paddr = (uint32_t)(a - r.off - p->direct) }, &id))
		return (struct sym_ref){ 0 };
	r.id = id;
	return r;
}

const struct sym_copy *symtab_copies(const struct symtab *st, size_t *n)
{
	*n = st->percpu ? st->percpu->n : 0;
	return st->percpu ? st->percpu->copies : NULL;
}
