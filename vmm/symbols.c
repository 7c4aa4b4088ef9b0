/* symbols.c — the symbol table whatever its source: load (dispatching on the
 * file's kind), sort, and answer "which symbol holds this access", by its
 * guest-physical address where the image's layout is known, telling an
 * address inside a symbol from one in the padding after it. */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "symbols.h"

/* Names starting with '.' or '$' are assembler-local labels and mapping
 * symbols, not locations anyone would look for. */
bool sym_name_wanted(const char *name)
{
	return name && name[0] && name[0] != '.' && name[0] != '$';
}

int symtab_add(struct symtab *st, const struct sym *s)
{
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 1024;
		struct sym *grown = realloc(st->syms, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		st->syms = grown;
		st->cap = cap;
	}
	st->syms[st->n++] = *s;
	return 0;
}

static int bind_rank(uint8_t bind)
{
	return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
}

static size_t underscores(const char *name)
{
	return strspn(name, "_");
}

/* By address; at one address a sized symbol before an unsized one (it is the
 * object, the other a label), then fewer leading underscores (idt_table, not
 * the linker's __bss_start: this also makes a System.map, which has no sizes,
 * choose like its ELF), global before weak before local, then by name, so
 * that lookups are deterministic. */
static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (!x->size != !y->size)
		return x->size ? -1 : 1;
	if (underscores(x->name) != underscores(y->name))
		return underscores(x->name) < underscores(y->name) ? -1 : 1;
	if (bind_rank(x->bind) != bind_rank(y->bind))
		return bind_rank(x->bind) - bind_rank(y->bind);
	return strcmp(x->name, y->name);
}

/* A trap stream hits few distinct addresses again and again: lookups and
 * DWARF line lookups (libdw's CU search and line-table walk, most of the
 * symbolizer's cost) are remembered per address (linear and guest-physical),
 * direct-mapped. */
#define SYM_CACHE_SLOTS 4096   /* a power of two */

struct sym_cache {
	struct ref_slot {
		uint32_t addr;
		uint64_t gpa;
		bool valid;
		struct sym_ref ref;
	} refs[SYM_CACHE_SLOTS];
	struct line_slot {
		uint32_t addr, line;
		bool valid;
		int ret;
		const char *file;
	} lines[SYM_CACHE_SLOTS];
};

static size_t cache_slot(uint32_t addr)
{
	return (addr * 0x9e3779b1u) >> 20 & (SYM_CACHE_SLOTS - 1);
}

static int index_addresses(struct symtab *st)
{
	st->cache = calloc(1, sizeof(*st->cache));
	if (!st->cache)
		return -ENOMEM;
	if (st->n)
		qsort(st->syms, st->n, sizeof(*st->syms), sym_cmp);
	st->first = malloc((st->n ? st->n : 1) * sizeof(*st->first));
	if (!st->first)
		return -ENOMEM;
	for (size_t i = 0; i < st->n; i++)
		if (!i || st->syms[i].addr != st->syms[i - 1].addr)
			st->first[st->naddr++] = i;
	return 0;
}

int symtab_load(struct symtab *st, const char *path)
{
	int ret;

	*st = (struct symtab){ .fd = -1 };
	ret = image_open(path, &st->fd, &st->elf);
	if (ret)
		return ret;
	/* libelf reads any file; only one that starts "\177ELF" is an ELF */
	if (elf_kind(st->elf) == ELF_K_ELF)
		ret = symtab_load_elf(st);
	else if (image_is_bzimage(st->fd) == 1)
		ret = symtab_load_kallsyms(st);
	else
		ret = symtab_load_map(st);
	if (!ret)
		ret = index_addresses(st);
	if (ret) {
		const char *why = st->why;
		symtab_free(st);
		st->why = why;
	}
	return ret;
}

void symtab_free(struct symtab *st)
{
	free(st->syms);
	free(st->first);
	free(st->segs);
	free(st->text);
	free(st->cache);
	symtab_percpu_free(st);
	if (st->dwarf)
		dwarf_end(st->dwarf);
	if (st->elf)
		image_close(st->fd, st->elf);
	*st = (struct symtab){ .fd = -1 };
}

