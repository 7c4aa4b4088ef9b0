/* pipeline.c — host program: the throughput of ringmon's real consumer path
 * (vmm/ring.c → symbols → sinks → SQLite, optionally LTTng) fed at full
 * speed by a host thread that plays the monitor's part (module/ring.c).
 * Not a guest kernel: the Makefile builds it from the host objects of
 * `ringmon` into build/bench/pipeline; bench/run.sh samples its output.
 *
 * What it does, in order:
 *   1. a ring window in ordinary memory, laid out as trace/trace.h says (the
 *      header page, then the slots), initialised as ring_init() does it;
 *   2. the sinks opened as `ringmon run` opens them, into a fresh database in
 *      a temporary directory, and the real consumer started (ring_start);
 *   3. a producer thread appends N synthetic, valid records under the
 *      monitor's protocol (ring_commit: wait while full and count the stall,
 *      seq and counters, the slot, then head with release order) and ends
 *      as ring_finish() does (state, then wait until tail == head);
 *   4. qemu_gone and ring_stop(), as after QEMU exits, then run_end (the
 *      last commit).  The interval is 3 (producer start) to 4 (committed);
 *   5. the rows are counted in the file through a connection of its own.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"
#include "sinks.h"
#include "symbols.h"

#define EXIT_USAGE 2
#define EXIT_FAILED 1
#define SPINS_BEFORE_YIELD 64   /* full ring: pause this often, then yield */

static const char usage[] =
	"usage: pipeline [OPTIONS]\n"
	"\n"
	"Measure ringmon's consumer (vmm/ring.c, symbols, sinks, SQLite) fed by a\n"
	"host thread that writes trap records into a ring in ordinary memory under\n"
	"the monitor's protocol.  Prints one line of key=value words:\n"
	"  pipeline sinks=S records=N consumed=N rows=N lost=N stalls=N seconds=S\n"
	"           records_per_s=R cpu_seconds=S records_per_cpu_s=R cpu=C ring=N\n"
	"           db_bytes=B db_bytes_per_record=R\n"
	"records_per_s is over the wall clock, records_per_cpu_s over the process's\n"
	"CPU time (user + system, all threads) in the same interval.\n"
	"lost = records produced - rows in the database; anything but 0 fails.\n"
	"db_bytes is the database file (and any WAL left) after it was closed.\n"
	"\n"
	"  -n N              records to produce (1000000)\n"
	"  --ring N          ring capacity in records, a power of two (65536)\n"
	"  --sink LIST       sqlite or sqlite,lttng (sqlite)\n"
	"  --symbols F       symbolize with F (an ELF, System.map or bzImage); the\n"
	"                    records' addresses are its symbols' (none: unsymbolized)\n"
	"  --cpu C           pin every thread (producer, consumer) to CPU C and\n"
	"                    check it; without it the scheduler places them\n"
	"  --tmpdir D        where the temporary database goes ($TMPDIR or /tmp)\n"
	"  --keep            keep the database and print its path\n"
	"  -h, --help        this text\n"
	"\n"
	"Exit status: 0 when nothing was lost, 1 on any failure, 2 for bad input.\n";

struct opts {
	unsigned long long n;
	unsigned ring;
	unsigned sinks;               /* enum sink_kind bits */
	char sink[24];                /* the list as given back */
	const char *symbols;
	int cpu;                      /* -1: not pinned */
	const char *tmpdir;
	int keep;
};

static void vpr_err(const char *fmt, va_list ap)
{
	fputs("pipeline: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

__attribute__((format(printf, 1, 2)))
static void pr_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpr_err(fmt, ap);
	va_end(ap);
}

/* Bad input: nothing was measured. */
__attribute__((format(printf, 1, 2), noreturn))
static void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpr_err(fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}

static unsigned long long parse_num(const char *opt, const char *v,
				    unsigned long long min, unsigned long long max)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || x < min || x > max)
		die_usage("%s: '%s' is not a number from %llu to %llu", opt, v, min, max);
	return x;
}

