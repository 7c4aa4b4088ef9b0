/* lttng_sink.h — loading the LTTng sink's tracepoint provider on demand. */
#ifndef RINGMON_LTTNG_SINK_H
#define RINGMON_LTTNG_SINK_H

#include <stddef.h>

/* Make the ringmon:* tracepoints live: check that /dev/shm has room for
 * LTTng-UST, then dlopen the provider beside the executable.  0, or -errno
 * with one line in err[len]. */
int lttng_sink_load(char *err, size_t len);

#endif
