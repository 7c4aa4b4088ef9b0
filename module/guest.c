/* guest.c — the boot loader the guest would otherwise get from QEMU.  For a
 * Multiboot kernel, as GRUB boots one (Multiboot 0.6.96): its header's
 * requirements checked, an ELF's PT_LOAD segments copied to their physical
 * addresses and the rest zeroed (or the a.out kludge's fields obeyed), its
 * modules loaded, and the info block describing them and guest RAM (without
 * the monitor: firmware.c), all where QEMU's own loader puts them.  A Linux
 * bzImage goes to linux.c. */
#include <elf.h>
#include "guest.h"
#include "firmware.h"
#include "layout.h"
#include "lib.h"
#include "linux.h"
#include "scan.h"


static int fail(char *err, unsigned errlen, const char *msg)
{
	snformat(err, errlen, "guest image: %s", msg);
	return -1;
}

static int check_header(const Elf32_Ehdr *eh, uint32_t size, char *err, unsigned errlen)
{
	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return fail(err, errlen, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_machine != EM_386)
		return fail(err, errlen, "not a 32-bit i386 ELF");
	if (eh->e_type != ET_EXEC)
		return fail(err, errlen, "not an executable");
	if (eh->e_phentsize != sizeof(Elf32_Phdr) || eh->e_phoff > size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > size - eh->e_phoff)
		return fail(err, errlen, "bad program headers");
	return 0;
}

/* Where a Multiboot kernel went: its entry point and the span it fills. */
struct loaded {
	uint32_t entry, low, high;
};

static void loaded_span(struct loaded *ld, uint32_t low, uint32_t high)
{
	ld->low = low < ld->low ? low : ld->low;
	ld->high = high > ld->high ? high : ld->high;
}

static int load_segment(const uint8_t *image, uint32_t size, const Elf32_Phdr *ph,
			char *err, unsigned errlen)
{
	if (ph->p_filesz > ph->p_memsz || ph->p_offset > size ||
	    ph->p_filesz > size - ph->p_offset)
		return fail(err, errlen, "segment outside the file");
	if (ph->p_paddr < GUEST_LOAD_MIN || !guest_range_ok(ph->p_paddr, ph->p_memsz))
		return fail(err, errlen, "segment outside guest RAM");
	memcpy((void *)ph->p_paddr, image + ph->p_offset, ph->p_filesz);
	memset((void *)(ph->p_paddr + ph->p_filesz), 0, ph->p_memsz - ph->p_filesz);
	return 0;
}

/* What QEMU's Multiboot loader (hw/i386/multiboot.c) puts where: the guest
 * finds it all at the addresses of a native run.  Its option ROM writes the
 * firmware's memory map at 0x9000 and the information block at 0x9500; the
 * rest follows the kernel image (qemu_tail). */
#define QEMU_MMAP_ADDR   0x9000u
#define QEMU_INFO_ADDR   0x9500u
#define QEMU_MMAP_MAX    ((QEMU_INFO_ADDR - QEMU_MMAP_ADDR) / sizeof(struct mb_mmap_entry))
#define QEMU_INFO_SIZE   88u          /* the block with its APM and VBE fields */
#define QEMU_LOADER_NAME "qemu"

/* QEMU's alignment: to pages from the kernel's lowest address. */
static uint32_t page_from(uint32_t low, uint32_t addr)
{
	return low + ((addr - low + PAGE_SIZE - 1) & PAGE_MASK);
}

/* The bytes QEMU sets aside for the command lines: each module's and the
 * kernel's with their NULs, and one more per comma in a module's line,
 * which -initrd spelled ",," (so the loader name lies that far past the
 * kernel's line). */
static uint32_t lines_room(const char *cmdline, const struct mb_module *mods, unsigned n)
{
	uint32_t room = strlen(cmdline) + 1;

	for (unsigned i = 0; i < n; i++)
		for (const char *s = mb_cmdline_args((const char *)mods[i].cmdline);; s++) {
			room += 1u + (*s == ',');
			if (!*s)
				break;
		}
	return room;
}

static uint32_t put_string(uint32_t at, const char *s)
{
	memcpy((void *)at, s, strlen(s) + 1);
	return at + strlen(s) + 1;
}

/* After the kernel image [low, high), from its next page: the module list,
 * the modules' command lines and the kernel's, the loader name, then each
 * module on pages of its own.  Into mbi the fields that point there. */
