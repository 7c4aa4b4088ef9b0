/* knobs.c — parse the run's knobs by the one table (trace/knobs_table.h).
 * The host validated them already; a bad knob here means host and monitor
 * disagree, and the run stops. */
#include "knobs.h"
#include "layout.h"
#include "lib.h"

struct knobs knobs;

/* Where each knob's value lives. */
static uint32_t *const slot[KNOB_COUNT] = {
	[KNOB_PROTECT] = &knobs.protect,
	[KNOB_MODE] = &knobs.mode,
	[KNOB_EMULATE] = &knobs.emulate,
	[KNOB_PLACEMENT] = &knobs.placement,
	[KNOB_FASTPATH] = &knobs.fastpath,
	[KNOB_RING] = &knobs.ring_records,
};

/* Does the word [w, w+n) equal s? */
static int word_is(const char *w, unsigned n, const char *s)
{
	return strlen(s) == n && strncmp(w, s, n) == 0;
}

/* The index of [v, v+n) among the knob's values, or -1. */
static int value_index(const struct knob_desc *k, const char *v, unsigned n)
{
	for (unsigned i = 0; i < k->n_values; i++)
		if (word_is(v, n, k->values[i]))
			return (int)i;
	return -1;
}

static int parse_set(const struct knob_desc *k, const char *v, unsigned n, uint32_t *out)
{
	uint32_t bits = 0;

	while (n) {
		unsigned len = 0;
		while (len < n && v[len] != ',')
			len++;
		int i = value_index(k, v, len);
		if (i < 0)
			return -1;
		bits |= 1u << i;
		v += len;
		n -= len;
		if (n) {
			v++;
			n--;
		}
	}
	*out = bits;
	return 0;
}

static int parse_ring(const char *v, unsigned n, uint32_t *out)
{
	uint32_t r = 0;

	if (!n)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || r > 100000000u)
			return -1;
		r = r * 10 + (uint32_t)(v[i] - '0');
	}
	if (r < 2 || (r & (r - 1)) || r > RING_MAX_BYTES / sizeof(struct trap_record))
		return -1;
	*out = r;
	return 0;
}

static int parse_one(const char *key, unsigned kn, const char *v, unsigned vn)
{
	for (unsigned id = 0; id < KNOB_COUNT; id++) {
		const struct knob_desc *k = &knob_table[id];
		int i;
		if (!word_is(key, kn, k->name))
			continue;
		switch (k->kind) {
		case KNOB_IS_CHOICE:
			if ((i = value_index(k, v, vn)) < 0)
				return -1;
			*slot[id] = (uint32_t)i;
			return 0;
		case KNOB_IS_SET:
			return parse_set(k, v, vn, slot[id]);
		case KNOB_IS_RING:
			return parse_ring(v, vn, slot[id]);
		}
	}
	return -1;
}

static int parse_words(const char *cmdline, char *err, unsigned errlen)
{
	const char *p = cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		unsigned n = (unsigned)(p - w), kn = 0;
		if (!n)
			break;
		while (kn < n && w[kn] != '=')
			kn++;
		/* The first word of a Multiboot command line may be the image path. */
		if (kn == n && w == cmdline)
			continue;
		if (kn == n || parse_one(w, kn, w + kn + 1, n - kn - 1)) {
			char word[48];
			unsigned m = n < sizeof(word) - 1 ? n : sizeof(word) - 1;
			memcpy(word, w, m);
			word[m] = 0;
			snformat(err, errlen, "bad monitor knob '%s'", word);
			return -1;
		}
	}
	return 0;
}

int knobs_parse(const char *cmdline, char *err, unsigned errlen)
{
	for (unsigned id = 0; id < KNOB_COUNT; id++) {
		const struct knob_desc *k = &knob_table[id];
		if (parse_one(k->name, strlen(k->name), k->def, strlen(k->def))) {
			snformat(err, errlen, "knob %s: bad default '%s'", k->name, k->def);
			return -1;
		}
	}
	return parse_words(cmdline, err, errlen);
}