enum { OPT_RING = 256, OPT_SINK, OPT_SYMBOLS, OPT_CPU, OPT_TMPDIR, OPT_KEEP };

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "ring", required_argument, NULL, OPT_RING },
		{ "sink", required_argument, NULL, OPT_SINK },
		{ "symbols", required_argument, NULL, OPT_SYMBOLS },
		{ "cpu", required_argument, NULL, OPT_CPU },
		{ "tmpdir", required_argument, NULL, OPT_TMPDIR },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *t = getenv("TMPDIR");
	int c;

	*o = (struct opts){ .n = 1000000, .ring = 65536, .sinks = SINK_SQLITE,
			    .sink = "sqlite", .cpu = -1, .tmpdir = t && *t ? t : "/tmp" };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hn:", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->n = parse_num("-n", optarg, 1, 1ull << 40);
			break;
		case OPT_RING:
			o->ring = (unsigned)parse_num("--ring", optarg, 2,
						      RING_MAX_BYTES / sizeof(struct trap_record));
			if (o->ring & (o->ring - 1))
				die_usage("--ring: %u is not a power of two", o->ring);
			break;
		case OPT_SINK:
			if (!strcmp(optarg, "sqlite"))
				o->sinks = SINK_SQLITE;
			else if (!strcmp(optarg, "sqlite,lttng") || !strcmp(optarg, "lttng,sqlite"))
				o->sinks = SINK_SQLITE | SINK_LTTNG;
			else
				die_usage("--sink: '%s' is neither sqlite nor sqlite,lttng"
					  " (rows are what is counted)", optarg);
			snprintf(o->sink, sizeof(o->sink), "%s",
				 o->sinks & SINK_LTTNG ? "sqlite,lttng" : "sqlite");
			break;
		case OPT_SYMBOLS:
			o->symbols = optarg;
			break;
		case OPT_CPU:
			o->cpu = (int)parse_num("--cpu", optarg, 0, CPU_SETSIZE - 1);
			break;
		case OPT_TMPDIR:
			o->tmpdir = optarg;
			break;
		case OPT_KEEP:
			o->keep = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case ':':
			die_usage("%s needs a value (see --help)", argv[optind - 1]);
		default:
			die_usage("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s' (see --help)", argv[optind]);
}

/* --- the records: a mix of every kind, addresses from the symbols --------- */

#define TEMPLATES 32

/* A valid record of each kind in proportions like a protected-data flood's
 * (mostly protected accesses); eip and addr come from the symbol table. */
static void make_templates(struct trap_record *t, const struct symtab *st)
{
	static const uint8_t mov_load[] = { 0x8b, 0x15, 0x24, 0x10, 0x10, 0x00 };
	static const uint8_t mov_store[] = { 0x89, 0x15, 0x24, 0x10, 0x10, 0x00 };
	static const uint8_t cli[] = { 0xfa };
	static const uint8_t lgdt[] = { 0x0f, 0x01, 0x15, 0x00, 0x20, 0x10, 0x00 };
	static const uint8_t div[] = { 0xf7, 0xf1 };
	size_t nsym = st->n ? st->n : 1;

	for (unsigned i = 0; i < TEMPLATES; i++) {
		/* the kinds 1..9 once each, the rest protected */
		unsigned kind = i < KIND_MAX - 1 ? i + 1 : KIND_PROTECTED;
		const struct sym *code = st->n ? &st->syms[(i * 7) % nsym] : NULL;
		const struct sym *data = st->n ? &st->syms[(i * 13 + 3) % nsym] : NULL;
		struct trap_record *r = &t[i];
		const uint8_t *insn = NULL;
		size_t len = 0;

		*r = (struct trap_record){
			.kind = (uint8_t)kind, .cs = 0x08, .cpl = 0,
			.eip = code ? code->addr + (code->size ? i % code->size : 0) : 0x100000u + 16 * i,
		};
		switch (kind) {
		case KIND_PROTECTED:
		case KIND_SHADOW_PF:
		case KIND_GUEST_PF:
		case KIND_SMC:
			r->vector = 14;
			r->addr = data ? data->addr : 0x101000u + 4 * i;
			r->gpa = r->addr;
			r->size = 4;
			r->access = i & 1 ? ACCESS_WRITE : ACCESS_READ;
			r->err = 4 | (i & 1 ? 2 : 0);
			if (kind == KIND_PROTECTED) {
				r->region = i % 3 ? REGION_DATA : REGION_GDT;
				r->emul = i % 5 ? EMUL_DECODE : EMUL_STEP;
				insn = i & 1 ? mov_store : mov_load;
				len = sizeof(mov_load);
			}
			break;
		case KIND_PRIVILEGED:
			r->vector = 13;
			insn = cli;
			len = sizeof(cli);
			break;
		case KIND_SBE:
			r->vector = 13;
			insn = lgdt;
			len = sizeof(lgdt);
			break;
		case KIND_EXCEPTION:
			r->vector = 0;
			r->detail = 0;
			insn = div;
			len = sizeof(div);
			break;
		case KIND_IRQ:
			r->vector = 32;
			r->detail = 32;
			break;
		case KIND_SCAN:
			r->vector = 14;
			r->detail = 1 + i;
			break;
		}
		if (insn)
			memcpy(r->insn, insn, len);
		r->insn_len = (uint8_t)len;
	}
}

