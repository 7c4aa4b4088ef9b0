/* hotspots.c — the report's hotspot table: each symbol that protected-page
 * traps hit, with its reads and writes, the pages they were made through,
 * and the code symbols and source lines that made them; and a chart of the
 * unrelated data among them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "report.h"

#define HOTSPOT_FILTER \
	" FROM trap_groups WHERE run_id = ?1 AND kind = 'protected' AND region IS ?2" \
	" AND data_sym IS ?3 AND data_pad IS ?4"

/* Bind one protected_by_symbol row's (region, data_sym, data_pad) to ?2-?4. */
static int bind_symbol(sqlite3_stmt *q, sqlite3_stmt *row)
{
	if (sqlite3_reset(q) != SQLITE_OK)
		return -EIO;
	for (int i = 0; i < 3; i++)
		if (sqlite3_bind_value(q, i + 2, sqlite3_column_value(row, i)) != SQLITE_OK)
			return -EIO;
	return 0;
}

/* "syscall (mt.c:170) 39; spin_lock (mt.c:121) 78" into a growing buffer. */
static int code_list(struct rundb *db, sqlite3_stmt *q, char **out)
{
	size_t len = 0, room = 0;
	int step;

	if (*out)
		**out = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *file = rundb_text(q, 1, NULL), *base;
		char item[400];
		int n;

		base = file && strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
		if (base)
			n = snprintf(item, sizeof(item), "%s%s (%s:%lld) %lld", len ? "; " : "",
				     rundb_text(q, 0, "(no symbol)"), base,
				     (long long)sqlite3_column_int64(q, 2),
				     (long long)sqlite3_column_int64(q, 3));
		else
			n = snprintf(item, sizeof(item), "%s%s %lld", len ? "; " : "",
				     rundb_text(q, 0, "(no symbol)"),
				     (long long)sqlite3_column_int64(q, 3));
		if (len + (size_t)n + 1 > room) {
			char *grown = realloc(*out, room = 2 * (len + (size_t)n + 1));
			if (!grown)
				return -ENOMEM;
			*out = grown;
		}
		memcpy(*out + len, item, (size_t)n + 1);
		len += (size_t)n;
	}
	return rundb_check(db, step);
}

/* "00103000, e0103000" */
static int page_list(struct rundb *db, sqlite3_stmt *q, char *out, size_t len)
{
	size_t used = 0;
	int step;

	out[0] = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if (used + 12 < len)
			used += (size_t)snprintf(out + used, len - used, "%s%08llx", used ? ", " : "",
						 (long long)sqlite3_column_int64(q, 0));
	return rundb_check(db, step);
}

static int chart(struct report_ctx *rc, FILE *rows, unsigned n)
{
	struct chart c;
	int ret;

	ret = chart_open(&c, rc->dir, "hotspots", "Unrelated data on protected pages: traps per symbol",
			 900, 380);
	if (ret)
		return report_fail(rc, ret, c.err);
	rewind(rows);
	for (int ch; (ch = fgetc(rows)) != EOF;)
		fputc(ch, c.dat);
	fprintf(c.gp, "set style data histograms\nset style histogram rowstacked\n"
		"set boxwidth 0.6\nset xtics rotate by -30 left\nset ylabel \"traps\"\n"
		"set xrange [-0.6:%u.4]\nset key autotitle columnhead\n"
		"plot \"hotspots.dat\" using 2:xtic(1) lc rgb \"#2e86c1\", \"\" using 3 "
		"lc rgb \"#c0392b\"\n", n - 1);
	ret = chart_draw(&c);
	return ret ? report_fail(rc, ret, c.err) : 0;
}

int report_hotspots(struct report_ctx *rc)
{
	sqlite3_stmt *row = NULL, *code = NULL, *pages = NULL;
	FILE *dat = rc->dir ? tmpfile() : NULL;   /* the chart's rows, data only */
	char *codes = NULL, page_text[256];
	unsigned rows = 0, charted = 0;
	int step = SQLITE_DONE, ret;

	ret = rundb_prepare(rc->db, &row,
		"SELECT region, data_sym, data_pad, reads, writes, n FROM protected_by_symbol"
		" WHERE run_id = ?1 ORDER BY n DESC, region, data_sym", rc->m->id);
	if (!ret)
		ret = rundb_prepare(rc->db, &code,
			"SELECT code_sym, code_file, code_line, sum(n)" HOTSPOT_FILTER
			" GROUP BY code_sym, code_file, code_line ORDER BY 4 DESC, 1, 3", rc->m->id);
	if (!ret)
		ret = rundb_prepare(rc->db, &pages, "SELECT DISTINCT addr - addr % 4096"
				    HOTSPOT_FILTER " ORDER BY 1", rc->m->id);
	if (!ret && rc->dir && !dat)
		ret = -errno;
	if (ret)
		goto out;
	if (dat)
		fputs("symbol\treads\twrites\n", dat);
	doc_heading(rc->doc, "Hotspots: what the protected-page traps hit");
	while ((step = sqlite3_step(row)) == SQLITE_ROW) {
		const char *region = rundb_text(row, 0, "(none)");
		const char *sym = rundb_text(row, 1, sqlite3_column_int(row, 2) ?
					     "(padding)" : "(no symbol)");
		if (!rows++) {
			doc_para(rc->doc, "Every symbol that protected-page traps hit, with the code "
				 "that hit it (symbol, source line, traps); `data` rows are "
				 "unrelated data that shares a protected page. The page map "
				 "below also shows the symbols that were never hit.");
			doc_table(rc->doc, "llrrrll", "symbol", "region", "reads", "writes", "traps",
				  "pages", "code (source line) traps");
		}
		ret = bind_symbol(code, row) ? -EIO : code_list(rc->db, code, &codes);
		if (!ret)
			ret = bind_symbol(pages, row) ? -EIO :
			      page_list(rc->db, pages, page_text, sizeof(page_text));
		if (ret)
			goto out;
		doc_cell(rc->doc, "%s", sym);
		doc_cell(rc->doc, "%s", region);
		doc_cell(rc->doc, "%lld", (long long)sqlite3_column_int64(row, 3));
		doc_cell(rc->doc, "%lld", (long long)sqlite3_column_int64(row, 4));
		doc_cell(rc->doc, "%lld", (long long)sqlite3_column_int64(row, 5));
		doc_cell(rc->doc, "%s", page_text);
		doc_cell(rc->doc, "%s", codes ? codes : "");
		if (dat && !strcmp(region, "data") && charted < 24) {
			fprintf(dat, "%s\t%lld\t%lld\n", sym, (long long)sqlite3_column_int64(row, 3),
				(long long)sqlite3_column_int64(row, 4));
			charted++;
		}
	}
	ret = rundb_check(rc->db, step);
	if (!rows && !ret)
		doc_para(rc->doc, "No protected-page traps.");
	if (!ret && charted) {
		doc_image(rc->doc, "hotspots", "traps per unrelated data symbol");
		ret = chart(rc, dat, charted);
	}
out:
	if (code)
		ret = rundb_finish(rc->db, code, ret);
	if (pages)
		ret = rundb_finish(rc->db, pages, ret);
	if (row)
		ret = rundb_finish(rc->db, row, ret);
	if (dat)
		fclose(dat);
	free(codes);
	if (ret && !rc->err[0])
		report_fail(rc, ret, ret == -EIO ? rc->db->err : strerror(-ret));
	return ret;
}
