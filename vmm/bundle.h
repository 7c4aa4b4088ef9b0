/* bundle.h — what one run hands to QEMU: the monitor and the guest as open
 * files, and guest RAM as an anonymous shared file that ringmon maps too. */
#ifndef RINGMON_BUNDLE_H
#define RINGMON_BUNDLE_H

#include "qemu.h"

/* The guest's own files: a bzImage's initrd, or a Multiboot kernel's
 * modules (the guest image itself takes one of QEMU's modules). */
#define BUNDLE_MAX_MODULES (QEMU_MAX_MODULES - 1)

struct bundle {
	int monitor_fd;           /* the images, open read-only; -1 if not */
	int guest_fd;
	int module_fd[BUNDLE_MAX_MODULES];   /* the guest's files, n_modules of them */
	int n_modules;
	int ram_fd;               /* guest RAM, a memfd; -1 if not created */
	void *ring;               /* RING_WINDOW bytes of it at RING_PHYS */
};

/* modules[n]: the guest's files, n <= BUNDLE_MAX_MODULES. */
int bundle_create(struct bundle *b, const char *guest, const char *monitor,
		  const char *const *modules, int n);

/* Releases whatever bundle_create() made; safe on a partial bundle. */
void bundle_destroy(struct bundle *b);

/* Open paths[n] read-only into fds[n]: 0, or -errno with none left open
 * and *failed the index of the one that could not be opened. */
int bundle_open(const char *const *paths, int n, int *fds, int *failed);

#endif
