/* symbols.c — load the guest's .symtab with libelf, keep the symbols that
 * name locations (objects, functions, labels), and answer "which symbol is at
 * or below this address" by binary search. */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "symbols.h"

/* Section and file symbols name no location of their own; names starting with
 * '.' or '$' are assembler-local labels and mapping symbols; absolute symbols
 * are constants (e.g. a Multiboot magic), not addresses. */
static int sym_wanted(const GElf_Sym *gs, const char *name)
{
	int type = GELF_ST_TYPE(gs->st_info);
	if (type != STT_OBJECT && type != STT_FUNC && type != STT_NOTYPE)
		return 0;
	if (gs->st_shndx == SHN_UNDEF || gs->st_shndx == SHN_ABS)
		return 0;
	return name && name[0] && name[0] != '.' && name[0] != '$';
}

static int bind_rank(uint8_t bind)
{
	return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
}

/* By address; at one address a sized symbol before an unsized one (it is the
 * object, the other a label), global before weak before local, then by name,
 * so that lookups are deterministic. */
static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (!x->size != !y->size)
		return x->size ? -1 : 1;
	if (bind_rank(x->bind) != bind_rank(y->bind))
		return bind_rank(x->bind) - bind_rank(y->bind);
	return strcmp(x->name, y->name);
}

static const char *section_name(Elf *elf, size_t shstrndx, size_t shndx)
{
	GElf_Shdr sh;
	Elf_Scn *scn;
	if (shndx >= SHN_LORESERVE)
		return NULL;
	scn = elf_getscn(elf, shndx);
	if (!scn || !gelf_getshdr(scn, &sh))
		return NULL;
	return elf_strptr(elf, shstrndx, sh.sh_name);
}

static int add_symtab_section(struct symtab *st, Elf_Scn *scn, const GElf_Shdr *sh,
			      size_t shstrndx)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	struct sym *grown;

	if (!data)
		return -ENOEXEC;
	if (!count)
		return 0;
	grown = realloc(st->syms, (st->n + count) * sizeof(*st->syms));
	if (!grown)
		return -ENOMEM;
	st->syms = grown;
	for (size_t i = 1; i < count; i++) {   /* entry 0 is the null symbol */
		GElf_Sym gs;
		const char *name;
		if (!gelf_getsym(data, (int)i, &gs))
			return -ENOEXEC;
		name = elf_strptr(st->elf, sh->sh_link, gs.st_name);
		if (!sym_wanted(&gs, name))
			continue;
		st->syms[st->n++] = (struct sym){
			.name = name,
			.section = section_name(st->elf, shstrndx, gs.st_shndx),
			.addr = (uint32_t)gs.st_value,
			.size = (uint32_t)gs.st_size,
			.type = (uint8_t)GELF_ST_TYPE(gs.st_info),
			.bind = (uint8_t)GELF_ST_BIND(gs.st_info),
		};
	}
	return 0;
}

static int index_addresses(struct symtab *st)
{
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
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int ret;

	*st = (struct symtab){ 0 };
	ret = image_open(path, &st->fd, &st->elf);
	if (ret)
		return ret;
	ret = -ENOEXEC;
	if (elf_getshdrstrndx(st->elf, &shstrndx))
		goto err;
	while ((scn = elf_nextscn(st->elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			goto err;
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		ret = add_symtab_section(st, scn, &sh, shstrndx);
		if (ret)
			goto err;
	}
	if (st->n)
		qsort(st->syms, st->n, sizeof(*st->syms), sym_cmp);
	ret = index_addresses(st);
	if (ret)
		goto err;
	return 0;
err:
	symtab_free(st);
	return ret;
}

void symtab_free(struct symtab *st)
{
	free(st->syms);
	free(st->first);
	if (st->elf)
		image_close(st->fd, st->elf);
	*st = (struct symtab){ 0 };
}

const struct sym *symtab_lookup(const struct symtab *st, uint32_t addr)
{
	size_t lo = 0, hi = st->naddr;   /* first[lo..hi) not yet excluded */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->syms[st->first[mid]].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &st->syms[st->first[lo - 1]] : NULL;
}

const char *sym_type_name(const struct sym *s)
{
	return s->type == STT_OBJECT ? "object" : s->type == STT_FUNC ? "func" : "notype";
}
