/* scan.h — scan-before-execute: guest code runs only from scanned frames,
 * with its sensitive instructions patched to trap. */
#ifndef SCAN_H
#define SCAN_H

#include <stdint.h>
#include "trace.h"
#include "trap.h"

/* Must code from the frame of gpa be scanned before it runs?  Guest
 * kernel code once the guest has turned paging on; before that boot code
 * runs as it is: a boot image may keep data on its code pages (Linux's
 * decompressor puts its compressed payload right after its entry code),
 * and a patch there would corrupt the data.  Guest user code only where
 * the image says where its code is: the user-mode results of sensitive
 * instructions are mostly right anyway (IF set, IOPL 0, its own RPL-3
 * selectors and DPL-3 descriptors), and an unknown user binary (busybox)
 * keeps read-only data on its code pages. */
int scan_active(uint32_t gpa);
/* The guest image's code lies in [start, end) (guest-physical). */
void scan_hint(uint32_t start, uint32_t end);
/* May [gpa, gpa+n) hold code?  (Anything may, without hints.) */
int scan_is_code(uint32_t gpa, unsigned n);
/* Has the frame been scanned (and so may run, and must not be written)? */
int scan_done(uint32_t gpa);
/* The guest enters the frame of gpa at gpa: scan it, patch it.  Returns the
 * number of instructions patched. */
unsigned scan_frame(uint32_t gpa);
/* The guest writes a scanned frame: take the patches out, forget the scan. */
void scan_forget(uint32_t gpa);
/* Is there a patch at gpa?  Gives the original first byte. */
int scan_patched(uint32_t gpa, uint8_t *orig);
/* Put the patches of push es/ds/fs/gs in place (on: a data segment
 * register sits in a cache slot) or take them out. */
void scan_push_sregs(int on);

#endif
