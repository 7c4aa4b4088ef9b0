/* ringmon_tp.c — instantiates the `ringmon` LTTng-UST tracepoint provider
 * (ringmon_tp.h): the probes, and the tracepoint definitions ringmon calls. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "ringmon_tp.h"
