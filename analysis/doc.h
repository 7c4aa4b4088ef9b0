/* doc.h — one document written twice from the same calls: as Markdown and
 * as a self-contained HTML page (inline CSS, images beside it, no network),
 * so that report.md and index.html never say different things.  Either
 * stream may be NULL.  Text given to doc_para and doc_item may hold `code`
 * spans; cells and preformatted blocks are taken literally. */
#ifndef RINGMON_DOC_H
#define RINGMON_DOC_H

#include <stdbool.h>
#include <stdio.h>

struct doc {
	FILE *md, *html;
	const char *align;   /* the open table's columns: 'l' or 'r' each */
	unsigned col;        /* cells written in the current row */
	bool in_list, in_table;
	int err;             /* -ENOMEM once a text could not be formatted */
};

void doc_begin(struct doc *d, const char *title);
void doc_heading(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_para(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_item(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A table: align has one letter per column (at most 32), the header names
 * follow; or are in an array. */
void doc_table(struct doc *d, const char *align, ...);
void doc_table_names(struct doc *d, const char *align, const char *const *names);
void doc_cell(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A link cell: text pointing at href (Markdown and HTML alike). */
void doc_cell_link(struct doc *d, const char *text, const char *href);

void doc_pre(struct doc *d, const char *text);

/* NAME.png, linking to NAME.svg, both beside the document. */
void doc_image(struct doc *d, const char *name, const char *alt);

/* Closes what is open; 0, -EIO if a stream had a write error, or -ENOMEM. */
int doc_end(struct doc *d);

#endif
