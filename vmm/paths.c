/* paths.c — ringmon's own files, found beside its executable. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "paths.h"

int own_file(const char *rel, char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return -errno;
	exe[n] = 0;
	if ((size_t)snprintf(out, len, "%s/%s", dirname(exe), rel) >= len)
		return -ENAMETOOLONG;
	return 0;
}
