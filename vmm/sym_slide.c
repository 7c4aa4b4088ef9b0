/* sym_slide.c — where a relocatable bzImage's kernel really runs.  Linux on
 * i386 built with RANDOMIZE_BASE (Debian's kernels) picks its physical
 * place at boot, natively as under the monitor, and on 32-bit its virtual
 * addresses move with it: symbols at their link addresses would name none
 * of what it runs.  Once the kernel runs at its virtual addresses its image
 * is in guest RAM, so the place is read there, not guessed: the kernel may
 * only sit at a multiple of its setup header's kernel_alignment, and
 * exactly one of those places holds its kallsyms names (data the kernel
 * never writes and relocation never touches) byte for byte.  The payload
 * is the kernel's ELF (the decompressor loads its segments): the names'
 * place in RAM is their segment's, from its program headers. */
#include <asm/bootparam.h>
#include <errno.h>
#include <gelf.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols.h"

#define PROBE_LEN 65536u   /* of the names: enough to be found once */

/* The distance from the image's start (pref_address) to file offset off of
 * the kernel ELF k, through the loadable segment that holds it. */
static int image_offset(uint8_t *k, size_t n, size_t off, uint32_t pref, uint32_t *at)
{
	Elf *e = elf_memory((char *)k, n);
	size_t phnum;
	int ret = -ENOENT;

	if (!e)
		return -ENOEXEC;
	if (!elf_getphdrnum(e, &phnum))
		for (size_t i = 0; i < phnum && ret; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD &&
			    off >= ph.p_offset && off < ph.p_offset + ph.p_filesz) {
				*at = (uint32_t)(ph.p_paddr + (off - ph.p_offset) - pref);
				ret = 0;
			}
		}
	elf_end(e);
	return ret;
}

int slide_prepare(struct slide_probe *p, int guest_fd, const char **why)
{
	struct setup_header h;
	uint8_t *k;
	size_t n, off, len;
	ssize_t got = pread(guest_fd, &h, sizeof(h), offsetof(struct boot_params, hdr));

	*p = (struct slide_probe){ 0 };
	if (got < 0)
		return -errno;
	if (got != (ssize_t)sizeof(h) || !h.relocatable_kernel || !h.kernel_alignment)
		return 0;   /* the kernel runs where it is linked */
	int ret = bzimage_kernel(guest_fd, &k, &n, why);
	if (ret)
		return ret;
	elf_version(EV_CURRENT);
	if (kallsyms_names_at(k, n, &off, &len) ||
	    image_offset(k, n, off, (uint32_t)h.pref_address, &p->off)) {
		free(k);
		return 0;   /* nothing to recognize it by: symbols stay as linked */
	}
	p->len = len < PROBE_LEN ? len : PROBE_LEN;
	p->bytes = malloc(p->len);
	if (!p->bytes) {
		free(k);
		return -ENOMEM;
	}
	memcpy(p->bytes, k + off, p->len);
	free(k);
	p->pref = (uint32_t)h.pref_address;
	p->align = h.kernel_alignment;
	p->init_size = h.init_size;
	return 0;
}

int slide_find(const struct slide_probe *p, int ram_fd, uint64_t ram_size, int64_t *slide)
{
	uint8_t *buf = malloc(p->len);
	int found = 0;

	if (!buf)
		return -ENOMEM;
	for (uint64_t at = p->align; at + p->init_size <= ram_size; at += p->align) {
		ssize_t got = pread(ram_fd, buf, p->len, (off_t)(at + p->off));
		if (got < 0) {
			free(buf);
			return -errno;
		}
		if ((size_t)got == p->len && !memcmp(buf, p->bytes, p->len)) {
			*slide = (int64_t)at - p->pref;
			found++;
		}
	}
	free(buf);
	return found == 1 ? 0 : -ENOENT;
}

void slide_free(struct slide_probe *p)
{
	free(p->bytes);
	*p = (struct slide_probe){ 0 };
}
