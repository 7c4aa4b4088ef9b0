/* lttng_sink.c — the ringmon:* tracepoints without liblttng-ust in ringmon.
 *
 * LTTng-UST's dynamic linkage (lttng-ust(3), "Dynamically loading the
 * tracepoint provider"): the tracepoints are defined here, the probes live
 * in the provider ringmon_tp.so (trace/ringmon_tp.c), which alone is linked
 * with liblttng-ust and is opened only for --sink lttng.  liblttng-ust starts
 * threads as it loads, and they map pages of /dev/shm: on a full /dev/shm
 * they die of SIGBUS and take the process with them.  Linked in, that was
 * every ringmon command; now it is a --sink lttng run, and that one first
 * makes sure the pages can be had. */
#define LTTNG_UST_TRACEPOINT_DEFINE
#define LTTNG_UST_TRACEPOINT_PROBE_DYNAMIC_LINKAGE
#include "ringmon_tp.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lttng_sink.h"
#include "paths.h"

#define PROVIDER "ringmon_tp.so"
#define SHM_DIR "/dev/shm"
/* liblttng-ust's listener threads each map a page of SHM_DIR (the global
 * and the per-user "lttng-ust-wait-*" files) before anything else. */
#define SHM_PAGES 2

/* Reserve SHM_PAGES in SHM_DIR in an unnamed file: tmpfs allocates them for
 * real, so a full one says ENOSPC here rather than SIGBUS in LTTng's
 * threads, and nothing is left behind either way. */
static int shm_room(char *err, size_t len)
{
	int fd = open(SHM_DIR, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	int ret = fd < 0 ? errno : posix_fallocate(fd, 0, SHM_PAGES * sysconf(_SC_PAGESIZE));

	if (fd >= 0)
		close(fd);
	if (ret == ENOSPC)
		snprintf(err, len, "lttng sink: %s is full (LTTng-UST needs %d free pages there)",
			 SHM_DIR, SHM_PAGES);
	else if (ret)
		snprintf(err, len, "lttng sink: %s: %s (LTTng-UST keeps its shared memory there)",
			 SHM_DIR, strerror(ret));
	return -ret;
}

int lttng_sink_load(char *err, size_t len)
{
	/* Never closed: LTTng-UST cannot take the dlclose of a provider in use. */
	static void *provider;
	char path[PATH_MAX];
	int ret;

	if (provider)
		return 0;
	ret = shm_room(err, len);
	if (ret)
		return ret;
	ret = own_file(PROVIDER, path, sizeof(path));
	if (ret) {
		snprintf(err, len, "lttng sink: cannot find %s: %s", PROVIDER, strerror(-ret));
		return ret;
	}
	provider = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
	if (!provider) {
		snprintf(err, len, "lttng sink: %s (build it with `make`)", dlerror());
		return -ENOENT;
	}
	return 0;
}
