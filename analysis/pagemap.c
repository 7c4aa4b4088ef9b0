/* pagemap.c — the report's map of every protected page: each symbol on it
 * by address and size in the seed thread's listing format, with the
 * protected traps that hit it, and all pages drawn as heat strips.
 *
 * The protected pages are those with protected traps (the page_hits view)
 * and, since a page that is never touched traps never, the pages of the
 * run's protected structures found among its symbols by name (listing.h).
 * A page without symbols of its own whose frame also appears under another
 * linear address (an alias) is listed with that page's symbols. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "listing.h"
#include "report.h"

#define MIN_DRAWN 12   /* bytes: narrower symbols are drawn this wide */
#define MAX_TABLES 4   /* gdt, idt, ldt, tss */

struct ppage {
	int64_t page, gpa;           /* gpa -1: not known (no trap on the page) */
	int64_t n, data;             /* protected traps, those on region data */
	char regions[48];
	const char *table;           /* the structure's symbol that put it here */
	int64_t sym_page;            /* whose symbols it lists (an alias's frame) */
};

struct pagemap {
	struct report_ctx *rc;
	struct listing l;
	struct ppage *p;
	size_t n, cap;
	int64_t (*hits)[3];          /* per listing symbol: r, w, x on this page */
	const struct lsym *tables[MAX_TABLES];   /* the protected structures */
	size_t ntables;
	FILE *strip;                 /* the heat strip's rows */
	int64_t max_hits;
};

