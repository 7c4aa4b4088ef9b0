/* keyset.h — find-or-add of fixed-size keys in a growing array (keyset.c):
 * the database writer's per-run dictionaries (db.c), looked up once per
 * trap record, so an open-addressed hash of entry numbers. */
#ifndef RINGMON_KEYSET_H
#define RINGMON_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Entries of `stride` bytes, each beginning with its key of `keylen` bytes
 * (padding included: callers zero their keys whole). */
struct keyset {
	void *entries;
	size_t n, cap;            /* entries used, allocated */
	size_t keylen, stride;
	uint32_t *slots;          /* entry number + 1, 0 empty; 2 * cap of them */
};

void keyset_init(struct keyset *ks, size_t keylen, size_t stride);
void keyset_free(struct keyset *ks);

/* The number of the entry with this key; a new one (zero but for the key,
 * *added set) if there was none.  -ENOMEM. */
long keyset_find(struct keyset *ks, const void *key, bool *added);

static inline void *keyset_entry(const struct keyset *ks, size_t i)
{
	return (char *)ks->entries + i * ks->stride;
}

#endif
