/* sym_layout.c — where the image the symbols describe lies in guest-physical
 * memory: its loaded pieces (segments), each a virtual range at a physical
 * address.  With it an access is named after the symbol that lives at its
 * guest-physical address, through whatever linear address (an alias, a
 * direct map) the guest reached it by (symbols.c). */
#include <asm/bootparam.h>
#include <errno.h>
#include <gelf.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "image.h"
#include "symbols.h"

/* pref_address and init_size came with boot protocol 2.10. */
#define BZ_LAYOUT_PROTOCOL 0x020a

static int seg_add(struct symtab *st, uint64_t vaddr, uint64_t paddr, uint64_t size)
{
	struct sym_seg *grown;

	/* a 32-bit guest's pieces lie below 4 GiB; an empty one holds nothing */
	if (!size || vaddr + size > (1ull << 32) || paddr + size > (1ull << 32))
		return 0;
	grown = realloc(st->segs, (st->nseg + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	st->segs = grown;
	st->segs[st->nseg++] = (struct sym_seg){ (uint32_t)vaddr, (uint32_t)paddr, (uint32_t)size };
	return 0;
}

/* What a loader loads: PT_LOAD at p_paddr, p_memsz bytes (.bss included). */
int symtab_layout_elf(struct symtab *st, Elf *elf)
{
	size_t phnum;

	if (elf_getphdrnum(elf, &phnum))
		return -ENOEXEC;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		int ret;
		if (!gelf_getphdr(elf, (int)i, &ph))
			return -ENOEXEC;
		if (ph.p_type != PT_LOAD)
			continue;
		ret = seg_add(st, ph.p_vaddr, ph.p_paddr, ph.p_memsz);
		if (ret)
			return ret;
	}
	return 0;
}

/* A bzImage's kernel runs where its setup header prefers (pref_address):
 * the monitor loads it low, at 1 MiB, and the decompressor puts a kernel
 * loaded below its preferred address there, relocatable or not (KASLR
 * aside).  It occupies init_size bytes from its first symbol, _text. */
int symtab_layout_bzimage(struct symtab *st, int fd)
{
	struct setup_header h;
	ssize_t got = pread(fd, &h, sizeof(h), offsetof(struct boot_params, hdr));
	uint32_t text;

	if (got < 0)
		return -errno;
	if (got != (ssize_t)sizeof(h) || h.version < BZ_LAYOUT_PROTOCOL ||
	    !symtab_addr_of(st, "_text", &text))
		return 0;   /* no layout to give: lookups stay linear */
	return seg_add(st, text, h.pref_address, h.init_size);
}

int symtab_layout_guest(struct symtab *st, const char *guest)
{
	int fd, ret;
	Elf *elf;

	if (st->nseg)
		return 0;
	ret = image_open(guest, &fd, &elf);
	if (ret)
		return ret;
	if (elf_kind(elf) == ELF_K_ELF)
		ret = symtab_layout_elf(st, elf);
	else if (image_is_bzimage(fd) == 1)
		ret = symtab_layout_bzimage(st, fd);
	image_close(fd, elf);
	return ret;
}

const struct sym_seg *symtab_seg(const struct symtab *st, uint64_t a, bool phys)
{
	for (size_t i = 0; i < st->nseg; i++) {
		const struct sym_seg *g = &st->segs[i];
		uint64_t base = phys ? g->paddr : g->vaddr;
		if (a >= base && a - base < g->size)
			return g;
	}
	return NULL;
}

bool symtab_paddr(const struct symtab *st, uint32_t vaddr, uint32_t *paddr)
{
	const struct sym_seg *g = symtab_seg(st, vaddr, false);

	if (g)
		*paddr = g->paddr + (vaddr - g->vaddr);
	return g;
}
