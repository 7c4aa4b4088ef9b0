/*
 * trace.h — the one boundary between the monitor (module/, ring 0, i386) and
 * the host command (vmm/, x86-64).  Both sides compile this header; the
 * static asserts at the bottom keep the layout identical on both.
 *
 * The monitor writes fixed-size trap records into a ring that lives in guest
 * RAM at RING_PHYS.  QEMU keeps guest RAM in a shared file, so the host maps
 * the same bytes and consumes the ring while the guest runs.  The ring is
 * lossless: when it is full the monitor waits for the host (and counts the
 * stall); `dropped` exists only so readers can check that it is always 0.
 *
 * Synchronisation: the monitor is the only writer of everything but `tail`;
 * the host is the only writer of `tail`.  Both counters are 32-bit so that
 * each side updates them with one aligned store; they run freely and wrap,
 * slot = counter % capacity, fill = head - tail (unsigned).
 */
#ifndef RINGMON_TRACE_H
#define RINGMON_TRACE_H

/* Physical memory map shared by monitor and host (QEMU RAM, -m RAM_MB).
 *
 *   0x00000000 .. GUEST_MEM_END   guest RAM (the guest sees only this);
 *                                 ELF guests load at GUEST_LOAD_MIN and up
 *   RING_PHYS  .. MONITOR_PHYS    the trace ring (header page + records)
 *   MONITOR_PHYS .. RAM end       monitor image, its tables, stacks, modules
 *
 * Physical address P is at offset P of QEMU's memory-backend file.
 */
#define RINGMON_RAM_MB   256u
#define GUEST_LOAD_MIN   0x00100000u   /* below: BIOS data, VGA, ROMs */
#define GUEST_MEM_END    0x0E000000u
/* A native run's QEMU RAM: the PC the monitor shows its guest, whose
 * firmware keeps its tables at the top of this RAM (module/firmware.c). */
#define GUEST_RAM_MB     (GUEST_MEM_END >> 20)
#define RING_PHYS        0x0E000000u
#define RING_RECORDS_PHYS (RING_PHYS + 0x1000u)   /* first record slot */
#define RING_MAX_BYTES   (0x01000000u - 0x1000u)  /* records area */
#define MONITOR_PHYS     0x0F000000u

/* What a Linux guest's command line is: the user's (or the default), then
 * what the monitor needs: its switcher lives in the top 4 MiB of every
 * address space.  A native run (`run --native`) gets the same. */
#define LINUX_DEFAULT_CMDLINE "console=ttyS0"
#define LINUX_MONITOR_CMDLINE " reservetop=4M"

/* The longest --cmdline (bytes, without the NUL) a guest is given; the host
 * refuses a longer one before anything starts, and the monitor refuses,
 * never cuts, a line that does not fit.  A Multiboot guest's line is its
 * module's file name, a space and this, as from GRUB, in its info page
 * after the info and the memory map (module/guest.c: room for a name of up
 * to 510 bytes).  A Linux guest's, LINUX_MONITOR_CMDLINE included, is also
 * bounded by its kernel's cmdline_size (2047 for 6.1). */
#define GUEST_CMDLINE_MAX 3072u

#define RING_MAGIC   0x474e4952u   /* "RING" */
#define RING_VERSION 2u

/* Trap kinds: the values stored in traps.kind (public interface). */
#define TRACE_KINDS(X)                      \
	X(KIND_PROTECTED, 1, "protected")   \
	X(KIND_PRIVILEGED, 2, "privileged") \
	X(KIND_SBE, 3, "sbe")               \
	X(KIND_SHADOW_PF, 4, "shadow_pf")   \
	X(KIND_GUEST_PF, 5, "guest_pf")     \
	X(KIND_EXCEPTION, 6, "exception")   \
	X(KIND_IRQ, 7, "irq")               \
	X(KIND_SCAN, 8, "scan")             \
	X(KIND_SMC, 9, "smc")
#define KIND_MAX 10   /* counts[] is indexed by kind, 0 unused */

/* Regions of a protected-page access (traps.region); NONE otherwise. */
#define TRACE_REGIONS(X)           \
	X(REGION_NONE, 0, NULL)    \
	X(REGION_GDT, 1, "gdt")    \
	X(REGION_IDT, 2, "idt")    \
	X(REGION_LDT, 3, "ldt")    \
	X(REGION_TSS, 4, "tss")    \
	X(REGION_DATA, 5, "data")

/* Access type of the trapping memory access (traps.access). */
#define TRACE_ACCESSES(X)          \
	X(ACCESS_NONE, 0, NULL)    \
	X(ACCESS_READ, 1, "r")     \
	X(ACCESS_WRITE, 2, "w")    \
	X(ACCESS_EXEC, 3, "x")

