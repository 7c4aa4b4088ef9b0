/* multiboot.h — the parts of the Multiboot 0.6.96 specification the monitor
 * uses: the header a guest kernel carries (read by the monitor's loader and
 * by the host's image check, vmm/image.c, from this one definition), the
 * info block QEMU hands us, and the one we hand the guest. */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#define MB_BOOT_MAGIC    0x2BADB002u   /* in EAX at entry */
#define MB_HEADER_MAGIC  0x1BADB002u
#define MB_HEADER_SEARCH 8192u         /* the header lies in the first 8 KiB */

/* Header flags (spec 3.1.2).  Bits 0-15 are requirements: a loader that
 * cannot meet one must refuse the kernel; bits 16-31 are optional. */
#define MB_HDR_PAGE_ALIGN   (1u << 0)  /* modules page-aligned */
#define MB_HDR_MEMORY       (1u << 1)  /* mem_* and the memory map */
#define MB_HDR_VIDEO        (1u << 2)  /* a graphics mode: ringmon has none */
#define MB_HDR_AOUT_KLUDGE  (1u << 16) /* load by the address fields below */
#define MB_HDR_KNOWN_REQUIRED (MB_HDR_PAGE_ALIGN | MB_HDR_MEMORY)

struct mb_header {
	uint32_t magic, flags, checksum;
	/* with MB_HDR_AOUT_KLUDGE: physical addresses */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
	uint32_t mode_type, width, height, depth;   /* MB_HDR_VIDEO */
};

/* The header in image[size]: magic, flags and checksum summing to zero at a
 * 4-aligned offset in the first 8 KiB, all of its fields inside the image
 * (the address fields only when the kludge flag asks for them).  NULL if
 * there is none. */
static inline const struct mb_header *mb_header_find(const uint8_t *image, size_t size)
{
	size_t end = size < MB_HEADER_SEARCH ? size : MB_HEADER_SEARCH;

	for (size_t off = 0; off + 12 <= end; off += 4) {
		const struct mb_header *h = (const struct mb_header *)(const void *)(image + off);
		size_t need = h->flags & MB_HDR_AOUT_KLUDGE ? 32 : 12;
		if (h->magic == MB_HEADER_MAGIC && h->magic + h->flags + h->checksum == 0 &&
		    need <= size - off)
			return h;
	}
	return NULL;
}

/* What a kernel's header requires that ringmon cannot give, or NULL. */
static inline const char *mb_header_problem(const struct mb_header *h)
{
	if (h->flags & MB_HDR_VIDEO)
		return "its Multiboot header asks for a video mode (flag 2): ringmon's machine "
		       "has a serial console only";
	if (h->flags & 0xffffu & ~MB_HDR_KNOWN_REQUIRED)
		return "its Multiboot header requires a feature (flags 3-15) that the "
		       "Multiboot 0.6.96 specification does not define";
	return NULL;
}

/* Where an a.out-kludge kernel (MB_HDR_AOUT_KLUDGE) is in its file of size
 * bytes with the header h at file offset hoff (spec 3.1.3): the file from
 * *off is loaded to load_addr up to *end (load_end_addr, 0: the end of the
 * file), then zeroed up to *bss (bss_end_addr, 0: none).  NULL, or what is
 * wrong with the fields. */
static inline const char *mb_kludge_span(const struct mb_header *h, size_t hoff, size_t size,
					 size_t *off, uint32_t *end, uint32_t *bss)
{
	if (h->header_addr < h->load_addr || h->header_addr - h->load_addr > hoff)
		return "Multiboot a.out kludge: header_addr - load_addr lies before the file";
	*off = hoff - (h->header_addr - h->load_addr);
	*end = h->load_end_addr ? h->load_end_addr : h->load_addr + (uint32_t)(size - *off);
	if (*end < h->load_addr || *end - h->load_addr > size - *off)
		return "Multiboot a.out kludge: load_end_addr lies past the end of the file";
	*bss = h->bss_end_addr ? h->bss_end_addr : *end;
	if (*bss < *end)
		return "Multiboot a.out kludge: bss_end_addr below load_end_addr";
	if (h->entry_addr < h->load_addr || h->entry_addr >= *end)
		return "Multiboot a.out kludge: entry_addr outside the loaded text";
	return NULL;
}

/* Info flags (spec 3.3) */
#define MB_INFO_MEM      (1u << 0)
#define MB_INFO_BOOTDEV  (1u << 1)
#define MB_INFO_CMDLINE  (1u << 2)
#define MB_INFO_MODS     (1u << 3)
#define MB_INFO_MMAP     (1u << 6)
#define MB_INFO_LOADER   (1u << 9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

struct mb_module {
	uint32_t start, end;
	uint32_t cmdline;
	uint32_t reserved;
};

/* A module's command line less its first word: QEMU starts each line it
 * gives the monitor with its own name for the file (NULL: no line). */
static inline const char *mb_cmdline_args(const char *line)
{
	if (!line)
		return "";
	while (*line && *line != ' ')
		line++;
	while (*line == ' ')
		line++;
	return line;
}

#define MB_MMAP_RAM      1u
#define MB_MMAP_RESERVED 2u

struct __attribute__((packed)) mb_mmap_entry {
	uint32_t size;          /* of the rest of the entry: 20 */
	uint64_t addr, len;
	uint32_t type;          /* MB_MMAP_RAM, or reserved */
};

#endif
