/* sweep.c — `ringmon sweep`: a matrix of guests x knob values, one
 * `ringmon run` child per job (at most -j at a time), each into its own
 * database in a work directory, all merged into one database at the end
 * (merge.c).  A failed job is reported and kept; the others go on. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accel.h"
#include "cmd.h"
#include "knobs.h"
#include "merge.h"
#include "qemu.h"
#include "rundb.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char sweep_usage[] =
	"usage: ringmon sweep -o OUT.db [OPTIONS] [--matrix FILE] [GUEST...]\n"
	"\n"
	"Run every GUEST under every combination of the knob values given, one\n"
	"`ringmon run` per job, several at a time; each job writes WORKDIR/job-N.db\n"
	"(its console in job-N.out, its messages in job-N.err); at the end every\n"
	"job's runs are merged into OUT.db (created if missing) in one transaction.\n"
	"Each run gets --variant GUEST,KNOB=VALUE,... (the knobs that vary) unless\n"
	"--variant is given.  See docs/sweeps.md.\n"
	"\n"
	"  -o, --output OUT.db    the database the runs end up in (required)\n"
	"  -j, --jobs N           jobs at a time (the number of online CPUs)\n"
	"  --matrix FILE          guests and knobs from FILE, one `KEY = VALUES` a\n"
	"                         line; the command line wins over it\n"
	"  --workdir DIR          the jobs' files (OUT.db.d)\n"
	"  --list                 print each job's `ringmon run` command line, one a\n"
	"                         line, and run nothing (for a Slurm array job)\n"
	"\n"
	"Knobs with one value or a comma-separated list of values to sweep, each\n"
	"value checked before any job starts: --accel and the research knobs of\n"
	"`ringmon run --help` (--protect's structures are joined by '+': --protect\n"
	"gdt+idt,gdt)\n"
	"Passed to every run as they are:\n"
	"  --timeout S, --deterministic, --cmdline S, --symbols F, --initrd F,\n"
	"  --variant NAME, --monitor PATH\n"
	"  -h, --help             this text\n"
	"\n"
	"Exit status: 0 when every job's run ended normally (with whatever status\n"
	"its guest chose); 1 if a job failed (the others are merged); 2 for bad\n"
	"input; 125 if the sweep itself failed; 128 + N after signal N (the jobs\n"
	"are stopped, OUT.db is left as it was).\n";

/* --- the matrix ------------------------------------------------------------- */

enum sweep_kind {
	KNOB_LIST,   /* values to sweep over */
	KNOB_ONE,    /* one value, passed to every run */
	KNOB_FLAG,   /* given or not: yes or no in a matrix file */
};

/* The research knobs (trace/knobs_table.h) first, at their own ids, then the
 * other options of `ringmon run` a sweep passes on. */
enum { K_PROTECT = KNOB_PROTECT, K_ACCEL = KNOB_COUNT, K_TIMEOUT, K_CMDLINE, K_SYMBOLS,
       K_INITRD, K_VARIANT, K_MONITOR, K_DETERMINISTIC, K_COUNT };

/* The options of `ringmon run` a sweep knows, as run spells them. */
static const struct knob {
	const char *opt;
	enum sweep_kind kind;
} knobs[K_COUNT] = {
#define RESEARCH_KNOB_(id, name, ...) [KNOB_##id] = { "--" name, KNOB_LIST },
	RINGMON_KNOBS(RESEARCH_KNOB_)
#undef RESEARCH_KNOB_
	[K_ACCEL] = { "--accel", KNOB_LIST },
	[K_TIMEOUT] = { "--timeout", KNOB_ONE },
	[K_CMDLINE] = { "--cmdline", KNOB_ONE },
	[K_SYMBOLS] = { "--symbols", KNOB_ONE },
	[K_INITRD] = { "--initrd", KNOB_ONE },
	[K_VARIANT] = { "--variant", KNOB_ONE },
	[K_MONITOR] = { "--monitor", KNOB_ONE },
	[K_DETERMINISTIC] = { "--deterministic", KNOB_FLAG },
};

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

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		pr_err("sweep: out of memory");
		exit(EXIT_FAILED);
	}
	return p;
}