static int add_page(struct pagemap *pm, const struct ppage *p)
{
	for (size_t i = 0; i < pm->n; i++)
		if (pm->p[i].page == p->page && (pm->p[i].gpa == p->gpa || p->gpa < 0)) {
			if (!pm->p[i].table)
				pm->p[i].table = p->table;
			return 0;
		}
	if (pm->n == pm->cap) {
		struct ppage *grown = realloc(pm->p, (pm->cap = pm->cap ? 2 * pm->cap : 8) *
					      sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		pm->p = grown;
	}
	pm->p[pm->n++] = *p;
	return 0;
}

static int cmp_page(const void *a, const void *b)
{
	const struct ppage *x = a, *y = b;
	return x->page != y->page ? (x->page < y->page ? -1 : 1) : (x->gpa > y->gpa) - (x->gpa < y->gpa);
}

static bool has_symbols(const struct pagemap *pm, int64_t page)
{
	size_t first, last;

	listing_page(&pm->l, (uint32_t)page, &first, &last);
	return first < last;
}

/* The structures the run protected, as its symbols name them (none with
 * mode off: nothing was protected). */
static void find_tables(struct pagemap *pm)
{
	const char *k = pm->rc->m->protect;

	while (strcmp(pm->rc->m->mode, "off") && *k && pm->ntables < MAX_TABLES) {
		char kind[8];
		size_t len = strcspn(k, ",");
		snprintf(kind, sizeof(kind), "%.*s", (int)len, k);
		k += len + (k[len] == ',');
		if (listing_table(&pm->l, kind))
			pm->tables[pm->ntables++] = listing_table(&pm->l, kind);
	}
}

static bool protected_table(const struct pagemap *pm, const struct lsym *s)
{
	for (size_t i = 0; i < pm->ntables; i++)
		if (pm->tables[i] == s)
			return true;
	return false;
}

/* The pages a protected structure covers, hit or not. */
static int add_table_pages(struct pagemap *pm, const struct lsym *t)
{
	uint32_t end = listing_end(&pm->l, (size_t)(t - pm->l.s));
	int ret = 0;

	if (end <= t->addr)
		end = t->addr + 1;   /* a label: at least its first byte */
	for (uint32_t pg = t->addr & ~(LISTING_PAGE - 1); !ret && pg < end; pg += LISTING_PAGE)
		ret = add_page(pm, &(struct ppage){ .page = pg, .gpa = -1, .table = t->name });
	return ret;
}

static int find_pages(struct pagemap *pm)
{
	struct report_ctx *rc = pm->rc;
	sqlite3_stmt *s;
	int step, ret = rundb_prepare(rc->db, &s,
		"SELECT page, gpa_page, n, data_hits, regions FROM page_hits WHERE run_id = ?1",
		rc->m->id);

	if (ret)
		return ret;
	while (!ret && (step = sqlite3_step(s)) == SQLITE_ROW) {
		struct ppage p = { .page = sqlite3_column_int64(s, 0),
				   .gpa = sqlite3_column_int64(s, 1),
				   .n = sqlite3_column_int64(s, 2),
				   .data = sqlite3_column_int64(s, 3) };
		snprintf(p.regions, sizeof(p.regions), "%s", rundb_text(s, 4, ""));
		ret = add_page(pm, &p);
	}
	ret = rundb_finish(rc->db, s, ret ? ret : rundb_check(rc->db, step));
	find_tables(pm);
	for (size_t i = 0; !ret && i < pm->ntables; i++)
		ret = add_table_pages(pm, pm->tables[i]);
	if (ret)
		return ret;
	qsort(pm->p, pm->n, sizeof(*pm->p), cmp_page);
	for (size_t i = 0; i < pm->n; i++) {
		pm->p[i].sym_page = pm->p[i].page;
		for (size_t j = 0; j < pm->n && !has_symbols(pm, pm->p[i].page); j++)
			if (j != i && pm->p[j].gpa == pm->p[i].gpa && pm->p[i].gpa >= 0 &&
			    has_symbols(pm, pm->p[j].page))
				pm->p[i].sym_page = pm->p[j].page;
	}
	return 0;
}

/* The symbol that holds sym_page + off: the one with the highest address at
 * or below it that covers it, as the symbolizer picks (docs/database.md). */
static ssize_t holder(const struct pagemap *pm, size_t first, size_t last, uint32_t a)
{
	ssize_t best = -1;

	for (size_t i = first; i < last; i++)
		if (pm->l.s[i].addr <= a && a < listing_end(&pm->l, i) &&
		    (best < 0 || pm->l.s[i].addr > pm->l.s[best].addr))
			best = (ssize_t)i;
	return best;
}

/* Hits per symbol of one page into pm->hits; those on no symbol into pad. */
static int count_hits(struct pagemap *pm, const struct ppage *p, size_t first, size_t last,
		      int64_t pad[3])
{
	struct report_ctx *rc = pm->rc;
	sqlite3_stmt *s;
	int step, ret;

	memset(pm->hits, 0, pm->l.n * sizeof(*pm->hits));
	pad[0] = pad[1] = pad[2] = 0;
	if (p->gpa < 0)
		return 0;   /* no trap on this page */
	ret = rundb_prepare(rc->db, &s,
		"SELECT addr - ?2, access, sum(n) FROM trap_groups WHERE run_id = ?1"
		" AND kind = 'protected' AND addr - addr % 4096 = ?2 AND gpa - gpa % 4096 = ?3"
		" GROUP BY 1, 2", rc->m->id);
	if (ret)
		return ret;
	if (sqlite3_bind_int64(s, 2, p->page) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, p->gpa) != SQLITE_OK)
		return rundb_finish(rc->db, s, -EIO);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		uint32_t a = (uint32_t)(p->sym_page + sqlite3_column_int64(s, 0));
		const char *acc = rundb_text(s, 1, "");
		int ai = !strcmp(acc, "r") ? 0 : !strcmp(acc, "w") ? 1 : 2;
		ssize_t h = holder(pm, first, last, a);
		(h < 0 ? pad : pm->hits[h])[ai] += sqlite3_column_int64(s, 2);
	}
	return rundb_finish(rc->db, s, rundb_check(rc->db, step));
}

static void listing_row(char *buf, size_t len, const char *head, uint32_t size, const int64_t h[3],
			const char *note)
{
	snprintf(buf, len, "%-40s %6u r=%lld w=%lld x=%lld%s\n", head, size, (long long)h[0],
		 (long long)h[1], (long long)h[2], note);
}

