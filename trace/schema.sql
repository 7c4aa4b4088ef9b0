-- ringmon database schema, version 8.  Compiled into ringmon and applied to
-- every database it opens for writing, once the file's own schema_version
-- (if any) has been found to be this one; every statement is idempotent.
-- Each column is documented in docs/database.md.  Names and values are a
-- public interface: change them only together with schema_version (vmm/db.h).

CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '8');

-- One row per `ringmon run`: inserted at start (finished = 0), completed at
-- the end.  Counters come from the ring header, i.e. the monitor's own count.
CREATE TABLE IF NOT EXISTS runs (
	id            INTEGER PRIMARY KEY,
	guest         TEXT NOT NULL,
	guest_sha256  TEXT,
	kernel        TEXT NOT NULL,
	variant       TEXT,
	cmdline       TEXT,
	protect       TEXT NOT NULL,
	mode          TEXT NOT NULL,
	emulate       TEXT NOT NULL,
	placement     TEXT NOT NULL,
	fastpath      TEXT,
	accel         TEXT NOT NULL,
	cpu           TEXT,
	accel_why     TEXT,
	deterministic INTEGER NOT NULL,
	ring          INTEGER NOT NULL,
	sym_file      TEXT,
	sym_format    TEXT,
	sym_check     TEXT,
	host          TEXT,
	start_time    TEXT NOT NULL,
	end_time      TEXT,
	finished      INTEGER NOT NULL DEFAULT 0,
	exit_status   INTEGER,
	monitor_state TEXT,
	kill_reason   TEXT,
	records       INTEGER,
	stalls        INTEGER,
	dropped       INTEGER,
	n_protected   INTEGER,
	n_privileged  INTEGER,
	n_sbe         INTEGER,
	n_shadow_pf   INTEGER,
	n_guest_pf    INTEGER,
	n_exception   INTEGER,
	n_irq         INTEGER,
	n_scan        INTEGER,
	n_smc         INTEGER
);

-- The names of traps.kind (trace/trace.h, TRACE_KINDS), filled in by
-- ringmon (vmm/db.c) from the header it was built with.
CREATE TABLE IF NOT EXISTS kinds (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);

-- What a run's trap records share: the trapping instruction and where it
-- is.  Numbered per run by the writer (0, 1, ...), so that trap_rows refers
-- to one by a small integer and `ringmon merge` copies it as it is.
CREATE TABLE IF NOT EXISTS sites (
	run_id    INTEGER NOT NULL REFERENCES runs (id),
	site      INTEGER NOT NULL,
	vector    INTEGER NOT NULL,
	err       INTEGER NOT NULL,
	eip       INTEGER NOT NULL,
	cs        INTEGER NOT NULL,
	cpl       INTEGER NOT NULL,
	size      INTEGER NOT NULL,
	access    TEXT,
	region    TEXT,
	emul      TEXT,
	insn      TEXT,
	code_sym  TEXT,
	code_off  INTEGER,
	code_pad  INTEGER NOT NULL,
	code_file TEXT,
	code_line INTEGER,
	PRIMARY KEY (run_id, site)
) WITHOUT ROWID;

-- One row per trap record, in the monitor's order: only what differs from
-- record to record.  The key is run_id * 2^40 + seq, a rowid: rows are
-- appended in key order at the end of the table's B-tree, and a run's rows
-- are one range of it.  The traps view below joins the rest back.
CREATE TABLE IF NOT EXISTS trap_rows (
	id     INTEGER PRIMARY KEY,   -- run_id * 2^40 + seq
	kind   INTEGER NOT NULL REFERENCES kinds (id),
	site   INTEGER NOT NULL,      -- sites.site of the run
	addr   INTEGER NOT NULL,
	gpa    INTEGER NOT NULL,
	data   INTEGER,               -- symbols.id; -1 padding, -2 none below, NULL no access
	detail INTEGER NOT NULL,
	tsc_in INTEGER NOT NULL,
	cycles INTEGER NOT NULL       -- tsc_out - tsc_in
);

-- trap_rows summed per (kind, site, addr, gpa, data), in the same
-- transaction as the rows, so that the summary views need not read every
-- row.  Numbered per run by the writer.
CREATE TABLE IF NOT EXISTS trap_sums (
	run_id     INTEGER NOT NULL REFERENCES runs (id),
	id         INTEGER NOT NULL,
	kind       INTEGER NOT NULL,
	site       INTEGER NOT NULL,
	addr       INTEGER NOT NULL,
	gpa        INTEGER NOT NULL,
	data       INTEGER,
	n          INTEGER NOT NULL,
	cycles     INTEGER NOT NULL,
	min_cycles INTEGER NOT NULL,
	max_cycles INTEGER NOT NULL,
	first_tsc  INTEGER NOT NULL,   -- least tsc_in
	last_tsc   INTEGER NOT NULL,   -- greatest tsc_out
	PRIMARY KEY (run_id, id)
) WITHOUT ROWID;

