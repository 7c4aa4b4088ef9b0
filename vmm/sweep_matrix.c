/* sweep_matrix.c — what a sweep runs: guests x knob values, from the command
 * line and a matrix file (`KEY = VALUES` lines), every value checked as
 * `ringmon run` will check it before any job starts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cmd.h"
#include "sweep.h"

const struct knob knobs[K_COUNT] = {
#define RESEARCH_KNOB_(id, name, ...) [KNOB_##id] = { "--" name, KNOB_LIST },
	RINGMON_KNOBS(RESEARCH_KNOB_)
#undef RESEARCH_KNOB_
	[K_ACCEL] = { "--accel", KNOB_LIST },
	[K_TIMEOUT] = { "--timeout", KNOB_ONE },
	[K_CMDLINE] = { "--cmdline", KNOB_ONE },
	[K_SYMBOLS] = { "--symbols", KNOB_ONE },
	[K_INITRD] = { "--initrd", KNOB_ONE },
	[K_MODULE] = { "--module", KNOB_REPEAT },
	[K_UNTIL] = { "--until", KNOB_ONE },
	[K_VARIANT] = { "--variant", KNOB_ONE },
	[K_MONITOR] = { "--monitor", KNOB_ONE },
	[K_DETERMINISTIC] = { "--deterministic", KNOB_FLAG },
};

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		pr_err("sweep: out of memory");
		exit(EXIT_FAILED);
	}
	return p;
}

void strv_push(struct strv *sv, const char *s, size_t len)
{
	char *copy = xrealloc(NULL, len + 1);

	memcpy(copy, s, len);
	copy[len] = 0;
	sv->v = xrealloc(sv->v, (sv->n + 1) * sizeof(*sv->v));
	sv->v[sv->n++] = copy;
}

void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strv){ 0 };
}

/* v without the blanks around it: its start, and its length into *len. */
const char *trim(const char *v, size_t *len)
{
	while (*len && (*v == ' ' || *v == '\t'))
		v++, (*len)--;
	while (*len && (v[*len - 1] == ' ' || v[*len - 1] == '\t' || v[*len - 1] == '\n'))
		(*len)--;
	return v;
}

/* Comma-separated values onto sv; where and key name them in errors. */
static void push_list(struct strv *sv, const char *v, const char *where, const char *key)
{
	const char *all = v;

	for (;;) {
		size_t n = strcspn(v, ",");
		size_t len = n;
		const char *item = trim(v, &len);

		if (!len)
			usage_err("sweep: %s%s: empty value in '%s'", where, key, all);
		strv_push(sv, item, len);
		if (!v[n])
			return;
		v += n + 1;
	}
}

/* One knob's value(s) from the command line or a matrix file. */
void sweep_set_knob(struct sweep *s, unsigned k, const char *v, const char *where)
{
	const struct knob *kn = &knobs[k];
	size_t len = strlen(v);

	if (kn->kind == KNOB_LIST) {
		push_list(&s->knob[k], v, where, kn->opt);
		return;
	}
	if (*where)   /* a matrix file's line; the command line's is as given */
		v = trim(v, &len);
	if (kn->kind == KNOB_FLAG && !(len == 3 && !strncmp(v, "yes", 3)) &&
	    !(len == 2 && !strncmp(v, "no", 2)))
		usage_err("sweep: %s%s: '%.*s' is neither yes nor no", where, kn->opt, (int)len, v);
	if (!len)
		usage_err("sweep: %s%s: empty value", where, kn->opt);
	if (kn->kind != KNOB_REPEAT)
		strv_free(&s->knob[k]);   /* the last one given counts */
	else if (s->knob[k].n == BUNDLE_MAX_MODULES)
		usage_err("sweep: %s%s: at most %d modules", where, kn->opt, BUNDLE_MAX_MODULES);
	strv_push(&s->knob[k], v, len);
}

static int knob_by_name(const char *name, size_t len)
{
	for (int k = 0; k < K_COUNT; k++)
		if (strlen(knobs[k].opt + 2) == len && !strncmp(knobs[k].opt + 2, name, len))
			return k;
	return -1;
}

/* KEY = VALUES, where KEY is a run option without "--", or guest. */
static void matrix_line(struct sweep *s, char *line, const char *where, bool seen[K_COUNT])
{
	char *eq = strchr(line, '=');
	size_t len;
	const char *key;
	int k;

	if (!eq)
		usage_err("sweep: %snot `KEY = VALUES`", where);
	len = (size_t)(eq - line);
	key = trim(line, &len);
	if (len == 5 && !strncmp(key, "guest", 5)) {
		push_list(&s->guests, eq + 1, where, "guest");
		return;
	}
	k = knob_by_name(key, len);
	if (k < 0)
		usage_err("sweep: %sunknown key '%.*s' (a `ringmon run` option without --,"
			  " or guest)", where, (int)len, key);
	if (seen[k] && knobs[k].kind != KNOB_REPEAT)
		usage_err("sweep: %s%.*s given twice", where, (int)len, key);
	seen[k] = true;
	if (!s->from_cli[k])
		sweep_set_knob(s, (unsigned)k, eq + 1, where);
}

void sweep_read_matrix(struct sweep *s, const char *path)
{
	bool seen[K_COUNT] = { false };
	char where[PATH_MAX + 32], *line = NULL;
	size_t cap = 0;
	unsigned no = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		usage_err("sweep: --matrix %s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		size_t len;

		no++;
		line[strcspn(line, "#")] = 0;
		len = strlen(line);
		trim(line, &len);
		if (!len)
			continue;
		snprintf(where, sizeof(where), "%s:%u: ", path, no);
		matrix_line(s, line, where, seen);
	}
	if (ferror(f))
		usage_err("sweep: --matrix %s: %s", path, strerror(errno));
	free(line);
	fclose(f);   /* read-only: nothing a failed close could lose */
}

/* Every value of every research knob, as `ringmon run` will check it: a bad
 * one stops the sweep before any job starts. */
void sweep_check_knobs(const struct sweep *s)
{
	struct knob_values kv;
	char v[KNOB_VALUE_MAX], why[256];

	for (unsigned id = 0; id < KNOB_COUNT; id++)
		for (size_t i = 0; i < s->knob[id].n; i++) {
			snprintf(v, sizeof(v), "%s", s->knob[id].v[i]);
			for (char *p = v; id == K_PROTECT && (p = strchr(p, '+'));)
				*p = ',';
			if (knob_set(&kv, id, v, why, sizeof(why)))
				usage_err("sweep: %s", why);
		}
}
