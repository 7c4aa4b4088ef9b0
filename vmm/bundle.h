/* bundle.h — what one run hands to QEMU: the monitor and the guest as open
 * files, and guest RAM as an anonymous shared file that ringmon maps too. */
#ifndef RINGMON_BUNDLE_H
#define RINGMON_BUNDLE_H

struct bundle {
	int monitor_fd;           /* the images, open read-only; -1 if not */
	int guest_fd;
	int initrd_fd;            /* a Linux guest's initrd, or -1 */
	int ram_fd;               /* guest RAM, a memfd; -1 if not created */
	void *ring;               /* RING_WINDOW bytes of it at RING_PHYS */
};

/* initrd may be NULL. */
int bundle_create(struct bundle *b, const char *guest, const char *monitor, const char *initrd);

/* Releases whatever bundle_create() made; safe on a partial bundle. */
void bundle_destroy(struct bundle *b);

#endif
