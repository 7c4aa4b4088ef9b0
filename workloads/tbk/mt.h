/* mt.h — the mt kernel's workload (mt.c) and how often it touches the data
 * that shares its GDT and IDT pages.  As with hot.h, the tests read the
 * EXPECT_ lines through cpp: EXPECT_<sym>_r/_w count accesses through the
 * symbol's own address, EXPECT_alias_<sym>_r/_w those through the second
 * mapping of hot_getids' page, the GDT page (address + MT_ALIAS_OFFSET).
 * The same numbers hold for mt-pae; for the link-order variants they are
 * what the symbols' pages see, protected or not. */
#ifndef TBK_MT_H
#define TBK_MT_H

#include "access.h"

#define MT_TASKS   3
#define MT_ROUNDS  4         /* per task: work, yield, check TLS and id */
#define MT_ITERS   1000000   /* checksum steps per round */
#define MT_HZ      1000      /* PIT channel 0 */
#define MT_WRITES  3         /* write-string calls per task */
#define MT_GETIDS  (MT_ROUNDS + 1)
#define MT_YIELDS  MT_ROUNDS
#define MT_TASK_SYSCALLS (MT_WRITES + MT_GETIDS + MT_YIELDS + 1)   /* + exit */
#define MT_SYSCALLS (MT_TASKS * MT_TASK_SYSCALLS)
#define MT_ALIAS_OFFSET 0xe0000000u

/* On the GDT page.  hot_sys_lock: taken (xchg, one write) and released
 * (a store) once per system call. */
#define EXPECT_hot_sys_lock_r  0
#define EXPECT_hot_sys_lock_w  (2 * MT_SYSCALLS)
/* hot_sys_calls: an increment per system call, one load to print it. */
#define EXPECT_hot_sys_calls_r 1
#define EXPECT_hot_sys_calls_w MT_SYSCALLS
/* hot_getids: incremented through the alias by every get-task-id call,
 * loaded once through its own address to print it. */
#define EXPECT_hot_getids_r    1
#define EXPECT_hot_getids_w    0
#define EXPECT_alias_hot_getids_r 0
#define EXPECT_alias_hot_getids_w (MT_TASKS * MT_GETIDS)

/* On the IDT page.  hot_io_lock: taken and released per write-string call;
 * hot_io_bytes and hot_io_writes: an add or increment per call, one load
 * each to print them. */
#define EXPECT_hot_io_lock_r   0
#define EXPECT_hot_io_lock_w   (2 * MT_TASKS * MT_WRITES)
#define EXPECT_hot_io_bytes_r  1
#define EXPECT_hot_io_bytes_w  (MT_TASKS * MT_WRITES)
#define EXPECT_hot_io_writes_r 1
#define EXPECT_hot_io_writes_w (MT_TASKS * MT_WRITES)

/* The tables themselves.  The IDT is complete before lidt and never
 * touched again.  The GDT's TLS entry is rewritten (two stores) on every
 * task switch, and how many there are depends on the timer: gdt_table has
 * no expectation, only a floor of two stores per yield and exit. */
#define EXPECT_idt_table_r     0
#define EXPECT_idt_table_w     0
#define FLOOR_gdt_table_w      (2 * MT_TASKS * (MT_YIELDS + 1))

#endif
