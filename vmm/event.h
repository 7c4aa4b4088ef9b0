/* event.h — what every sink is given (sinks.c): a run's knobs when it starts,
 * each trap record with the symbols that name its addresses, and how the run
 * ended.  The LTTng provider (trace/ringmon_tp.h) takes these structs as its
 * tracepoint arguments, so they are plain C with no sink's types in them. */
#ifndef RINGMON_EVENT_H
#define RINGMON_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "trace.h"

/* The runs row as known when the run starts. */
struct run_info {
	const char *guest;          /* absolute path */
	const char *guest_sha256;
	const char *kernel;         /* the guest file's basename */
	const char *variant;        /* its link-order variant (--variant), or NULL */
	const char *cmdline;        /* the guest's command line, NULL if empty */
	const char *protect, *mode, *emulate, *placement, *fastpath, *accel;
	const char *cpu;            /* QEMU's -cpu model */
	const char *accel_why;      /* why this accelerator (vmm/accel.c) */
	const char *host;
	const char *sym_file;       /* where the symbols came from, NULL if none */
	const char *sym_format;     /* elf, elf+dwarf, system.map; NULL if none */
	const char *sym_check;      /* --symbols checked against the guest: how; or NULL */
	uint32_t ring;              /* ring capacity in records */
	bool deterministic;
};

/* ... and as completed when it ends. */
struct run_end {
	const char *state;          /* exited, killed, timeout, crashed */
	int exit_status;            /* the guest's status byte, -1 if it has none */
	const char *kill_reason;    /* NULL if none */
	bool counters;              /* the monitor stored the counters below */
	uint64_t records, stalls, dropped, counts[KIND_MAX];
};

/* Where a guest address lies: inside a symbol, in the padding after one
 * (or memory no symbol describes), or below every one. */
struct sym_ref {
	const char *name;           /* the symbol that holds it, if one does */
	uint32_t off;               /* how far into it, with name */
	uint32_t id;                /* its place in the symbol table (symbols.id), with name */
	bool pad;                   /* past the end of the symbol below, or outside the image */
};

/* One trap record, symbolized (trap path 4.2). */
struct trap_event {
	int64_t run_id;             /* runs.id; 0 when no database is written */
	const struct trap_record *r;
	bool has_data;              /* the trap has a data access (r->addr) */
	struct sym_ref data;        /* r->addr; all zero without has_data */
	struct sym_ref code;        /* r->eip */
	const char *code_file;      /* source file of r->eip from DWARF, or NULL */
	uint32_t code_line;         /* its line, 0 with code_file NULL */
};

#endif