/* --- the producer: module/ring.c on the host ------------------------------ */

struct producer {
	struct ring_header *hdr;
	struct trap_record *slots;
	const struct trap_record *tmpl;
	unsigned long long n;
	int cpu;                      /* checked with sched_getcpu(), -1 if not */
	int err;                      /* -errno from the thread */
};

static uint64_t rdtsc(void)
{
	return __builtin_ia32_rdtsc();
}

/* The monitor spins on its own CPU; a producer that shares one core with the
 * consumer must give the core away or the consumer never frees a slot. */
static void wait_relax(unsigned *spins)
{
	if (++*spins < SPINS_BEFORE_YIELD)
		__builtin_ia32_pause();
	else
		sched_yield();
}

static uint32_t load_tail(const struct ring_header *h)
{
	return __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE);
}

/* ring_commit(): the record's seq and the counters, then the slot, then
 * head (release: the slot is visible before head says it is there). */
static void ring_commit(struct producer *p, struct trap_record *r)
{
	struct ring_header *h = p->hdr;
	uint32_t head = h->head, cap = h->capacity;
	unsigned spins = 0;

	if (head - load_tail(h) >= cap) {
		h->stalls++;
		while (head - load_tail(h) >= cap)
			wait_relax(&spins);
	}
	r->seq = h->records++;
	h->counts[r->kind]++;
	r->tsc_out = rdtsc();
	p->slots[head & (cap - 1)] = *r;
	__atomic_store_n(&h->head, head + 1, __ATOMIC_RELEASE);
}

static void *produce(void *arg)
{
	struct producer *p = arg;
	struct ring_header *h = p->hdr;
	unsigned spins = 0;

	if (p->cpu >= 0 && sched_getcpu() != p->cpu) {
		p->err = -EXDEV;
		__atomic_store_n(&h->state, RING_STATE_KILLED, __ATOMIC_RELEASE);
		return NULL;
	}
	for (unsigned long long i = 0; i < p->n; i++) {
		struct trap_record r = p->tmpl[i % TEMPLATES];
		r.tsc_in = rdtsc();
		ring_commit(p, &r);
	}
	/* ring_finish(): the state, then wait until the host has it all */
	h->exit_status = 0;
	__atomic_store_n(&h->state, RING_STATE_EXITED, __ATOMIC_RELEASE);
	while (load_tail(h) != h->head)
		wait_relax(&spins);
	return NULL;
}

/* --- the consumer's sink: run.c's trap path 4.2 --------------------------- */

struct pipe_sink {
	const struct symtab *st;
	struct sinks sinks;
};

static int sink_record(void *ctx, const struct trap_record *r)
{
	struct pipe_sink *ps = ctx;
	struct trap_event e = { .r = r, .has_data = r->addr || r->access != ACCESS_NONE };

	if (e.has_data)
		e.data = symtab_lookup(ps->st, r->addr, r->gpa);
	e.code = symtab_lookup(ps->st, r->eip, 0);
	if (symtab_line(ps->st, r->eip, &e.code_file, &e.code_line)) {
		e.code_file = NULL;
		e.code_line = 0;
	}
	return sinks_trap(&ps->sinks, &e);
}

static int sink_idle(void *ctx)
{
	struct pipe_sink *ps = ctx;
	return sinks_idle(&ps->sinks);
}

/* --- the measurement ------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds of the whole process so far: on a shared machine the wall
 * clock says how busy the machine was, this what the pipeline cost. */
static double cpu_s(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru))
		return 0;   /* cannot fail with these arguments */
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Every thread created from here on runs on cpu alone; checked. */
static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	if (CPU_COUNT(&set) != 1 || !CPU_ISSET(cpu, &set))
		return -EXDEV;
	return 0;
}

/* Rows of run_id in the committed file, through a connection of its own. */
static int count_rows(const char *path, int64_t run_id, long long *rows, char *why,
		      size_t len)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int ret = -EIO;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM trap_rows WHERE id >= ?1 << 40 AND id < (?1 + 1) << 40", -1, &s,
			       NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 1, run_id) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		snprintf(why, len, "count rows: %s",
			 db ? sqlite3_errmsg(db) : "out of memory");
	} else {
		*rows = sqlite3_column_int64(s, 0);
		ret = 0;
	}
	if (sqlite3_finalize(s) != SQLITE_OK && !ret) {
		snprintf(why, len, "count rows: %s", sqlite3_errmsg(db));
		ret = -EIO;
	}
	if (sqlite3_close(db) != SQLITE_OK && !ret) {
		snprintf(why, len, "close: %s", sqlite3_errmsg(db));
		ret = -EIO;
	}
	return ret;
}

