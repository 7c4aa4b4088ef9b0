/* knobs.c — parse the run's knobs.  The host validated them already; a bad
 * knob here means host and monitor disagree, and the run stops. */
#include "knobs.h"
#include "layout.h"
#include "lib.h"

struct knobs knobs = {
	.protect = PROTECT_GDT | PROTECT_IDT,
	.mode = MODE_RW,
	.emulate = EMULATE_DECODE,
	.ring_records = DEFAULT_RING_RECORDS,
};

/* Does the word [w, w+n) equal s? */
static int word_is(const char *w, unsigned n, const char *s)
{
	return strlen(s) == n && strncmp(w, s, n) == 0;
}

static int parse_protect(const char *v, unsigned n)
{
	uint32_t bits = 0;
	while (n) {
		unsigned len = 0;
		while (len < n && v[len] != ',')
			len++;
		if (word_is(v, len, "gdt"))
			bits |= PROTECT_GDT;
		else if (word_is(v, len, "idt"))
			bits |= PROTECT_IDT;
		else if (word_is(v, len, "ldt"))
			bits |= PROTECT_LDT;
		else if (word_is(v, len, "tss"))
			bits |= PROTECT_TSS;
		else
			return -1;
		v += len;
		n -= len;
		if (n) {
			v++;
			n--;
		}
	}
	knobs.protect = bits;
	return 0;
}

static int parse_uint(const char *v, unsigned n, uint32_t *out)
{
	uint32_t x = 0;
	if (!n)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || x > 100000000u)
			return -1;
		x = x * 10 + (uint32_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

static int parse_ring(const char *v, unsigned n)
{
	uint32_t r;
	if (parse_uint(v, n, &r) || r < 2 || (r & (r - 1)) ||
	    r > RING_MAX_BYTES / sizeof(struct trap_record))
		return -1;
	knobs.ring_records = r;
	return 0;
}

static int parse_one(const char *k, unsigned kn, const char *v, unsigned vn)
{
	if (word_is(k, kn, "protect"))
		return parse_protect(v, vn);
	if (word_is(k, kn, "mode")) {
		if (word_is(v, vn, "rw"))
			knobs.mode = MODE_RW;
		else if (word_is(v, vn, "w"))
			knobs.mode = MODE_W;
		else if (word_is(v, vn, "off"))
			knobs.mode = MODE_OFF;
		else
			return -1;
		return 0;
	}
	if (word_is(k, kn, "emulate")) {
		if (word_is(v, vn, "decode"))
			knobs.emulate = EMULATE_DECODE;
		else if (word_is(v, vn, "step"))
			knobs.emulate = EMULATE_STEP;
		else
			return -1;
		return 0;
	}
	if (word_is(k, kn, "placement")) {
		if (word_is(v, vn, "shadow"))
			knobs.placement = PLACEMENT_SHADOW;
		else if (word_is(v, vn, "inplace"))
			knobs.placement = PLACEMENT_INPLACE;
		else
			return -1;
		return 0;
	}
	if (word_is(k, kn, "ring"))
		return parse_ring(v, vn);
	return -1;
}

int knobs_parse(const char *cmdline, char *err, unsigned errlen)
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
