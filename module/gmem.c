/* gmem.c — guest memory (gmem.h): guest-physical accesses with their range
 * check, and linear accesses through the guest's page tables. */
#include "gmem.h"
#include "guest.h"
#include "kill.h"
#include "layout.h"
#include "lib.h"
#include "mmio.h"
#include "protect.h"
#include "segments.h"
#include "vcpu.h"
#include "walk.h"

/* --- guest-physical ------------------------------------------------------ */

void gmem_check(uint32_t gpa, uint32_t n)
{
	if (!guest_range_ok(gpa, n) && !(mmio_frame(gpa) && mmio_frame(gpa + n - 1)))
		vcpu_kill("guest reaches physical %08x+%x outside its RAM", gpa, n);
}

void gmem_read(uint32_t gpa, void *dst, unsigned n)
{
	if (mmio_frame(gpa)) {
		mmio_read(gpa, dst, n);
		return;
	}
	gmem_check(gpa, n);
	memcpy(dst, (const void *)gpa, n);
}

void gmem_write(uint32_t gpa, const void *src, unsigned n)
{
	if (mmio_frame(gpa)) {
		mmio_write(gpa, src, n);
		return;
	}
	gmem_check(gpa, n);
	memcpy((void *)gpa, src, n);
}

const uint8_t *gmem_peek(uint32_t gpa, unsigned n, unsigned *avail)
{
	*avail = guest_range_ok(gpa, n) ? n : gpa < GUEST_MEM_END ? GUEST_MEM_END - gpa : 0;
	return (const uint8_t *)gpa;
}

/* --- linear, through the guest's page tables ----------------------------- */

unsigned gmem_fetch(uint32_t lin, uint8_t *buf, unsigned n)
{
	unsigned got = 0;
	while (got < n) {
		struct walk w;
		unsigned access = WALK_FETCH | (vcpu.cpl == 3 ? WALK_USER : 0);
		if (walk_guest(lin + got, access, &w) || mmio_frame(w.gpa))
			break;   /* code never runs from device memory */
		unsigned chunk = PAGE_SIZE - (w.gpa & 0xfff);
		if (chunk > n - got)
			chunk = n - got;
		gmem_read(w.gpa, buf + got, chunk);
		got += chunk;
	}
	return got;
}

/* How an emu_mem instance accesses guest memory (its ctx). */
struct mem_mode {
	int system;   /* supervisor access whatever the CPL */
	int dry;      /* writes go nowhere */
};

/* Translate [lin, lin+n) (at most two pages) all or nothing. */
static int translate(const struct mem_mode *m, uint32_t lin, unsigned n, int write,
		     uint32_t gpa[2], unsigned len[2])
{
	if (n > PAGE_SIZE)
		vcpu_kill("monitor panic: a guest access of %u bytes", n);
	unsigned access = (write ? WALK_WRITE : 0) | (!m->system && vcpu.cpl == 3 ? WALK_USER : 0);
	len[0] = PAGE_SIZE - (lin & 0xfff);
	if (len[0] > n)
		len[0] = n;
	len[1] = n - len[0];
	for (unsigned i = 0; i < 2 && len[i]; i++) {
		struct walk w;
		uint32_t at = i ? (lin & PAGE_MASK) + PAGE_SIZE : lin;
		if (walk_guest(at, access, &w)) {
			exc_raise(14, w.err, at);
			return -1;
		}
		gpa[i] = w.gpa;
	}
	return 0;
}

static int mem_read(void *ctx, uint32_t lin, void *dst, unsigned n)
{
	uint32_t gpa[2];
	unsigned len[2];
	if (translate(ctx, lin, n, 0, gpa, len))
		return -1;
	for (unsigned i = 0; i < 2 && len[i]; i++)
		gmem_read(gpa[i], (uint8_t *)dst + (i ? len[0] : 0), len[i]);
	return 0;
}

static int mem_write(void *ctx, uint32_t lin, const void *src, unsigned n)
{
	const struct mem_mode *m = ctx;
	uint32_t gpa[2];
	unsigned len[2];
	if (translate(m, lin, n, 1, gpa, len))
		return -1;
	if (m->dry)
		return 0;
	/* The CPU's own bookkeeping writes (accessed and busy bits) never
	 * change what the GDT shadow holds; the guest's writes may. */
	for (unsigned i = 0; i < 2 && len[i]; i++) {
		gmem_write(gpa[i], (const uint8_t *)src + (i ? len[0] : 0), len[i]);
		if (!m->system)
			protect_written(gpa[i], len[i]);
	}
	return 0;
}

static struct mem_mode mode_guest = { 0, 0 }, mode_dry = { 0, 1 }, mode_sys = { 1, 0 };
const struct emu_mem vcpu_mem = { mem_read, mem_write, &mode_guest };
const struct emu_mem vcpu_mem_dry = { mem_read, mem_write, &mode_dry };
const struct emu_mem vcpu_mem_sys = { mem_read, mem_write, &mode_sys };

enum outcome vcpu_push(struct trap_frame *f, uint32_t v, unsigned size)
{
	enum outcome out = vmem_write(&vcpu_mem, seg_base(f->ss) + f->esp - size, &v, size);
	if (out == OUT_DONE)
		f->esp -= size;
	return out;
}

enum outcome vcpu_pop(struct trap_frame *f, uint32_t *v, unsigned size)
{
	*v = 0;
	enum outcome out = vmem_read(&vcpu_mem, seg_base(f->ss) + f->esp, v, size);
	if (out == OUT_DONE)
		f->esp += size;
	return out;
}