static void remove_db(const char *dir, const char *db)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char path[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db, sfx[i]);
		if (unlink(path) && errno != ENOENT)
			pr_err("%s: %s", path, strerror(errno));
	}
	if (rmdir(dir))
		pr_err("%s: %s", dir, strerror(errno));
}

/* The monitor's own counters against the consumer's, as run.c checks them. */
static int check_counts(const struct ring_header *h, const struct ring_consumer *rc)
{
	if (h->records != rc->records || h->dropped)
		return -EPROTO;
	for (unsigned k = 0; k < KIND_MAX; k++)
		if (h->counts[k] != rc->counts[k])
			return -EPROTO;
	return 0;
}

struct result {
	double seconds;
	double cpu_seconds;           /* user + system of every thread, same interval */
	unsigned long long stalls, consumed;
	long long rows;
	long long db_bytes;           /* the file and its WAL once closed */
};

/* The database's size on disk as a reader finds it: the file, and the WAL
 * if closing left one. */
static int db_size(const char *path, long long *bytes, char *why, size_t len)
{
	char wal[PATH_MAX + 32];
	struct stat st;

	if (stat(path, &st)) {
		snprintf(why, len, "%.*s: %s", (int)len / 2, path, strerror(errno));
		return -errno;
	}
	*bytes = st.st_size;
	if ((size_t)snprintf(wal, sizeof(wal), "%s-wal", path) < sizeof(wal) && !stat(wal, &st))
		*bytes += st.st_size;
	return 0;
}

/* Steps 1–5 of the file's comment; 0 or -errno with why[len] said. */
static int measure(const struct opts *o, const struct symtab *st, const char *db_path,
		   struct result *res, char *why, size_t len)
{
	size_t bytes = (RING_RECORDS_PHYS - RING_PHYS) + (size_t)o->ring * sizeof(struct trap_record);
	struct trap_record tmpl[TEMPLATES];
	struct pipe_sink ps = { .st = st };
	struct ring_consumer rc;
	struct producer p;
	struct ring_header *h;
	pthread_t thread;
	double t0, c0;
	int ret, ring_ret;

	/* 1. the window: zero, like the file QEMU gets, then ring_init() */
	void *window = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (window == MAP_FAILED) {
		snprintf(why, len, "cannot map a ring of %zu bytes: %s", bytes, strerror(errno));
		return -errno;
	}
	h = window;
	h->version = RING_VERSION;
	h->record_size = sizeof(struct trap_record);
	h->capacity = o->ring;
	h->state = RING_STATE_RUNNING;
	__atomic_store_n(&h->magic, RING_MAGIC, __ATOMIC_RELEASE);
	make_templates(tmpl, st);
	p = (struct producer){ .hdr = h, .tmpl = tmpl, .n = o->n, .cpu = o->cpu,
			       .slots = (struct trap_record *)((char *)window +
							       (RING_RECORDS_PHYS - RING_PHYS)) };

	/* 2. the sinks as `ringmon run` opens them, and the consumer */
	ret = sinks_open(&ps.sinks, o->sinks, db_path, STDERR_FILENO);
	if (!ret)
		ret = sinks_run_begin(&ps.sinks, &(struct run_info){
			.guest = "(pipeline)", .kernel = "pipeline", .variant = "bench-pipeline",
			.protect = "gdt,idt", .mode = "rw", .emulate = "decode",
			.placement = "shadow", .accel = "none", .ring = o->ring,
			.sym_file = st->n ? o->symbols : NULL,
			.sym_format = st->n ? st->format : NULL }, st);
	if (ret) {
		snprintf(why, len, "%s", ps.sinks.err);
		goto out_sinks;
	}
	ret = ring_start(&rc, window, &(struct trap_sink){
		.record = sink_record, .idle = sink_idle, .ctx = &ps });
	if (ret) {
		snprintf(why, len, "cannot start the consumer: %s", strerror(-ret));
		goto out_sinks;
	}

