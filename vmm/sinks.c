/* sinks.c — hand each event of a run to every sink that --sink chose.  The
 * LTTng tracepoints are called whenever that sink is chosen, once its provider
 * is loaded (lttng_sink.c); each costs one branch until a session enables the
 * event (trace/ringmon_tp.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lttng_sink.h"
#include "ringmon_tp.h"
#include "sinks.h"

const char *const sink_names[SINK_COUNT] = { "sqlite", "lttng", "text" };

/* A database failure: its message, after the file's name, becomes the
 * sinks'. */
static int db_failed(struct sinks *s, int ret)
{
	if (ret)
		snprintf(s->err, sizeof(s->err), "%s%s%s", s->db_path, s->db_path[0] ? ": " : "",
			 s->db.err);
	return ret;
}

static int text_failed(struct sinks *s, int ret)
{
	if (ret)
		snprintf(s->err, sizeof(s->err), "text sink: %s", strerror(-ret));
	return ret;
}

/* A text sink that cannot write (its reader gone, its disk full) must not
 * cost the database its records: it is closed and dropped, and the run
 * says from which record on it is incomplete.  What stdio had buffered
 * since the last good flush may be partly written: those records count as
 * lost too. */
static void text_drop(struct sinks *s, int ret)
{
	snprintf(s->failed, sizeof(s->failed),
		 "text sink failed (%s): records from seq %llu on are missing there",
		 strerror(-ret), (unsigned long long)s->text_flushed);
	fclose(s->text);   /* its error is the one just recorded */
	s->text = NULL;
	s->mask &= ~(unsigned)SINK_TEXT;
}

/* The text sink's own buffered stream on a copy of text_fd: a line per
 * record must not cost a write(2) each. */
static int text_open(struct sinks *s, int text_fd)
{
	int fd = fcntl(text_fd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return text_failed(s, -errno);
	s->text = fdopen(fd, "w");
	if (!s->text) {
		close(fd);
		return text_failed(s, -errno);
	}
	return 0;
}

static void text_flush(struct sinks *s)
{
	if (!s->text)
		return;
	if (fflush(s->text))
		text_drop(s, errno ? -errno : -EIO);
	else
		s->text_flushed = s->text_next;
}

int sinks_open(struct sinks *s, unsigned mask, const char *db_path, int text_fd)
{
	int ret;

	*s = (struct sinks){ .mask = mask, .db_path = db_path };
	/* First: a failure here leaves no database file and no text behind. */
	if (mask & SINK_LTTNG) {
		ret = lttng_sink_load(s->err, sizeof(s->err));
		if (ret)
			return ret;
	}
	if (mask & SINK_TEXT) {
		ret = text_open(s, text_fd);
		if (ret)
			return ret;
	}
	if (mask & SINK_SQLITE) {
		ret = db_failed(s, db_open(&s->db, db_path, 0));
		if (ret && s->text) {
			fclose(s->text);   /* nothing was written: no error to lose */
			s->text = NULL;
		}
		return ret;
	}
	return 0;
}

int sinks_close(struct sinks *s)
{
	int ret = 0;

	if (s->text && fclose(s->text))
		ret = text_failed(s, errno ? -errno : -EIO);
	s->text = NULL;
	if (s->mask & SINK_SQLITE) {
		int db_ret = db_close(&s->db);
		if (db_ret && !ret)
			ret = db_failed(s, db_ret);
	}
	return ret;
}

int sinks_run_begin(struct sinks *s, const struct run_info *ri, const struct symtab *st)
{
	int ret = 0;

	if (s->mask & SINK_SQLITE) {
		ret = db_run_begin(&s->db, ri);
		if (!ret)
			ret = db_add_symbols(&s->db, st);
		if (ret)
			return db_failed(s, ret);
	}
	if (s->mask & SINK_LTTNG)
		lttng_ust_tracepoint(ringmon, run_begin, s->db.run_id, ri);
	return 0;
}

int sinks_symbols_slid(struct sinks *s, int64_t slide)
{
	if (s->mask & SINK_SQLITE) {
		int ret = db_slide_symbols(&s->db, slide);
		if (ret)
			return db_failed(s, ret);
	}
	return 0;
}

int sinks_trap(struct sinks *s, struct trap_event *e)
{
	int ret;

	e->run_id = s->db.run_id;
	if (s->mask & SINK_SQLITE) {
		ret = db_add_trap(&s->db, e);
		if (ret)   /* -EAGAIN: no space yet, the consumer offers it again */
			return ret == -EAGAIN ? ret : db_failed(s, ret);
	}
	if (s->mask & SINK_LTTNG)
		lttng_ust_tracepoint(ringmon, trap, e);
	if (s->mask & SINK_TEXT) {
		s->text_next = e->r->seq + 1;
		ret = text_trap(s->text, e);
		if (ret)
			text_drop(s, ret);
	}
	return 0;
}

int sinks_idle(struct sinks *s)
{
	text_flush(s);
	if (s->mask & SINK_SQLITE)
		return db_failed(s, db_flush_due(&s->db));
	return 0;
}

int sinks_run_end(struct sinks *s, const struct run_end *re)
{
	char why[sizeof(s->failed) + RING_REASON_LEN + 512];
	struct run_end e = *re;

	text_flush(s);
	if (s->failed[0]) {
		snprintf(why, sizeof(why), "%s%s%s", re->kill_reason ? re->kill_reason : "",
			 re->kill_reason ? "; " : "", s->failed);
		e.kill_reason = why;
	}
	if (s->mask & SINK_LTTNG)
		lttng_ust_tracepoint(ringmon, run_end, s->db.run_id, &e);
	if (s->mask & SINK_SQLITE)
		return db_failed(s, db_run_end(&s->db, &e));
	return 0;
}
