/* sym_elf.c — symbols from an ELF's .symtab (libelf) and source lines from
 * its DWARF (libdw): the best source, since it knows every symbol's size and
 * section, and the file and line of every instruction. */
#include <errno.h>
#include <gelf.h>

#include "symbols.h"

/* Section and file symbols name no location of their own; absolute symbols
 * are constants (e.g. a Multiboot magic), not addresses; and a 32-bit guest
 * has nothing above 4 GiB. */
static bool sym_wanted(const GElf_Sym *gs, const char *name)
{
	int type = GELF_ST_TYPE(gs->st_info);
	if (type != STT_OBJECT && type != STT_FUNC && type != STT_NOTYPE)
		return false;
	if (gs->st_shndx == SHN_UNDEF || gs->st_shndx == SHN_ABS ||
	    gs->st_value > UINT32_MAX)
		return false;
	return sym_name_wanted(name);
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

	if (!data)
		return -ENOEXEC;
	for (size_t i = 1; i < count; i++) {   /* entry 0 is the null symbol */
		GElf_Sym gs;
		const char *name;
		int ret;
		if (!gelf_getsym(data, (int)i, &gs))
			return -ENOEXEC;
		name = elf_strptr(st->elf, sh->sh_link, gs.st_name);
		if (!sym_wanted(&gs, name))
			continue;
		ret = symtab_add(st, &(struct sym){
			.name = name,
			.section = section_name(st->elf, shstrndx, gs.st_shndx),
			.addr = (uint32_t)gs.st_value,
			.size = (uint32_t)gs.st_size,
			.type = (uint8_t)GELF_ST_TYPE(gs.st_info),
			.bind = (uint8_t)GELF_ST_BIND(gs.st_info),
		});
		if (ret)
			return ret;
	}
	return 0;
}

int symtab_load_elf(struct symtab *st)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int ret;

	st->why = "a broken ELF file";
	if (elf_getshdrstrndx(st->elf, &shstrndx))
		return -ENOEXEC;
	while ((scn = elf_nextscn(st->elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			return -ENOEXEC;
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		ret = add_symtab_section(st, scn, &sh, shstrndx);
		if (ret)
			return ret;
	}
	ret = symtab_layout_elf(st, st->elf);
	if (ret)
		return ret;
	st->why = NULL;
	/* no DWARF is no error: the symbols still name every address */
	st->dwarf = dwarf_begin_elf(st->elf, DWARF_C_READ, NULL);
	st->format = st->dwarf ? "elf+dwarf" : "elf";
	return 0;
}

int symtab_line_dwarf(const struct symtab *st, uint32_t addr, const char **file,
		      uint32_t *line)
{
	Dwarf_Die cu;
	Dwarf_Line *l;
	int n;

	if (!st->dwarf || !dwarf_addrdie(st->dwarf, addr, &cu))
		return -ENOENT;
	l = dwarf_getsrc_die(&cu, addr);
	if (!l || !(*file = dwarf_linesrc(l, NULL, NULL)) || dwarf_lineno(l, &n) || n <= 0)
		return -ENOENT;
	*line = (uint32_t)n;
	return 0;
}
