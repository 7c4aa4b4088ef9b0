/* ring.c — the consumer thread: the host half of the lossless trace ring.
 *
 * Trap path, continued from module/trap.c step 4 (the monitor appended a
 * record and advanced head):
 *   4.1 here, the consumer sees head move (acquire), copies each record out
 *       of guest RAM, checks that seq is contiguous and every enum is one the
 *       ABI knows, and releases the slots by storing tail (release), which
 *       un-stalls a monitor waiting on a full ring;
 *   4.2 run.c's sink names the data and code addresses with the guest's
 *       symbols (symbols.c);
 *   4.3 db.c inserts the row into traps, in batched transactions. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"

#define START_TIMEOUT_S 10        /* from QEMU start to the ring's magic */
#define IDLE_SLEEP_NS   100000    /* empty ring: look again in 100 us */
#define RELEASE_EVERY   1024      /* records between tail updates */
#define HOLD_SLEEP_NS   1000000   /* the sink cannot write: offer again in 1 ms */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NAME(name, value, str) [value] = str,
static const char *const kind_names[KIND_MAX] = { TRACE_KINDS(NAME) };
static const char *const region_names[] = { TRACE_REGIONS(NAME) };
static const char *const access_names[] = { TRACE_ACCESSES(NAME) };
static const char *const emul_names[] = { TRACE_EMULS(NAME) };
#undef NAME

const char *ring_kind_name(unsigned kind)
{
	return kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : NULL;
}

const char *ring_region_name(unsigned region)
{
	return region < ARRAY_SIZE(region_names) ? region_names[region] : NULL;
}

const char *ring_access_name(unsigned access)
{
	return access < ARRAY_SIZE(access_names) ? access_names[access] : NULL;
}

const char *ring_emul_name(unsigned emul)
{
	return emul < ARRAY_SIZE(emul_names) ? emul_names[emul] : NULL;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct ring_consumer *rc, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rc->why, sizeof(rc->why), fmt, ap);
	va_end(ap);
	return err;
}

static void sleep_ns(long ns)
{
	struct timespec ts = { 0, ns };
	nanosleep(&ts, NULL);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The monitor writes magic last, so once it is there the rest of the header
 * is too.  Until then the header is the all-zero file the host created. */
static int wait_for_monitor(struct ring_consumer *rc)
{
	struct ring_header *h = rc->hdr;
	double deadline = now_s() + START_TIMEOUT_S;

	for (;;) {
		bool gone = atomic_load(&rc->qemu_gone);
		if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) == RING_MAGIC)
			break;
		if (gone)
			return fail(rc, -ESRCH, "monitor did not start: QEMU ended before the trace ring was set up");
		if (now_s() > deadline)
			return fail(rc, -ETIMEDOUT, "monitor did not start: no trace ring after %d s",
				    START_TIMEOUT_S);
		sleep_ns(1000000);
	}
	if (h->version != RING_VERSION || h->record_size != sizeof(struct trap_record))
		return fail(rc, -EPROTO, "trace ring version %u, record size %u; this ringmon reads version %u, size %zu",
			    h->version, h->record_size, RING_VERSION, sizeof(struct trap_record));
	if (!h->capacity || (h->capacity & (h->capacity - 1)) ||
	    h->capacity > RING_MAX_BYTES / sizeof(struct trap_record))
		return fail(rc, -EPROTO, "trace ring capacity %u is not a power of two that fits", h->capacity);
	rc->started = true;
	return 0;
}

/* Checked before the sink sees it, counted once the sink has taken it. */
static int check_record(struct ring_consumer *rc, const struct trap_record *r)
{
	if (r->seq != rc->records)
		return fail(rc, -EPROTO, "trace record seq %llu where %llu was expected: records lost or repeated",
			    (unsigned long long)r->seq, (unsigned long long)rc->records);
	if (!ring_kind_name(r->kind) || r->region >= ARRAY_SIZE(region_names) ||
	    r->access >= ARRAY_SIZE(access_names) || r->emul >= ARRAY_SIZE(emul_names) ||
	    r->insn_len > sizeof(r->insn))
		return fail(rc, -EPROTO, "trace record %llu is malformed (kind %u region %u access %u emul %u insn_len %u)",
			    (unsigned long long)r->seq, r->kind, r->region, r->access, r->emul, r->insn_len);
	return 0;
}

/* Hand the ring's records from tail on, at most n, to the sink; how many it
 * took, or -errno.  A sink that cannot write for now refuses one with
 * -EAGAIN: it stays in its slot, so the ring fills and the monitor waits
 * (lossless), until the sink takes it or gives up. */
static int consume_some(struct ring_consumer *rc, uint32_t tail, uint32_t n)
{
	uint32_t cap = rc->hdr->capacity, i;

	for (i = 0; i < n; i++) {
		struct trap_record r = rc->slots[(tail + i) & (cap - 1)];
		int ret = check_record(rc, &r);

		if (!ret)
			ret = rc->sink.record(rc->sink.ctx, &r);
		if (ret == -EAGAIN)
			break;
		if (ret)
			return ret;
		rc->records++;
		rc->counts[r.kind]++;
	}
	return (int)i;
}

static int drain(struct ring_consumer *rc)
{
	struct ring_header *h = rc->hdr;
	uint32_t cap = h->capacity, tail = h->tail;
	int ret;

	for (;;) {
		/* gone before head: if QEMU was gone, this head is the last one */
		bool gone = atomic_load(&rc->qemu_gone);
		uint32_t fill = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE) - tail;

		if (fill > cap)
			return fail(rc, -EPROTO, "trace ring head is %u records ahead of tail, capacity %u",
				    fill, cap);
		if (!fill) {
			if (gone)
				return 0;
			ret = rc->sink.idle(rc->sink.ctx);
			if (ret && ret != -EAGAIN)   /* -EAGAIN: pending, it retries */
				return ret;
			sleep_ns(IDLE_SLEEP_NS);
			continue;
		}
		ret = consume_some(rc, tail, fill > RELEASE_EVERY ? RELEASE_EVERY : fill);
		if (ret < 0)
			return ret;
		if (!ret) {   /* held */
			sleep_ns(HOLD_SLEEP_NS);
			continue;
		}
		tail += (uint32_t)ret;
		__atomic_store_n(&h->tail, tail, __ATOMIC_RELEASE);
	}
}

static void *consume(void *arg)
{
	struct ring_consumer *rc = arg;
	rc->err = wait_for_monitor(rc);
	if (!rc->err)
		rc->err = drain(rc);
	eventfd_write(rc->done_fd, 1);
	return NULL;
}

int ring_start(struct ring_consumer *rc, void *window, const struct trap_sink *sink)
{
	int ret;

	*rc = (struct ring_consumer){
		.hdr = window,
		.slots = (const struct trap_record *)((char *)window +
						      (RING_RECORDS_PHYS - RING_PHYS)),
		.sink = *sink,
	};
	atomic_init(&rc->qemu_gone, false);
	rc->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rc->done_fd < 0)
		return -errno;
	ret = -pthread_create(&rc->thread, NULL, consume, rc);
	if (ret) {
		close(rc->done_fd);
		rc->done_fd = -1;
	}
	return ret;
}

int ring_stop(struct ring_consumer *rc)
{
	atomic_store(&rc->qemu_gone, true);
	pthread_join(rc->thread, NULL);
	close(rc->done_fd);
	rc->done_fd = -1;
	return rc->err;
}
