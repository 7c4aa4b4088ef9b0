/* cmd.h — the subcommands and the command layer's message helpers.  Only code
 * that includes this header prints to stderr or exits; library code returns
 * -errno and leaves a message in its own object. */
#ifndef RINGMON_CMD_H
#define RINGMON_CMD_H

/* Exit codes of ringmon itself; a finished run exits with the guest's status. */
#define EXIT_USAGE   2     /* bad command line or input: nothing was started */
#define EXIT_TIMEOUT 124   /* --timeout expired */
#define EXIT_FAILED  125   /* the run did not end normally, or ringmon failed */

int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_layout(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_accel(int argc, char **argv);

/* One line "ringmon: ..." on stderr. */
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* pr_err() followed by exit(EXIT_USAGE), for errors before anything started. */
_Noreturn void usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The usual getopt_long failures, reported as one usage_err() line. */
_Noreturn void bad_option(const char *cmd, int c, char **argv);

#endif
