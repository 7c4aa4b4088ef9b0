/* test_walk.c — module/walk.c, the guest's MMU in software, on the host:
 * 2-level tables with 4 KiB and 4 MiB pages, PAE with 2 MiB pages and NX,
 * the error codes of refused accesses (U/S, R/W with and without CR0.WP,
 * not present, fetch), accessed and dirty bits, and that every translation
 * is range-checked.  Guest memory is a buffer here (the fake gmem below). */
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "gmem.h"
#include "vcpu.h"
#include "walk.h"
#include "x86.h"

#define RAM_SIZE (16u << 20)
#define P  0x001u
#define RW 0x002u
#define US 0x004u
#define A  0x020u
#define D  0x040u
#define PS 0x080u
#define NX (1ull << 63)

struct vcpu vcpu;
static uint8_t ram[RAM_SIZE];
static jmp_buf killed;
static uint32_t checked;   /* the last frame gmem_check was asked about */

/* The fake guest memory: the buffer is guest-physical 0..RAM_SIZE, and an
 * access outside it stops the guest as the real gmem_check does. */
void gmem_check(uint32_t gpa, uint32_t n)
{
	checked = gpa;
	if (gpa + n < gpa || gpa + n > RAM_SIZE)
		longjmp(killed, 1);
}

void gmem_read(uint32_t gpa, void *dst, unsigned n)
{
	gmem_check(gpa, n);
	memcpy(dst, ram + gpa, n);
}

void gmem_write(uint32_t gpa, const void *src, unsigned n)
{
	gmem_check(gpa, n);
	memcpy(ram + gpa, src, n);
}

static void put32(uint32_t gpa, uint32_t v) { memcpy(ram + gpa, &v, 4); }
static void put64(uint32_t gpa, uint64_t v) { memcpy(ram + gpa, &v, 8); }
static uint32_t get32(uint32_t gpa) { uint32_t v; memcpy(&v, ram + gpa, 4); return v; }
static uint64_t get64(uint32_t gpa) { uint64_t v; memcpy(&v, ram + gpa, 8); return v; }

/* walk_guest, or -2 when it stopped the guest. */
static int walk(uint32_t lin, unsigned access, struct walk *w)
{
	memset(w, 0, sizeof(*w));
	if (setjmp(killed))
		return -2;
	return walk_guest(lin, access, w);
}

static void paging_off(void)
{
	struct walk w;
	vcpu.cr0 = X86_CR0_PE;
	CHECK(walk(0x1234, WALK_WRITE | WALK_USER, &w) == 0 && w.gpa == 0x1234 && w.writable &&
	      w.user && w.dirty && !w.nx, "paging off: identity, gpa %08x", w.gpa);
	CHECK(walk(RAM_SIZE + 0x1000, 0, &w) == -2, "paging off: beyond RAM stops the guest");
}

/* 2-level: PD at 0x10000, its first table at 0x11000:
 *   0x1000 -> 0x200000 user, writable   0x2000 -> 0x201000 user, read-only
 *   0x3000 -> 0x202000 supervisor       0x4000 not present
 *   0x400000 a 4 MiB page at 0x400000   0x800000 -> a frame beyond RAM */
static void tables_2level(void)
{
	memset(ram, 0, 0x20000);
	put32(0x10000, 0x11000 | P | RW | US);
	put32(0x11000 + 1 * 4, 0x200000 | P | RW | US);
	put32(0x11000 + 2 * 4, 0x201000 | P | US);
	put32(0x11000 + 3 * 4, 0x202000 | P | RW);
	put32(0x10000 + 1 * 4, 0x400000 | P | RW | US | PS);
	put32(0x10000 + 2 * 4, 0x12000 | P | RW | US);
	put32(0x12000, 0x7f000000 | P | RW | US);
	vcpu.cr3 = 0x10000;
	vcpu.cr4 = 0;
	vcpu.efer = 0;
	vcpu.cr0 = X86_CR0_PE | X86_CR0_PG;
}

