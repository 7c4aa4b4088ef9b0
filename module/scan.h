/* scan.h — scan-before-execute: guest code runs only from scanned frames,
 * with its sensitive instructions patched to trap. */
#ifndef SCAN_H
#define SCAN_H

#include <stdint.h>
#include "trace.h"
#include "trap.h"

/* Scanning starts when the guest turns paging on.  Before that boot code
 * runs as it is: a boot image may keep data on its code pages (Linux's
 * decompressor puts its compressed payload right after its entry code),
 * and a patch there would corrupt the data, not just the code. */
int scan_active(void);
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

#endif
