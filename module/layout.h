/*
 * layout.h — the monitor's memory map and tunables in one place.
 *
 * Physical memory (identity-mapped; the guest runs with paging off for now,
 * so guest-linear == guest-physical == real-physical):
 *
 *   0x00000000 .. 0x00100000   guest low memory (BIOS data, VGA hole)
 *   GUEST_MBI_PHYS             the Multiboot info the monitor builds for the guest
 *   0x00100000 .. GUEST_MEM_END guest RAM: the guest image is loaded here
 *   RING_PHYS .. MONITOR_PHYS  trace ring, shared with the host (trace.h)
 *   MONITOR_PHYS ..            monitor image, tables, stack, Multiboot modules
 *   RAM_END                    end of QEMU RAM (-m 256)
 *
 * Guest pages are user pages in the shadow; everything from RING_PHYS up is
 * supervisor-only, so the guest at ring 3 can never touch it.
 *
 * The real GDT: entries [1, GDT_GUEST_ENTRIES) shadow the guest's own GDT at
 * the same index (so guest selectors work unchanged), the top entries belong
 * to the monitor.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#include "trace.h"

#define PAGE_SIZE        4096u
#define PAGE_MASK        (~(PAGE_SIZE - 1))
#define RAM_END          (RINGMON_RAM_MB << 20)
#define GUEST_MBI_PHYS   0x00008000u   /* one page: info, cmdline, mmap */

#define GDT_ENTRIES      8192u
#define GDT_GUEST_ENTRIES 8184u        /* guest may use selectors below this */
#define SEL_MON_CS       (8184u << 3)
#define SEL_MON_DS       (8185u << 3)
#define SEL_MON_TSS      (8186u << 3)
#define SEL_BOOT_CS      ((8187u << 3) | 3)  /* flat ring-3 segments the guest */
#define SEL_BOOT_DS      ((8188u << 3) | 3)  /* starts on, as Multiboot promises */

#define MONITOR_STACK_SIZE 0x10000u
#define DEFAULT_RING_RECORDS 65536u

#endif
