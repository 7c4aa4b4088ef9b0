/* guest.c — the boot loader the guest would otherwise get from QEMU.  For a
 * Multiboot kernel, as GRUB boots one (Multiboot 0.6.96): its header's
 * requirements checked, an ELF's PT_LOAD segments copied to their physical
 * addresses and the rest zeroed (or the a.out kludge's fields obeyed), and
 * an info block describing guest RAM (without the monitor: firmware.c).  A
 * Linux bzImage goes to linux.c. */
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

/* The info block a Multiboot loader hands over (spec 3.3), with what QEMU
 * gives a kernel it boots itself: memory sizes, boot device, command line,
 * modules (none), memory map, loader name.  One page at `at`: the block,
 * the loader name at 0x80, the memory map at 0x100, the command line at 0x200. */
static int build_info(const struct mb_info *host, const char *cmdline, uint32_t at,
		      char *err, unsigned errlen)
{
	struct mb_info *mbi = (struct mb_info *)at;
	char *name = (char *)(at + 0x80);
	struct mb_mmap_entry *mm = (struct mb_mmap_entry *)(at + 0x100);
	char *cmd = (char *)(at + 0x200);
	unsigned n;

	if (at < GUEST_LOAD_MIN || at + PAGE_SIZE > firmware_ram_end())
		return fail(err, errlen, "no room for the Multiboot information after the kernel");

	memset(mbi, 0, PAGE_SIZE);
	n = firmware_map(host, mm, (0x200 - 0x100) / sizeof(*mm));
	if (!n)
		return fail(err, errlen, "QEMU's memory map is missing or too long to pass on");
	mbi->flags = MB_INFO_MEM | MB_INFO_BOOTDEV | MB_INFO_CMDLINE | MB_INFO_MODS |
		     MB_INFO_MMAP | MB_INFO_LOADER;
	mbi->mem_lower = host->flags & MB_INFO_MEM ? host->mem_lower : 639;
	mbi->mem_upper = (firmware_ram_end() - GUEST_LOAD_MIN) >> 10;
	mbi->boot_device = host->flags & MB_INFO_BOOTDEV ? host->boot_device : 0xffffffffu;
	mbi->mmap_addr = (uint32_t)mm;
	mbi->mmap_length = n * sizeof(*mm);
	snformat(name, 0x100 - 0x80, "ringmon");
	mbi->boot_loader_name = (uint32_t)name;
	/* refused, never cut (the host has held --cmdline to GUEST_CMDLINE_MAX) */
	_Static_assert(0x200 + 510 + 1 + GUEST_CMDLINE_MAX + 1 <= PAGE_SIZE, "name, line, NUL");
	if (strlen(cmdline) >= PAGE_SIZE - 0x200)
		return fail(err, errlen, "command line longer than the info page holds");
	snformat(cmd, PAGE_SIZE - 0x200, "%s", cmdline);
	mbi->cmdline = (uint32_t)cmd;
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

static int multiboot_load(const struct mb_info *host, const struct mb_module *mod,
			  struct guest_boot *boot, char *err, unsigned errlen)
{
	const uint8_t *image = (const uint8_t *)mod->start;
	uint32_t size = mod->end - mod->start;
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
	/* The module's command line starts with its file name, as with GRUB.
	 * The information page goes on the page after the image, where QEMU
	 * puts the command line, the module list and the loader name (GNU
	 * Mach keeps the page of its command line for itself); QEMU's own
	 * block and memory map are at 0x9500 and 0x9000, which the guest sees
	 * at other addresses here (docs/mach.md). */
	uint32_t info = ld.low + ((ld.high - ld.low + PAGE_SIZE - 1) & PAGE_MASK);
	if (build_info(host, mod->cmdline ? (const char *)mod->cmdline : "", info, err, errlen))
		return -1;
	*boot = (struct guest_boot){ .eip = ld.entry, .eax = MB_BOOT_MAGIC, .ebx = info };
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
	return multiboot_load(host, &mods[0], boot, err, errlen);
}
