/* knobs.h — the research knobs on the host (the table: trace/knobs_table.h):
 * each value checked and kept in its canonical spelling, the monitor's
 * command line made of them, and their lines of `ringmon run --help`. */
#ifndef RINGMON_VMM_KNOBS_H
#define RINGMON_VMM_KNOBS_H

#include <stddef.h>
#include <stdio.h>

#include "knobs_table.h"

#define KNOB_VALUE_MAX 32

/* A run's knobs, canonical: a set in the table's order, a ring in decimal. */
struct knob_values {
	char v[KNOB_COUNT][KNOB_VALUE_MAX];
};

void knobs_defaults(struct knob_values *kv);

/* Check value for knob id and keep its canonical spelling in kv: 0, or
 * -EINVAL with why ("--mode: unknown value 'x' (rw, w, off)"). */
int knob_set(struct knob_values *kv, enum knob_id id, const char *value, char *why, size_t len);

/* The knob called name[len], or -1. */
int knob_find(const char *name, size_t len);

/* "protect=gdt,idt mode=rw ...": what the monitor parses (module/knobs.c). */
void knobs_cmdline(const struct knob_values *kv, char *out, size_t len);

/* One --NAME line per knob, with its values and default. */
void knobs_usage(FILE *f);

/* The ring knob's value as a number (it was checked). */
unsigned knob_ring(const struct knob_values *kv);

#endif
