/*
 * layout.h — the monitor's memory map and tunables in one place.
 *
 * Physical memory (identity-mapped; the guest runs with paging off for now,
 * so guest-linear == guest-physical == real-physical):
 *
 *   0x00000000 .. 0x00100000   guest low memory (BIOS data, VGA hole)
 *   0x00100000 .. GUEST_MEM_END guest RAM: the guest image is loaded here
 *   RING_PHYS .. MONITOR_PHYS  trace ring, shared with the host (trace.h)
 *   MONITOR_PHYS ..            monitor image, tables, stack, Multiboot modules
 *   RAM_END                    end of QEMU RAM (-m 256)
 *
 * Linear memory: the monitor runs in its own address space, an identity
 * map of all RAM (paging.c).  The guest runs in shadow address spaces
 * (shadow.c) that map guest RAM only, plus the switcher: the few pages the
 * CPU needs to enter the monitor (GDT, IDT, TSS, entry stubs, trap stack),
 * supervisor-only, at SWITCHER_BASE in every address space.  The guest may
 * not use the top 4 MiB of its linear space (Linux: reservetop=4M).
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

#define SWITCHER_BASE    0xFFC00000u
#define SWITCHER_HOLE    0x00400000u   /* linear space kept from the guest */

#define GDT_ENTRIES      512u          /* one page */
#define GDT_GUEST_ENTRIES 496u         /* guest may use selectors below this */
#define GDT_CACHE_SLOT   498u          /* 498-503: segments whose descriptor is gone */
#define SEL_MON_CS       (504u << 3)
#define SEL_MON_DS       (505u << 3)
#define SEL_MON_TSS      (506u << 3)
#define SEL_BOOT_CS      ((507u << 3) | 3)  /* flat ring-3 segments the guest */
#define SEL_BOOT_DS      ((508u << 3) | 3)  /* starts on, as Multiboot promises */
#define SEL_MON_LDT      (509u << 3)  /* the real LDT of the guest's mode */
#define LDT_ENTRIES      512u         /* guest LDTs up to one page */

#define MONITOR_STACK_SIZE 0x4000u     /* boot stack */
#define TRAP_STACK_SIZE  0x4000u       /* the switcher's: every trap runs on it */
#define SHADOW_POOL_PAGES 1024u        /* page tables for the shadows */

#endif
