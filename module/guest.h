/* guest.h — load a Multiboot ELF guest from its Multiboot module. */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>
#include "multiboot.h"
#include "trace.h"

/* Copy the guest's segments into guest RAM and build its Multiboot info.
 * Returns 0 with the entry point and the info block's address, or -1 with a
 * reason in err. */
int guest_load(const struct mb_module *mod, uint32_t *entry, uint32_t *mbi, char *err,
	       unsigned errlen);

/* Is [addr, addr+len) inside guest RAM?  Every guest-supplied address the
 * monitor dereferences goes through here (wrap-around included). */
static inline int guest_range_ok(uint32_t addr, uint32_t len)
{
	return addr + len >= addr && addr + len <= GUEST_MEM_END;
}

#endif
