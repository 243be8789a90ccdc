/* SPDX-License-Identifier: MIT */
/*
 * SipHash-2-4 against the reference implementation's test vectors
 * (vectors.h of github.com/veorq/SipHash, vectors_sip64): key 00 01 .. 0f,
 * message 00 01 .. (n-1), the output as its 8 little-endian bytes. Vector
 * 15 is the worked example of the paper's appendix (0xa129ca6149be45e5).
 * Then the key parser and the constant-time comparison.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/siphash.h"

static const struct {
	size_t len;
	uint8_t out[8];
} vectors[] = {
	{ 0, { 0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72 } },
	{ 1, { 0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74 } },
	{ 2, { 0x5a, 0x4f, 0xa9, 0xd9, 0x09, 0x80, 0x6c, 0x0d } },
	{ 3, { 0x2d, 0x7e, 0xfb, 0xd7, 0x96, 0x66, 0x67, 0x85 } },
	{ 7, { 0x37, 0xd1, 0x01, 0x8b, 0xf5, 0x00, 0x02, 0xab } },
	{ 8, { 0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93 } },
	{ 9, { 0xb0, 0xe4, 0xa9, 0x0b, 0xdf, 0x82, 0x00, 0x9e } },
	{ 15, { 0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1 } },
	{ 16, { 0xdb, 0x9b, 0xc2, 0x57, 0x7f, 0xcc, 0x2a, 0x3f } },
	{ 31, { 0x42, 0xc3, 0x41, 0xd8, 0xfa, 0x92, 0xd8, 0x32 } },
	{ 32, { 0xce, 0x7c, 0xf2, 0x72, 0x2f, 0x51, 0x27, 0x71 } },
	{ 63, { 0x72, 0x45, 0x06, 0xeb, 0x4c, 0x32, 0x8a, 0x95 } },
};

static const struct xg_sipkey ref_key = {
	.k0 = 0x0706050403020100ull, /* bytes 00..07, little-endian */
	.k1 = 0x0f0e0d0c0b0a0908ull,
};

static uint64_t le64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

Test(siphash, reference_vectors)
{
	uint8_t msg[64];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		uint64_t got = xg_siphash(&ref_key, msg, vectors[i].len);

		cr_expect_eq(got, le64(vectors[i].out),
			     "length %zu: %016llx, want %016llx",
			     vectors[i].len, (unsigned long long)got,
			     (unsigned long long)le64(vectors[i].out));
	}
	cr_expect_eq(xg_siphash(&ref_key, msg, 0), 0x726fdb47dd0e0e31ull);
	cr_expect_eq(xg_siphash(&ref_key, msg, 15), 0xa129ca6149be45e5ull);
}

/* The message may sit at any alignment. */
Test(siphash, unaligned_message)
{
	uint8_t buf[80];

	for (int off = 1; off < 8; off++) {
		for (int i = 0; i < 63; i++)
			buf[off + i] = (uint8_t)i;
		cr_expect_eq(xg_siphash(&ref_key, buf + off, 63),
			     le64(vectors[11].out), "offset %d", off);
	}
}

/* The backend key's text form: 32 hex digits, the key's 16 bytes in order
 * (so 000102..0f is the reference key). */
Test(siphash, key_parse)
{
	struct xg_sipkey k;

	cr_assert_eq(xg_sipkey_parse("000102030405060708090a0b0c0d0e0f", &k), 0);
	cr_expect_eq(k.k0, ref_key.k0);
	cr_expect_eq(k.k1, ref_key.k1);
	cr_assert_eq(xg_sipkey_parse("000102030405060708090A0B0C0D0E0F", &k), 0);
	cr_expect_eq(k.k1, ref_key.k1);
	cr_expect_eq(xg_sipkey_parse("000102030405060708090a0b0c0d0e0", &k),
		     -EINVAL);
	cr_expect_eq(xg_sipkey_parse("000102030405060708090a0b0c0d0e0f0", &k),
		     -EINVAL);
	cr_expect_eq(xg_sipkey_parse("000102030405060708090a0b0c0d0e0g", &k),
		     -EINVAL);
	cr_expect_eq(xg_sipkey_parse("", &k), -EINVAL);
}

Test(siphash, random_keys_differ)
{
	struct xg_sipkey a, b;

	cr_assert_eq(xg_sipkey_random(&a), 0);
	cr_assert_eq(xg_sipkey_random(&b), 0);
	cr_expect(a.k0 != b.k0 || a.k1 != b.k1);
	cr_expect_neq(xg_siphash(&a, "x", 1), xg_siphash(&b, "x", 1));
}

Test(siphash, constant_time_equality)
{
	cr_expect(xg_ct_eq64(0, 0));
	cr_expect(xg_ct_eq64(UINT64_MAX, UINT64_MAX));
	cr_expect(xg_ct_eq64(0x726fdb47dd0e0e31ull, 0x726fdb47dd0e0e31ull));
	for (int bit = 0; bit < 64; bit++) {
		cr_expect_not(xg_ct_eq64(0, 1ull << bit), "bit %d", bit);
		cr_expect_not(xg_ct_eq64(UINT64_MAX, UINT64_MAX ^ (1ull << bit)),
			      "bit %d", bit);
	}
}
