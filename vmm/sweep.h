/* sweep.h — `ringmon sweep`'s parts, one file each: the matrix of guests x
 * knob values (sweep_matrix.c), the pool of `ringmon run` jobs
 * (sweep_jobs.c), the progress line (sweep_progress.c), and the command with
 * the merge at the end (sweep.c). */
#ifndef RINGMON_SWEEP_H
#define RINGMON_SWEEP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "knobs.h"

enum sweep_kind {
	KNOB_LIST,   /* values to sweep over */
	KNOB_ONE,    /* one value, passed to every run */
	KNOB_FLAG,   /* given or not: yes or no in a matrix file */
	KNOB_REPEAT, /* given once per value, each passed to every run, in order */
};

/* The research knobs (trace/knobs_table.h) first, at their own ids, then the
 * other options of `ringmon run` a sweep passes on. */
enum { K_PROTECT = KNOB_PROTECT, K_ACCEL = KNOB_COUNT, K_TIMEOUT, K_CMDLINE, K_SYMBOLS,
       K_INITRD, K_MODULE, K_UNTIL, K_VARIANT, K_MONITOR, K_DETERMINISTIC, K_COUNT };

/* The options of `ringmon run` a sweep knows, as run spells them
 * (sweep_matrix.c). */
struct knob {
	const char *opt;
	enum sweep_kind kind;
};
extern const struct knob knobs[K_COUNT];


#define MAX_JOBS 100000

struct strv {
	char **v;
	size_t n;
};

struct job {
	pid_t pid;        /* while it runs */
	bool failed;
};

struct sweep {
	struct strv knob[K_COUNT];   /* empty: run's default */
	bool from_cli[K_COUNT];
	struct strv guests;
	const char *out, *workdir;
	char workdir_buf[PATH_MAX];
	char exe[PATH_MAX];          /* this ringmon, absolute */
	unsigned jobs_max;
	int width;                   /* digits of a job number */
	size_t n_jobs, next, done, failed, running;
	size_t done_shown;           /* done, when the progress line was drawn */
	struct job *jobs;
	bool tty, shown;             /* the progress line is on the terminal */
	int sigfd, devnull;
	int stop_signal;             /* the sweep was told to stop */
};

/* The job's files are WORKDIR/job-N.EXT: WORKDIR/job-N fits STEM_MAX
 * (WORKDIR is checked to leave room). */
#define STEM_MAX (PATH_MAX - 16)
/* the first DB_EXTS of the files a job leaves (sweep_jobs.c) are a database's */
#define DB_EXTS 3
#define JOB_FILES 5

/* sweep_matrix.c */
void *xrealloc(void *p, size_t n);
void strv_push(struct strv *sv, const char *s, size_t len);
void strv_free(struct strv *sv);
const char *trim(const char *v, size_t *len);
void sweep_set_knob(struct sweep *s, unsigned k, const char *v, const char *where);
void sweep_read_matrix(struct sweep *s, const char *path);
void sweep_check_knobs(const struct sweep *s);

/* sweep_jobs.c */
void sweep_job_stem(const struct sweep *s, size_t i, char *buf);
void sweep_job_path(const struct sweep *s, size_t i, const char *ext, char *buf);
int sweep_list(const struct sweep *s);
int sweep_remove_files(const char *stem, size_t n);
int sweep_run_jobs(struct sweep *s);

/* sweep_progress.c */
void sweep_show_progress(struct sweep *s);
void sweep_say(struct sweep *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
