/* mbinfo.c — the test kernel that prints what its Multiboot loader gave it
 * (spec 3.3): the memory sizes and boot device, where the information
 * block, the memory map, the command line and the module list are, the boot
 * loader's name, and each module: where it lies, its size, its command line,
 * its first bytes and a checksum of them all.  Natively QEMU is the loader;
 * under the monitor module/guest.c must give the same, to the address
 * (tests/integration/differential.sh gives it modules). */
#include "tbk.h"

void tbk_main(uint32_t magic, const void *mbi);

#define MB_INFO_CMDLINE 0x04
#define MB_INFO_MODS    0x08
#define MB_INFO_LOADER  0x200

struct mb_module {
	uint32_t start, end, cmdline, pad;
};

static uint32_t checksum(uint32_t start, uint32_t end)
{
	uint32_t h = 2166136261u;   /* FNV-1a */
	for (uint32_t p = start; p < end; p++)
		h = (h ^ *(const volatile uint8_t *)p) * 16777619u;
	return h;
}

/* Up to 16 of them, in hex. */
static void first_bytes(uint32_t start, uint32_t end)
{
	con_printf("  first bytes:");
	for (uint32_t p = start; p < end && p < start + 16; p++)
		con_printf(" %02x", *(const volatile uint8_t *)p);
	con_printf("\n");
}

static const char *str(uint32_t flags, uint32_t bit, uint32_t s)
{
	return flags & bit ? (const char *)s : "(none)";
}

void tbk_main(uint32_t magic, const void *mbi)
{
	const struct mb_info *info = mbi;
	const uint32_t *raw = mbi;

	tbk_up("mbinfo");
	if (magic != 0x2BADB002)
		tbk_fail("not booted by Multiboot");
	con_printf("info at %08x, flags %08x\n", (uint32_t)info, info->flags);
	con_printf("memory: %u KiB lower, %u KiB upper; boot device %08x\n", info->mem_lower,
		   info->mem_upper, info->boot_device);
	con_printf("memory map at %08x, %u bytes\n", info->mmap_addr, info->mmap_length);
	con_printf("command line at %08x: %s\n", info->cmdline,
		   str(info->flags, MB_INFO_CMDLINE, info->cmdline));
	con_printf("boot loader at %08x: %s\n", raw[16], str(info->flags, MB_INFO_LOADER, raw[16]));
	con_printf("modules: %u at %08x\n", info->mods_count, info->mods_addr);
	if (!(info->flags & MB_INFO_MODS))
		tbk_done();
	const struct mb_module *m = (const struct mb_module *)info->mods_addr;
	for (uint32_t i = 0; i < info->mods_count; i++) {
		con_printf("module %u: %08x-%08x, %u bytes, fnv %08x, command line at %08x: %s\n", i,
			   m[i].start, m[i].end, m[i].end - m[i].start,
			   checksum(m[i].start, m[i].end), m[i].cmdline,
			   m[i].cmdline ? (const char *)m[i].cmdline : "(none)");
		first_bytes(m[i].start, m[i].end);
	}
	tbk_done();
}
