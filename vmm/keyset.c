/* keyset.c — see keyset.h.  Linear probing in a table kept at most half
 * full; it grows with the entries, rehashing them all. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keyset.h"

void keyset_init(struct keyset *ks, size_t keylen, size_t stride)
{
	*ks = (struct keyset){ .keylen = keylen, .stride = stride };
}

void keyset_free(struct keyset *ks)
{
	free(ks->entries);
	free(ks->slots);
	keyset_init(ks, ks->keylen, ks->stride);
}

/* FNV-1a over 8-byte words: the keys are a few words of small integers. */
static uint64_t hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = 0;
		memcpy(&w, p + i, len - i < 8 ? len - i : 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h;
}

static uint32_t *slot_of(const struct keyset *ks, const void *key)
{
	size_t mask = 2 * ks->cap - 1, i = hash(key, ks->keylen) & mask;

	while (ks->slots[i] && memcmp(keyset_entry(ks, ks->slots[i] - 1), key, ks->keylen))
		i = (i + 1) & mask;
	return &ks->slots[i];
}

static int grow(struct keyset *ks)
{
	size_t cap = ks->cap ? 2 * ks->cap : 256;
	void *entries = realloc(ks->entries, cap * ks->stride);
	uint32_t *slots;

	if (!entries)
		return -ENOMEM;
	ks->entries = entries;
	if (cap > UINT32_MAX / 2 || !(slots = calloc(2 * cap, sizeof(*slots))))
		return -ENOMEM;
	free(ks->slots);
	ks->slots = slots;
	ks->cap = cap;
	for (size_t i = 0; i < ks->n; i++)
		*slot_of(ks, keyset_entry(ks, i)) = (uint32_t)i + 1;
	return 0;
}

long keyset_find(struct keyset *ks, const void *key, bool *added)
{
	uint32_t *slot;

	*added = false;
	if (ks->cap) {
		slot = slot_of(ks, key);
		if (*slot)
			return (long)*slot - 1;
	}
	if (ks->n == ks->cap && grow(ks))
		return -ENOMEM;
	slot = slot_of(ks, key);
	memset(keyset_entry(ks, ks->n), 0, ks->stride);
	memcpy(keyset_entry(ks, ks->n), key, ks->keylen);
	*slot = (uint32_t)++ks->n;
	*added = true;
	return (long)ks->n - 1;
}