/* One page: its listing, and its rows of the heat strip (row y). */
static int one_page(struct pagemap *pm, const struct ppage *p, unsigned y, char **text, size_t *room)
{
	struct report_ctx *rc = pm->rc;
	size_t first, last, used = 0;
	uint32_t drawn = 0;          /* where the strip's last box ended */
	unsigned labels = 0;
	int64_t pad[3];
	char line[512], head[300], alias[96] = "";
	int ret;

	listing_page(&pm->l, (uint32_t)p->sym_page, &first, &last);
	ret = count_hits(pm, p, first, last, pad);
	if (ret)
		return ret;
	if (p->sym_page != p->page)
		snprintf(alias, sizeof(alias), "; an alias, listed with the symbols of page `%08llx`",
			 (long long)p->sym_page);
	if (p->gpa >= 0)
		doc_para(rc->doc, "Page `%08llx` (guest-physical `%08llx`%s): %lld protected "
			 "traps, %lld on unrelated data; regions hit: %s.", (long long)p->page,
			 (long long)p->gpa, alias, (long long)p->n, (long long)p->data,
			 p->regions[0] ? p->regions : "none");
	else
		doc_para(rc->doc, "Page `%08llx`, which holds `%s`: no protected traps.",
			 (long long)p->page, p->table);
	for (size_t i = first; i <= last; i++) {
		const struct lsym *s = i < last ? &pm->l.s[i] : NULL;
		const int64_t *h = s ? pm->hits[i] : pad;
		uint32_t size;
		char note[64] = "";

		if (!s && !(pad[0] | pad[1] | pad[2]))
			break;
		if (s) {
			uint32_t end = listing_end(&pm->l, i);
			const char *hot = listing_hot_word(s->name);
			size = end - s->addr;
			listing_line(head, sizeof(head), s);
			if (protected_table(pm, s))
				snprintf(note, sizeof(note), "  <- protected structure");
			else if (hot && size)
				snprintf(note, sizeof(note), "  (hot-looking: %s)", hot);
			if (pm->strip && size) {
				uint32_t lo = s->addr > (uint32_t)p->sym_page ? s->addr - (uint32_t)p->sym_page : 0;
				uint32_t hi = end - (uint32_t)p->sym_page;
				int64_t all = h[0] + h[1] + h[2];
				hi = hi > LISTING_PAGE ? LISTING_PAGE : hi;
				lo = lo < drawn ? drawn : lo;
				hi = hi < lo + MIN_DRAWN ? lo + MIN_DRAWN : hi;
				drawn = hi;
				/* label row: tables below the strip, the rest above it in
				 * three staggered rows */
				fprintf(pm->strip, "%u\t%u\t%u\t%lld\t%s\t%d\t%d\n", y, lo, hi,
					(long long)all, s->name, note[2] == '<',
					note[2] == '<' ? -1 : all ? (int)(labels++ % 3) : 0);
				if (all > pm->max_hits)
					pm->max_hits = all;
			}
		} else {
			snprintf(head, sizeof(head), "%08llx ? (padding)", (long long)p->sym_page);
			size = 0;
		}
		listing_row(line, sizeof(line), head, size, h, note);
		if (used + strlen(line) + 1 > *room) {
			char *grown = realloc(*text, *room = 2 * (used + strlen(line) + 1));
			if (!grown)
				return -ENOMEM;
			*text = grown;
		}
		memcpy(*text + used, line, strlen(line) + 1);
		used += strlen(line);
	}
	doc_pre(rc->doc, used ? *text : "(no symbols on this page)\n");
	return 0;
}

