-- ringmon database schema, version 4.  Compiled into ringmon and applied to
-- every database it opens for writing, once the file's own schema_version
-- (if any) has been found to be this one; every statement is idempotent.
-- Each column is documented in docs/database.md.  Names and values are a
-- public interface: change them only together with schema_version (vmm/db.h).

CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '4');

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

-- One row per trap record, in the monitor's order (seq).
CREATE TABLE IF NOT EXISTS traps (
	run_id   INTEGER NOT NULL REFERENCES runs (id),
	seq      INTEGER NOT NULL,
	kind     TEXT NOT NULL,
	vector   INTEGER NOT NULL,
	err      INTEGER NOT NULL,
	eip      INTEGER NOT NULL,
	cs       INTEGER NOT NULL,
	cpl      INTEGER NOT NULL,
	addr     INTEGER NOT NULL,
	gpa      INTEGER NOT NULL,
	size     INTEGER NOT NULL,
	access   TEXT,
	region   TEXT,
	emul     TEXT,
	insn     TEXT,
	detail   INTEGER NOT NULL,
	data_sym  TEXT,
	data_off  INTEGER,
	data_pad  INTEGER,
	code_sym  TEXT,
	code_off  INTEGER,
	code_pad  INTEGER NOT NULL,
	code_file TEXT,
	code_line INTEGER,
	tsc_in    INTEGER NOT NULL,
	tsc_out   INTEGER NOT NULL,
	PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS traps_run_kind ON traps (run_id, kind);
CREATE INDEX IF NOT EXISTS traps_run_data_sym ON traps (run_id, data_sym);
CREATE INDEX IF NOT EXISTS traps_run_code_sym ON traps (run_id, code_sym);

-- The guest's symbol table, once per run, as the symbolizer used it.
CREATE TABLE IF NOT EXISTS symbols (
	run_id  INTEGER NOT NULL REFERENCES runs (id),
	name    TEXT NOT NULL,
	addr    INTEGER NOT NULL,
	size    INTEGER NOT NULL,
	type    TEXT NOT NULL,
	section TEXT
);
CREATE INDEX IF NOT EXISTS symbols_run_addr ON symbols (run_id, addr);

CREATE VIEW IF NOT EXISTS traps_by_kind AS
	SELECT run_id, kind, count(*) AS n
	FROM traps GROUP BY run_id, kind;

CREATE VIEW IF NOT EXISTS protected_by_region AS
	SELECT run_id, region, count(*) AS n
	FROM traps WHERE kind = 'protected' GROUP BY run_id, region;

CREATE VIEW IF NOT EXISTS protected_by_symbol AS
	SELECT run_id, region, data_sym, data_pad, count(*) AS n,
	       sum(access = 'r') AS reads, sum(access = 'w') AS writes
	FROM traps WHERE kind = 'protected'
	GROUP BY run_id, region, data_sym, data_pad;

-- Unrelated data sharing a protected page: the seed thread's question.
CREATE VIEW IF NOT EXISTS protected_data_hits AS
	SELECT run_id, data_sym, data_pad, access, count(*) AS n,
	       group_concat(DISTINCT code_sym) AS code_syms
	FROM traps WHERE kind = 'protected' AND region = 'data'
	GROUP BY run_id, data_sym, data_pad, access;

-- Protected traps per 4 KiB page, linear and guest-physical (aliases of one
-- frame are separate rows).
CREATE VIEW IF NOT EXISTS page_hits AS
	SELECT run_id, addr - addr % 4096 AS page, gpa - gpa % 4096 AS gpa_page,
	       count(*) AS n, sum(access = 'r') AS reads, sum(access = 'w') AS writes,
	       sum(region = 'data') AS data_hits,
	       group_concat(DISTINCT region) AS regions
	FROM traps WHERE kind = 'protected'
	GROUP BY run_id, page, gpa_page;

-- Time in the monitor per trap kind: TSC cycles (guest instructions under
-- --deterministic) from monitor entry to return.
CREATE VIEW IF NOT EXISTS trap_cost AS
	SELECT run_id, kind, count(*) AS n,
	       sum(tsc_out - tsc_in) AS total_cycles,
	       avg(tsc_out - tsc_in) AS mean_cycles,
	       min(tsc_out - tsc_in) AS min_cycles,
	       max(tsc_out - tsc_in) AS max_cycles
	FROM traps GROUP BY run_id, kind;
