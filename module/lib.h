/* lib.h — the little of a C library the freestanding monitor needs. */
#ifndef LIB_H
#define LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

/* Format into buf (at most size-1 chars, always terminated).  Knows %s %c
 * %d %u %x with an optional 0-padded width, and %%. */
int vsnformat(char *buf, size_t size, const char *fmt, va_list ap);
int snformat(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Monitor messages on COM1 (only for its own failures: the serial port
 * otherwise carries the guest's console alone). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