static int strip_chart(struct pagemap *pm)
{
	struct report_ctx *rc = pm->rc;
	struct chart c;
	int ret = chart_open(&c, rc->dir, "pages", "Protected pages: symbols by offset, coloured by traps",
			     1100, 150 + 120 * (int)pm->n);

	if (ret)
		return report_fail(rc, ret, c.err);
	rewind(pm->strip);
	for (int ch; (ch = fgetc(pm->strip)) != EOF;)
		fputc(ch, c.dat);
	fprintf(c.gp, "set xrange [0:4096]\nset yrange [%zu.6:-0.9]\nset grid noytics\n"
		"set xtics (\"+0\" 0, \"+0x400\" 1024, \"+0x800\" 2048, \"+0xc00\" 3072, "
		"\"+0x1000\" 4096)\nset mxtics 4\nset ytics (", pm->n - 1);
	for (size_t i = 0; i < pm->n; i++)
		fprintf(c.gp, "%s\"%08llx\" %zu", i ? ", " : "", (long long)pm->p[i].page, i);
	fprintf(c.gp, ")\nset xlabel \"offset in the page (symbols narrower than %d bytes are "
		"drawn %d wide, pushing the next ones right; grey outline: never hit)\"\n"
		"set palette defined (0 \"#fdebd0\", 0.5 \"#e67e22\", 1 \"#7b241c\")\n"
		"set logscale cb\nset cbrange [1:%lld]\nset cblabel \"traps\"\n"
		"set style fill solid 1.0 border rgb \"#505050\"\n"
		"plot \"pages.dat\" using (($2+$3)/2):1:2:3:($1-0.25):($1+0.25):"
		"($4 > 0 ? $4 : 1/0) with boxxyerror fc palette, \\\n"
		"  \"\" using (($2+$3)/2):($4 > 0 ? 1/0 : $1):2:3:($1-0.25):($1+0.25) "
		"with boxxyerror fs empty border rgb \"#a0a0a0\" lc rgb \"#a0a0a0\", \\\n"
		"  \"\" using (($2+$3)/2):($7 < 0 ? $1+0.36 : $1-0.33-0.14*$7):($4 > 0 || $6 > 0 ? "
		"stringcolumn(5).\" \".stringcolumn(4) : \"\") with labels font \",8\"\n",
		MIN_DRAWN, MIN_DRAWN, (long long)(pm->max_hits > 1 ? pm->max_hits : 2));
	ret = chart_draw(&c);
	return ret ? report_fail(rc, ret, c.err) : 0;
}

int report_pagemap(struct report_ctx *rc)
{
	struct pagemap pm = { .rc = rc };
	char *text = NULL;
	size_t room = 0;
	int ret = listing_from_db(&pm.l, rc->db, rc->m->id);

	doc_heading(rc->doc, "Page map of the protected pages");
	if (!ret)
		ret = find_pages(&pm);
	if (!ret && !(pm.hits = calloc(pm.l.n ? pm.l.n : 1, sizeof(*pm.hits))))
		ret = -ENOMEM;
	if (!ret && rc->dir && pm.n && !(pm.strip = tmpfile()))
		ret = -errno;
	if (!ret && !pm.n)
		doc_para(rc->doc, "No protected page is known: no protected traps, and no "
			 "protected structure among the run's symbols.");
	if (!ret && pm.n)
		doc_para(rc->doc, "Each symbol on the page in `nm -n` form (address, type, name), "
			 "its bytes on the page, and the protected traps that hit it: r= reads, "
			 "w= writes, x= executes.");
	for (size_t i = 0; !ret && i < pm.n; i++)
		ret = one_page(&pm, &pm.p[i], (unsigned)i, &text, &room);
	if (!ret && pm.strip) {
		doc_image(rc->doc, "pages", "heat strips of the protected pages");
		ret = strip_chart(&pm);
	}
	if (pm.strip)
		fclose(pm.strip);
	free(text);
	free(pm.hits);
	free(pm.p);
	listing_free(&pm.l);
	if (ret && !rc->err[0])
		report_fail(rc, ret, ret == -EIO ? rc->db->err : strerror(-ret));
	return ret;
}
