/* measures.c — one run's measures out of the database, each by one query
 * that docs/analysis.md spells out, so that a test can ask SQLite the same
 * (the percentiles by selection in memory, defined there by rank). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measures.h"
#include "ring.h"

static void copy(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	snprintf(dst, len, "%s", rundb_text(s, col, ""));
}

static int load_row(struct rundb *r, struct run_measures *m)
{
#define MONITOR_COUNT(name, value, str) ", n_" str
	sqlite3_stmt *s;
	int step, i, ret = rundb_prepare(r, &s,
		"SELECT kernel, variant, guest, guest_sha256, protect, mode, emulate,"
		" placement, accel, host, start_time, end_time, monitor_state, kill_reason,"
		" sym_format, sym_file, deterministic, finished, exit_status, records,"
		" stalls, dropped, cpu, accel_why" TRACE_KINDS(MONITOR_COUNT)
		" FROM runs WHERE id = ?1", m->id);
#undef MONITOR_COUNT

	if (ret)
		return ret;
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		copy(m->kernel, sizeof(m->kernel), s, 0);
		copy(m->variant, sizeof(m->variant), s, 1);
		copy(m->guest, sizeof(m->guest), s, 2);
		copy(m->sha256, sizeof(m->sha256), s, 3);
		copy(m->protect, sizeof(m->protect), s, 4);
		copy(m->mode, sizeof(m->mode), s, 5);
		copy(m->emulate, sizeof(m->emulate), s, 6);
		copy(m->placement, sizeof(m->placement), s, 7);
		copy(m->accel, sizeof(m->accel), s, 8);
		copy(m->host, sizeof(m->host), s, 9);
		copy(m->start, sizeof(m->start), s, 10);
		copy(m->end, sizeof(m->end), s, 11);
		copy(m->state, sizeof(m->state), s, 12);
		copy(m->reason, sizeof(m->reason), s, 13);
		copy(m->sym_format, sizeof(m->sym_format), s, 14);
		copy(m->sym_file, sizeof(m->sym_file), s, 15);
		m->deterministic = sqlite3_column_int(s, 16);
		m->finished = sqlite3_column_int(s, 17);
		m->exit_status = sqlite3_column_type(s, 18) == SQLITE_NULL ? -1 :
				 sqlite3_column_int(s, 18);
		m->records = sqlite3_column_int64(s, 19);
		m->stalls = sqlite3_column_int64(s, 20);
		m->dropped = sqlite3_column_int64(s, 21);
		copy(m->cpu, sizeof(m->cpu), s, 22);
		copy(m->accel_why, sizeof(m->accel_why), s, 23);
		m->counted = sqlite3_column_type(s, 24) != SQLITE_NULL;
		i = 24;
#define READ_COUNT(name, value, str) m->mon_n[value] = sqlite3_column_int64(s, i++);
		TRACE_KINDS(READ_COUNT)
#undef READ_COUNT
	} else if (step == SQLITE_DONE) {
		snprintf(r->err, sizeof(r->err), "%s has no run %lld", r->path, (long long)m->id);
		ret = -ENOENT;
	}
	return rundb_finish(r, s, ret ? ret : rundb_check(r, step));
}

static int kind_index(const char *name)
{
	for (unsigned k = 1; k < KIND_MAX; k++)
		if (ring_kind_name(k) && !strcmp(name, ring_kind_name(k)))
			return (int)k;
	return -1;
}

static int region_index(const char *name)
{
	if (!name)
		return 0;
	for (unsigned g = 1; g < REGION_MAX; g++)
		if (ring_region_name(g) && !strcmp(name, ring_region_name(g)))
			return (int)g;
	return 0;
}

static int load_counts(struct rundb *r, struct run_measures *m)
{
	sqlite3_stmt *s;
	int step, ret = rundb_prepare(r, &s,
		"SELECT kind, n, total_cycles, min_cycles, max_cycles FROM trap_cost"
		" WHERE run_id = ?1", m->id);

	if (ret)
		return ret;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int k = kind_index(rundb_text(s, 0, ""));
		if (k < 0)
			continue;   /* a kind this ringmon does not know: not counted */
		m->kind_n[k] = sqlite3_column_int64(s, 1);
		m->cost[k].n = m->kind_n[k];
		m->cost[k].total = sqlite3_column_int64(s, 2);
		m->cost[k].min = sqlite3_column_int64(s, 3);
		m->cost[k].max = sqlite3_column_int64(s, 4);
		m->cost[k].mean = m->cost[k].n ? (double)m->cost[k].total / (double)m->cost[k].n : 0;
		m->traps += m->kind_n[k];
		m->in_monitor += m->cost[k].total;
	}
	ret = rundb_finish(r, s, rundb_check(r, step));
	if (ret)
		return ret;

	ret = rundb_prepare(r, &s, "SELECT region, n FROM protected_by_region WHERE run_id = ?1",
			    m->id);
	if (ret)
		return ret;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		m->region_n[region_index(rundb_text(s, 0, NULL))] += sqlite3_column_int64(s, 1);
	ret = rundb_finish(r, s, rundb_check(r, step));
	if (ret)
		return ret;
	/* Before the kernel proper or in it: the kernel proper runs where its
	 * symbols are (slid with them under KASLR), boot code (Linux's
	 * decompressor, Mach's code before paging) below the lowest of them.
	 * A run without symbols has no boot traps. */
	ret = rundb_prepare(r, &s,
		"SELECT coalesce(u.addr < (SELECT min(addr) FROM symbols WHERE run_id = ?1), 0),"
		" s.region = 'data', sum(u.n), sum(u.cycles)"
		" FROM trap_sums u JOIN kinds k ON k.id = u.kind AND k.name = 'protected'"
		" JOIN sites s ON s.run_id = u.run_id AND s.site = u.site"
		" WHERE u.run_id = ?1 GROUP BY 1, 2", m->id);
	if (ret)
		return ret;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if (sqlite3_column_int(s, 0)) {
			m->boot_n += sqlite3_column_int64(s, 2);
			m->boot_cycles += sqlite3_column_int64(s, 3);
		} else if (sqlite3_column_int(s, 1))
			m->proper_data_n = sqlite3_column_int64(s, 2);
	ret = rundb_finish(r, s, rundb_check(r, step));
	if (ret)
		return ret;
	/* the run's groups hold its least tsc_in and greatest tsc_out */
	ret = rundb_int(r, "SELECT min(first_tsc) FROM trap_sums WHERE run_id = ?1", m->id,
			&m->first_tsc);
	if (!ret)
		ret = rundb_int(r, "SELECT max(last_tsc) - min(first_tsc) FROM trap_sums"
				" WHERE run_id = ?1", m->id, &m->span);
	return ret;
}

