/* multiboot.h — the parts of the Multiboot 0.6.96 specification the monitor
 * uses: the info block QEMU hands us, and the one we hand the guest. */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#include <stdint.h>

#define MB_BOOT_MAGIC    0x2BADB002u   /* in EAX at entry */
#define MB_HEADER_MAGIC  0x1BADB002u
#define MB_INFO_MEM      (1u << 0)
#define MB_INFO_CMDLINE  (1u << 2)
#define MB_INFO_MODS     (1u << 3)
#define MB_INFO_MMAP     (1u << 6)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct mb_module {
	uint32_t start, end;
	uint32_t cmdline;
	uint32_t reserved;
};

struct __attribute__((packed)) mb_mmap_entry {
	uint32_t size;          /* of the rest of the entry: 20 */
	uint64_t addr, len;
	uint32_t type;          /* 1 = available RAM */
};

#endif
