/* accel.h — which QEMU accelerator and CPU model a run gets: the one decision
 * that `run`, `run --native`, `sweep`, `ringmon accel`, the tests and the
 * benchmarks share (docs/architecture.md, "The accelerator"). */
#ifndef RINGMON_ACCEL_H
#define RINGMON_ACCEL_H

#include <stdbool.h>
#include <stddef.h>

/* The CPU model under TCG; under KVM the first of accel_kvm_cpus that runs
 * the probe guest to its end. */
#define ACCEL_TCG_CPU "max"

/* The KVM device node ringmon checks before it probes; RINGMON_KVM_DEVICE
 * names another (the tests point it at nodes that cannot work). */
#define ACCEL_KVM_DEVICE "/dev/kvm"

struct accel {
	const char *accel;          /* "kvm" or "tcg" */
	char cpu[48];               /* the -cpu model */
	char why[512];              /* why this one: as recorded in runs.accel_why */
	bool fell_back;             /* auto took tcg although a KVM device is there */
};

/* What --accel WANT (auto, kvm, tcg) gives, probing KVM (or taking the
 * cached verdict: reprobe forces a new probe).  0, or -ENODEV when WANT is
 * kvm and KVM cannot run the monitor here (why says so), or another -errno
 * with why set. */
int accel_choose(struct accel *a, const char *want, bool deterministic, bool reprobe,
		 const char *qemu);

/* The line auto's fallback prints on stderr (without "ringmon: "). */
void accel_fallback_line(const struct accel *a, char *line, size_t len);

#endif