static int qemu_tail(uint32_t low, uint32_t high, const char *cmdline,
		     const struct mb_module *mods, unsigned n, struct mb_info *mbi, char *err,
		     unsigned errlen)
{
	uint32_t list = page_from(low, high), line = list + n * sizeof(*mods);
	uint32_t name = line + lines_room(cmdline, mods, n);
	uint32_t at = page_from(low, name + sizeof(QEMU_LOADER_NAME));
	struct mb_module *gm = (struct mb_module *)list;

	if (at < name || at > firmware_ram_end())
		return fail(err, errlen, "no room in guest RAM for the Multiboot information "
			    "after the kernel");
	for (unsigned i = 0; i < n; i++) {
		uint32_t size = mods[i].end - mods[i].start;
		if (!guest_range_ok(at, size) || at + size > firmware_ram_end()) {
			snformat(err, errlen, "guest image: module %u (%u bytes) does not fit in "
				 "guest RAM at %08x", i + 1, size, at);
			return -1;
		}
		memcpy((void *)at, (const void *)mods[i].start, size);
		gm[i] = (struct mb_module){ at, at + size, line, 0 };
		line = put_string(line, mb_cmdline_args((const char *)mods[i].cmdline));
		at = page_from(low, at + size);
	}
	mbi->cmdline = line;
	put_string(line, cmdline);
	put_string(name, QEMU_LOADER_NAME);
	mbi->boot_loader_name = name;
	mbi->mods_count = n;
	mbi->mods_addr = list;
	return 0;
}

/* The info block a Multiboot loader hands over (spec 3.3), as QEMU gives it
 * to a kernel it boots itself: memory sizes, boot device, command line,
 * modules, memory map, loader name.  QEMU's own block and map, the host's,
 * lie where the guest's go: they are read first. */
static int build_info(const struct mb_info *host, const struct loaded *ld, const char *cmdline,
		      const struct mb_module *mods, unsigned n, char *err, unsigned errlen)
{
	struct mb_mmap_entry mm[QEMU_MMAP_MAX];
	struct mb_info mbi = { 0 };
	unsigned entries = firmware_map(host, mm, QEMU_MMAP_MAX);

	if (!entries)
		return fail(err, errlen, "QEMU's memory map is missing or too long to pass on");
	mbi.flags = MB_INFO_MEM | MB_INFO_BOOTDEV | MB_INFO_CMDLINE | MB_INFO_MODS |
		    MB_INFO_MMAP | MB_INFO_LOADER;
	mbi.mem_lower = host->flags & MB_INFO_MEM ? host->mem_lower : 639;
	mbi.mem_upper = (firmware_ram_end() - GUEST_LOAD_MIN) >> 10;
	mbi.boot_device = host->flags & MB_INFO_BOOTDEV ? host->boot_device : 0xffffffffu;
	mbi.mmap_addr = QEMU_MMAP_ADDR;
	mbi.mmap_length = entries * sizeof(*mm);
	if (qemu_tail(ld->low, ld->high, cmdline, mods, n, &mbi, err, errlen))
		return -1;
	memset((void *)QEMU_MMAP_ADDR, 0, QEMU_INFO_ADDR + QEMU_INFO_SIZE - QEMU_MMAP_ADDR);
	memcpy((void *)QEMU_MMAP_ADDR, mm, mbi.mmap_length);
	memcpy((void *)QEMU_INFO_ADDR, &mbi, sizeof(mbi));
	return 0;
}

/* Tell the scanner where the image's code is: its executable sections, at
 * the physical addresses their segments were loaded to. */
static void hint_code(const uint8_t *image, uint32_t size, const Elf32_Ehdr *eh)
{
	const Elf32_Phdr *ph = (const Elf32_Phdr *)(image + eh->e_phoff);
	const Elf32_Shdr *sh = (const Elf32_Shdr *)(image + eh->e_shoff);
	if (!eh->e_shoff || eh->e_shentsize != sizeof(*sh) || eh->e_shoff > size ||
	    (uint64_t)eh->e_shnum * sizeof(*sh) > size - eh->e_shoff)
		return;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if ((sh[i].sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) != (SHF_ALLOC | SHF_EXECINSTR))
			continue;
		for (unsigned j = 0; j < eh->e_phnum; j++)
			if (ph[j].p_type == PT_LOAD && sh[i].sh_addr - ph[j].p_vaddr < ph[j].p_memsz) {
				uint32_t start = sh[i].sh_addr - ph[j].p_vaddr + ph[j].p_paddr;
				scan_hint(start, start + sh[i].sh_size);
			}
	}
}

