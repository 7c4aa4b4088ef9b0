/*
 * ringmon_tp.h — the LTTng-UST tracepoint provider `ringmon`: the host's
 * view of a run as LTTng events (docs/tracing.md lists every field).
 *
 *   ringmon:run_begin   the run's knobs, once, before the guest starts
 *   ringmon:trap        one trap record with the symbols of its addresses
 *   ringmon:run_end     how the run ended and the monitor's counters
 *
 * The probes are in the shared object ringmon_tp.so (ringmon_tp.c), which
 * ringmon loads for --sink lttng only (vmm/lttng_sink.c).  Each tracepoint is
 * a single predicted-not-taken branch on the event's enabled state until an
 * LTTng session enables it; the arguments are not even read before that.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER ringmon

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "ringmon_tp.h"

#if !defined(RINGMON_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define RINGMON_TP_H

#include <lttng/tracepoint.h>

#include "event.h"

/* The ABI's enums (trace.h) as CTF enumerations, "none" for value 0. */
#define RINGMON_TP_ENUM(name, value, str) \
	lttng_ust_field_enum_value(str ? str : "none", value)
LTTNG_UST_TRACEPOINT_ENUM(ringmon, kind,
	LTTNG_UST_TP_ENUM_VALUES(TRACE_KINDS(RINGMON_TP_ENUM)))
LTTNG_UST_TRACEPOINT_ENUM(ringmon, region,
	LTTNG_UST_TP_ENUM_VALUES(TRACE_REGIONS(RINGMON_TP_ENUM)))
LTTNG_UST_TRACEPOINT_ENUM(ringmon, access,
	LTTNG_UST_TP_ENUM_VALUES(TRACE_ACCESSES(RINGMON_TP_ENUM)))
LTTNG_UST_TRACEPOINT_ENUM(ringmon, emul,
	LTTNG_UST_TP_ENUM_VALUES(TRACE_EMULS(RINGMON_TP_ENUM)))

LTTNG_UST_TRACEPOINT_EVENT(ringmon, run_begin,
	LTTNG_UST_TP_ARGS(int64_t, run_id, const struct run_info *, ri),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, run_id, run_id)
		lttng_ust_field_string(guest, ri->guest)
		lttng_ust_field_string(guest_sha256, ri->guest_sha256)
		lttng_ust_field_string(kernel, ri->kernel)
		lttng_ust_field_string(variant, ri->variant)
		lttng_ust_field_string(cmdline, ri->cmdline)
		lttng_ust_field_string(protect, ri->protect)
		lttng_ust_field_string(mode, ri->mode)
		lttng_ust_field_string(emulate, ri->emulate)
		lttng_ust_field_string(placement, ri->placement)
		lttng_ust_field_string(accel, ri->accel)
		lttng_ust_field_integer(uint8_t, deterministic, ri->deterministic)
		lttng_ust_field_integer(uint32_t, ring, ri->ring)
		lttng_ust_field_string(host, ri->host)
		lttng_ust_field_string(sym_file, ri->sym_file)
		lttng_ust_field_string(sym_format, ri->sym_format)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(ringmon, trap,
	LTTNG_UST_TP_ARGS(const struct trap_event *, e),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, run_id, e->run_id)
		lttng_ust_field_integer(uint64_t, seq, e->r->seq)
		lttng_ust_field_enum(ringmon, kind, uint8_t, kind, e->r->kind)
		lttng_ust_field_integer(uint8_t, vector, e->r->vector)
		lttng_ust_field_integer_hex(uint32_t, err, e->r->err)
		lttng_ust_field_integer_hex(uint32_t, eip, e->r->eip)
		lttng_ust_field_integer_hex(uint16_t, cs, e->r->cs)
		lttng_ust_field_integer(uint8_t, cpl, e->r->cpl)
		lttng_ust_field_integer_hex(uint32_t, addr, e->r->addr)
		lttng_ust_field_integer_hex(uint64_t, gpa, e->r->gpa)
		lttng_ust_field_integer(uint8_t, size, e->r->size)
		lttng_ust_field_enum(ringmon, access, uint8_t, access, e->r->access)
		lttng_ust_field_enum(ringmon, region, uint8_t, region, e->r->region)
		lttng_ust_field_enum(ringmon, emul, uint8_t, emul, e->r->emul)
		lttng_ust_field_sequence_hex(uint8_t, insn, e->r->insn, uint8_t, e->r->insn_len)
		lttng_ust_field_integer(uint32_t, detail, e->r->detail)
		lttng_ust_field_string(data_sym, e->data.name)
		lttng_ust_field_integer_hex(uint32_t, data_off, e->data.off)
		lttng_ust_field_integer(uint8_t, data_pad, e->data.pad)
		lttng_ust_field_string(code_sym, e->code.name)
		lttng_ust_field_integer_hex(uint32_t, code_off, e->code.off)
		lttng_ust_field_integer(uint8_t, code_pad, e->code.pad)
		lttng_ust_field_string(code_file, e->code_file)
		lttng_ust_field_integer(uint32_t, code_line, e->code_line)
		lttng_ust_field_integer(uint64_t, tsc_in, e->r->tsc_in)
		lttng_ust_field_integer(uint64_t, tsc_out, e->r->tsc_out)
	)
)

/* One field per kind: a new kind in trace.h must be added here too. */
#ifndef LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ
_Static_assert(KIND_MAX == 10, "a counter field for every trap kind");
#endif
LTTNG_UST_TRACEPOINT_EVENT(ringmon, run_end,
	LTTNG_UST_TP_ARGS(int64_t, run_id, const struct run_end *, re),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, run_id, run_id)
		lttng_ust_field_string(state, re->state)
		lttng_ust_field_integer(int32_t, exit_status, re->exit_status)
		lttng_ust_field_string(kill_reason, re->kill_reason)
		lttng_ust_field_integer(uint8_t, counters, re->counters)
		lttng_ust_field_integer(uint64_t, records, re->records)
		lttng_ust_field_integer(uint64_t, stalls, re->stalls)
		lttng_ust_field_integer(uint64_t, dropped, re->dropped)
		lttng_ust_field_integer(uint64_t, n_protected, re->counts[KIND_PROTECTED])
		lttng_ust_field_integer(uint64_t, n_privileged, re->counts[KIND_PRIVILEGED])
		lttng_ust_field_integer(uint64_t, n_sbe, re->counts[KIND_SBE])
		lttng_ust_field_integer(uint64_t, n_shadow_pf, re->counts[KIND_SHADOW_PF])
		lttng_ust_field_integer(uint64_t, n_guest_pf, re->counts[KIND_GUEST_PF])
		lttng_ust_field_integer(uint64_t, n_exception, re->counts[KIND_EXCEPTION])
		lttng_ust_field_integer(uint64_t, n_irq, re->counts[KIND_IRQ])
		lttng_ust_field_integer(uint64_t, n_scan, re->counts[KIND_SCAN])
		lttng_ust_field_integer(uint64_t, n_smc, re->counts[KIND_SMC])
	)
)

#endif /* RINGMON_TP_H */

#include <lttng/tracepoint-event.h>
