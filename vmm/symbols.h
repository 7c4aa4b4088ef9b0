/* symbols.h — the guest's symbols from the best source given: an ELF symbol
 * table, with DWARF source lines when the ELF has them (sym_elf.c), or a
 * System.map (sym_map.c); sorted once, searched for every trap record, by
 * linear or guest-physical address (the image's layout, sym_layout.c), and
 * per-CPU variables' copies by the offsets in guest RAM (sym_percpu.c). */
#ifndef RINGMON_SYMBOLS_H
#define RINGMON_SYMBOLS_H

#include <elfutils/libdw.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct sym {
	const char *name;     /* points into the loaded file, valid until symtab_free */
	const char *section;  /* section name; NULL if unknown (System.map) */
	uint32_t addr;
	uint32_t size;        /* 0 if unknown: a label, or any System.map symbol */
	uint8_t type;         /* STT_OBJECT, STT_FUNC or STT_NOTYPE */
	uint8_t bind;         /* STB_LOCAL, STB_GLOBAL or STB_WEAK */
};

/* One loaded piece of the image the symbols describe: [vaddr, vaddr + size)
 * lies at guest-physical paddr. */
struct sym_seg {
	uint32_t vaddr, paddr, size;
};

struct symtab {
	struct sym *syms;     /* by address; at one address the preferred first */
	size_t n, cap;
	size_t *first;        /* index of the preferred symbol at each address */
	size_t naddr;
	const char *format;   /* "elf", "elf+dwarf", "system.map" or "kallsyms" */
	struct sym_seg *segs; /* the image's layout (sym_layout.c); none if unknown */
	size_t nseg;
	int fd;               /* ELF: the open file and libelf's view of it */
	Elf *elf;
	Dwarf *dwarf;         /* ELF: its DWARF, NULL if it has none */
	char *text;           /* System.map: the whole file, names point into it */
	const char *why;      /* after -ENOEXEC: what is wrong with the file */
	struct sym_cache *cache;   /* the last answers per address (symbols.c) */
	int64_t slide;        /* where the image runs minus where it is linked (sym_slide.c) */
	struct sym_percpu *percpu; /* per-CPU copies (sym_percpu.c); NULL if not named */
};

/* CPU cpu's copy of the per-CPU variable syms[sym]: named after it, with
 * symbols.id st->n plus its place among the copies (symtab_copies). */
struct sym_copy {
	size_t sym;
	uint32_t addr;        /* the copy's linear address, in the direct map */
	uint32_t paddr;       /* its guest-physical address */
	uint32_t cpu;
};

/* path is an ELF file, a System.map (`nm -n` output) or a Linux bzImage
 * (its kallsyms table); which one is told by its first bytes.  -ENOEXEC
 * with why set if it is none of them. */
int symtab_load(struct symtab *st, const char *path);
void symtab_free(struct symtab *st);

/* The symbol that holds an access at linear addr, guest-physical gpa (0 if
 * the access has none, as for an instruction's own address).  With the
 * image's layout known and a gpa, the symbol is the one that lives at gpa,
 * whatever linear address (an alias) reached it: a gpa outside the image
 * names nothing (.pad).  Otherwise, and for an access at addr == gpa to a
 * frame linked elsewhere (boot code, before paging), the one at linear
 * addr.  A symbol holds
 * its size's bytes; an unsized one reaches the next symbol but not past the
 * end of its segment, and outside every segment (or after the last symbol,
 * the layout unknown) only its own address.  Past the end .pad; all zero
 * when no symbol lies below.  An address no symbol holds may be a per-CPU
 * variable's copy (symtab_percpu_attach). */
struct sym_ref symtab_lookup(const struct symtab *st, uint32_t addr, uint64_t gpa);

/* The image runs slide bytes above its link addresses, virtual and
 * physical alike (i386 KASLR): lookups from now on take addresses in the
 * image's runtime extent to the symbols linked there (sym_slide.c finds
 * the slide). */
void symtab_set_slide(struct symtab *st, int64_t slide);

/* Also name CPUs' copies of per-CPU variables, by __per_cpu_offset in the
 * guest's RAM, the file open at ram_fd (guest-physical address P at offset
 * P): an address no symbol holds that lies in a copy (by its linear
 * address, or its frame's address in the direct map) is the template's
 * symbol, at the same offset.  0 also when the symbols have no per-CPU area
 * (__per_cpu_start, __per_cpu_end, this_cpu_off, __per_cpu_offset and its
 * physical address), or -errno. */
int symtab_percpu_attach(struct symtab *st, int ram_fd);
/* The copies named so far, in the order found: copies[i] is symbols.id
 * st->n + i. */
const struct sym_copy *symtab_copies(const struct symtab *st, size_t *n);

/* Source file and line of a code address from DWARF: 0, or -ENOENT if the
 * table has no line for it. */
int symtab_line(const struct symtab *st, uint32_t addr, const char **file,
		uint32_t *line);

