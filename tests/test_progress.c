/* The progress line's text; and none when stderr is not a terminal. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "progress.h"

static const char *line_of(const struct scan_stats *s, const char *what)
{
	static char out[256];
	struct buf b = BUF_INIT;

	cr_assert_eq(progress_format(&b, s, what), 0);
	snprintf(out, sizeof(out), "%s", b.ptr);
	buf_release(&b);
	return out;
}

Test(progress, counts_without_a_total)
{
	struct scan_stats s;

	memset(&s, 0, sizeof(s));
	s.items = 1200;
	s.bytes = 3u << 20;
	s.seconds = 2.0;
	cr_expect_str_eq(line_of(&s, "files"),
			 "scanned 1200 files, 3.0 MiB, 1.5 MiB/s");
}

Test(progress, a_bar_and_eta_while_walking_commits)
{
	struct scan_stats s;

	memset(&s, 0, sizeof(s));
	s.items = 10;
	s.bytes = 1u << 20;
	s.seconds = 10.0;
	s.progress_done = 250;
	s.progress_total = 1000;
	cr_expect_str_eq(line_of(&s, "blobs"),
			 "scanned 10 blobs, 1.0 MiB, 0.1 MiB/s  "
			 "[#####---------------]  25% 250/1000 commits, ETA 0:30");
}

Test(progress, then_a_bar_over_what_was_queued)
{
	struct scan_stats s;

	memset(&s, 0, sizeof(s));
	s.items = 300;
	s.queued = 400;
	s.seconds = 60.0;
	s.progress_done = s.progress_total = 1000;
	cr_expect(strstr(line_of(&s, "blobs"),
			 "[###############-----]  75% 300/400 blobs, ETA 0:20"),
		  "%s", line_of(&s, "blobs"));
}

Test(progress, none_when_stderr_is_not_a_terminal)
{
	char *dir = th_tmpdir();
	struct run_result r;

	th_write(dir, "a.txt", "nothing here\n");
	r = th_leakgate(dir, NULL, (const char *const[]){ "scan", ".", NULL });
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(!strchr(r.err, '\r') && !strstr(r.err, "\033["), "%s", r.err);
	th_run_release(&r);
	th_rmtree(dir);
}
