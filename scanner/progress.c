#include "progress.h"

#include "banned.h"

#define BAR_WIDTH 20

static int add_bar(struct buf *out, uint64_t done, uint64_t total,
		   const char *what)
{
	char bar[BAR_WIDTH + 1];
	size_t filled = (size_t)(done * BAR_WIDTH / total), i;

	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < filled ? '#' : '-';
	bar[BAR_WIDTH] = '\0';
	return buf_addf(out, "  [%s] %3u%% %llu/%llu %s", bar,
			(unsigned)(done * 100 / total), (unsigned long long)done,
			(unsigned long long)total, what);
}

/* ETA from the rate so far: the rest at the same pace. */
static int add_eta(struct buf *out, double seconds, uint64_t done,
		   uint64_t total)
{
	unsigned long long left;

	if (!done || seconds <= 0)
		return 0;
	left = (unsigned long long)(seconds * (double)(total - done) /
				    (double)done + 0.5);
	return buf_addf(out, ", ETA %llu:%02llu", left / 60, left % 60);
}

int progress_format(struct buf *out, const struct scan_stats *s,
		    const char *what)
{
	double mib = (double)s->bytes / 1048576.0;
	int rc;

	rc = buf_addf(out, "scanned %llu %s, %.1f MiB, %.1f MiB/s",
		      (unsigned long long)s->items, what, mib,
		      s->seconds > 0 ? mib / s->seconds : 0.0);
	if (rc || !s->progress_total || s->progress_done > s->progress_total)
		return rc;
	/* While the walk goes on, its commits; then what it queued. */
	if (s->progress_done < s->progress_total)
		rc = add_bar(out, s->progress_done, s->progress_total,
			     "commits") ||
		     add_eta(out, s->seconds, s->progress_done,
			     s->progress_total);
	else if (s->queued && s->items <= s->queued)
		rc = add_bar(out, s->items, s->queued, what) ||
		     add_eta(out, s->seconds, s->items, s->queued);
	return rc;
}