/* The guest-physical address of virtual vaddr through the segment that
 * holds it: false if none does (or the layout is unknown). */
bool symtab_paddr(const struct symtab *st, uint32_t vaddr, uint32_t *paddr);

/* For symbols that bring no layout of their own (a System.map), the guest's:
 * its loadable segments (an ELF), or where its setup header loads the
 * kernel (a bzImage).  0 (also when the guest has no layout to give, e.g. a
 * Multiboot a.out kludge), or -errno (sym_layout.c).  Before any lookup:
 * the answers are remembered. */
int symtab_layout_guest(struct symtab *st, const char *guest);

const char *sym_type_name(const struct sym *s);

/* Whether any data object (STT_OBJECT) lies outside the kernel's text.
 * Kallsyms from a kernel built without CONFIG_KALLSYMS_ALL names functions
 * only (and a few labels at text addresses): a caller then says so and where
 * data symbols come from (the vmlinux with its symbol table, e.g. in
 * Debian's -dbg package, or a real System.map). */
bool symtab_names_data(const struct symtab *st);
/* What `run` and `layout` say then, after the symbol file's name. */
#define SYMTAB_NO_DATA_HINT \
	"names functions only (kallsyms without CONFIG_KALLSYMS_ALL): data addresses stay" \
	" unnamed; data symbols come from the kernel's vmlinux (--symbols, e.g." \
	" /usr/lib/debug/boot/vmlinux-VERSION from linux-image-VERSION-dbg)"

/* Whether the --symbols file at sym_path (loaded into st) belongs to the
 * guest (sym_check.c): 0 if it does, method saying how that was found
 * ("build-id", "segments", "kallsyms", "symbols"), or if nothing could be
 * compared (method "unchecked", why says why); 1 if it does not, why says
 * what differs; -errno. */
struct sym_check {
	const char *method;
	char why[200];
};
int symtab_check_guest(const struct symtab *st, const char *sym_path, const char *guest,
		       struct sym_check *c);

/* The kernel inside the bzImage open at fd: its payload, where the setup
 * header says, decompressed into *k (*n bytes, the caller frees it).
 * -ENOEXEC with *why set when the payload is missing, truncated or corrupt
 * (sym_kallsyms.c; image_check() and the symbols check use it too). */
int bzimage_kernel(int fd, uint8_t **k, size_t *n, const char **why);

/* Where a relocatable bzImage's kernel runs (sym_slide.c): prepared from
 * the image once (a stretch of its kallsyms names, which the kernel never
 * writes), then looked for in guest RAM (the file ram_fd, ram_size bytes)
 * at every place the setup header lets the kernel choose. */
struct slide_probe {
	uint8_t *bytes;       /* NULL: nothing to find (not relocatable, no kallsyms) */
	size_t len;
	uint32_t off;         /* of the bytes from the image's start in RAM */
	uint32_t pref, align, init_size;   /* from the setup header */
};
int slide_prepare(struct slide_probe *p, int guest_fd, const char **why);
/* 0 with *slide once exactly one place holds the bytes; -ENOENT if none or
 * several do; -errno. */
int slide_find(const struct slide_probe *p, int ram_fd, uint64_t ram_size, int64_t *slide);
void slide_free(struct slide_probe *p);
/* The names table of the kallsyms in the kernel image k: its offset and
 * length (sym_kallsyms.c). */
int kallsyms_names_at(const uint8_t *k, size_t n, size_t *off, size_t *len);

/* For the loaders. */
int symtab_load_elf(struct symtab *st);
int symtab_load_map(struct symtab *st);
int symtab_load_kallsyms(struct symtab *st);
/* symtab_line() without the cache (sym_elf.c). */
int symtab_line_dwarf(const struct symtab *st, uint32_t addr, const char **file,
		      uint32_t *line);
bool sym_name_wanted(const char *name);
int symtab_add(struct symtab *st, const struct sym *s);
/* The layout from an ELF's loadable segments, or from the setup header of
 * the bzImage open at fd (st must hold its _text): 0 or -errno. */
int symtab_layout_elf(struct symtab *st, Elf *elf);
int symtab_layout_bzimage(struct symtab *st, int fd);
/* The address of the first symbol called name. */
bool symtab_addr_of(const struct symtab *st, const char *name, uint32_t *addr);
/* The segment whose virtual (or, with phys, physical) extent holds a. */
const struct sym_seg *symtab_seg(const struct symtab *st, uint64_t a, bool phys);
/* The symbol at virtual address v of the image (symbols.c). */
struct sym_ref symtab_lookup_virt(const struct symtab *st, uint32_t v);
/* The per-CPU copy that holds an access no symbol does; all zero if none. */
struct sym_ref symtab_percpu_lookup(const struct symtab *st, uint32_t addr, uint64_t gpa);
void symtab_percpu_free(struct symtab *st);

#endif