/* How many of first[] lie at or below addr. */
static size_t addrs_upto(const struct symtab *st, uint32_t addr)
{
	size_t lo = 0, hi = st->naddr;   /* first[lo..hi) not yet excluded */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->syms[st->first[mid]].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Where the preferred symbol at first[i] ends (exclusive).  A sized one
 * after its size.  An unsized one at the next symbol or the end of its
 * segment, whichever comes first; where no segment holds it, or after the
 * last symbol with no layout known, right after its own address: how far
 * the image goes is unknown there, and no symbol may reach a gigabyte past
 * the kernel. */
static uint64_t sym_end(const struct symtab *st, size_t i)
{
	const struct sym *s = &st->syms[st->first[i]];
	const struct sym_seg *g;
	uint64_t end;

	if (s->size)
		return (uint64_t)s->addr + s->size;
	end = i + 1 < st->naddr ? st->syms[st->first[i + 1]].addr : UINT64_MAX;
	g = symtab_seg(st, s->addr, false);
	if (!g)
		return st->nseg || end == UINT64_MAX ? (uint64_t)s->addr + 1 : end;
	return end < (uint64_t)g->vaddr + g->size ? end : (uint64_t)g->vaddr + g->size;
}

/* The symbol at virtual address v; with in, only one that segment holds. */
static struct sym_ref lookup_virt(const struct symtab *st, uint32_t v, const struct sym_seg *in)
{
	size_t lo = addrs_upto(st, v);
	const struct sym *s;

	if (!lo)
		return (struct sym_ref){ 0 };
	s = &st->syms[st->first[lo - 1]];
	if (v >= sym_end(st, lo - 1) || (in && symtab_seg(st, s->addr, false) != in))
		return (struct sym_ref){ .pad = true };
	return (struct sym_ref){ .name = s->name, .off = v - s->addr, .id = (uint32_t)st->first[lo - 1] };
}

struct sym_ref symtab_lookup_virt(const struct symtab *st, uint32_t v)
{
	return lookup_virt(st, v, NULL);
}

/* An access with a guest-physical address is named from it, when the
 * layout says which virtual address of the image lives there.  But one whose
 * linear address is its physical one, to a frame the image links elsewhere,
 * is made without the kernel's own mapping (paging off, or an identity map):
 * boot code, such as Linux's decompressor, whose GDT and stack sit in frames
 * the kernel takes later.  It is named by its linear address, as the
 * instructions making it are. */
static struct sym_ref lookup(const struct symtab *st, uint32_t addr, uint64_t gpa)
{
	const struct sym_seg *g;

	if (!gpa || !st->nseg)
		return lookup_virt(st, addr, NULL);
	g = symtab_seg(st, gpa, true);
	if (addr == gpa && (!g || g->vaddr != g->paddr))
		return lookup_virt(st, addr, NULL);
	if (!g)
		return (struct sym_ref){ .pad = true };   /* not the image's memory */
	return lookup_virt(st, g->vaddr + (uint32_t)(gpa - g->paddr), g);
}

/* A runtime address of the slid image, as linked: virtual (phys false) or
 * guest-physical. */
static uint64_t unslide(const struct symtab *st, uint64_t a, bool phys)
{
	if (!st->slide || !a)
		return a;
	for (size_t i = 0; i < st->nseg; i++) {
		uint64_t lo = (uint64_t)(phys ? st->segs[i].paddr : st->segs[i].vaddr) + st->slide;
		if (a >= lo && a < lo + st->segs[i].size)
			return a - st->slide;
	}
	return a;
}

void symtab_set_slide(struct symtab *st, int64_t slide)
{
	st->slide = slide;
	if (st->cache)
		memset(st->cache, 0, sizeof(*st->cache));
}

struct sym_ref symtab_lookup(const struct symtab *st, uint32_t addr, uint64_t gpa)
{
	struct ref_slot *c;
	struct sym_ref r;

	/* An access at its own physical address (paging off) stays one. */
	uint64_t g = gpa && gpa == addr ? unslide(st, addr, false) : unslide(st, gpa, true);
	addr = (uint32_t)unslide(st, addr, false);
	gpa = g;

	if (!st->cache)   /* nothing loaded */
		return lookup(st, addr, gpa);
	c = &st->cache->refs[cache_slot(addr ^ (uint32_t)gpa * 0x85ebca6bu)];
	if (!c->valid || c->addr != addr || c->gpa != gpa)
		*c = (struct ref_slot){ .addr = addr, .gpa = gpa, .valid = true,
					.ref = lookup(st, addr, gpa) };
	if (c->ref.name || !st->percpu)
		return c->ref;
	/* Whether a per-CPU copy holds it depends on guest RAM, which changes:
	 * only a copy found is remembered (an offset, once set, stays). */
	r = symtab_percpu_lookup(st, addr, gpa);
	if (r.name)
		c->ref = r;
	return r.name ? r : c->ref;
}

int symtab_line(const struct symtab *st, uint32_t addr, const char **file, uint32_t *line)
{
	struct line_slot *c;

	addr = (uint32_t)unslide(st, addr, false);
	if (!st->cache)
		return symtab_line_dwarf(st, addr, file, line);
	c = &st->cache->lines[cache_slot(addr)];
	if (!c->valid || c->addr != addr) {
		*c = (struct line_slot){ .addr = addr, .valid = true };
		c->ret = symtab_line_dwarf(st, addr, &c->file, &c->line);
	}
	if (!c->ret) {
		*file = c->file;
		*line = c->line;
	}
	return c->ret;
}

const char *sym_type_name(const struct sym *s)
{
	return s->type == STT_OBJECT ? "object" : s->type == STT_FUNC ? "func" : "notype";
}

bool symtab_addr_of(const struct symtab *st, const char *name, uint32_t *addr)
{
	for (size_t i = 0; i < st->n; i++)
		if (!strcmp(st->syms[i].name, name)) {
			*addr = st->syms[i].addr;
			return true;
		}
	return false;
}

/* Inside the kernel's text or init text (from Linux's own markers, when the
 * symbols have them), ends included: where scripts/kallsyms.c keeps symbols
 * without CONFIG_KALLSYMS_ALL, section-boundary labels such as __init_begin
 * (typed D, at _sinittext's address) among them. */
static bool in_kernel_text(const struct symtab *st, uint32_t addr)
{
	static const char *const ranges[][2] = { { "_stext", "_etext" }, { "_sinittext", "_einittext" } };
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		uint32_t lo, hi;
		if (symtab_addr_of(st, ranges[i][0], &lo) && symtab_addr_of(st, ranges[i][1], &hi) &&
		    addr >= lo && addr <= hi)
			return true;
	}
	return false;
}

bool symtab_names_data(const struct symtab *st)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->syms[i].type == STT_OBJECT && !in_kernel_text(st, st->syms[i].addr))
			return true;
	return false;
}
