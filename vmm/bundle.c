/* bundle.c — the boot bundle and guest RAM of a run.
 *
 * QEMU splits -initrd at commas and takes a module's path up to the first
 * space, and the monitor sees its own path as the first word of its command
 * line: so QEMU is only ever given paths that ringmon made, links in a
 * private directory, never the user's paths.
 *
 * Guest RAM is a fresh file in /dev/shm that QEMU maps as its memory backend
 * and ringmon maps too, so both see the trace ring.  Fresh means all zero:
 * the ring header reads RING_STATE_BOOT until the monitor writes it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bundle.h"
#include "ring.h"

static int link_into(const char *dir, const char *name, const char *target,
		     char *out, size_t outlen)
{
	char *abs = realpath(target, NULL);
	int ret = 0;

	if (!abs)
		return -errno;
	snprintf(out, outlen, "%s/%s", dir, name);
	if (symlink(abs, out)) {
		ret = -errno;
		out[0] = 0;
	}
	free(abs);
	return ret;
}

static int ram_create(struct bundle *b)
{
	const off_t size = (off_t)RINGMON_RAM_MB << 20;
	int fd, ret = 0;

	snprintf(b->ram, sizeof(b->ram), "/dev/shm/ringmon-%d-XXXXXX", (int)getpid());
	fd = mkostemp(b->ram, O_CLOEXEC);
	if (fd < 0) {
		b->ram[0] = 0;
		return -errno;
	}
	if (ftruncate(fd, size)) {
		ret = -errno;
		goto out;
	}
	b->ring = mmap(NULL, RING_WINDOW, PROT_READ | PROT_WRITE, MAP_SHARED, fd, RING_PHYS);
	if (b->ring == MAP_FAILED) {
		b->ring = NULL;
		ret = -errno;
	}
out:
	close(fd);   /* the mapping stays; QEMU opens the file by name */
	return ret;
}

int bundle_create(struct bundle *b, const char *guest, const char *monitor)
{
	int ret;

	*b = (struct bundle){ 0 };
	snprintf(b->dir, sizeof(b->dir), "/tmp/ringmon-XXXXXX");
	if (!mkdtemp(b->dir)) {
		b->dir[0] = 0;
		return -errno;
	}
	ret = link_into(b->dir, "guest.elf", guest, b->guest, sizeof(b->guest));
	if (!ret)
		ret = link_into(b->dir, "monitor.elf", monitor, b->monitor, sizeof(b->monitor));
	if (!ret)
		ret = ram_create(b);
	if (ret)
		bundle_destroy(b);
	return ret;
}

void bundle_destroy(struct bundle *b)
{
	if (b->ring)
		munmap(b->ring, RING_WINDOW);
	if (b->ram[0])
		unlink(b->ram);
	if (b->monitor[0])
		unlink(b->monitor);
	if (b->guest[0])
		unlink(b->guest);
	if (b->dir[0])
		rmdir(b->dir);
	*b = (struct bundle){ 0 };
}