static int cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The value of 1-based rank k among v[0 .. n) (Hoare's selection; v is
 * reordered).  Sorting 16 million costs would take seconds. */
static int64_t select_rank(int64_t *v, size_t n, size_t k)
{
	long long lo = 0, hi = (long long)n - 1, want = (long long)k - 1;

	while (hi - lo > 16) {
		int64_t pivot = v[lo + (hi - lo) / 2];
		long long i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				int64_t t = v[i];
				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if (want <= j)
			hi = j;
		else if (want >= i)
			lo = i;
		else
			return v[want];   /* between j and i: equal to the pivot */
	}
	qsort(v + lo, (size_t)(hi - lo + 1), sizeof(*v), cmp_int64);
	return v[want];
}

/* Median and 99th percentile per kind by nearest rank: every cost of the
 * run read once (from trap_rows, the traps view's table, which would only
 * add the joins), each kind's selected in memory. */
static int load_percentiles(struct rundb *r, struct run_measures *m)
{
	int64_t *cost[KIND_MAX] = { 0 };
	size_t got[KIND_MAX] = { 0 };
	sqlite3_stmt *s = NULL;
	int step = SQLITE_DONE, ret = 0;

	for (unsigned k = 1; k < KIND_MAX && !ret; k++)
		if (m->cost[k].n && !(cost[k] = malloc((size_t)m->cost[k].n * sizeof(**cost))))
			ret = -ENOMEM;
	if (!ret)
		ret = rundb_prepare(r, &s, "SELECT kind, cycles FROM " RUNDB_TRAP_ROWS,
				    m->id);
	while (!ret && (step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(s, 0);
		/* kinds this ringmon does not know are not counted (load_counts) */
		if (k > 0 && k < KIND_MAX && got[k] < (size_t)m->cost[k].n)
			cost[k][got[k]++] = sqlite3_column_int64(s, 1);
	}
	if (s)
		ret = rundb_finish(r, s, ret ? ret : rundb_check(r, step));
	for (unsigned k = 1; k < KIND_MAX && !ret; k++)
		if (got[k]) {
			m->cost[k].median = select_rank(cost[k], got[k], (got[k] + 1) / 2);
			m->cost[k].p99 = select_rank(cost[k], got[k], (99 * got[k] + 99) / 100);
		}
	for (unsigned k = 1; k < KIND_MAX; k++)
		free(cost[k]);
	if (ret == -ENOMEM)
		snprintf(r->err, sizeof(r->err), "percentiles: %s", strerror(ENOMEM));
	return ret;
}

int measures_load(struct rundb *r, int64_t run, struct run_measures *m)
{
	int ret;

	*m = (struct run_measures){ .id = run };
	ret = load_row(r, m);
	if (!ret)
		ret = load_counts(r, m);
	if (!ret)
		ret = load_percentiles(r, m);
	return ret;
}

void measures_outcome(const struct run_measures *m, char *buf, size_t len)
{
	if (!m->finished)
		snprintf(buf, len, "not finished (still running, or ringmon itself died)");
	else if (!strcmp(m->state, "exited"))
		snprintf(buf, len, "exited with status %d", m->exit_status);
	else
		snprintf(buf, len, "%s%s%s", m->state[0] ? m->state : "?",
			 m->reason[0] ? ": " : "", m->reason);
}

const char *measures_unit(const struct run_measures *m)
{
	return m->deterministic ? "instructions" : "cycles";
}

double percent(int64_t part, int64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}
