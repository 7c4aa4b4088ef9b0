/* sink_text.c — the text sink (--sink text): one line of key=value words per
 * trap record, for grep and awk; the format is in docs/tracing.md. */
#include <errno.h>
#include <stdio.h>

#include "ring.h"
#include "sinks.h"

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

/* "name+0x10", "(padding)" or "-". */
static const char *sym_text(char *buf, size_t len, const struct sym_ref *s)
{
	if (s->name)
		snprintf(buf, len, "%s+0x%x", s->name, s->off);
	else
		snprintf(buf, len, "%s", s->pad ? "(padding)" : "-");
	return buf;
}

int text_trap(FILE *f, const struct trap_event *e)
{
	const struct trap_record *r = e->r;
	char data[160], code[160], src[200] = "-", insn[2 * sizeof(r->insn) + 1] = "-";

	for (unsigned i = 0; i < r->insn_len; i++)
		snprintf(insn + 2 * i, 3, "%02x", r->insn[i]);
	if (e->code_file)
		snprintf(src, sizeof(src), "%s:%u", e->code_file, e->code_line);
	if (fprintf(f, "seq=%llu kind=%s vector=%u err=0x%x eip=0x%x cs=0x%x cpl=%u code=%s src=%s"
		    " addr=0x%x data=%s gpa=0x%llx size=%u access=%s region=%s emul=%s insn=%s"
		    " detail=%u tsc_in=%llu tsc_out=%llu\n",
		    (unsigned long long)r->seq, ring_kind_name(r->kind), r->vector, r->err,
		    r->eip, r->cs, r->cpl, sym_text(code, sizeof(code), &e->code), src,
		    r->addr, sym_text(data, sizeof(data), &e->data), (unsigned long long)r->gpa,
		    r->size, or_dash(ring_access_name(r->access)),
		    or_dash(ring_region_name(r->region)), or_dash(ring_emul_name(r->emul)), insn,
		    r->detail, (unsigned long long)r->tsc_in, (unsigned long long)r->tsc_out) < 0)
		return errno ? -errno : -EIO;
	return 0;
}
