/* hot.h — how often the hot kernel (hot.c) touches the data that shares
 * its GDT and IDT pages.  The tests read the EXPECT_ lines (through cpp) to
 * know the exact number of protected traps each symbol must get, per access
 * type. */
#ifndef TBK_HOT_H
#define TBK_HOT_H

#include "access.h"

#define TBK_ITERS    200   /* scheduler ticks simulated */
#define TBK_LOCKS    50    /* lock round trips */
#define TBK_SYSCALLS 3     /* int $0x80 calls */

/* hot_ticks: a load and a store per tick, one load to print it. */
#define EXPECT_hot_ticks_r   (TBK_ITERS + 1)
#define EXPECT_hot_ticks_w   (TBK_ITERS)
/* hot_lock: incl and decl per round trip (read-modify-write counts as w),
 * one load to print it. */
#define EXPECT_hot_lock_r    1
#define EXPECT_hot_lock_w    (2 * TBK_LOCKS)
/* hot_jiffies (on the IDT page): a load per tick, a store every 4th tick,
 * one load to print it. */
#define EXPECT_hot_jiffies_r (TBK_ITERS + 1)
#define EXPECT_hot_jiffies_w (TBK_ITERS / 4)
/* gdt_table itself, after lgdt: the checksum reads 2 dwords of 4 entries
 * and the TSS busy check reads one more. */
#define EXPECT_gdt_table_r   9
#define EXPECT_gdt_table_w   0

#endif
