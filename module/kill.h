/* kill.h — how the monitor stops the guest for good. */
#ifndef KILL_H
#define KILL_H

/* Record the first reason in the ring header, let the host drain the
 * ring, end QEMU.  For guest misbehaviour and monitor panics alike. */
void vcpu_kill(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* The same end for a run that ended as it should, not by misbehaviour:
 * the guest halted for good (natively the CPU would wait for a reset that
 * never comes), or the host asked for the end (ring_header.stop). */
void vcpu_halted(void) __attribute__((noreturn));
void vcpu_stopped(void) __attribute__((noreturn));

#endif
