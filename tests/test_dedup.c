#include <criterion/criterion.h>
#include <string.h>

#include "dedup.h"

static void key(unsigned char k[16], unsigned n)
{
	memset(k, 0, 16);
	memcpy(k, &n, sizeof(n));
	k[15] = (unsigned char)(n * 31);
}

/* With the front cache, answers are exactly the table's, collisions too. */
Test(dedup, recent_keys_in_front_answer_like_the_table)
{
	struct dedup plain = DEDUP_INIT, front = DEDUP_INIT;
	unsigned char k[16];
	unsigned i, round;

	cr_assert_eq(dedup_recent(&front, 4), 0);	/* 16 slots: many collide */
	for (round = 0; round < 3; round++)
		for (i = round; i < 5000; i += 1 + round) {
			key(k, i % 1777);
			cr_assert_eq(dedup_has(&front, k), dedup_has(&plain, k),
				     "key %u in round %u", i % 1777, round);
			cr_assert_eq(dedup_add(&front, k), dedup_add(&plain, k),
				     "key %u in round %u", i % 1777, round);
		}
	memset(k, 0, 16);		/* key 0 is the zero key: it was added */
	cr_expect_eq(dedup_add(&front, k), 0);
	cr_expect_eq(front.n, plain.n);
	cr_expect_eq(front.n, 1776);
	dedup_release(&front);
	dedup_release(&plain);
}