static void strv_push(struct strv *sv, const char *s, size_t len)
{
	char *copy = xrealloc(NULL, len + 1);

	memcpy(copy, s, len);
	copy[len] = 0;
	sv->v = xrealloc(sv->v, (sv->n + 1) * sizeof(*sv->v));
	sv->v[sv->n++] = copy;
}

static void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strv){ 0 };
}

/* v without the blanks around it: its start, and its length into *len. */
static const char *trim(const char *v, size_t *len)
{
	while (*len && (*v == ' ' || *v == '\t'))
		v++, (*len)--;
	while (*len && (v[*len - 1] == ' ' || v[*len - 1] == '\t' || v[*len - 1] == '\n'))
		(*len)--;
	return v;
}

/* Comma-separated values onto sv; where and key name them in errors. */
static void push_list(struct strv *sv, const char *v, const char *where, const char *key)
{
	const char *all = v;

	for (;;) {
		size_t n = strcspn(v, ",");
		size_t len = n;
		const char *item = trim(v, &len);

		if (!len)
			usage_err("sweep: %s%s: empty value in '%s'", where, key, all);
		strv_push(sv, item, len);
		if (!v[n])
			return;
		v += n + 1;
	}
}

/* One knob's value(s) from the command line or a matrix file. */
static void set_knob(struct sweep *s, unsigned k, const char *v, const char *where)
{
	const struct knob *kn = &knobs[k];
	size_t len = strlen(v);

	if (kn->kind == KNOB_LIST) {
		push_list(&s->knob[k], v, where, kn->opt);
		return;
	}
	v = trim(v, &len);
	if (kn->kind == KNOB_FLAG && !(len == 3 && !strncmp(v, "yes", 3)) &&
	    !(len == 2 && !strncmp(v, "no", 2)))
		usage_err("sweep: %s%s: '%.*s' is neither yes nor no", where, kn->opt, (int)len, v);
	if (!len)
		usage_err("sweep: %s%s: empty value", where, kn->opt);
	strv_free(&s->knob[k]);   /* the last one given counts */
	strv_push(&s->knob[k], v, len);
}

/* --- the matrix file --------------------------------------------------------- */

static int knob_by_name(const char *name, size_t len)
{
	for (int k = 0; k < K_COUNT; k++)
		if (strlen(knobs[k].opt + 2) == len && !strncmp(knobs[k].opt + 2, name, len))
			return k;
	return -1;
}

/* KEY = VALUES, where KEY is a run option without "--", or guest. */
static void matrix_line(struct sweep *s, char *line, const char *where, bool seen[K_COUNT])
{
	char *eq = strchr(line, '=');
	size_t len;
	const char *key;
	int k;

	if (!eq)
		usage_err("sweep: %snot `KEY = VALUES`", where);
	len = (size_t)(eq - line);
	key = trim(line, &len);
	if (len == 5 && !strncmp(key, "guest", 5)) {
		push_list(&s->guests, eq + 1, where, "guest");
		return;
	}
	k = knob_by_name(key, len);
	if (k < 0)
		usage_err("sweep: %sunknown key '%.*s' (a `ringmon run` option without --,"
			  " or guest)", where, (int)len, key);
	if (seen[k])
		usage_err("sweep: %s%.*s given twice", where, (int)len, key);
	seen[k] = true;
	if (!s->from_cli[k])
		set_knob(s, (unsigned)k, eq + 1, where);
}

static void read_matrix(struct sweep *s, const char *path)
{
	bool seen[K_COUNT] = { false };
	char where[PATH_MAX + 32], *line = NULL;
	size_t cap = 0;
	unsigned no = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		usage_err("sweep: --matrix %s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		size_t len;

		no++;
		line[strcspn(line, "#")] = 0;
		len = strlen(line);
		trim(line, &len);
		if (!len)
			continue;
		snprintf(where, sizeof(where), "%s:%u: ", path, no);
		matrix_line(s, line, where, seen);
	}
	if (ferror(f))
		usage_err("sweep: --matrix %s: %s", path, strerror(errno));
	free(line);
	fclose(f);   /* read-only: nothing a failed close could lose */
}

