#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "error.h"
#include "finding.h"
#include "rules.h"
#include "scan.h"

/* More items than the queue holds, so that it fills up. */
#define N_ITEMS 40000
#define EVERY 1000	/* one item in this many holds a token */

static const char rule_yaml[] = "rules:\n"
				"  - id: tok\n"
				"    keywords: [tok_]\n"
				"    pattern: 'tok_[A-Za-z0-9]{20}'\n";

/*
 * A source of N_ITEMS items that a worker loads by number: every EVERY-th
 * holds a token.  It counts the loads made on the producer's thread
 * before produce() returned.
 */
struct numbered {
	struct scan_source base;	/* first */
	pthread_t producer;
	int producing;
	size_t loads_while_producing;	/* only the producer's thread writes it */
};

static int numbered_produce(struct scan_source *base, struct scan_queue *q,
			    struct lg_error *err)
{
	struct numbered *src = (struct numbered *)base;
	struct scan_item item;
	char path[32];
	size_t i;

	(void)err;
	src->producer = pthread_self();
	src->producing = 1;
	for (i = 0; i < N_ITEMS; i++) {
		memset(&item, 0, sizeof(item));
		snprintf(path, sizeof(path), "f%06zu", i);
		cr_assert_not_null(item.path = strdup(path));
		item.origin = i;
		if (scan_queue_push(q, &item))
			break;
	}
	src->producing = 0;
	return 0;
}

static int numbered_load(struct scan_source *base, void *state,
			 const struct scan_item *item, struct scan_blob *out,
			 struct lg_error *err)
{
	struct numbered *src = (struct numbered *)base;

	(void)state;
	(void)err;
	if (src->producing && pthread_equal(pthread_self(), src->producer))
		src->loads_while_producing++;
	out->data = item->origin % EVERY ? "nothing to see here"
					 : "x = tok_Qm7xK2pLr9Vt4nBw8ZcY";
	out->len = strlen(out->data);
	return 0;
}

static void run(unsigned threads, int producer_counts,
		struct finding_list *found, struct scan_stats *stats,
		size_t *loads_while_producing)
{
	struct lg_error err = LG_ERROR_INIT;
	struct scan_options opts;
	struct numbered src;
	struct rule_set rs;
	struct engine *e;

	memset(&rs, 0, sizeof(rs));
	cr_assert_eq(rules_load_yaml(&rs, rule_yaml, strlen(rule_yaml), "t.yaml",
				     &err), 0, "%s", err.msg);
	cr_assert_eq(engine_new(&e, &rs, &err), 0, "%s", err.msg);
	memset(&src, 0, sizeof(src));
	src.base.produce = numbered_produce;
	src.base.load = numbered_load;
	src.base.producer_counts = producer_counts;
	memset(&opts, 0, sizeof(opts));
	opts.threads = threads;
	cr_assert_eq(scan_run(e, &src.base, &opts, found, stats, &err), 0,
		     "%s", err.msg);
	*loads_while_producing = src.loads_while_producing;
	engine_free(e);
	rules_release(&rs);
}

/*
 * One thread, and the producer counts as one: no worker thread, the
 * producer scans it all.
 */
Test(scan, one_thread_scans_a_queue_that_fills_up)
{
	struct finding_list found = FINDING_LIST_INIT;
	struct scan_stats stats;
	size_t own, i;

	run(1, 1, &found, &stats, &own);
	cr_expect_eq(stats.items, N_ITEMS);
	cr_assert_eq(found.n, N_ITEMS / EVERY);
	for (i = 0; i < found.n; i++)
		cr_expect_eq(found.items[i]->origin, i * EVERY);
	/* It had to scan while producing: the queue cannot hold them all. */
	cr_expect_gt(own, 0);
	finding_list_release(&found);
}

Test(scan, any_thread_count_finds_the_same)
{
	struct finding_list one = FINDING_LIST_INIT, many = FINDING_LIST_INIT;
	struct scan_stats stats;
	size_t own, i;

	unsigned threads;
	int counts;

	run(1, 1, &one, &stats, &own);
	for (threads = 1; threads <= 3; threads += 2) {
		for (counts = 0; counts <= 1; counts++) {
			run(threads, counts, &many, &stats, &own);
			cr_expect_eq(stats.items, N_ITEMS);
			cr_assert_eq(one.n, many.n);
			for (i = 0; i < one.n; i++)
				cr_expect_eq(one.items[i]->origin,
					     many.items[i]->origin);
			finding_list_release(&many);
		}
	}
	finding_list_release(&one);
}