	/* 3. the producer */
	c0 = cpu_s();
	t0 = now_s();
	ret = -pthread_create(&thread, NULL, produce, &p);
	if (ret) {
		snprintf(why, len, "cannot start the producer: %s", strerror(-ret));
		h->state = RING_STATE_KILLED;
	} else {
		pthread_join(thread, NULL);
		ret = p.err;
		if (ret)
			snprintf(why, len, "the producer did not run on CPU %d", o->cpu);
	}

	/* 4. QEMU is gone: the rest of the ring, the last commit */
	ring_ret = ring_stop(&rc);
	if (ring_ret && !ret) {
		snprintf(why, len, "consumer: %s", rc.why[0] ? rc.why : ps.sinks.err);
		ret = ring_ret;
	}
	if (!ret) {
		struct run_end re = { .state = "exited", .exit_status = 0, .counters = true,
				      .records = h->records, .stalls = h->stalls,
				      .dropped = h->dropped };
		memcpy(re.counts, h->counts, sizeof(re.counts));
		ret = sinks_run_end(&ps.sinks, &re);
		if (ret)
			snprintf(why, len, "%s", ps.sinks.err);
	}
	res->seconds = now_s() - t0;
	res->cpu_seconds = cpu_s() - c0;
	res->stalls = h->stalls;
	res->consumed = rc.records;
	if (!ret && check_counts(h, &rc)) {
		snprintf(why, len, "lossless check failed: %llu records consumed, %llu produced",
			 (unsigned long long)rc.records, (unsigned long long)h->records);
		ret = -EPROTO;
	}
out_sinks:
	if (sinks_close(&ps.sinks) && !ret) {
		snprintf(why, len, "%s", ps.sinks.err);
		ret = -EIO;
	}
	/* 5. the rows, from the file, and its size */
	if (!ret)
		ret = count_rows(db_path, ps.sinks.db.run_id, &res->rows, why, len);
	if (!ret)
		ret = db_size(db_path, &res->db_bytes, why, len);
	if (munmap(window, bytes) && !ret) {
		snprintf(why, len, "munmap: %s", strerror(errno));
		ret = -errno;
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct symtab st = { .fd = -1 };
	struct result res = { 0 };
	char dir[PATH_MAX], db_path[PATH_MAX + 16], why[600] = "";
	long long lost;
	int ret;

	struct opts o;
	parse(argc, argv, &o);
	if (o.symbols) {
		ret = symtab_load(&st, o.symbols);
		if (ret)
			die_usage("%s: cannot read symbols: %s", o.symbols,
				  ret == -ENOEXEC && st.why ? st.why : strerror(-ret));
		if (!st.n)
			die_usage("%s: no symbols in it", o.symbols);
	}
	if (o.cpu >= 0) {
		ret = pin(o.cpu);
		if (ret)
			die_usage("--cpu %d: cannot pin to it: %s", o.cpu,
				  ret == -EXDEV ? "the affinity did not take" : strerror(-ret));
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s/ringmon-pipeline.XXXXXX", o.tmpdir) >= sizeof(dir))
		die_usage("--tmpdir: path too long");
	if (!mkdtemp(dir))
		die_usage("%s: cannot create a directory there: %s", o.tmpdir, strerror(errno));
	snprintf(db_path, sizeof(db_path), "%s/pipeline.db", dir);

	ret = measure(&o, &st, db_path, &res, why, sizeof(why));
	symtab_free(&st);
	if (o.keep)
		fprintf(stderr, "pipeline: database kept in %s\n", db_path);
	else
		remove_db(dir, db_path);
	if (ret) {
		pr_err("%s", why[0] ? why : strerror(-ret));
		return EXIT_FAILED;
	}
	lost = (long long)o.n - res.rows;
	printf("pipeline sinks=%s records=%llu consumed=%llu rows=%lld lost=%lld stalls=%llu"
	       " seconds=%.6f records_per_s=%.0f cpu_seconds=%.6f records_per_cpu_s=%.0f"
	       " cpu=%d ring=%u db_bytes=%lld db_bytes_per_record=%.1f\n",
	       o.sink, o.n, res.consumed, res.rows, lost, res.stalls, res.seconds,
	       (double)o.n / res.seconds, res.cpu_seconds,
	       res.cpu_seconds > 0 ? (double)o.n / res.cpu_seconds : 0.0, o.cpu, o.ring,
	       res.db_bytes, (double)res.db_bytes / (double)o.n);
	if (fflush(stdout) || ferror(stdout)) {
		pr_err("stdout: %s", strerror(errno));
		return EXIT_FAILED;
	}
	if (lost) {
		pr_err("%lld records lost: %llu produced, %lld rows", lost, o.n, res.rows);
		return EXIT_FAILED;
	}
	return 0;
}
