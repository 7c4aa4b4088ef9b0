/* knobs.c — the research knobs on the host, by the one table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "knobs.h"
#include "trace.h"

#define RING_MIN 2u
#define RING_MAX 131072u   /* the largest power of two that fits */
_Static_assert(RING_MAX * sizeof(struct trap_record) <= RING_MAX_BYTES &&
	       2 * RING_MAX * sizeof(struct trap_record) > RING_MAX_BYTES, "RING_MAX");

/* The values joined by sep: "a, b, c" for messages, "a|b|c" for --help. */
static void value_list(const struct knob_desc *k, const char *sep, char *out, size_t len)
{
	out[0] = 0;
	for (unsigned i = 0; i < k->n_values; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? sep : "",
			 k->values[i]);
}

static int value_index(const struct knob_desc *k, const char *v, size_t n)
{
	for (unsigned i = 0; i < k->n_values; i++)
		if (strlen(k->values[i]) == n && !strncmp(v, k->values[i], n))
			return (int)i;
	return -1;
}

static int bad_value(const struct knob_desc *k, const char *v, size_t n, char *why, size_t len)
{
	char list[128];
	value_list(k, ", ", list, sizeof(list));
	snprintf(why, len, "--%s: unknown value '%.*s' (%s)", k->name, (int)n, v, list);
	return -EINVAL;
}

/* A set, canonical: its members in the table's order, each once. */
static int set_value(const struct knob_desc *k, const char *v, char *out, char *why, size_t len)
{
	unsigned mask = 0;

	for (const char *p = v;; p++) {
		size_t n = strcspn(p, ",");
		int i = value_index(k, p, n);
		if (i < 0)
			return bad_value(k, p, n, why, len);
		mask |= 1u << i;
		p += n;
		if (!*p)
			break;
	}
	out[0] = 0;
	for (unsigned i = 0; i < k->n_values; i++)
		if (mask & 1u << i)
			snprintf(out + strlen(out), KNOB_VALUE_MAX - strlen(out), "%s%s",
				 out[0] ? "," : "", k->values[i]);
	return 0;
}

static int ring_value(const struct knob_desc *k, const char *v, char *out, char *why, size_t len)
{
	char *end;
	unsigned long r;

	errno = 0;
	r = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || r < RING_MIN || r > RING_MAX || (r & (r - 1))) {
		snprintf(why, len, "--%s: '%s' is not a power of two from %u to %u", k->name, v,
			 RING_MIN, RING_MAX);
		return -EINVAL;
	}
	snprintf(out, KNOB_VALUE_MAX, "%lu", r);
	return 0;
}

int knob_set(struct knob_values *kv, enum knob_id id, const char *value, char *why, size_t len)
{
	const struct knob_desc *k = &knob_table[id];

	switch (k->kind) {
	case KNOB_IS_CHOICE:
		if (value_index(k, value, strlen(value)) < 0)
			return bad_value(k, value, strlen(value), why, len);
		snprintf(kv->v[id], KNOB_VALUE_MAX, "%s", value);
		return 0;
	case KNOB_IS_SET:
		return set_value(k, value, kv->v[id], why, len);
	case KNOB_IS_RING:
		return ring_value(k, value, kv->v[id], why, len);
	}
	return -EINVAL;
}

void knobs_defaults(struct knob_values *kv)
{
	char why[160];
	for (unsigned id = 0; id < KNOB_COUNT; id++)
		if (knob_set(kv, id, knob_table[id].def, why, sizeof(why)))
			abort();   /* the table's own default: a bug */
}

int knob_find(const char *name, size_t len)
{
	for (unsigned id = 0; id < KNOB_COUNT; id++)
		if (strlen(knob_table[id].name) == len && !strncmp(knob_table[id].name, name, len))
			return (int)id;
	return -1;
}

void knobs_cmdline(const struct knob_values *kv, char *out, size_t len)
{
	out[0] = 0;
	for (unsigned id = 0; id < KNOB_COUNT; id++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s=%s", id ? " " : "",
			 knob_table[id].name, kv->v[id]);
}

void knobs_usage(FILE *f)
{
	for (unsigned id = 0; id < KNOB_COUNT; id++) {
		const struct knob_desc *k = &knob_table[id];
		char vals[128] = "N";
		if (k->n_values)
			value_list(k, k->kind == KNOB_IS_SET ? "," : "|", vals, sizeof(vals));
		fprintf(f, "  --%s %s%s\n                         %s (%s)\n", k->name,
			k->kind == KNOB_IS_SET ? "LIST of " : "", vals, k->help, k->def);
	}
}

unsigned knob_ring(const struct knob_values *kv)
{
	return (unsigned)strtoul(kv->v[KNOB_RING], NULL, 10);
}
