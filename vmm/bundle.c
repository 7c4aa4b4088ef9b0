/* bundle.c — the boot images and guest RAM of a run, as file descriptors.
 *
 * QEMU splits -initrd at commas and takes a module's path up to the first
 * space, and the monitor sees its own path as the first word of its command
 * line: so QEMU is never given the user's paths, only /proc/self/fd/N names
 * for descriptors it inherits (qemu.c).  They are the same in every run, so
 * the guest's command line is too (deterministic mode needs that).
 *
 * Guest RAM is a memfd that QEMU maps as its memory backend and ringmon maps
 * too, so both see the trace ring.  It has no name in any file system: when
 * ringmon and QEMU are gone, however they ended, it is gone (nothing is left
 * in /dev/shm).  Fresh means all zero: the ring header reads RING_STATE_BOOT
 * until the monitor writes it. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bundle.h"
#include "ring.h"

static int ram_create(struct bundle *b)
{
	const off_t size = (off_t)RINGMON_RAM_MB << 20;

	b->ram_fd = memfd_create("ringmon-ram", MFD_CLOEXEC);
	if (b->ram_fd < 0)
		return -errno;
	if (ftruncate(b->ram_fd, size))
		return -errno;
	b->ring = mmap(NULL, RING_WINDOW, PROT_READ | PROT_WRITE, MAP_SHARED, b->ram_fd,
		       RING_PHYS);
	if (b->ring == MAP_FAILED) {
		b->ring = NULL;
		return -errno;
	}
	return 0;
}

int bundle_open(const char *const *paths, int n, int *fds, int *failed)
{
	for (int i = 0; i < n; i++) {
		fds[i] = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			int ret = -errno;
			*failed = i;
			while (i--)
				close(fds[i]);
			return ret;
		}
	}
	return 0;
}

int bundle_create(struct bundle *b, const char *guest, const char *monitor,
		  const char *const *modules, int n)
{
	int ret = 0, failed;

	*b = (struct bundle){ .monitor_fd = -1, .guest_fd = -1, .ram_fd = -1 };
	b->guest_fd = open(guest, O_RDONLY | O_CLOEXEC);
	if (b->guest_fd >= 0)
		b->monitor_fd = open(monitor, O_RDONLY | O_CLOEXEC);
	if (b->guest_fd < 0 || b->monitor_fd < 0)
		ret = -errno;
	if (!ret && n > BUNDLE_MAX_MODULES)
		ret = -E2BIG;
	if (!ret && !(ret = bundle_open(modules, n, b->module_fd, &failed)))
		b->n_modules = n;
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
	if (b->ram_fd >= 0)
		close(b->ram_fd);
	if (b->monitor_fd >= 0)
		close(b->monitor_fd);
	if (b->guest_fd >= 0)
		close(b->guest_fd);
	for (int i = 0; i < b->n_modules; i++)
		close(b->module_fd[i]);
	*b = (struct bundle){ .monitor_fd = -1, .guest_fd = -1, .ram_fd = -1 };
}
