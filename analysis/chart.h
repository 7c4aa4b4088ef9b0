/* chart.h — charts drawn by gnuplot.  Each is a data file NAME.dat (tab
 * separated) and a script NAME.gp kept beside the report, so that a reader
 * can re-plot or restyle it, rendered as NAME.png and as NAME.svg. */
#ifndef RINGMON_CHART_H
#define RINGMON_CHART_H

#include <stdio.h>

struct chart {
	const char *dir;
	char name[64];
	FILE *dat, *gp;     /* the caller writes rows and plot commands */
	int width, height;  /* pixels */
	char err[384];
};

/* Opens DIR/NAME.dat and DIR/NAME.gp; the script starts with the title and
 * the house style (no enhanced text, so that symbol_names stay intact). */
int chart_open(struct chart *c, const char *dir, const char *name, const char *title,
	       int width, int height);

/* Closes both files and runs gnuplot on the script twice, for NAME.png and
 * NAME.svg.  -ENOENT if gnuplot is not installed, -EIO if it failed (its
 * messages are in DIR/gnuplot.log). */
int chart_draw(struct chart *c);

/* Closes the files after a failure elsewhere. */
void chart_abort(struct chart *c);

/* s as a gnuplot double-quoted string's contents. */
void chart_quoted(FILE *f, const char *s);

#endif
