/* sweep.c — `ringmon sweep`: a matrix of guests x knob values
 * (sweep_matrix.c), one `ringmon run` child per job (sweep_jobs.c), each into
 * its own database in a work directory, all merged into one database at the
 * end (merge.c), here.  A failed job is reported and kept; the others go on. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel.h"
#include "cmd.h"
#include "knobs.h"
#include "merge.h"
#include "qemu.h"
#include "sweep.h"

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
	"  --until REGEX, --variant NAME, --monitor PATH\n"
	"  --module 'FILE ARGS'   a Multiboot module, as `ringmon run` takes it; once\n"
	"                         per module, in order (at most 15), every run gets\n"
	"                         them all (a matrix file: a `module = FILE ARGS`\n"
	"                         line each)\n"
	"  -h, --help             this text\n"
	"\n"
	"Exit status: 0 when every job's run ended normally (with whatever status\n"
	"its guest chose); 1 if a job failed (the others are merged); 2 for bad\n"
	"input; 125 if the sweep itself failed; 128 + N after signal N (the jobs\n"
	"are stopped, OUT.db is left as it was).\n";

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
			sweep_set_knob(s, (unsigned)(c - OPT_KNOB), optarg ? optarg : "yes", "");
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
		sweep_read_matrix(s, matrix);
	for (int i = optind; i < argc; i++)
		strv_push(&s->guests, argv[i], strlen(argv[i]));
	if (!s->out)
		usage_err("sweep: no -o OUT.db given (see ringmon sweep --help)");
	if (!s->guests.n)
		usage_err("sweep: no GUEST given, on the command line or as `guest =` in"
			  " --matrix (see ringmon sweep --help)");
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
		sweep_job_path(s, i, "db", db);
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
		ret = sweep_remove_files(stem, DB_EXTS);
	return ret;
}

/* --- the command ---------------------------------------------------------------------- */

/* What the command line leaves open: ringmon's path, the work directory,
 * the number of jobs and of their digits, -j. */
static void prepare(struct sweep *s)
{
	ssize_t n = readlink("/proc/self/exe", s->exe, sizeof(s->exe) - 1);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 0)
		usage_err("sweep: /proc/self/exe: %s", strerror(errno));
	s->exe[n] = 0;
	sweep_check_knobs(s);
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
		sweep_job_stem(s, i, stem);
		if (sweep_remove_files(stem, JOB_FILES))
			exit(EXIT_USAGE);
	}
	snprintf(stem, sizeof(stem), "%s/sweep", s->workdir);
	if (sweep_remove_files(stem, DB_EXTS))
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
	ret = sweep_run_jobs(s);
	if (!ret && !s->stop_signal)
		ret = merge_jobs(s, &m);
	if (s->stop_signal) {
		sweep_say(s, "interrupted by SIG%s: %s left as it was (the jobs' files are in %s)",
		    sigabbrev_np(s->stop_signal), s->out, s->workdir);
		return 128 + s->stop_signal;
	}
	if (ret)
		return EXIT_FAILED;
	if (m.runs)
		sweep_say(s, "%zu job%s, %zu failed: runs %lld to %lld -> %s (the jobs' files are in %s)",
		    s->n_jobs, s->n_jobs > 1 ? "s" : "", s->failed, (long long)m.first, (long long)(m.first + m.runs - 1),
		    s->out, s->workdir);
	else
		sweep_say(s, "%zu job%s, %zu failed: no runs -> %s", s->n_jobs, s->n_jobs > 1 ? "s" : "",
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
	code = list ? sweep_list(&s) : sweep(&s);
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