static void two_level(void)
{
	struct walk w;
	tables_2level();
	CHECK(walk(0x1234, WALK_PEEK, &w) == 0 && w.gpa == 0x200234, "peek: gpa %08x", w.gpa);
	CHECK(!(get32(0x10000) & A) && !(get32(0x11004) & A), "peek sets no accessed bit");
	CHECK(walk(0x1234, WALK_USER, &w) == 0 && w.gpa == 0x200234 && w.user && w.writable && !w.dirty,
	      "user read: gpa %08x user %u writable %u dirty %u", w.gpa, w.user, w.writable, w.dirty);
	CHECK((get32(0x10000) & A) && (get32(0x11004) & (A | D)) == A, "a read sets A in both, not D");
	CHECK(walk(0x1234, WALK_WRITE | WALK_USER, &w) == 0 && w.dirty && (get32(0x11004) & D),
	      "a write sets D in the leaf");
	CHECK(!(get32(0x10000) & D), "D stays off the directory entry");

	CHECK(walk(0x4000, 0, &w) == -1 && w.err == 0, "not present, kernel read: err %x", w.err);
	CHECK(walk(0x4000, WALK_WRITE | WALK_USER, &w) == -1 && w.err == (PF_WRITE | PF_USER),
	      "not present, user write: err %x", w.err);
	CHECK(walk(0x3000, WALK_USER, &w) == -1 && w.err == (PF_PRESENT | PF_USER),
	      "supervisor page, user read: err %x", w.err);
	CHECK(walk(0x3000, WALK_WRITE, &w) == 0 && w.gpa == 0x202000 && !w.user,
	      "supervisor page, kernel write");
	CHECK(walk(0x2000, WALK_WRITE | WALK_USER, &w) == -1 &&
	      w.err == (PF_PRESENT | PF_WRITE | PF_USER), "read-only, user write: err %x", w.err);
	CHECK(walk(0x2000, WALK_WRITE, &w) == 0 && w.writable, "read-only, kernel write without WP");
	vcpu.cr0 |= X86_CR0_WP;
	CHECK(walk(0x2000, WALK_WRITE, &w) == -1 && w.err == (PF_PRESENT | PF_WRITE),
	      "read-only, kernel write with WP: err %x", w.err);
	CHECK(walk(0x2000, WALK_FETCH, &w) == 0 && !w.nx, "no NX without PAE");

	/* Without CR4.PSE the PS bit is ignored: the entry names a table (at
	 * 0x400000, all zero: nothing present). */
	CHECK(walk(0x400123, 0, &w) == -1 && w.err == 0, "PS without CR4.PSE");
	vcpu.cr4 = X86_CR4_PSE;
	CHECK(walk(0x523456, 0, &w) == 0 && w.gpa == 0x523456, "4 MiB page: gpa %08x", w.gpa);
	CHECK(walk(0x800000, 0, &w) == -2 && checked == 0x7f000000,
	      "a frame beyond RAM stops the guest (checked %08x)", checked);
}

/* PAE: PDPT at 0x20000, its first directory at 0x21000, table at 0x22000:
 *   0x1000 -> 0x300000 user, writable, NX
 *   0x200000 a 2 MiB page at 0x600000, user, read-only
 *   0x40000000 (PDPTE 1) not present */
static void pae(void)
{
	struct walk w;
	memset(ram + 0x20000, 0, 0x3000);
	put64(0x20000, 0x21000 | P);
	put64(0x21000, 0x22000 | P | RW | US);
	put64(0x21000 + 8, 0x600000 | P | US | PS);
	put64(0x22000 + 8, NX | 0x300000 | P | RW | US);
	vcpu.cr3 = 0x20000;
	vcpu.cr4 = X86_CR4_PAE;
	vcpu.efer = 0;
	vcpu.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP;

	CHECK(walk(0x1010, WALK_WRITE, &w) == 0 && w.gpa == 0x300010 && !w.nx,
	      "PAE 4 KiB: gpa %08x nx %u", w.gpa, w.nx);
	CHECK((get64(0x22008) & (A | D)) == (A | D) && (get64(0x21000) & A) && !(get64(0x20000) & A),
	      "PAE: A and D in the PDE and PTE, none in the PDPTE");
	CHECK(walk(0x1010, WALK_FETCH, &w) == 0, "NX ignored without EFER.NXE");
	vcpu.efer = EFER_NXE;
	CHECK(walk(0x1010, WALK_FETCH, &w) == -1 && w.err == (PF_PRESENT | PF_FETCH),
	      "NX fetch: err %x", w.err);
	CHECK(walk(0x5000, WALK_FETCH | WALK_USER, &w) == -1 && w.err == (PF_USER | PF_FETCH),
	      "not present fetch with NXE: err %x", w.err);
	CHECK(walk(0x2abcde, WALK_USER, &w) == 0 && w.gpa == 0x6abcde && !w.writable,
	      "2 MiB page: gpa %08x", w.gpa);
	CHECK(walk(0x2abcde, WALK_WRITE | WALK_USER, &w) == -1 &&
	      w.err == (PF_PRESENT | PF_WRITE | PF_USER), "2 MiB read-only, user write: err %x", w.err);
	CHECK(walk(0x40000000, 0, &w) == -1 && w.err == 0, "PDPTE not present: err %x", w.err);
}

int main(void)
{
	paging_off();
	two_level();
	pae();
	return check_done("test_walk", 0);
}
