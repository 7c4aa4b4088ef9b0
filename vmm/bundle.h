/* bundle.h — what one run hands to QEMU: the monitor and the guest as open
 * files, and guest RAM as an anonymous shared file that ringmon maps too. */
#ifndef RINGMON_BUNDLE_H
#define RINGMON_BUNDLE_H

struct bundle {
	int monitor_fd;           /* the images, open read-only; -1 if not */
	int guest_fd;
	int ram_fd;               /* guest RAM, a memfd; -1 if not created */
	void *ring;               /* RING_WINDOW bytes of it at RING_PHYS */
};

int bundle_create(struct bundle *b, const char *guest, const char *monitor);

/* Releases whatever bundle_create() made; safe on a partial bundle. */
void bundle_destroy(struct bundle *b);

#endif
