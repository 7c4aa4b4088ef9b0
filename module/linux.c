/* linux.c — the Linux 32-bit boot protocol (Documentation/x86/boot.rst):
 * the protected-mode part of the bzImage at 1 MiB, a zero page (struct
 * boot_params from the kernel's own <asm/bootparam.h>) with the setup header
 * copied from the image, the command line, the initrd as high as the kernel
 * allows, the firmware's e820 map of guest RAM (firmware.c), and a GDT with the flat __BOOT_CS
 * (0x10) and __BOOT_DS (0x18) the protocol promises.  The kernel is entered
 * at its 32-bit entry with ESI = the zero page and interrupts off. */
#include <asm/bootparam.h>
#include "linux.h"
#include "descriptor.h"
#include "firmware.h"
#include "layout.h"
#include "lib.h"
#include "segments.h"

#define HDR_OFFSET       0x1f1
#define HDR_MAGIC        0x53726448u   /* "HdrS" at 0x202 */
#define MIN_PROTOCOL     0x0206        /* cmdline_size, initrd_addr_max */
#define LOAD_PHYS        0x100000u     /* where 32-bit boot loaders put it */
#define ZERO_PAGE_PHYS   0x90000u
#define CMDLINE_PHYS     0x91000u
#define BOOT_GDT_PHYS    0x92000u
#define BOOT_CS          0x10u
#define BOOT_DS          0x18u
static int fail(char *err, unsigned errlen, const char *msg)
{
	snformat(err, errlen, "bzImage: %s", msg);
	return -1;
}

int linux_is_bzimage(const uint8_t *image, uint32_t size)
{
	return size > 0x206 && *(const uint32_t *)(image + 0x202) == HDR_MAGIC;
}

/* The firmware's memory map (firmware.c), as e820 entries: a Multiboot
 * map's types are e820's. */
static int set_e820(struct boot_params *bp, const struct mb_info *host, char *err,
		    unsigned errlen)
{
	struct mb_mmap_entry mm[E820_MAX_ENTRIES_ZEROPAGE];
	unsigned n = firmware_map(host, mm, E820_MAX_ENTRIES_ZEROPAGE);
	if (!n)
		return fail(err, errlen, "QEMU's memory map is missing or too long to pass on");
	for (unsigned i = 0; i < n; i++)
		bp->e820_table[i] = (struct boot_e820_entry){ mm[i].addr, mm[i].len, mm[i].type };
	bp->e820_entries = (uint8_t)n;
	return 0;
}

/* The module's command line is "path args": the kernel gets the args, or
 * the default, and the monitor's own reservation, whole: a line cut at the
 * kernel's cmdline_size would lose the reservation, so it is refused (the
 * host has checked it first, with the same limits). */
static int set_cmdline(struct boot_params *bp, const char *mod_cmdline, char *err,
		       unsigned errlen)
{
	const char *args = mb_cmdline_args(mod_cmdline);
	if (!*args)
		args = LINUX_DEFAULT_CMDLINE;
	_Static_assert(GUEST_CMDLINE_MAX + sizeof(LINUX_MONITOR_CMDLINE) <= PAGE_SIZE, "one page");
	if (strlen(args) > GUEST_CMDLINE_MAX ||
	    strlen(args) + sizeof(LINUX_MONITOR_CMDLINE) - 1 > bp->hdr.cmdline_size)
		return fail(err, errlen, "command line longer than the kernel's cmdline_size");
	snformat((char *)CMDLINE_PHYS, PAGE_SIZE, "%s%s", args, LINUX_MONITOR_CMDLINE);
	bp->hdr.cmd_line_ptr = CMDLINE_PHYS;
	return 0;
}

static int load_initrd(struct boot_params *bp, const struct mb_module *initrd, uint32_t kernel_end,
		       char *err, unsigned errlen)
{
	uint32_t size = initrd->end - initrd->start;
	uint32_t top = firmware_ram_end();
	if (bp->hdr.initrd_addr_max && bp->hdr.initrd_addr_max + 1 < top)
		top = bp->hdr.initrd_addr_max + 1;
	if (size > top)
		return fail(err, errlen, "initrd larger than guest RAM");
	uint32_t at = (top - size) & PAGE_MASK;
	if (at < kernel_end)
		return fail(err, errlen, "initrd does not fit above the kernel");
	memcpy((void *)at, (const void *)initrd->start, size);
	bp->hdr.ramdisk_image = at;
	bp->hdr.ramdisk_size = size;
	return 0;
}

static void boot_gdt(void)
{
	uint64_t *gdt = (uint64_t *)BOOT_GDT_PHYS;
	memset(gdt, 0, 4 * sizeof(*gdt));
	gdt[BOOT_CS >> 3] = desc_make(0, 0xfffff, DESC_P | DESC_S | DESC_CODE | DESC_RW, DESC_G | DESC_DB);
	gdt[BOOT_DS >> 3] = desc_make(0, 0xfffff, DESC_P | DESC_S | DESC_RW, DESC_G | DESC_DB);
	seg_load_gdt(0, BOOT_GDT_PHYS, 4 * sizeof(*gdt) - 1);
}

int linux_load(const struct mb_info *host, const struct mb_module *kernel, const struct mb_module *initrd,
	       struct guest_boot *boot, char *err, unsigned errlen)
{
	const uint8_t *image = (const uint8_t *)kernel->start;
	uint32_t size = kernel->end - kernel->start;
	const struct setup_header *hdr = (const struct setup_header *)(image + HDR_OFFSET);
	if (hdr->version < MIN_PROTOCOL)
		return fail(err, errlen, "boot protocol older than 2.06");
	if (!(hdr->loadflags & LOADED_HIGH))
		return fail(err, errlen, "a zImage, not a bzImage");
	uint32_t pm_offset = ((uint32_t)(hdr->setup_sects ? hdr->setup_sects : 4) + 1) * 512;
	uint32_t hdr_len = 0x202 + image[0x201] - HDR_OFFSET;
	if (pm_offset >= size || hdr_len > sizeof(*hdr))
		return fail(err, errlen, "truncated image");
	uint32_t pm_size = size - pm_offset;
	uint32_t kernel_end = LOAD_PHYS + (hdr->init_size > pm_size ? hdr->init_size : pm_size);
	if (!guest_range_ok(LOAD_PHYS, kernel_end - LOAD_PHYS))
		return fail(err, errlen, "kernel larger than guest RAM");
	memcpy((void *)LOAD_PHYS, image + pm_offset, pm_size);

	struct boot_params *bp = (struct boot_params *)ZERO_PAGE_PHYS;
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, hdr, hdr_len);
	bp->hdr.type_of_loader = 0xff;
	if (set_cmdline(bp, (const char *)kernel->cmdline, err, errlen))
		return -1;
	if (initrd && load_initrd(bp, initrd, kernel_end, err, errlen))
		return -1;
	if (set_e820(bp, host, err, errlen))
		return -1;
	bp->alt_mem_k = (firmware_ram_end() - LOAD_PHYS) >> 10;
	boot_gdt();

	*boot = (struct guest_boot){ .eip = LOAD_PHYS, .esi = ZERO_PAGE_PHYS,
				     .cs = BOOT_CS, .ds = BOOT_DS };
	return 0;
}
