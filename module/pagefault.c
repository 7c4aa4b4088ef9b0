/* pagefault.c — a page fault from the guest is one of these, told apart by
 * walking the guest's own page tables (walk.c):
 *   the guest's tables deny the access  -> the guest's own #PF (guest_pf);
 *   the frame holds a protected table   -> emulate the access (protected,
 *                                          as paccess.c classifies it);
 *   code runs from an unscanned frame   -> scan and patch it (scan);
 *   a write reaches a scanned frame     -> unpatch, forget the scan (smc);
 *   the page is a device's (mmio.c)     -> decode and carry out the access
 *                                          (privileged, like port I/O);
 *   otherwise the shadow lacks the page -> fill it in (shadow_pf).
 * Scanned frames are mapped executable and read-only, all others
 * non-executable, so each of the last three really faults (once the guest
 * has turned paging on: see scan.h). */
#include "pagefault.h"
#include "decode.h"
#include "kill.h"
#include "mmio.h"
#include "paccess.h"
#include "protect.h"
#include "scan.h"
#include "shadow.h"
#include "vcpu.h"
#include "walk.h"
#include "x86.h"

enum outcome pagefault(struct trap_frame *f, struct trap_record *rec)
{
	uint32_t lin = read_cr2();
	unsigned access = ((f->err & PF_WRITE) ? WALK_WRITE : 0) |
			  ((f->err & PF_FETCH) ? WALK_FETCH : 0) |
			  (vcpu.cpl == 3 ? WALK_USER : 0);
	struct walk w;

	if (protect_step_fault(lin))
		return OUT_DONE;
	rec->addr = lin;
	if (walk_guest(lin, access, &w)) {
		rec->kind = KIND_GUEST_PF;
		return exc_raise(14, w.err, lin);
	}
	rec->gpa = w.gpa;
	if (mmio_frame(w.gpa)) {
		if (protect_stepping())
			vcpu_kill("instruction at %08x reaches a protected page and device memory",
				  f->eip);
		rec->kind = KIND_PRIVILEGED;
		return protect_carry_out(f, rec, lin, 1);
	}
	struct pacc_class c = pacc_classify(pacc_find(w.gpa), w.gpa & 0xfff, (access & WALK_WRITE) != 0,
					    shadow_pinned(lin));
	if (c.kind)
		return protect_fault(f, rec, lin, &w, c);
	enum frame_access fa = pacc_frame(w.gpa);
	rec->kind = KIND_SHADOW_PF;
	if (!scan_active(w.gpa)) {
		shadow_map(lin, w.gpa, w.writable && w.dirty && fa == FRAME_RW, w.nx);
		return OUT_DONE;
	}
	if ((access & WALK_FETCH) && !scan_done(w.gpa)) {
		rec->kind = KIND_SCAN;
		rec->detail = scan_frame(w.gpa);
		shadow_unmap_frame(w.gpa);   /* no writable alias may remain */
	} else if ((access & WALK_WRITE) && scan_done(w.gpa)) {
		/* The write is carried out for the guest: the writer may sit
		 * on the very page, which could not both run and be written.
		 * Only a write that may reach code undoes the scan. */
		if (scan_is_code(w.gpa, INSN_MAX_LEN)) {
			rec->kind = KIND_SMC;
			scan_forget(w.gpa);
			shadow_unmap_frame(w.gpa);   /* no executable alias may remain */
		}
		return protect_carry_out(f, rec, lin, 1);
	}
	/* Writable only once dirty, so the first write comes back here. */
	int code = scan_done(w.gpa);
	shadow_map(lin, w.gpa, w.writable && w.dirty && fa == FRAME_RW && !code, w.nx || !code);
	return OUT_DONE;
}
