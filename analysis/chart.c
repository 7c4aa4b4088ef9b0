/* chart.c — gnuplot as a child process: one script, two terminals (pngcairo
 * for the page, svg to zoom into), run in the report's directory so that
 * the script names its data file without a path and can be re-run there. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chart.h"

static FILE *open_in(struct chart *c, const char *ext)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s", c->dir, c->name, ext);
	f = fopen(path, "w");
	if (!f)
		snprintf(c->err, sizeof(c->err), "%.300s: %s", path, strerror(errno));
	return f;
}

void chart_quoted(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

int chart_open(struct chart *c, const char *dir, const char *name, const char *title,
	       int width, int height)
{
	int ret;

	*c = (struct chart){ .dir = dir, .width = width, .height = height };
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->dat = open_in(c, "dat");
	c->gp = c->dat ? open_in(c, "gp") : NULL;
	if (!c->gp) {
		ret = -errno;
		chart_abort(c);
		return ret;
	}
	fprintf(c->gp,
		"# %s.gp: `gnuplot -e 'set terminal svg; set output \"x.svg\"' %s.gp` draws it again\n"
		"set termoption noenhanced\n"
		"set datafile separator \"\\t\"\n"
		"set title \"", name, name);
	chart_quoted(c->gp, title);
	fputs("\" font \",12\"\n"
	      "set border 3 lc rgb \"#606060\"\n"
	      "set tics nomirror\n"
	      "set grid ytics lc rgb \"#e0e0e0\"\n"
	      "set style fill solid 0.9 border rgb \"#404040\"\n"
	      "set key top right noautotitle\n", c->gp);
	return 0;
}

void chart_abort(struct chart *c)
{
	if (c->dat)
		fclose(c->dat);
	if (c->gp)
		fclose(c->gp);
	c->dat = c->gp = NULL;
}

/* gnuplot -e "set terminal ...; set output ..." NAME.gp in c->dir, its
 * messages appended to gnuplot.log there.  The child's exit status 127 means
 * it could not start gnuplot at all. */
static int run_gnuplot(struct chart *c, const char *terminal, const char *ext)
{
	char setup[256], script[80];
	pid_t pid;
	int status;

	snprintf(setup, sizeof(setup),
		 "set terminal %s size %d,%d font \"sans,10\" background \"#ffffff\";"
		 " set output \"%s.%s\"", terminal, c->width, c->height, c->name, ext);
	snprintf(script, sizeof(script), "%s.gp", c->name);
	pid = fork();
	if (pid < 0) {
		snprintf(c->err, sizeof(c->err), "fork: %s", strerror(errno));
		return -errno;
	}
	if (!pid) {
		int log, null = open("/dev/null", O_RDWR);
		if (chdir(c->dir) || null < 0)
			_exit(126);
		log = open("gnuplot.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(log >= 0 ? log : null, STDERR_FILENO);
		execlp("gnuplot", "gnuplot", "-e", setup, script, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(c->err, sizeof(c->err), "waitpid: %s", strerror(errno));
			return -errno;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(c->err, sizeof(c->err), "gnuplot: not found (make deps installs it)");
		return -ENOENT;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(c->err, sizeof(c->err), "gnuplot failed on %s/%s (see %s/gnuplot.log)",
			 c->dir, script, c->dir);
		return -EIO;
	}
	return 0;
}

int chart_draw(struct chart *c)
{
	int bad = ferror(c->dat) | ferror(c->gp);
	int ret;

	bad |= fclose(c->dat) | fclose(c->gp);
	c->dat = c->gp = NULL;
	if (bad) {
		snprintf(c->err, sizeof(c->err), "%s/%s.gp: write error", c->dir, c->name);
		return -EIO;
	}
	ret = run_gnuplot(c, "pngcairo", "png");
	if (!ret)
		ret = run_gnuplot(c, "svg", "svg");
	return ret;
}
