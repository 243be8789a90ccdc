/* SPDX-License-Identifier: MIT */
/* UMEM frame accounting: conservation and double-use detection. */
#include <criterion/criterion.h>
#include <errno.h>

#include "engine/frames.h"

Test(frames, init_rejects_bad_sizes)
{
	struct xg_frames f;

	cr_expect_eq(xg_frames_init(&f, 0, 2048), -EINVAL);
	cr_expect_eq(xg_frames_init(&f, 8, 3000), -EINVAL);
}

Test(frames, every_frame_once_then_empty)
{
	struct xg_frames f;
	uint8_t seen[64] = {};
	uint64_t a;

	cr_assert_eq(xg_frames_init(&f, 64, 2048), 0);
	cr_expect(xg_frames_check(&f));
	for (int i = 0; i < 64; i++) {
		a = xg_frames_get(&f);
		cr_assert_neq(a, UINT64_MAX);
		cr_assert_eq(a % 2048, 0);
		cr_assert_eq(seen[a / 2048]++, 0, "frame %lu twice", (unsigned long)a);
	}
	cr_expect_eq(xg_frames_get(&f), UINT64_MAX);
	cr_expect_not(xg_frames_check(&f)); /* 64 frames in nobody's books */
	xg_frames_free(&f);
}

Test(frames, conservation_through_fill_rx_tx_completion)
{
	struct xg_frames f;
	uint64_t fill[16], a;
	int i;

	cr_assert_eq(xg_frames_init(&f, 32, 4096), 0);
	for (i = 0; i < 16; i++) /* stock the fill ring */
		fill[i] = xg_frames_get(&f);
	f.in_fill += 16;
	cr_expect(xg_frames_check(&f));
	/* 16 received: 10 answered on TX, 6 dropped back to the pool */
	f.in_fill -= 16;
	f.in_tx += 10;
	for (i = 10; i < 16; i++)
		cr_expect(xg_frames_put(&f, fill[i] + 256)); /* addr with offset */
	cr_expect(xg_frames_check(&f));
	/* completions return the TX frames */
	for (i = 0; i < 10; i++)
		cr_expect(xg_frames_put(&f, fill[i]));
	f.in_tx -= 10;
	cr_expect(xg_frames_check(&f));
	cr_expect_eq(f.nfree, 32);
	a = xg_frames_get(&f);
	cr_expect_eq(a % 4096, 0);
	xg_frames_free(&f);
}

Test(frames, double_put_is_caught)
{
	struct xg_frames f;
	uint64_t a;

	cr_assert_eq(xg_frames_init(&f, 4, 2048), 0);
	a = xg_frames_get(&f);
	cr_expect(xg_frames_put(&f, a));
	cr_expect_not(xg_frames_put(&f, a));
	cr_expect_not(xg_frames_put(&f, 4 * 2048)); /* outside the UMEM */
	cr_expect_eq(f.bad_puts, 2);
	cr_expect_not(xg_frames_check(&f));
	xg_frames_free(&f);
}