/* --- the command line -------------------------------------------------------- */

enum { OPT_MATRIX = 256, OPT_WORKDIR, OPT_LIST, OPT_KNOB };   /* OPT_KNOB + k */

static unsigned parse_jobs(const char *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || !n || n > 1024)
		usage_err("sweep: -j: '%s' is not a number from 1 to 1024", v);
	return (unsigned)n;
}

static const struct option own_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "matrix", required_argument, NULL, OPT_MATRIX },
	{ "workdir", required_argument, NULL, OPT_WORKDIR },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "help", no_argument, NULL, 'h' },
};

/* The options: sweep's own, then one per knob, named as run names them. */
static void options(struct option *o)
{
	size_t n = ARRAY_SIZE(own_options);

	memcpy(o, own_options, sizeof(own_options));
	for (int k = 0; k < K_COUNT; k++)
		o[n + k] = (struct option){ knobs[k].opt + 2,
			knobs[k].kind == KNOB_FLAG ? no_argument : required_argument,
			NULL, OPT_KNOB + k };
	o[n + K_COUNT] = (struct option){ 0 };
}

static void parse(int argc, char **argv, struct sweep *s, bool *list)
{
	struct option opts[ARRAY_SIZE(own_options) + K_COUNT + 1];
	const char *matrix = NULL;
	int c;

	options(opts);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:j:", opts, NULL)) != -1) {
		if (c >= OPT_KNOB) {
			set_knob(s, (unsigned)(c - OPT_KNOB), optarg ? optarg : "yes", "");
			s->from_cli[c - OPT_KNOB] = true;
			continue;
		}
		switch (c) {
		case 'o':
			s->out = optarg;
			break;
		case 'j':
			s->jobs_max = parse_jobs(optarg);
			break;
		case OPT_MATRIX:
			matrix = optarg;
			break;
		case OPT_WORKDIR:
			s->workdir = optarg;
			break;
		case OPT_LIST:
			*list = true;
			break;
		case 'h':
			fputs(sweep_usage, stdout);
			exit(0);
		default:
			bad_option("sweep", c, argv);
		}
	}
	if (matrix)
		read_matrix(s, matrix);
	for (int i = optind; i < argc; i++)
		strv_push(&s->guests, argv[i], strlen(argv[i]));
	if (!s->out)
		usage_err("sweep: no -o OUT.db given (see ringmon sweep --help)");
	if (!s->guests.n)
		usage_err("sweep: no GUEST given, on the command line or as `guest =` in"
			  " --matrix (see ringmon sweep --help)");
}

/* --- one job ------------------------------------------------------------------ */

/* The job's files are WORKDIR/job-N.EXT: this is WORKDIR/job-N, into
 * buf[STEM_MAX] (WORKDIR is checked to leave room). */
#define STEM_MAX (PATH_MAX - 16)
static void job_stem(const struct sweep *s, size_t i, char *buf)
{
	snprintf(buf, STEM_MAX, "%s/job-%0*zu", s->workdir, s->width, i + 1);
}

static void job_path(const struct sweep *s, size_t i, const char *ext, char *buf)
{
	char stem[STEM_MAX];

	job_stem(s, i, stem);
	snprintf(buf, PATH_MAX, "%s.%s", stem, ext);
}

/* The knob values of job i: guests outermost, the last knob fastest. */
static size_t job_values(const struct sweep *s, size_t i, size_t pick[K_COUNT])
{
	for (int k = K_COUNT - 1; k >= 0; k--) {
		size_t n = knobs[k].kind == KNOB_LIST && s->knob[k].n ? s->knob[k].n : 1;
		pick[k] = i % n;
		i /= n;
	}
	return i;
}