-- The guest's symbol table, once per run, as the symbolizer used it; then
-- the per-CPU variables' copies it named, as it found them (cpu not NULL).
CREATE TABLE IF NOT EXISTS symbols (
	run_id  INTEGER NOT NULL REFERENCES runs (id),
	id      INTEGER NOT NULL,   -- 0, 1, ... in address order, then the copies; trap_rows.data
	name    TEXT NOT NULL,
	addr    INTEGER NOT NULL,
	size    INTEGER NOT NULL,
	type    TEXT NOT NULL,
	section TEXT,
	paddr   INTEGER,            -- guest-physical address; NULL if the layout has none
	cpu     INTEGER             -- a per-CPU copy's CPU; NULL for the image's own symbol
);
CREATE INDEX IF NOT EXISTS symbols_run_addr ON symbols (run_id, addr);
CREATE UNIQUE INDEX IF NOT EXISTS symbols_run_id ON symbols (run_id, id);

-- The names researchers query by: every record as one row, as in version 4.
CREATE VIEW IF NOT EXISTS traps AS
	SELECT r.id AS run_id, t.id - (r.id << 40) AS seq, k.name AS kind, s.vector, s.err,
	       s.eip, s.cs, s.cpl, t.addr, t.gpa, s.size, s.access, s.region, s.emul, s.insn,
	       t.detail, y.name AS data_sym,
	       -- an access through an alias is named from its gpa (vmm/symbols.c):
	       -- the offset into the symbol's frame
	       CASE WHEN t.gpa <> 0 AND t.gpa <> t.addr AND y.paddr IS NOT NULL
	            THEN t.gpa - y.paddr
	            ELSE t.addr - y.addr END AS data_off,
	       CASE WHEN t.data IS NOT NULL THEN t.data = -1 END AS data_pad,
	       s.code_sym, s.code_off, s.code_pad, s.code_file, s.code_line,
	       t.tsc_in, t.tsc_in + t.cycles AS tsc_out, y.cpu AS data_cpu
	FROM runs r JOIN trap_rows t ON t.id >= r.id << 40 AND t.id < (r.id + 1) << 40
	JOIN kinds k ON k.id = t.kind
	JOIN sites s ON s.run_id = r.id AND s.site = t.site
	LEFT JOIN symbols y ON y.run_id = r.id AND y.id = t.data;

-- trap_sums with the names joined back, for the summary views.
CREATE VIEW IF NOT EXISTS trap_groups AS
	SELECT u.run_id, k.name AS kind, s.region, s.access, s.code_sym, s.code_file,
	       s.code_line, u.addr, u.gpa,
	       y.name AS data_sym, CASE WHEN u.data IS NOT NULL THEN u.data = -1 END AS data_pad,
	       u.n, u.cycles, u.min_cycles, u.max_cycles
	FROM trap_sums u JOIN kinds k ON k.id = u.kind
	JOIN sites s ON s.run_id = u.run_id AND s.site = u.site
	LEFT JOIN symbols y ON y.run_id = u.run_id AND y.id = u.data;

CREATE VIEW IF NOT EXISTS traps_by_kind AS
	SELECT run_id, kind, sum(n) AS n
	FROM trap_groups GROUP BY run_id, kind;

CREATE VIEW IF NOT EXISTS protected_by_region AS
	SELECT run_id, region, sum(n) AS n
	FROM trap_groups WHERE kind = 'protected' GROUP BY run_id, region;

CREATE VIEW IF NOT EXISTS protected_by_symbol AS
	SELECT run_id, region, data_sym, data_pad, sum(n) AS n,
	       sum(CASE access WHEN 'r' THEN n ELSE 0 END) AS reads,
	       sum(CASE access WHEN 'w' THEN n ELSE 0 END) AS writes
	FROM trap_groups WHERE kind = 'protected'
	GROUP BY run_id, region, data_sym, data_pad;

-- Unrelated data sharing a protected page: the seed thread's question.
CREATE VIEW IF NOT EXISTS protected_data_hits AS
	SELECT run_id, data_sym, data_pad, access, sum(n) AS n,
	       group_concat(DISTINCT code_sym) AS code_syms
	FROM trap_groups WHERE kind = 'protected' AND region = 'data'
	GROUP BY run_id, data_sym, data_pad, access;

-- Protected traps per 4 KiB page, linear and guest-physical (aliases of one
-- frame are separate rows).
CREATE VIEW IF NOT EXISTS page_hits AS
	SELECT run_id, addr - addr % 4096 AS page, gpa - gpa % 4096 AS gpa_page,
	       sum(n) AS n, sum(CASE access WHEN 'r' THEN n ELSE 0 END) AS reads,
	       sum(CASE access WHEN 'w' THEN n ELSE 0 END) AS writes,
	       sum(CASE region WHEN 'data' THEN n ELSE 0 END) AS data_hits,
	       group_concat(DISTINCT region) AS regions
	FROM trap_groups WHERE kind = 'protected'
	GROUP BY run_id, page, gpa_page;

-- Time in the monitor per trap kind: TSC cycles (guest instructions under
-- --deterministic) from monitor entry to return.
CREATE VIEW IF NOT EXISTS trap_cost AS
	SELECT run_id, kind, sum(n) AS n,
	       sum(cycles) AS total_cycles,
	       CAST(sum(cycles) AS REAL) / sum(n) AS mean_cycles,
	       min(min_cycles) AS min_cycles,
	       max(max_cycles) AS max_cycles
	FROM trap_groups GROUP BY run_id, kind;
