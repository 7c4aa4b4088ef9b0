/* main.c — the `ringmon` command: dispatch to one subcommand per file (run.c,
 * sweep.c, merge.c, accel.c, analysis/report.c, compare.c, layout.c), and the message
 * helpers every subcommand shares. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} subcommands[] = {
	{ "run", cmd_run, "run a guest under the monitor, trace every trap into a database" },
	{ "report", cmd_report, "one run's hotspot report: Markdown, or HTML with charts" },
	{ "compare", cmd_compare, "several runs side by side, with ratios to the first" },
	{ "layout", cmd_layout, "static: what shares the pages of a kernel's GDT and IDT" },
	{ "sweep", cmd_sweep, "many runs in parallel (guests x knobs), merged into one database" },
	{ "merge", cmd_merge, "copy the runs of other databases into one, renumbered" },
	{ "accel", cmd_accel, "the QEMU accelerator and CPU model runs get here, and why" },
};

static void vpr_err(const char *fmt, va_list ap)
{
	fputs("ringmon: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpr_err(fmt, ap);
	va_end(ap);
}

void usage_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpr_err(fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}

/* Subcommands parse with opterr = 0 and a leading ':' in the option string,
 * so that getopt's own messages (prefixed with argv[0]) never appear. */
void bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];
	if (c == ':')
		usage_err("%s: option '%s' needs a value (see ringmon %s --help)",
			  cmd, arg, cmd);
	if (optopt && strncmp(arg, "--", 2) != 0)
		usage_err("%s: unknown option '-%c' (see ringmon %s --help)",
			  cmd, optopt, cmd);
	usage_err("%s: unknown option '%s' (see ringmon %s --help)", cmd, arg, cmd);
}

static void usage(FILE *f)
{
	fputs("usage: ringmon COMMAND [ARGS]   (ringmon COMMAND --help for details)\n\n",
	      f);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	usage_err("unknown command '%s' (see ringmon --help)", argv[1]);
}