/* GUEST's basename without .elf, then KNOB=VALUE for each knob that varies. */
static void job_variant(const struct sweep *s, const char *guest, const size_t pick[K_COUNT],
			char *buf, size_t len)
{
	const char *base = strrchr(guest, '/') ? strrchr(guest, '/') + 1 : guest;
	size_t n = strlen(base);

	if (n > 4 && !strcmp(base + n - 4, ".elf"))
		n -= 4;
	n = (size_t)snprintf(buf, len, "%.*s", (int)n, base);
	for (int k = 0; k < K_COUNT && n < len; k++)
		if (knobs[k].kind == KNOB_LIST && s->knob[k].n > 1)
			n += (size_t)snprintf(buf + n, len - n, ",%s=%s", knobs[k].opt + 2,
					      s->knob[k].v[pick[k]]);
}

/* How messages name job i: as job_variant() does. */
static void job_name(const struct sweep *s, size_t i, char *buf, size_t len)
{
	size_t pick[K_COUNT];
	const char *guest = s->guests.v[job_values(s, i, pick)];

	job_variant(s, guest, pick, buf, len);
}

/* A job's `ringmon run` command line. */
struct cmdline {
	const char *argv[4 + 2 * K_COUNT + 3];
	char db[PATH_MAX], variant[256], protect[64];
};

static void job_cmdline(const struct sweep *s, size_t i, struct cmdline *c)
{
	size_t pick[K_COUNT], n = 0;
	const char *guest = s->guests.v[job_values(s, i, pick)];

	job_path(s, i, "db", c->db);
	c->argv[n++] = s->exe;
	c->argv[n++] = "run";
	c->argv[n++] = "--db";
	c->argv[n++] = c->db;
	for (int k = 0; k < K_COUNT; k++) {
		const char *v = s->knob[k].n ? s->knob[k].v[pick[k]] : NULL;

		if (!v || (knobs[k].kind == KNOB_FLAG && strcmp(v, "yes")))
			continue;
		c->argv[n++] = knobs[k].opt;
		if (knobs[k].kind == KNOB_FLAG)
			continue;
		if (k == K_PROTECT) {   /* gdt+idt in a sweep is run's gdt,idt */
			snprintf(c->protect, sizeof(c->protect), "%s", v);
			for (char *p = c->protect; (p = strchr(p, '+'));)
				*p = ',';
			v = c->protect;
		}
		c->argv[n++] = v;
	}
	if (!s->knob[K_VARIANT].n) {
		job_variant(s, guest, pick, c->variant, sizeof(c->variant));
		c->argv[n++] = "--variant";
		c->argv[n++] = c->variant;
	}
	c->argv[n++] = guest;
	c->argv[n] = NULL;
}

/* One word of a command line as sh reads it. */
static void print_word(const char *w)
{
	if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_-+=.,/:@%") == strlen(w)) {
		fputs(w, stdout);
		return;
	}
	putchar('\'');
	for (; *w; w++)
		fputs(*w == '\'' ? "'\\''" : (char[]){ *w, 0 }, stdout);
	putchar('\'');
}

static int list_jobs(const struct sweep *s)
{
	struct cmdline c;

	for (size_t i = 0; i < s->n_jobs; i++) {
		job_cmdline(s, i, &c);
		for (size_t a = 0; c.argv[a]; a++) {
			if (a)
				putchar(' ');
			print_word(c.argv[a]);
		}
		putchar('\n');
	}
	if (fflush(stdout) || ferror(stdout)) {
		pr_err("sweep: --list: %s", strerror(errno));
		return EXIT_FAILED;
	}
	return 0;
}

/* A database's files, then a job's console and messages. */
static const char *const file_exts[] = { "db", "db-wal", "db-shm", "out", "err" };
#define DB_EXTS 3

/* STEM.EXT for the first n of file_exts, as an earlier sweep left them: a
 * job, and a merge, start from nothing. */
