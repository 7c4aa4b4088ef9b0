# ringmon — one entry point.  Lists first, rules after.
#   make            build everything into build/
#   make deps       install what is missing (apt-get)
#   make check      deps + build + every test (ends with "N passed, N failed")
#   make demo       deps + build + the default experiment + report
#   V=1 for verbose commands, WERROR=0 to let warnings pass.

B        := build
V        ?= 0
WERROR   ?= 1
Q        := $(if $(filter 1,$(V)),,@)

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wundef $(if $(filter 1,$(WERROR)),-Werror)
DEPFLAGS  = -MMD -MP

# --- the monitor: freestanding ring-0 i386 image ---------------------------
MODULE_CFLAGS := -std=c11 -m32 -march=i686 -O2 -g -ffreestanding -fno-pic \
                 -fno-pie -fno-stack-protector -fno-builtin -mgeneral-regs-only \
                 -fno-omit-frame-pointer -Imodule -Itrace $(WARN)
MODULE_LDFLAGS := -m elf_i386 -nostdlib --no-warn-rwx-segments -T module/monitor.ld
MODULE_SRCS   := $(wildcard module/*.c) $(wildcard module/*.S)
MODULE_OBJS   := $(patsubst %,$(B)/%.o,$(MODULE_SRCS))
MONITOR       := $(B)/module/monitor.elf
# Switcher code (module/monitor.ld places it at SWITCHER_BASE): it runs in
# the guest's address space too, so it may use only the switcher, which
# tools/switcher-check.sh checks on every link.
SWITCHER_OBJS := $(patsubst %,$(B)/module/%.c.o,decode emulate paccess fastpath)

# --- test kernels: Multiboot ELF guests (also bootable natively) -----------
# One .c per kernel; the shared sources are compiled once into an archive, so
# each kernel links only the members it uses.  mt-pae is mt.c and paging.c
# built again with -DTBK_PAE.
TBK_CFLAGS    := -std=c11 -m32 -march=i686 -O2 -g -ffreestanding -fno-pic \
                 -fno-pie -fno-stack-protector -fno-builtin -mgeneral-regs-only \
                 -Iworkloads/tbk $(WARN)
TBK_KERNELS   := hot mt mt-pae conform smc adversarial probe fault firmware apic msr mbinfo
TBK_LIB_SRCS  := $(addprefix workloads/tbk/,console.c cpu.c trap.c trap.S pic.c \
                 paging.c user.c user.S)
TBK_LIB       := $(B)/tbk/libtbk.a
TBK_ENTRY     := $(B)/workloads/tbk/entry.S.o
TBK_LD        := workloads/tbk/tbk.ld
TBK_ELFS      := $(patsubst %,$(B)/tbk/%.elf,$(TBK_KERNELS))
# Link-order variants of mt (docs/experiments.md): the very same objects,
# with mt.c built with -fdata-sections so that each of its variables is an
# input section a linker script can place, linked by different scripts that
# mt-ld.sh derives from tbk.ld (mt-shared's is tbk.ld unchanged).
MT_VARIANTS   := mt-shared mt-aligned mt-bss mt-shuf1 mt-shuf2 mt-shuf3
MT_VAR_ELFS   := $(patsubst %,$(B)/tbk/%.elf,$(MT_VARIANTS))
MT_VAR_OBJ    := $(B)/workloads/tbk/mt.c.sections.o
# the kernels' own objects come from pattern rules: keep them between builds
.SECONDARY: $(patsubst %,$(B)/workloads/tbk/%.c.o,$(filter-out mt-pae,$(TBK_KERNELS))) \
            $(B)/workloads/tbk/mt.c.pae.o $(B)/workloads/tbk/paging.c.pae.o \
            $(MT_VAR_OBJ) $(patsubst %,$(B)/tbk/%.ld,$(MT_VARIANTS))

# --- the host command ------------------------------------------------------
HOST_CFLAGS   := -std=c11 -O2 -g -D_GNU_SOURCE -pthread -Itrace -Ivmm \
                 -Ianalysis -Imodule $(WARN)
# No liblttng-ust here: its threads would start in every command.  The
# `ringmon` tracepoint provider is a shared object of its own, beside each
# program that can load it (--sink lttng; vmm/lttng_sink.c); -ldl opens it.
HOST_LIBS     := -lelf -ldw -lsqlite3 -lcrypto -ldl -lz -pthread
# Every compression a bzImage's payload can be in, for its kallsyms table
# (vmm/sym_kallsyms.c): zlib, liblzma (lzma and xz), libbz2, libzstd, liblz4, liblzo2.
PAYLOAD_LIBS  := -lz -llzma -lbz2 -lzstd -llz4 -llzo2
HOST_LIBS     += $(PAYLOAD_LIBS)
VMM_SRCS      := $(wildcard vmm/*.c) $(wildcard analysis/*.c)
# The database schema is compiled in: trace/schema.sql becomes the C string
# schema_sql in a generated source (a pattern rule, so it is not the default goal).
SCHEMA_C      := $(B)/trace/schema.sql.c
VMM_OBJS      := $(patsubst %,$(B)/host/%.o,$(VMM_SRCS) $(SCHEMA_C))
RINGMON       := $(B)/ringmon
.SECONDARY: $(SCHEMA_C)
$(B)/%.sql.c: %.sql
	@mkdir -p $(@D)
	$(if $(Q),@echo "  GEN     $@")
	$(Q){ echo 'const char $(notdir $*)_sql[] ='; \
	      sed -e 's/[\\"]/\\&/g' -e 's/.*/"&\\n"/' $<; echo ';'; } > $@

# The symbolizer's unit test links the host's symbol objects and reads a
# fixture ELF of known layout, built here (tests/fixtures/).  These are the
# first explicit rules in the file: the default goal stays `all`.
.DEFAULT_GOAL := all
SYMTAB_OBJS   := $(patsubst %,$(B)/host/vmm/%.c.o,symbols sym_elf sym_map sym_kallsyms sym_layout sym_slide sym_percpu image)
SYM_FIXTURE   := $(B)/fixtures/symbols.elf
UNIT_LIBS_test_symbols := $(SYMTAB_OBJS) -lelf -ldw -lcrypto $(PAYLOAD_LIBS)
$(B)/tests/test_symbols: $(SYMTAB_OBJS) $(SYM_FIXTURE)
$(SYM_FIXTURE): tests/fixtures/symbols.c tests/fixtures/symbols.h tests/fixtures/symbols.ld
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC [f]  $<")
	$(Q)$(CC) -m32 -g -O1 -fno-pic -fno-pie -ffreestanding -nostdlib -static \
		-Wl,-T,tests/fixtures/symbols.ld -Wl,--build-id=none -o $@ $<

# --- host-side unit tests: module code compiled for the host ---------------
# The decoder, the emulator, the guest's MMU (walk.c) and the segment
# shadows (segments.c) are plain C with no ring-0 instructions, so the same
# files are unit-tested on the host.  They go into an archive: each test
# links the members it calls and fakes what those need (guest memory, the
# virtual CPU, the real tables).
HOSTMOD_SRCS  := module/decode.c module/emulate.c module/walk.c module/segments.c
HOSTMOD_LIB   := $(B)/host/module.a
UNIT_SRCS     := $(wildcard tests/unit/*.c)
UNIT_BINS     := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
UNIT_LIBS_zydis_lengths := -lZydis -lelf

ALL := $(MONITOR) $(B)/module/monitor.asm $(B)/module/monitor.sym \
       $(TBK_ELFS) $(MT_VAR_ELFS) $(RINGMON) $(UNIT_BINS)

.PHONY: all deps check demo clean
all: $(ALL)

deps:
	$(Q)sh tools/deps.sh

# The Linux guests are part of every check: their first build takes about
# 10 minutes on two cores, later ones reuse it (workloads/linux/build.sh).
check: deps linux-deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory linux-guests
	$(Q)$(MAKE) --no-print-directory debian-guests
	$(Q)RINGMON_NEED_LINUX=1 LINUX_VARIANTS="$(LINUX_VARIANTS)" sh tests/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)MT_VARIANTS="$(MT_VARIANTS)" sh tools/demo.sh tbk

clean:
	rm -rf $(B)

# --- rules -----------------------------------------------------------------
$(B)/module/%.c.o: module/%.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC [m]  $<")
	$(Q)$(CC) $(MODULE_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/module/%.S.o: module/%.S
	@mkdir -p $(@D)
	$(if $(Q),@echo "  AS [m]  $<")
	$(Q)$(CC) $(MODULE_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(MONITOR): $(MODULE_OBJS) module/monitor.ld tools/switcher-check.sh
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(LD) $(MODULE_LDFLAGS) -o $@.tmp $(MODULE_OBJS)
	$(if $(Q),@echo "  CHECK   switcher code uses only the switcher")
	$(Q)sh tools/switcher-check.sh $@.tmp $(SWITCHER_OBJS) || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

$(B)/module/monitor.asm: $(MONITOR)
	$(Q)objdump -d -S $< > $@

$(B)/module/monitor.sym: $(MONITOR)
	$(Q)nm -n $< > $@

$(B)/workloads/tbk/%.c.o: workloads/tbk/%.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC [g]  $<")
	$(Q)$(CC) $(TBK_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/workloads/tbk/%.c.pae.o: workloads/tbk/%.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC [g]  $< (PAE)")
	$(Q)$(CC) $(TBK_CFLAGS) -DTBK_PAE $(DEPFLAGS) -c $< -o $@

$(MT_VAR_OBJ): workloads/tbk/mt.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC [g]  $< (data sections)")
	$(Q)$(CC) $(TBK_CFLAGS) -fdata-sections $(DEPFLAGS) -c $< -o $@

$(B)/workloads/tbk/%.S.o: workloads/tbk/%.S
	@mkdir -p $(@D)
	$(if $(Q),@echo "  AS [g]  $<")
	$(Q)$(CC) $(TBK_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(TBK_LIB): $(patsubst %,$(B)/%.o,$(TBK_LIB_SRCS))
	@mkdir -p $(@D)
	$(if $(Q),@echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# The library last: ld takes an archive member only for symbols that are
# undefined by then.  (tbk.ld puts the Multiboot header first.)  The linker
# script is the one among the prerequisites.
TBK_LINK = $(LD) -m elf_i386 -nostdlib --no-warn-rwx-segments -T $(filter %.ld,$^) -o $@ \
           $(TBK_ENTRY) $(filter %.o,$(filter-out $(TBK_ENTRY),$^)) $(TBK_LIB)

$(B)/tbk/mt-pae.elf: $(B)/workloads/tbk/mt.c.pae.o $(B)/workloads/tbk/paging.c.pae.o \
                     $(TBK_ENTRY) $(TBK_LIB) $(TBK_LD)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(TBK_LINK)

$(B)/tbk/%.elf: $(B)/workloads/tbk/%.c.o $(TBK_ENTRY) $(TBK_LIB) $(TBK_LD)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(TBK_LINK)

$(B)/tbk/mt-%.ld: workloads/tbk/mt-ld.sh $(TBK_LD)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  GEN     $@")
	$(Q)sh workloads/tbk/mt-ld.sh $* < $(TBK_LD) > $@.tmp && mv $@.tmp $@

$(MT_VAR_ELFS): $(B)/tbk/%.elf: $(MT_VAR_OBJ) $(TBK_ENTRY) $(TBK_LIB) $(B)/tbk/%.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(TBK_LINK)

$(B)/host/%.c.o: %.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(HOST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(RINGMON): $(VMM_OBJS)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) -o $@ $(VMM_OBJS) $(HOST_LIBS)

# The LTTng-UST provider as lttng-ust(3) builds one for dynamic loading:
# position-independent, linked with liblttng-ust (kept, --no-as-needed: the
# probes reach it only through their constructor).
LTTNG_TP_OBJ  := $(B)/host/trace/ringmon_tp.pic.o
LTTNG_TP_SOS  := $(B)/ringmon_tp.so $(B)/bench/ringmon_tp.so
all: $(LTTNG_TP_SOS)
$(LTTNG_TP_OBJ): trace/ringmon_tp.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC [so] $<")
	$(Q)$(CC) $(HOST_CFLAGS) -fpic $(DEPFLAGS) -c $< -o $@

$(LTTNG_TP_SOS): $(LTTNG_TP_OBJ)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD [so] $@")
	$(Q)$(CC) -shared -Wl,--no-as-needed -o $@ $< -llttng-ust

$(HOSTMOD_LIB): $(patsubst %,$(B)/host/%.o,$(HOSTMOD_SRCS))
	@mkdir -p $(@D)
	$(if $(Q),@echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(B)/tests/%: tests/unit/%.c $(HOSTMOD_LIB)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC [t]  $<")
	$(Q)$(CC) $(HOST_CFLAGS) $(DEPFLAGS) -o $@ $< $(HOSTMOD_LIB) $(UNIT_LIBS_$*)

-include $(shell find $(B) -path $(B)/linux -prune -o -name '*.d' -type f -print 2>/dev/null)

# --- Linux guests ----------------------------------------------------------
# Linux 6.1 (i386) from Debian's linux-source-6.1, one object tree and one
# link per variant, and the busybox initramfs with the workload (docs/linux.md).
# Not part of `all`; `check` builds them too.  workloads/linux/build.sh
# keeps its own cache (inputs.sha per variant), so these rules always ask it
# and it does nothing when nothing changed.
LINUX_VARIANTS := upstream unaligned shuf1 shuf2
LINUX_KERNELS  := $(patsubst %,$(B)/linux/%/bzImage,$(LINUX_VARIANTS))
LINUX_INITRD   := $(B)/linux/initramfs.cpio.gz

.PHONY: linux linux-guests linux-deps linux-demo linux-always
linux: linux-deps
	$(Q)$(MAKE) --no-print-directory linux-guests

# one build at a time: the variants share one object tree
linux-guests:
	$(Q)$(MAKE) --no-print-directory -j1 $(LINUX_KERNELS) $(LINUX_INITRD)

linux-deps:
	$(Q)sh tools/deps.sh linux

# also makes vmlinux, System.map, vmlinux.map, .config, layout.txt beside it
$(B)/linux/%/bzImage: linux-always
	$(Q)sh workloads/linux/build.sh kernel $*

$(LINUX_INITRD): linux-always
	$(Q)sh workloads/linux/build.sh initramfs

# every variant under the monitor, --mode rw and w: results/linux.db and
# results/linux-report/ (docs/experiments.md)
linux-demo: linux all
	$(Q)LINUX_VARIANTS="$(LINUX_VARIANTS)" sh tools/demo.sh linux

linux-always:

# Debian bookworm's own i386 kernels, as shipped: linux-image-ABI-686 and
# -686-pae (-unsigned) and each one's vmlinux out of its -dbg package, pinned
# in tools/debian-guests.sh, fetched with apt-get download and kept in
# build/debian/VERSION/ (docs/linux.md, "Debian's kernels").  A second run
# downloads nothing.  DEBIAN_FOLLOW=1: the version linux-image-686 points to
# today instead of the pinned one.
.PHONY: debian-guests
debian-guests: linux-deps
	$(Q)sh tools/debian-guests.sh

# --- benchmarks ------------------------------------------------------------
# Bench kernels: one bench/NAME.c each, built like the test kernels (same
# flags, entry, library and link order) into build/bench/NAME.elf.  `make
# bench` runs bench/run.sh, which writes build/bench/results.json and
# results.md (docs/performance.md).  The kernels and the pipeline program are
# built by `all` too: tests/integration/bench_json.sh runs bench/run.sh in
# its quick mode and tests/integration/pipeline.sh runs the program.
BENCH_KERNELS := $(filter-out pipeline,$(patsubst bench/%.c,%,$(wildcard bench/*.c)))
BENCH_ELFS    := $(patsubst %,$(B)/bench/%.elf,$(BENCH_KERNELS))
.SECONDARY: $(patsubst %,$(B)/bench/%.c.o,$(BENCH_KERNELS))
# bench/pipeline.c is a host program, not a kernel: ringmon's consumer path
# (its own objects) fed by a host-side producer thread.
PIPELINE_OBJS := $(patsubst %,$(B)/host/vmm/%.c.o,ring sinks sink_text db keyset sql lttng_sink paths) \
                 $(SYMTAB_OBJS) $(B)/host/$(SCHEMA_C).o
PIPELINE      := $(B)/bench/pipeline
all: $(BENCH_ELFS) $(PIPELINE)

$(PIPELINE): bench/pipeline.c $(PIPELINE_OBJS)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC [h]  $<")
	$(Q)$(CC) $(HOST_CFLAGS) $(DEPFLAGS) -o $@ $< $(PIPELINE_OBJS) $(HOST_LIBS)

$(B)/bench/%.c.o: bench/%.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC [b]  $<")
	$(Q)$(CC) $(TBK_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/bench/%.elf: $(B)/bench/%.c.o $(TBK_ENTRY) $(TBK_LIB) $(TBK_LD)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(TBK_LINK)

.PHONY: bench
bench:
	$(Q)$(MAKE) --no-print-directory $(MONITOR) $(RINGMON) $(PIPELINE) $(BENCH_ELFS)
	$(Q)sh bench/run.sh
