/* shadow.h — the address spaces the guest really runs in. */
#ifndef SHADOW_H
#define SHADOW_H

#include <stdint.h>
#include "layout.h"

/* Two shadows: guest kernel mode sees every page its tables map; guest
 * user mode only the pages they map for user code (ring compression). */
enum shadow_space { SHADOW_KERNEL, SHADOW_USER };

/* Forget every mapping (guest CR3 write, protection changes). */
void shadow_flush(void);
/* Forget the mappings of one linear page (invlpg). */
void shadow_invlpg(uint32_t lin);
/* Forget every mapping of one guest frame, whatever its linear address. */
void shadow_unmap_frame(uint32_t gpa);
/* Does [lin, lin+n) touch the monitor's hole at the top of every address
 * space, which the guest may not use? */
static inline int shadow_in_hole(uint32_t lin, uint32_t n)
{
	return lin - SWITCHER_BASE < SWITCHER_HOLE || lin + n - 1 - SWITCHER_BASE < SWITCHER_HOLE;
}
/* Map lin to the guest frame in the shadow of the current guest mode. */
void shadow_map(uint32_t lin, uint32_t gpa, int writable, int nx);
/* Keep pages pages from lin (page-aligned; 0: no more) mapped to a monitor
 * frame and the one after it per mode, for the CPU. */
void shadow_pin(uint32_t lin, uint32_t pages, uint32_t kernel_frame, uint32_t user_frame);
int shadow_pinned(uint32_t lin);
/* The CR3 of the shadow for the guest's current mode. */
uint32_t shadow_cr3(void);

#endif
