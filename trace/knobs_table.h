/* knobs_table.h — the research knobs of a run, in one table.  The monitor parses
 * them from its command line (module/knobs.c), `ringmon run` makes them its
 * options, checks them, passes them on and prints them in --help
 * (vmm/knobs.c), `ringmon sweep` varies them and checks every value before a
 * job starts, and tests/integration/knobs_doc.sh holds the docs to the same
 * list.  A new knob is one line here with its values, a runs column
 * (trace/schema.sql, vmm/db.c) and the monitor's use of it.
 *
 * Plain C, no libc: included by the freestanding monitor and by the host. */
#ifndef RINGMON_KNOBS_TABLE_H
#define RINGMON_KNOBS_TABLE_H

enum knob_kind {
	KNOB_IS_CHOICE,   /* one of the values: the monitor gets its index */
	KNOB_IS_SET,      /* a comma-separated set of them: a mask, bit i for value i */
	KNOB_IS_RING,     /* a power of two from 2 to the ring area's capacity */
};

/* Each knob's values: V(P, NAME, "spelling"), in index order.  P is a
 * prefix the user of the list chooses (module/knobs.h makes MODE_RW, ...). */
#define KNOB_PROTECT_VALUES(V, P)   V(P, GDT, "gdt") V(P, IDT, "idt") V(P, LDT, "ldt") V(P, TSS, "tss")
#define KNOB_MODE_VALUES(V, P)      V(P, RW, "rw") V(P, W, "w") V(P, OFF, "off")
#define KNOB_EMULATE_VALUES(V, P)   V(P, DECODE, "decode") V(P, STEP, "step")
#define KNOB_PLACEMENT_VALUES(V, P) V(P, SHADOW, "shadow") V(P, INPLACE, "inplace")
#define KNOB_FASTPATH_VALUES(V, P)  V(P, ON, "on") V(P, OFF, "off")
#define KNOB_RING_VALUES(V, P)

/* X(ID, "name", kind, VALUES, "default", "what it does") */
#define RINGMON_KNOBS(X)                                                               \
	X(PROTECT, "protect", KNOB_IS_SET, KNOB_PROTECT_VALUES, "gdt,idt",                \
	  "guest structures to protect")                                               \
	X(MODE, "mode", KNOB_IS_CHOICE, KNOB_MODE_VALUES, "rw",                           \
	  "trap every access to them, writes only, or none")                           \
	X(EMULATE, "emulate", KNOB_IS_CHOICE, KNOB_EMULATE_VALUES, "decode",              \
	  "how a trapped access is carried out: decoded, or single-stepped") \
	X(PLACEMENT, "placement", KNOB_IS_CHOICE, KNOB_PLACEMENT_VALUES, "shadow",        \
	  "the real GDT elsewhere, or at the guest's own GDT address")                 \
	X(FASTPATH, "fastpath", KNOB_IS_CHOICE, KNOB_FASTPATH_VALUES, "on",               \
	  "carry out decoded accesses seen before inside the guest's address space")  \
	X(RING, "ring", KNOB_IS_RING, KNOB_RING_VALUES, "65536",                          \
	  "trace ring capacity in records, a power of two")

#define KNOB_ID_(id, ...) KNOB_##id,
enum knob_id { RINGMON_KNOBS(KNOB_ID_) KNOB_COUNT };
#undef KNOB_ID_

#define KNOB_SPELLING_(p, name, str) str,
#define KNOB_VALUES_(id, name, kind, vals, def, help) \
	static const char *const knob_values_##id[] = { vals(KNOB_SPELLING_, id) 0 };
RINGMON_KNOBS(KNOB_VALUES_)
#undef KNOB_VALUES_
#undef KNOB_SPELLING_

struct knob_desc {
	const char *name;
	enum knob_kind kind;
	const char *const *values;  /* NULL-terminated; empty for KNOB_IS_RING */
	unsigned n_values;
	const char *def;            /* what a run gets without the option */
	const char *help;
};

#define KNOB_DESC_(id, nm, kd, vals, df, hp)                                       \
	[KNOB_##id] = { .name = nm, .kind = kd, .values = knob_values_##id,          \
			.n_values = sizeof(knob_values_##id) / sizeof(knob_values_##id[0]) - 1, \
			.def = df, .help = hp },
static const struct knob_desc knob_table[KNOB_COUNT] = { RINGMON_KNOBS(KNOB_DESC_) };
#undef KNOB_DESC_

#endif
