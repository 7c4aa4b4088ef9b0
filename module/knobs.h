/* knobs.h — the research knobs of a run, parsed from the monitor's own
 * Multiboot command line (QEMU -append), e.g.
 *     protect=gdt,idt mode=rw emulate=decode placement=shadow ring=65536
 */
#ifndef KNOBS_H
#define KNOBS_H

#include <stdint.h>

#define PROTECT_GDT (1u << 0)
#define PROTECT_IDT (1u << 1)
#define PROTECT_LDT (1u << 2)
#define PROTECT_TSS (1u << 3)

enum protect_mode { MODE_OFF, MODE_W, MODE_RW };
enum emulate_path { EMULATE_DECODE, EMULATE_STEP };
enum placement { PLACEMENT_SHADOW, PLACEMENT_INPLACE };

struct knobs {
	uint32_t protect;          /* PROTECT_* bits */
	enum protect_mode mode;
	enum emulate_path emulate;
	enum placement placement;
	uint32_t ring_records;     /* ring capacity, a power of two */
};

extern struct knobs knobs;

/* Returns 0, or -1 with a message in err for an unknown or bad knob. */
int knobs_parse(const char *cmdline, char *err, unsigned errlen);

#endif