/* How the monitor carried out the trapping instruction (traps.emul). */
#define TRACE_EMULS(X)                 \
	X(EMUL_NONE, 0, NULL)          \
	X(EMUL_DECODE, 1, "decode")    \
	X(EMUL_STEP, 2, "step")

#ifndef __ASSEMBLER__   /* the constants above are also for assembly */
#include <stdint.h>

#define TRACE_ENUM(name, value, str) name = value,
enum trace_kind { TRACE_KINDS(TRACE_ENUM) };
enum trace_region { TRACE_REGIONS(TRACE_ENUM) };
enum trace_access { TRACE_ACCESSES(TRACE_ENUM) };
enum trace_emul { TRACE_EMULS(TRACE_ENUM) };
#undef TRACE_ENUM

/* Life of a run, in ring_header.state. */
enum ring_state {
	RING_STATE_BOOT = 0,     /* file fresh from the host: all zero */
	RING_STATE_RUNNING = 1,  /* monitor initialised the ring */
	RING_STATE_EXITED = 2,   /* guest wrote exit_status to port 0xf4 */
	RING_STATE_KILLED = 3,   /* monitor stopped the guest: see reason */
	RING_STATE_HALTED = 4,   /* guest halted for good: hlt, virtual IF clear */
	RING_STATE_STOPPED = 5,  /* the host asked (ring_header.stop: --until) */
};

#define RING_REASON_LEN 96

/* One record per monitor entry.  Fixed size, fixed-width fields. */
struct trap_record {
	uint64_t seq;        /* 0, 1, 2 ... in the order the monitor wrote them */
	uint64_t tsc_in;     /* rdtsc at monitor entry */
	uint64_t tsc_out;    /* rdtsc just before returning to the guest */
	uint64_t gpa;        /* guest-physical address of the access, 0 if none */
	uint32_t eip;        /* guest EIP of the trapping instruction */
	uint32_t addr;       /* faulting linear address, 0 if none */
	uint32_t err;        /* hardware error code, 0 if none */
	uint16_t cs;         /* guest-visible CS */
	uint8_t kind;        /* enum trace_kind */
	uint8_t vector;      /* CPU exception vector that brought us in */
	uint8_t cpl;         /* virtual CPL of the guest */
	uint8_t size;        /* access size in bytes, 0 if none */
	uint8_t access;      /* enum trace_access */
	uint8_t region;      /* enum trace_region */
	uint8_t emul;        /* enum trace_emul */
	uint8_t insn_len;    /* bytes valid in insn[] */
	uint16_t pad0;
	uint8_t insn[16];    /* first bytes of the trapping instruction */
	uint32_t detail;     /* kind-specific: port, vector raised, ... */
	uint32_t pad1;
};

/* The ring header: one page at RING_PHYS; record slots follow. */
struct ring_header {
	uint32_t magic;          /* RING_MAGIC once the monitor is up */
	uint32_t version;        /* RING_VERSION */
	uint32_t record_size;    /* sizeof(struct trap_record) */
	uint32_t capacity;       /* record slots, a power of two */
	volatile uint32_t head;  /* records produced (monitor writes) */
	volatile uint32_t tail;  /* records consumed (host writes) */
	volatile uint32_t state; /* enum ring_state */
	uint32_t exit_status;    /* status byte the guest wrote to 0xf4 */
	uint64_t records;        /* records the monitor wrote, its own count */
	uint64_t dropped;        /* always 0: the ring never drops */
	uint64_t stalls;         /* times the monitor waited on a full ring */
	uint64_t counts[KIND_MAX]; /* records per kind, monitor's own count */
	char reason[RING_REASON_LEN]; /* first reason the guest was killed */
	volatile uint32_t stop;  /* host writes 1: end the run at the next record */
	uint32_t pad;
};

_Static_assert(sizeof(struct trap_record) == 80, "trap_record layout");
_Static_assert(__builtin_offsetof(struct trap_record, eip) == 32, "eip");
_Static_assert(__builtin_offsetof(struct trap_record, cs) == 44, "cs");
_Static_assert(__builtin_offsetof(struct trap_record, insn) == 56, "insn");
_Static_assert(__builtin_offsetof(struct trap_record, detail) == 72, "detail");
_Static_assert(__builtin_offsetof(struct ring_header, head) == 16, "head");
_Static_assert(__builtin_offsetof(struct ring_header, records) == 32, "records");
_Static_assert(__builtin_offsetof(struct ring_header, counts) == 56, "counts");
_Static_assert(sizeof(struct ring_header) == 240, "ring_header layout");
_Static_assert(sizeof(struct ring_header) <= RING_RECORDS_PHYS - RING_PHYS,
	       "header fits its page");

#endif /* __ASSEMBLER__ */
#endif
