/* paths.h — where ringmon finds its own files: beside the ringmon executable,
 * as the build lays them out (build/ringmon, build/module/monitor.elf,
 * build/tbk/probe.elf). */
#ifndef RINGMON_PATHS_H
#define RINGMON_PATHS_H

#include <stddef.h>

/* REL (e.g. "module/monitor.elf") in the directory of the running ringmon,
 * into out[len].  0, or -errno. */
int own_file(const char *rel, char *out, size_t len);

#endif
