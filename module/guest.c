/* guest.c — the boot loader the guest would otherwise get from QEMU.  For a
 * Multiboot ELF: check it, copy PT_LOAD segments to their physical
 * addresses, zero the rest, and describe guest RAM (without the monitor) in
 * its info block.  A Linux bzImage goes to linux.c. */
#include <elf.h>
#include "guest.h"
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

/* Guest RAM as the guest sees it: low memory and everything up to
 * GUEST_MEM_END; the ring and the monitor above do not exist for it. */
static uint32_t build_info(const char *cmdline)
{
	struct mb_info *mbi = (struct mb_info *)GUEST_MBI_PHYS;
	struct mb_mmap_entry *mm = (struct mb_mmap_entry *)(GUEST_MBI_PHYS + 0x100);
	char *cmd = (char *)(GUEST_MBI_PHYS + 0x200);

	memset(mbi, 0, PAGE_SIZE);
	mbi->flags = MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MMAP;
	mbi->mem_lower = 639;
	mbi->mem_upper = (GUEST_MEM_END - GUEST_LOAD_MIN) >> 10;
	mm[0] = (struct mb_mmap_entry){ 20, 0, 0x9fc00, 1 };
	mm[1] = (struct mb_mmap_entry){ 20, GUEST_LOAD_MIN, GUEST_MEM_END - GUEST_LOAD_MIN, 1 };
	mbi->mmap_addr = (uint32_t)mm;
	mbi->mmap_length = 2 * sizeof(*mm);
	snformat(cmd, PAGE_SIZE - 0x200, "%s", cmdline);
	mbi->cmdline = (uint32_t)cmd;
	return (uint32_t)mbi;
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

static int multiboot_load(const struct mb_module *mod, struct guest_boot *boot, char *err,
			  unsigned errlen)
{
	const uint8_t *image = (const uint8_t *)mod->start;
	uint32_t size = mod->end - mod->start;
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)image;

	if (check_header(eh, size, err, errlen))
		return -1;
	const Elf32_Phdr *ph = (const Elf32_Phdr *)(image + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && load_segment(image, size, &ph[i], err, errlen))
			return -1;
	hint_code(image, size, eh);
	/* The module's command line starts with its file name, as with GRUB. */
	const char *cmdline = mod->cmdline ? (const char *)mod->cmdline : "";
	*boot = (struct guest_boot){ .eip = eh->e_entry, .eax = MB_BOOT_MAGIC,
				     .ebx = build_info(cmdline) };
	return 0;
}

int guest_load(const struct mb_module *mods, unsigned count, struct guest_boot *boot,
	       char *err, unsigned errlen)
{
	const uint8_t *image = (const uint8_t *)mods[0].start;
	if (linux_is_bzimage(image, mods[0].end - mods[0].start))
		return linux_load(&mods[0], count > 1 ? &mods[1] : 0, boot, err, errlen);
	return multiboot_load(&mods[0], boot, err, errlen);
}
