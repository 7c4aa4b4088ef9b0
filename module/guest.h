/* guest.h — load a Multiboot guest kernel from its Multiboot module. */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>
#include "multiboot.h"
#include "trace.h"

/* How the guest starts: entry point, the registers its boot protocol sets,
 * and its code and data selectors (0: flat segments of the monitor's, as
 * Multiboot leaves them unspecified). */
struct guest_boot {
	uint32_t eip, eax, ebx, esi;
	uint16_t cs, ds;
};

/* Load the guest from its Multiboot modules: a Multiboot kernel, or a Linux
 * bzImage with an optional initrd as the second module.  host is the info
 * QEMU gave the monitor (its memory map is the guest's, less the monitor's
 * part).  0, or -1 with a reason in err. */
int guest_load(const struct mb_info *host, const struct mb_module *mods, unsigned count,
	       struct guest_boot *boot, char *err, unsigned errlen);

/* Is [addr, addr+len) inside guest RAM?  Every guest-supplied address the
 * monitor dereferences goes through here (wrap-around included). */
static inline int guest_range_ok(uint32_t addr, uint32_t len)
{
	return addr + len >= addr && addr + len <= GUEST_MEM_END;
}

#endif
