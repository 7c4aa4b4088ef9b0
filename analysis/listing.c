/* listing.c — symbols by address for the page listings of report and
 * layout: nm's letters, page neighbourhoods, the tables by name, and the
 * names that look hot. */
#include <ctype.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "listing.h"

/* nm's letter from what is known: the section's name (NULL from a
 * System.map), the symbol type, and whether it is local (unknown, so
 * upper case, for the database's rows). */
static char letter(const char *section, uint8_t type, bool local)
{
	char c;

	if (type == STT_FUNC || (section && strstr(section, "text")))
		c = 'T';
	else if (!section)
		c = type == STT_OBJECT ? 'D' : '?';
	else if (!strncmp(section, ".rodata", 7))
		c = 'R';
	else if (strstr(section, "bss"))
		c = 'B';
	else
		c = 'D';
	return local ? (char)tolower(c) : c;
}

static int grow(struct listing *l, size_t *cap)
{
	struct lsym *s;

	if (l->n < *cap)
		return 0;
	*cap = *cap ? 2 * *cap : 256;
	s = realloc(l->s, *cap * sizeof(*s));
	if (!s)
		return -ENOMEM;
	l->s = s;
	return 0;
}

int listing_from_symtab(struct listing *l, const struct symtab *st)
{
	*l = (struct listing){ 0 };
	l->s = calloc(st->n ? st->n : 1, sizeof(*l->s));
	if (!l->s)
		return -ENOMEM;
	for (size_t i = 0; i < st->n; i++) {
		const struct sym *y = &st->syms[i];
		l->s[l->n++] = (struct lsym){ .name = y->name, .addr = y->addr, .size = y->size,
			.letter = letter(y->section, y->type, y->bind == STB_LOCAL) };
		l->sized |= y->size != 0;
	}
	return 0;
}

int listing_from_db(struct listing *l, struct rundb *r, int64_t run)
{
	sqlite3_stmt *s;
	size_t cap = 0, used = 0, room = 0;
	int step, ret;

	*l = (struct listing){ 0 };
	ret = rundb_prepare(r, &s, "SELECT name, addr, size, type, section FROM symbols"
			    " WHERE run_id = ?1 ORDER BY addr, rowid", run);
	if (ret)
		return ret;
	/* names go into one buffer; s[].name holds offsets until it stops moving */
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = rundb_text(s, 0, "?"), *type = rundb_text(s, 3, "");
		size_t len = strlen(name) + 1;
		if (used + len > room) {
			char *grown = realloc(l->names, room = 2 * (used + len) + 4096);
			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			l->names = grown;
		}
		ret = grow(l, &cap);
		if (ret)
			break;
		memcpy(l->names + used, name, len);
		l->s[l->n++] = (struct lsym){
			.name = (const char *)(uintptr_t)used,
			.addr = (uint32_t)sqlite3_column_int64(s, 1),
			.size = (uint32_t)sqlite3_column_int64(s, 2),
			.letter = letter(rundb_text(s, 4, NULL),
					 !strcmp(type, "func") ? STT_FUNC :
					 !strcmp(type, "object") ? STT_OBJECT : STT_NOTYPE, false),
		};
		l->sized |= l->s[l->n - 1].size != 0;
		used += len;
	}
	for (size_t i = 0; i < l->n; i++)
		l->s[i].name = l->names + (uintptr_t)l->s[i].name;
	if (ret) {
		rundb_finish(r, s, ret);
		listing_free(l);
		return ret;
	}
	return rundb_finish(r, s, rundb_check(r, step));
}

void listing_free(struct listing *l)
{
	free(l->s);
	free(l->names);
	*l = (struct listing){ 0 };
}

uint32_t listing_end(const struct listing *l, size_t i)
{
	uint32_t a = l->s[i].addr;

	if (l->s[i].size)
		return a + l->s[i].size;
	if (l->sized)
		return a;
	for (size_t j = i + 1; j < l->n; j++)
		if (l->s[j].addr > a)
			return l->s[j].addr - a < LISTING_PAGE ? l->s[j].addr : a + LISTING_PAGE;
	return a + LISTING_PAGE;
}

void listing_page(const struct listing *l, uint32_t page, size_t *first, size_t *last)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {   /* the first symbol at or above page */
		size_t mid = lo + (hi - lo) / 2;
		if (l->s[mid].addr < page)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (*first > 0 && listing_end(l, *first - 1) > page)
		(*first)--;
	for (*last = lo; *last < l->n && l->s[*last].addr - page < LISTING_PAGE; (*last)++)
		;
}

const struct lsym *listing_find(const struct listing *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->s[i].name, name))
			return &l->s[i];
	return NULL;
}

/* Names kernels give their tables: ours, then Linux's (gdt_page is the
 * per-cpu GDT since 2.6.24, cpu_gdt_table before; cpu_tss_rw the TSS). */
static const struct {
	const char *kind;
	const char *names[5];
} table_names[] = {
	{ "gdt", { "gdt_table", "gdt_page", "cpu_gdt_table", "gdt", NULL } },
	{ "idt", { "idt_table", "idt", NULL } },
	{ "ldt", { "ldt_table", "default_ldt", NULL } },
	{ "tss", { "tss", "cpu_tss_rw", "init_tss", NULL } },
};

const struct lsym *listing_table(const struct listing *l, const char *kind)
{
	for (size_t t = 0; t < sizeof(table_names) / sizeof(table_names[0]); t++) {
		if (strcmp(table_names[t].kind, kind))
			continue;
		for (size_t i = 0; table_names[t].names[i]; i++) {
			const struct lsym *s = listing_find(l, table_names[t].names[i]);
			if (s)
				return s;
		}
	}
	return NULL;
}

/* Words in the names of data that is touched all the time: locks, clocks,
 * counters, the scheduler's and the interrupt path's state (the seed
 * thread's last_tsc_low and delay_at_last_interrupt among them), and our
 * test kernels' hot_ prefix. */
static const char *const hot_words[] = {
	"lock", "tick", "jiffies", "count", "cnt", "sched", "timer", "irq", "interrupt",
	"clock", "tsc", "current", "runqueue", "handler", "tss", "hot",
};

const char *listing_hot_word(const char *name)
{
	for (size_t i = 0; i < sizeof(hot_words) / sizeof(hot_words[0]); i++)
		if (strcasestr(name, hot_words[i]))
			return hot_words[i];
	return NULL;
}

int listing_line(char *buf, size_t len, const struct lsym *s)
{
	return snprintf(buf, len, "%08x %c %s", s->addr, s->letter, s->name);
}
