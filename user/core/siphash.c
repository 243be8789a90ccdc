/* SPDX-License-Identifier: MIT */
/* SipHash-2-4, written from the paper's description; see siphash.h. The
 * test vectors of the reference implementation are in tests/unit. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "core/siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND                                                             \
	do {                                                                 \
		v0 += v1;                                                    \
		v1 = ROTL(v1, 13);                                           \
		v1 ^= v0;                                                    \
		v0 = ROTL(v0, 32);                                           \
		v2 += v3;                                                    \
		v3 = ROTL(v3, 16);                                           \
		v3 ^= v2;                                                    \
		v0 += v3;                                                    \
		v3 = ROTL(v3, 21);                                           \
		v3 ^= v0;                                                    \
		v2 += v1;                                                    \
		v1 = ROTL(v1, 17);                                           \
		v1 ^= v2;                                                    \
		v2 = ROTL(v2, 32);                                           \
	} while (0)

static uint64_t load_le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t xg_siphash(const struct xg_sipkey *key, const void *data, size_t len)
{
	const unsigned char *p = data, *end = p + (len & ~(size_t)7);
	uint64_t v0 = 0x736f6d6570736575ull ^ key->k0;
	uint64_t v1 = 0x646f72616e646f6dull ^ key->k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ key->k0;
	uint64_t v3 = 0x7465646279746573ull ^ key->k1;
	uint64_t m, b = (uint64_t)len << 56;
	size_t left = len & 7;

	for (; p != end; p += 8) {
		m = load_le64(p);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	while (left--)
		b |= (uint64_t)p[left] << (8 * left);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

int xg_sipkey_random(struct xg_sipkey *key)
{
	unsigned char b[16];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(b)) {
		n = getrandom(b + got, sizeof(b) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	key->k0 = load_le64(b);
	key->k1 = load_le64(b + 8);
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int xg_sipkey_parse(const char *hex, struct xg_sipkey *key)
{
	unsigned char b[16];
	int i, hi, lo;

	if (strlen(hex) != 32)
		return -EINVAL;
	for (i = 0; i < 16; i++) {
		hi = hexval((unsigned char)hex[2 * i]);
		lo = hexval((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	key->k0 = load_le64(b);
	key->k1 = load_le64(b + 8);
	return 0;
}
