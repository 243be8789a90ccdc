/* SPDX-License-Identifier: MIT */
/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash, fast on
 * short inputs and a pseudo-random function under a secret 128-bit key. It
 * makes the handshake's stateless cookies and checks the backend's connect
 * tokens (docs/SECURITY.md says what that buys and what it does not).
 */
#ifndef XDPGAME_CORE_SIPHASH_H
#define XDPGAME_CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct xg_sipkey {
	uint64_t k0, k1;
};

uint64_t xg_siphash(const struct xg_sipkey *key, const void *data, size_t len);
/* A key from the kernel's random source (getrandom); 0 or negative errno. */
int xg_sipkey_random(struct xg_sipkey *key);
/* A key from 32 hex digits (the backend key's form); 0 or -EINVAL. */
int xg_sipkey_parse(const char *hex, struct xg_sipkey *key);
/* Constant-time comparison of two 64-bit values: 1 if equal. d | -d has
 * its top bit set unless d is 0: no branch and no early exit on the
 * bits that match. Inline: the session check runs it on every request. */
static inline int xg_ct_eq64(uint64_t a, uint64_t b)
{
	uint64_t d = a ^ b;

	return (int)(((d | (0 - d)) >> 63) ^ 1);
}

#endif
