/* knobs.h — the monitor's view of the run's knobs (the table is
 * trace/knobs_table.h), parsed from its own Multiboot command line (QEMU -append):
 *     protect=gdt,idt mode=rw emulate=decode placement=shadow ring=65536
 */
#ifndef KNOBS_H
#define KNOBS_H

#include <stdint.h>
#include "knobs_table.h"

/* MODE_RW, EMULATE_STEP, ...: a choice's index in its list; PROTECT_GDT,
 * ...: a set's bits. */
#define KNOB_ENUM_(p, name, str) p##_##name,
#define KNOB_BIT_(p, name, str) p##_##name = 1u << p##_BIT_##name,
enum { KNOB_PROTECT_VALUES(KNOB_ENUM_, PROTECT_BIT) };
enum { KNOB_PROTECT_VALUES(KNOB_BIT_, PROTECT) };
enum protect_mode { KNOB_MODE_VALUES(KNOB_ENUM_, MODE) };
enum emulate_path { KNOB_EMULATE_VALUES(KNOB_ENUM_, EMULATE) };
enum placement { KNOB_PLACEMENT_VALUES(KNOB_ENUM_, PLACEMENT) };
enum fastpath { KNOB_FASTPATH_VALUES(KNOB_ENUM_, FASTPATH) };
#undef KNOB_ENUM_
#undef KNOB_BIT_

struct knobs {
	uint32_t protect;          /* PROTECT_* bits */
	uint32_t mode;             /* enum protect_mode */
	uint32_t emulate;          /* enum emulate_path */
	uint32_t placement;        /* enum placement */
	uint32_t fastpath;         /* enum fastpath */
	uint32_t ring_records;     /* ring capacity, a power of two */
};

extern struct knobs knobs;

/* The table's defaults, then what cmdline says.  Returns 0, or -1 with a
 * message in err for an unknown or bad knob. */
int knobs_parse(const char *cmdline, char *err, unsigned errlen);

#endif
