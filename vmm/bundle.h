/* bundle.h — what one run needs on the host's file system: a private
 * directory with the boot images, and the file that holds guest RAM. */
#ifndef RINGMON_BUNDLE_H
#define RINGMON_BUNDLE_H

struct bundle {
	char dir[32];             /* /tmp/ringmon-XXXXXX, "" if not created */
	char guest[64];           /* dir/guest.elf, a link to the guest */
	char monitor[64];         /* dir/monitor.elf, a link to the monitor */
	char ram[64];             /* /dev/shm/ringmon-PID-XXXXXX, "" if not created */
	void *ring;               /* RING_WINDOW bytes of the RAM file at RING_PHYS */
};

int bundle_create(struct bundle *b, const char *guest, const char *monitor);

/* Removes whatever bundle_create() made; safe on a partial bundle. */
void bundle_destroy(struct bundle *b);

#endif