/* ELF: every PT_LOAD at its physical address; an entry point inside a
 * segment's virtual range is translated to where that segment was loaded
 * (GNU Mach is linked at 0xc1000000 and loaded at 0x01000000), as GRUB
 * does, which refuses an entry point outside every segment. */
static int elf_load(const uint8_t *image, uint32_t size, struct loaded *ld, char *err,
		    unsigned errlen)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)image;
	const Elf32_Phdr *ph = (const Elf32_Phdr *)(image + eh->e_phoff);
	int found = 0;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (load_segment(image, size, &ph[i], err, errlen))
			return -1;
		loaded_span(ld, ph[i].p_paddr, ph[i].p_paddr + ph[i].p_memsz);
		if (!found && eh->e_entry - ph[i].p_vaddr < ph[i].p_memsz) {
			ld->entry = eh->e_entry - ph[i].p_vaddr + ph[i].p_paddr;
			found = 1;
		}
	}
	if (!found)
		return fail(err, errlen, "the ELF entry point is in no loadable segment");
	hint_code(image, size, eh);
	return 0;
}

/* The a.out kludge (header flag 16): the header's address fields say where
 * the file goes, whatever else it is (an ELF too: they take precedence). */
static int kludge_load(const uint8_t *image, uint32_t size, const struct mb_header *h,
		       struct loaded *ld, char *err, unsigned errlen)
{
	size_t off;
	uint32_t end, bss;
	const char *why = mb_kludge_span(h, (size_t)((const uint8_t *)h - image), size, &off,
					 &end, &bss);

	if (why)
		return fail(err, errlen, why);
	if (h->load_addr < GUEST_LOAD_MIN || !guest_range_ok(h->load_addr, bss - h->load_addr))
		return fail(err, errlen, "a.out kludge load address outside guest RAM");
	memcpy((void *)h->load_addr, image + off, end - h->load_addr);
	memset((void *)end, 0, bss - end);
	loaded_span(ld, h->load_addr, bss);
	ld->entry = h->entry_addr;
	return 0;
}

/* mods[0] is the kernel, mods[1..n] its modules. */
static int multiboot_load(const struct mb_info *host, const struct mb_module *mods, unsigned n,
			  struct guest_boot *boot, char *err, unsigned errlen)
{
	const uint8_t *image = (const uint8_t *)mods[0].start;
	uint32_t size = mods[0].end - mods[0].start;
	struct loaded ld = { 0, 0xffffffffu, 0 };
	const struct mb_header *h = mb_header_find(image, size);
	const char *why = h ? mb_header_problem(h) : "no Multiboot header in the first 8 KiB";

	if (why)
		return fail(err, errlen, why);
	if (h->flags & MB_HDR_AOUT_KLUDGE) {
		if (kludge_load(image, size, h, &ld, err, errlen))
			return -1;
	} else if (check_header((const Elf32_Ehdr *)image, size, err, errlen) ||
		   elf_load(image, size, &ld, err, errlen)) {
		return -1;
	}
	/* Every command line QEMU gave the monitor starts with its own name
	 * for the file; the rest is the line a native run has, path and all
	 * (the host wrote it so). */
	if (build_info(host, &ld, mb_cmdline_args((const char *)mods[0].cmdline), mods + 1, n,
		       err, errlen))
		return -1;
	*boot = (struct guest_boot){ .eip = ld.entry, .eax = MB_BOOT_MAGIC, .ebx = QEMU_INFO_ADDR };
	return 0;
}

int guest_load(const struct mb_info *host, const struct mb_module *mods, unsigned count,
	       struct guest_boot *boot, char *err, unsigned errlen)
{
	const uint8_t *image = (const uint8_t *)mods[0].start;
	const char *why = firmware_init(host);
	if (why)
		return fail(err, errlen, why);
	if (linux_is_bzimage(image, mods[0].end - mods[0].start))
		return linux_load(host, &mods[0], count > 1 ? &mods[1] : 0, boot, err, errlen);
	return multiboot_load(host, mods, count - 1, boot, err, errlen);
}
