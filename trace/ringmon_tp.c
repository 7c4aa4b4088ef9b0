/* ringmon_tp.c — the probes of the `ringmon` LTTng-UST tracepoint provider
 * (ringmon_tp.h), built alone into ringmon_tp.so with liblttng-ust.  The
 * tracepoints themselves are defined in ringmon (vmm/lttng_sink.c), which
 * opens this object only for --sink lttng. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#include "ringmon_tp.h"
