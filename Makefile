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

# --- test kernels: Multiboot ELF guests (also bootable natively) -----------
TBK_CFLAGS    := -std=c11 -m32 -march=i686 -O2 -g -ffreestanding -fno-pic \
                 -fno-pie -fno-stack-protector -fno-builtin -mgeneral-regs-only \
                 -Iworkloads/tbk $(WARN)
TBK_SRCS      := $(wildcard workloads/tbk/*.c) $(wildcard workloads/tbk/*.S)
TBK_OBJS      := $(patsubst %,$(B)/%.o,$(TBK_SRCS))
TBK           := $(B)/tbk/tbk.elf

# --- the host command ------------------------------------------------------
HOST_CFLAGS   := -std=c11 -O2 -g -D_GNU_SOURCE -pthread -Itrace -Ivmm \
                 -Ianalysis -Imodule $(WARN)
HOST_LIBS     := -lelf -ldw -lsqlite3 -lcrypto -pthread
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

# --- host-side unit tests: module code compiled for the host ---------------
# The decoder and emulator are plain C with no ring-0 dependencies, so the
# same files are unit-tested on the host.
HOSTMOD_SRCS  := module/decode.c module/emulate.c
HOSTMOD_OBJS  := $(patsubst %,$(B)/host/%.o,$(HOSTMOD_SRCS))
UNIT_SRCS     := $(wildcard tests/unit/*.c)
UNIT_BINS     := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
UNIT_LIBS_zydis_lengths := -lZydis -lelf

ALL := $(MONITOR) $(B)/module/monitor.asm $(B)/module/monitor.sym \
       $(TBK) $(RINGMON) $(UNIT_BINS)

.PHONY: all deps check demo clean
all: $(ALL)

deps:
	$(Q)sh tools/deps.sh

check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh tests/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh tools/demo.sh

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

$(MONITOR): $(MODULE_OBJS) module/monitor.ld
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(LD) $(MODULE_LDFLAGS) -o $@ $(MODULE_OBJS)

$(B)/module/monitor.asm: $(MONITOR)
	$(Q)objdump -d -S $< > $@

$(B)/module/monitor.sym: $(MONITOR)
	$(Q)nm -n $< > $@

$(B)/workloads/tbk/%.c.o: workloads/tbk/%.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC [g]  $<")
	$(Q)$(CC) $(TBK_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/workloads/tbk/%.S.o: workloads/tbk/%.S
	@mkdir -p $(@D)
	$(if $(Q),@echo "  AS [g]  $<")
	$(Q)$(CC) $(TBK_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(TBK): $(TBK_OBJS) workloads/tbk/tbk.ld
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(LD) -m elf_i386 -nostdlib --no-warn-rwx-segments -T workloads/tbk/tbk.ld -o $@ $(TBK_OBJS)

$(B)/host/%.c.o: %.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(HOST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(RINGMON): $(VMM_OBJS)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) -o $@ $(VMM_OBJS) $(HOST_LIBS)

$(B)/tests/%: tests/unit/%.c $(HOSTMOD_OBJS)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC [t]  $<")
	$(Q)$(CC) $(HOST_CFLAGS) $(DEPFLAGS) -o $@ $< $(HOSTMOD_OBJS) $(UNIT_LIBS_$*)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
