/* doc.c — the Markdown and HTML writers behind doc.h.  The page carries its
 * own style sheet and refers only to files beside it, so a results
 * directory can be copied anywhere and opened offline. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;"
	"padding:0 16px;color:#1b1b1b}"
	"h1{font-size:22px;border-bottom:2px solid #c0392b;padding-bottom:4px}"
	"h2{font-size:17px;margin-top:28px;color:#7b241c}"
	"table{border-collapse:collapse;margin:8px 0 12px}"
	"th,td{border:1px solid #d5d8dc;padding:3px 8px;vertical-align:top}"
	"th{background:#f4f6f7}td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}"
	"tbody tr:nth-child(even){background:#fbfcfc}"
	"code,pre{font:12.5px/1.35 ui-monospace,monospace}"
	"pre{background:#f8f9f9;border:1px solid #e5e8e8;padding:8px;overflow-x:auto}"
	"img{max-width:100%;height:auto;border:1px solid #eaeded;margin:6px 0}";

/* vasprintf into a buffer the caller frees; NULL when out of memory (the
 * text is then left out, and doc_end returns -ENOMEM). */
static char *format(struct doc *d, const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0) {
		d->err = -ENOMEM;
		return NULL;
	}
	return s;
}

/* HTML text; with code set, `spans` become <code>. */
static void html_text(FILE *f, const char *t, bool code)
{
	bool in_code = false;

	for (; *t; t++) {
		if (code && *t == '`') {
			fputs(in_code ? "</code>" : "<code>", f);
			in_code = !in_code;
		} else if (*t == '&')
			fputs("&amp;", f);
		else if (*t == '<')
			fputs("&lt;", f);
		else if (*t == '>')
			fputs("&gt;", f);
		else if (*t == '"')
			fputs("&quot;", f);
		else
			fputc(*t, f);
	}
	if (in_code)
		fputs("</code>", f);
}

static void close_blocks(struct doc *d)
{
	if (d->in_list) {
		if (d->md)
			fputc('\n', d->md);
		if (d->html)
			fputs("</ul>\n", d->html);
		d->in_list = false;
	}
	if (d->in_table) {
		if (d->md)
			fputc('\n', d->md);
		if (d->html)
			fputs("</tbody></table>\n", d->html);
		d->in_table = false;
	}
}

void doc_begin(struct doc *d, const char *title)
{
	if (d->md)
		fprintf(d->md, "# %s\n\n", title);
	if (d->html) {
		fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>",
		      d->html);
		html_text(d->html, title, false);
		fprintf(d->html, "</title>\n<style>%s</style></head>\n<body>\n<h1>", style);
		html_text(d->html, title, false);
		fputs("</h1>\n", d->html);
	}
}

/* One block of formatted text: Markdown md_open TEXT md_close, HTML
 * html_open TEXT html_close, `code` spans in the text kept as code. */
static void block(struct doc *d, const char *md_open, const char *md_close,
		  const char *html_open, const char *html_close, const char *fmt, va_list ap)
{
	char *s = format(d, fmt, ap);

	if (!s)
		return;
	if (d->md)
		fprintf(d->md, "%s%s%s", md_open, s, md_close);
	if (d->html) {
		fputs(html_open, d->html);
		html_text(d->html, s, true);
		fputs(html_close, d->html);
	}
	free(s);
}

void doc_heading(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	close_blocks(d);
	va_start(ap, fmt);
	block(d, "## ", "\n\n", "<h2>", "</h2>\n", fmt, ap);
	va_end(ap);
}

void doc_para(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	close_blocks(d);
	va_start(ap, fmt);
	block(d, "", "\n\n", "<p>", "</p>\n", fmt, ap);
	va_end(ap);
}

void doc_item(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->in_list) {
		close_blocks(d);
		if (d->html)
			fputs("<ul>\n", d->html);
		d->in_list = true;
	}
	va_start(ap, fmt);
	block(d, "- ", "\n", "<li>", "</li>\n", fmt, ap);
	va_end(ap);
}

