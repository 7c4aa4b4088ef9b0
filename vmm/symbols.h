/* symbols.h — the guest's ELF symbol table, sorted once, searched per trap
 * record: which symbol holds an address. */
#ifndef RINGMON_SYMBOLS_H
#define RINGMON_SYMBOLS_H

#include <libelf.h>
#include <stddef.h>
#include <stdint.h>

struct sym {
	const char *name;     /* points into the ELF image, valid until symtab_free */
	const char *section;  /* section name, or NULL */
	uint32_t addr;
	uint32_t size;
	uint8_t type;         /* STT_OBJECT, STT_FUNC or STT_NOTYPE */
	uint8_t bind;         /* STB_LOCAL, STB_GLOBAL or STB_WEAK */
};

struct symtab {
	struct sym *syms;     /* by address; at one address the preferred first */
	size_t n;
	size_t *first;        /* index of the preferred symbol at each address */
	size_t naddr;
	int fd;
	Elf *elf;
};

int symtab_load(struct symtab *st, const char *path);
void symtab_free(struct symtab *st);

/* The symbol nearest at or below addr, or NULL if there is none. */
const struct sym *symtab_lookup(const struct symtab *st, uint32_t addr);

const char *sym_type_name(const struct sym *s);

#endif
