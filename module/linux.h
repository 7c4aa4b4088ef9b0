/* linux.h — booting a Linux bzImage as a 32-bit boot loader does. */
#ifndef LINUX_H
#define LINUX_H

#include "guest.h"

/* Is the image a bzImage (its setup header says "HdrS")? */
int linux_is_bzimage(const uint8_t *image, uint32_t size);
/* Load it (and the initrd, if any) per the 32-bit boot protocol. */
int linux_load(const struct mb_info *host, const struct mb_module *kernel,
	       const struct mb_module *initrd, struct guest_boot *boot, char *err, unsigned errlen);

#endif