void doc_table_names(struct doc *d, const char *align, const char *const *names)
{
	close_blocks(d);
	d->align = align;
	d->col = 0;
	d->in_table = true;
	if (d->html)
		fputs("<table><thead><tr>", d->html);
	for (size_t i = 0; i < strlen(align); i++) {
		if (d->md)
			fprintf(d->md, "| %s ", names[i]);
		if (d->html) {
			fprintf(d->html, "<th%s>", align[i] == 'r' ? " class=\"r\"" : "");
			html_text(d->html, names[i], false);
			fputs("</th>", d->html);
		}
	}
	if (d->md) {
		fputs("|\n", d->md);
		for (size_t i = 0; i < strlen(align); i++)
			fputs(align[i] == 'r' ? "|--:" : "|---", d->md);
		fputs("|\n", d->md);
	}
	if (d->html)
		fputs("</tr></thead><tbody>\n", d->html);
}

void doc_table(struct doc *d, const char *align, ...)
{
	const char *names[32];
	va_list ap;
	size_t n = strlen(align) < 32 ? strlen(align) : 32;

	va_start(ap, align);
	for (size_t i = 0; i < n; i++)
		names[i] = va_arg(ap, const char *);
	va_end(ap);
	doc_table_names(d, n == strlen(align) ? align : "", names);
}

/* A cell's text, literally.  A Markdown row is one line, so a control
 * character (a newline in a guest's path) is shown as its C escape (\n,
 * \x1b) in both documents alike; in Markdown '|' and '\' are escaped. */
static void cell_text(FILE *f, const char *text, bool md)
{
	char shown[5];

	for (const unsigned char *t = (const unsigned char *)text; *t; t++) {
		if (*t == '\n' || *t == '\t' || *t == '\r')
			snprintf(shown, sizeof(shown), "\\%c", *t == '\n' ? 'n' : *t == '\t' ? 't' : 'r');
		else if (*t < 0x20 || *t == 0x7f)
			snprintf(shown, sizeof(shown), "\\x%02x", *t);
		else
			snprintf(shown, sizeof(shown), "%c", *t);
		if (!md) {
			html_text(f, shown, false);
			continue;
		}
		for (const char *c = shown; *c; c++) {
			if (*c == '|' || *c == '\\')
				fputc('\\', f);
			fputc(*c, f);
		}
	}
}

/* One cell of the open table: text (taken literally), or a link. */
static void cell(struct doc *d, const char *text, const char *href)
{
	bool right = d->align[d->col] == 'r';

	if (d->md) {
		fputs(d->col ? " " : "| ", d->md);
		if (href)
			fputc('[', d->md);
		cell_text(d->md, text, true);
		if (href)
			fprintf(d->md, "](%s)", href);
		fputs(" |", d->md);
	}
	if (d->html) {
		if (!d->col)
			fputs("<tr>", d->html);
		fputs(right ? "<td class=\"r\">" : "<td>", d->html);
		if (href) {
			fputs("<a href=\"", d->html);
			html_text(d->html, href, false);
			fputs("\">", d->html);
		}
		cell_text(d->html, text, false);
		fputs(href ? "</a></td>" : "</td>", d->html);
	}
	if (++d->col == strlen(d->align)) {
		d->col = 0;
		if (d->md)
			fputc('\n', d->md);
		if (d->html)
			fputs("</tr>\n", d->html);
	}
}

void doc_cell(struct doc *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = format(d, fmt, ap);
	va_end(ap);
	cell(d, s ? s : "?", NULL);
	free(s);
}

void doc_cell_link(struct doc *d, const char *text, const char *href)
{
	cell(d, text, href);
}

void doc_pre(struct doc *d, const char *text)
{
	close_blocks(d);
	if (d->md)
		fprintf(d->md, "```\n%s```\n\n", text);
	if (d->html) {
		fputs("<pre>", d->html);
		html_text(d->html, text, false);
		fputs("</pre>\n", d->html);
	}
}

void doc_image(struct doc *d, const char *name, const char *alt)
{
	close_blocks(d);
	if (d->md)
		fprintf(d->md, "[![%s](%s.png)](%s.svg)\n\n", alt, name, name);
	if (d->html) {
		fprintf(d->html, "<p><a href=\"%s.svg\"><img src=\"%s.png\" alt=\"", name, name);
		html_text(d->html, alt, false);
		fputs("\"></a></p>\n", d->html);
	}
}

int doc_end(struct doc *d)
{
	int ret = d->err;

	close_blocks(d);
	if (d->html)
		fputs("</body></html>\n", d->html);
	if (d->md && (fflush(d->md) || ferror(d->md)) && !ret)
		ret = -EIO;
	if (d->html && (fflush(d->html) || ferror(d->html)) && !ret)
		ret = -EIO;
	return ret;
}