static int remove_files(const char *stem, size_t n)
{
	char path[PATH_MAX];

	for (size_t e = 0; e < n; e++) {
		snprintf(path, sizeof(path), "%s.%s", stem, file_exts[e]);
		if (unlink(path) && errno != ENOENT) {
			pr_err("sweep: %s: %s", path, strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static int open_output(const struct sweep *s, size_t i, const char *ext)
{
	char path[PATH_MAX];
	int fd;

	job_path(s, i, ext, path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		pr_err("sweep: %s: %s", path, strerror(errno));
	return fd;
}

/* In the child between fork and exec.  Its own process group keeps a
 * terminal's ^C for the sweep, which stops every job; and it dies with the
 * sweep. */
static _Noreturn void child_exec(const struct sweep *s, const struct cmdline *c, pid_t parent,
				 int out, int err)
{
	sigset_t none;

	sigemptyset(&none);
	if (!sigprocmask(SIG_SETMASK, &none, NULL) && !setpgid(0, 0) &&
	    !prctl(PR_SET_PDEATHSIG, SIGTERM) && getppid() == parent &&
	    dup2(s->devnull, 0) == 0 && dup2(out, 1) == 1 && dup2(err, 2) == 2)
		execv("/proc/self/exe", (char *const *)c->argv);
	dprintf(err, "ringmon: sweep: cannot start `ringmon run`: %s\n", strerror(errno));
	_exit(EXIT_FAILED);
}

static int start_job(struct sweep *s, size_t i)
{
	struct cmdline c;
	pid_t parent = getpid(), pid = -1;
	int out, err = -1;

	job_cmdline(s, i, &c);
	out = open_output(s, i, "out");
	if (out >= 0)
		err = open_output(s, i, "err");
	if (err >= 0) {
		pid = fork();
		if (pid == 0)
			child_exec(s, &c, parent, out, err);
		if (pid < 0)
			pr_err("sweep: fork: %s", strerror(errno));
	}
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	if (pid < 0)
		return -EIO;
	s->jobs[i].pid = pid;
	s->running++;
	return 0;
}

/* --- how a job ended ------------------------------------------------------------ */

/* The last non-empty line of the job's messages, without "ringmon: ". */
static void last_message(const struct sweep *s, size_t i, char *buf, size_t len)
{
	char path[PATH_MAX], line[1024];
	FILE *f;

	job_path(s, i, "err", path);
	snprintf(buf, len, "no message");
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		const char *t = trim(line, &n);

		if (!n)
			continue;
		if (n > 9 && !strncmp(t, "ringmon: ", 9)) {
			t += 9;
			n -= 9;
		}
		snprintf(buf, len, "%.*s", (int)n, t);
	}
	fclose(f);   /* read-only: nothing a failed close could lose */
}

/* What the job's runs row says of how the run ended: monitor_state (""
 * when there is no row or it never ended), exit_status, kill_reason. */
static void run_outcome(const struct sweep *s, size_t i, char *state, size_t len,
			int64_t *status, char *reason, size_t rlen)
{
	char path[PATH_MAX];
	struct rundb r;
	sqlite3_stmt *st;

	state[0] = reason[0] = 0;
	*status = -1;
	job_path(s, i, "db", path);
	if (!rundb_open(&r, path) &&
	    !rundb_prepare(&r, &st, "SELECT monitor_state, exit_status, kill_reason FROM runs"
			   " ORDER BY id DESC LIMIT 1", 0)) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(state, len, "%s", rundb_text(st, 0, ""));
			*status = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 :
									       sqlite3_column_int64(st, 1);
			snprintf(reason, rlen, "%s", rundb_text(st, 2, ""));
		}
		rundb_finish(&r, st, 0);   /* a row we could not read tells nothing */
	}
	rundb_close(&r);
}

/* Why the job failed, into why; "" if it did not: `ringmon run` exits with
 * the guest's own status when the run ends normally, whatever it is. */
static void judge_job(const struct sweep *s, size_t i, int ws, char *why, size_t len)
{
	char state[32], reason[600];
	int64_t status;
	int code = WEXITSTATUS(ws);

	why[0] = 0;
	if (WIFSIGNALED(ws)) {
		snprintf(why, len, "killed by signal %d", WTERMSIG(ws));
		return;
	}
	if (!code)
		return;
	run_outcome(s, i, state, sizeof(state), &status, reason, sizeof(reason));
	if (!strcmp(state, "exited") && status == code)
		return;
	if (state[0] && strcmp(state, "exited"))
		snprintf(why, len, "exit %d: %s%s%s", code, state, reason[0] ? ": " : "", reason);
	else {
		last_message(s, i, reason, sizeof(reason));
		snprintf(why, len, "exit %d: %s", code, reason);
	}
}

/* --- progress -------------------------------------------------------------------- */

#define ERASE_LINE "\r\033[K"

/* On a terminal one line updated in place; otherwise a line when jobs have
 * ended since the last. */
static void show_progress(struct sweep *s)
{
	if (!s->tty && s->done == s->done_shown)
		return;
	s->done_shown = s->done;
	fprintf(stderr, "%sringmon: sweep: %zu/%zu done, %zu failed, %zu running%s",
		s->tty ? ERASE_LINE : "", s->done, s->n_jobs, s->failed, s->running,
		s->tty ? "" : "\n");
	s->shown = s->tty;
}

/* A line of its own, under the progress line. */
static void say(struct sweep *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct sweep *s, const char *fmt, ...)
{
	va_list ap;

	if (s->shown)
		fputs(ERASE_LINE, stderr);
	s->shown = false;
	fputs("ringmon: sweep: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* --- the jobs ---------------------------------------------------------------------- */

static struct job *job_by_pid(struct sweep *s, pid_t pid)
{
	for (size_t i = 0; i < s->n_jobs; i++)
		if (s->jobs[i].pid == pid)
			return &s->jobs[i];
	return NULL;
}

static void job_ended(struct sweep *s, struct job *j, int ws)
{
	size_t i = (size_t)(j - s->jobs);
	char why[1024], name[256], path[PATH_MAX];

	j->pid = 0;
	s->running--;
	s->done++;
	judge_job(s, i, ws, why, sizeof(why));
	if (!why[0])
		return;
	j->failed = true;
	s->failed++;
	if (s->stop_signal)   /* stopped by us: said once for all */
		return;
	job_name(s, i, name, sizeof(name));
	job_path(s, i, "err", path);
	say(s, "job %zu (%s) failed: %s (see %s)", i + 1, name, why, path);
}

/* Every child that has ended. */
static void reap(struct sweep *s)
{
	pid_t pid;
	int ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		struct job *j = job_by_pid(s, pid);
		if (j)
			job_ended(s, j, ws);
	}
}

static void kill_jobs(struct sweep *s, int sig)
{
	for (size_t i = 0; i < s->n_jobs; i++)
		if (s->jobs[i].pid > 0)
			kill(s->jobs[i].pid, sig);   /* fails only for one that just ended */
}

/* The first stop signal asks every job to stop (as ^C would a run), a
 * second one kills them. */
static void stop_jobs(struct sweep *s, int sig)
{
	if (!s->stop_signal)
		say(s, "SIG%s: stopping %zu running jobs", sigabbrev_np(sig), s->running);
	kill_jobs(s, s->stop_signal ? SIGKILL : SIGTERM);
	s->stop_signal = sig;
}

/* One signal from the signalfd: a child ended, or the sweep must stop. */
static int wait_signal(struct sweep *s)
{
	struct signalfd_siginfo si;
	ssize_t n = read(s->sigfd, &si, sizeof(si));

	if (n < 0 && errno == EINTR)
		return 0;
	if (n != sizeof(si)) {
		pr_err("sweep: reading signals: %s", n < 0 ? strerror(errno) : "short read");
		return -EIO;
	}
	if (si.ssi_signo == SIGCHLD)
		reap(s);
	else
		stop_jobs(s, (int)si.ssi_signo);
	return 0;
}

/* Start jobs while there is room, until every one has ended. */
static int run_jobs(struct sweep *s)
{
	int ret = 0;

	while (s->running || (s->next < s->n_jobs && !s->stop_signal && !ret)) {
		while (!s->stop_signal && !ret && s->next < s->n_jobs && s->running < s->jobs_max)
			ret = start_job(s, s->next++);
		show_progress(s);
		if (s->running && wait_signal(s)) {
			kill_jobs(s, SIGKILL);   /* cannot wait for them: kill them */
			return -EIO;
		}
	}
	show_progress(s);
	if (s->shown)
		fputc('\n', stderr);
	s->shown = false;
	return ret;
}

/* --- the merge ----------------------------------------------------------------------- */

/* Whether a stop signal came while merging (a late SIGCHLD is dropped). */
static bool stop_requested(struct sweep *s)
{
	struct pollfd p = { .fd = s->sigfd, .events = POLLIN };
	struct signalfd_siginfo si;

	while (!s->stop_signal && poll(&p, 1, 0) == 1 &&
	       read(s->sigfd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			s->stop_signal = (int)si.ssi_signo;
	return s->stop_signal;
}

/* Every job's runs into WORKDIR/sweep.db, then that into OUT in one
 * transaction, so that a failed or interrupted merge leaves OUT as it was.
 * -EINTR when a stop signal came first; the runs' ids in OUT into m. */
static int merge_jobs(struct sweep *s, struct merge *m)
{
	char stem[STEM_MAX], staging[PATH_MAX], db[PATH_MAX], err[512];
	int ret;

	snprintf(stem, sizeof(stem), "%s/sweep", s->workdir);
	snprintf(staging, sizeof(staging), "%s.db", stem);
	ret = merge_open(m, staging);
	for (size_t i = 0; i < s->n_jobs && !ret; i++) {
		job_path(s, i, "db", db);
		/* a failed job may have left no database, or an empty file */
		if (s->jobs[i].failed && merge_check(db, err, sizeof(err)))
			continue;
		ret = stop_requested(s) ? -EINTR : merge_add(m, db);
	}
	if (merge_close(m) && !ret)
		ret = -EIO;
	if (!ret)
		ret = merge_open(m, s->out);
	if (!ret) {
		ret = stop_requested(s) ? -EINTR : merge_add(m, staging);
		if (merge_close(m) && !ret)
			ret = -EIO;
	}
	if (ret && ret != -EINTR)
		pr_err("sweep: %s", m->err);
	if (!ret)
		ret = remove_files(stem, DB_EXTS);
	return ret;
}

/* --- the command ---------------------------------------------------------------------- */

/* What the command line leaves open: ringmon's path, the work directory,
 * the number of jobs and of their digits, -j. */
/* Every value of every research knob, as `ringmon run` will check it: a bad
 * one stops the sweep before any job starts. */
static void check_knobs(const struct sweep *s)
{
	struct knob_values kv;
	char v[KNOB_VALUE_MAX], why[256];

	for (unsigned id = 0; id < KNOB_COUNT; id++)
		for (size_t i = 0; i < s->knob[id].n; i++) {
			snprintf(v, sizeof(v), "%s", s->knob[id].v[i]);
			for (char *p = v; id == K_PROTECT && (p = strchr(p, '+'));)
				*p = ',';
			if (knob_set(&kv, id, v, why, sizeof(why)))
				usage_err("sweep: %s", why);
		}
}

static void prepare(struct sweep *s)
{
	ssize_t n = readlink("/proc/self/exe", s->exe, sizeof(s->exe) - 1);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 0)
		usage_err("sweep: /proc/self/exe: %s", strerror(errno));
	s->exe[n] = 0;
	check_knobs(s);
	if (!s->workdir) {
		snprintf(s->workdir_buf, sizeof(s->workdir_buf), "%s.d", s->out);
		s->workdir = s->workdir_buf;
	}
	if (strlen(s->workdir) > STEM_MAX - 32)
		usage_err("sweep: %s: work directory name too long", s->workdir);
	s->n_jobs = s->guests.n;
	for (int k = 0; k < K_COUNT; k++)
		if (knobs[k].kind == KNOB_LIST && s->knob[k].n) {
			if (s->n_jobs > MAX_JOBS / s->knob[k].n)
				usage_err("sweep: more than %d jobs", MAX_JOBS);
			s->n_jobs *= s->knob[k].n;
		}
	s->width = 3;
	for (size_t j = 1000; j <= s->n_jobs; j *= 10)
		s->width++;
	if (!s->jobs_max)
		s->jobs_max = cpus > 0 ? (unsigned)cpus : 1;
	s->jobs = xrealloc(NULL, s->n_jobs * sizeof(*s->jobs));
	memset(s->jobs, 0, s->n_jobs * sizeof(*s->jobs));
}

/* Nothing is started before OUT is known to take runs and every job's old
 * files are gone. */
static void setup(struct sweep *s)
{
	char err[512], stem[STEM_MAX];
	sigset_t sigs;

	if (merge_check_out(s->out, err, sizeof(err)))
		usage_err("sweep: %s", err);
	if (mkdir(s->workdir, 0777) && errno != EEXIST)
		usage_err("sweep: %s: %s", s->workdir, strerror(errno));
	for (size_t i = 0; i < s->n_jobs; i++) {
		job_stem(s, i, stem);
		if (remove_files(stem, ARRAY_SIZE(file_exts)))
			exit(EXIT_USAGE);
	}
	snprintf(stem, sizeof(stem), "%s/sweep", s->workdir);
	if (remove_files(stem, DB_EXTS))
		exit(EXIT_USAGE);
	/* stop signals and ended children are read from a signalfd */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) ||
	    (s->sigfd = signalfd(-1, &sigs, SFD_CLOEXEC)) < 0 ||
	    (s->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		usage_err("sweep: cannot set up: %s", strerror(errno));
	s->tty = isatty(STDERR_FILENO);
}

/* The accelerator is decided once, before any job starts (the runs then find
 * the verdict cached): `--accel kvm` that cannot be had stops the sweep
 * here, and auto's fallback is said once, not per job. */
static void decide_accel(const struct sweep *s)
{
	const struct strv *want = &s->knob[K_ACCEL];
	char qemu[PATH_MAX], line[sizeof(((struct accel *)0)->why) + 16];
	struct accel a;

	if (s->knob[K_DETERMINISTIC].n || qemu_find(qemu, sizeof(qemu)))
		return;   /* no probe; a missing QEMU is each run's own error */
	for (size_t i = 0; i < (want->n ? want->n : 1); i++) {
		const char *w = want->n ? want->v[i] : "auto";
		if (!strcmp(w, "tcg"))
			continue;
		if (accel_choose(&a, w, false, false, qemu))
			usage_err("sweep: --accel kvm: %s", a.why);
		if (a.fell_back && !strcmp(w, "auto")) {
			accel_fallback_line(&a, line, sizeof(line));
			pr_err("%s", line);
		}
	}
}

static int sweep(struct sweep *s)
{
	struct merge m;
	int ret;

	decide_accel(s);
	setup(s);
	ret = run_jobs(s);
	if (!ret && !s->stop_signal)
		ret = merge_jobs(s, &m);
	if (s->stop_signal) {
		say(s, "interrupted by SIG%s: %s left as it was (the jobs' files are in %s)",
		    sigabbrev_np(s->stop_signal), s->out, s->workdir);
		return 128 + s->stop_signal;
	}
	if (ret)
		return EXIT_FAILED;
	if (m.runs)
		say(s, "%zu job%s, %zu failed: runs %lld to %lld -> %s (the jobs' files are in %s)",
		    s->n_jobs, s->n_jobs > 1 ? "s" : "", s->failed, (long long)m.first, (long long)(m.first + m.runs - 1),
		    s->out, s->workdir);
	else
		say(s, "%zu job%s, %zu failed: no runs -> %s", s->n_jobs, s->n_jobs > 1 ? "s" : "",
		    s->failed, s->out);
	return s->failed ? 1 : 0;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep s = { .sigfd = -1, .devnull = -1 };
	bool list = false;
	int code;

	parse(argc, argv, &s, &list);
	prepare(&s);
	code = list ? list_jobs(&s) : sweep(&s);
	for (int k = 0; k < K_COUNT; k++)
		strv_free(&s.knob[k]);
	strv_free(&s.guests);
	free(s.jobs);
	if (s.sigfd >= 0)
		close(s.sigfd);
	if (s.devnull >= 0)
		close(s.devnull);
	return code;
}
