/* sweep_jobs.c — the pool of jobs: each job one `ringmon run` child into its
 * own database in the work directory, at most -j at a time; how each ended,
 * judged by its exit status and its runs row; a stop signal stops them all. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"
#include "cmd.h"
#include "rundb.h"
#include "sweep.h"

/* WORKDIR/job-N, into buf[STEM_MAX]. */
void sweep_job_stem(const struct sweep *s, size_t i, char *buf)
{
	snprintf(buf, STEM_MAX, "%s/job-%0*zu", s->workdir, s->width, i + 1);
}

void sweep_job_path(const struct sweep *s, size_t i, const char *ext, char *buf)
{
	char stem[STEM_MAX];

	sweep_job_stem(s, i, stem);
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
	const char *argv[4 + 2 * K_COUNT + 2 * BUNDLE_MAX_MODULES + 3];
	char db[PATH_MAX], variant[256], protect[64];
};

static void job_cmdline(const struct sweep *s, size_t i, struct cmdline *c)
{
	size_t pick[K_COUNT], n = 0;
	const char *guest = s->guests.v[job_values(s, i, pick)];

	sweep_job_path(s, i, "db", c->db);
	c->argv[n++] = s->exe;
	c->argv[n++] = "run";
	c->argv[n++] = "--db";
	c->argv[n++] = c->db;
	for (int k = 0; k < K_COUNT; k++) {
		const char *v = s->knob[k].n ? s->knob[k].v[pick[k]] : NULL;

		if (knobs[k].kind == KNOB_REPEAT) {   /* each value, in order */
			for (size_t j = 0; j < s->knob[k].n; j++) {
				c->argv[n++] = knobs[k].opt;
				c->argv[n++] = s->knob[k].v[j];
			}
			continue;
		}
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

int sweep_list(const struct sweep *s)
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
static const char *const file_exts[JOB_FILES] = { "db", "db-wal", "db-shm", "out", "err" };

/* STEM.EXT for the first n of file_exts, as an earlier sweep left them: a
 * job, and a merge, start from nothing. */
int sweep_remove_files(const char *stem, size_t n)
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

	sweep_job_path(s, i, ext, path);
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

	sweep_job_path(s, i, "err", path);
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
	sweep_job_path(s, i, "db", path);
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
	sweep_job_path(s, i, "err", path);
	sweep_say(s, "job %zu (%s) failed: %s (see %s)", i + 1, name, why, path);
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
		sweep_say(s, "SIG%s: stopping %zu running jobs", sigabbrev_np(sig), s->running);
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
int sweep_run_jobs(struct sweep *s)
{
	int ret = 0;

	while (s->running || (s->next < s->n_jobs && !s->stop_signal && !ret)) {
		while (!s->stop_signal && !ret && s->next < s->n_jobs && s->running < s->jobs_max)
			ret = start_job(s, s->next++);
		sweep_show_progress(s);
		if (s->running && wait_signal(s)) {
			kill_jobs(s, SIGKILL);   /* cannot wait for them: kill them */
			return -EIO;
		}
	}
	sweep_show_progress(s);
	if (s->shown)
		fputc('\n', stderr);
	s->shown = false;
	return ret;
}
