#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "placeholder.h"

/* Stand-ins people write in docs, templates and samples: all dropped. */
static const char *const placeholders[] = {
	"AKIAIOSFODNN7EXAMPLE",
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	"ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
	"<your-token>",
	"<GITHUB_TOKEN>",
	"${GITHUB_TOKEN}",
	"$(cat /run/secrets/token)",
	"{{ secrets.NPM_TOKEN }}",
	"%(password)s",
	"token=%(api_token)r",
	"your_api_key_here",
	"YOUR-SECRET-KEY",
	"changeme",
	"Change_Me_Now",
	"placeholder-token-value",
	"REDACTED",
	"dummy-password-123",
	"replace_me_with_a_key",
	"insert_key_here",
	"fake_token_for_tests",
	"password",
	"Secret",
	"TOKEN",
	"null",
	"undefined",
	"test",
	"admin",
	"**********",
	"sk-...",
	"abc\xe2\x80\xa6",
	"aaaaaaaaaaaaaaaa",
	"000000000000000000000000",
	"abababab0000000000ab",
	"0123456789abcdef",
	"abcdefghijklmnop",
	"ABCDEFGH12",
	"QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
	"czZCaGRSa3F0MzpnWDFmQmF0M2JW",
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9.4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg",
	"sk_test_4eC39HqLyjWDarjtT1zdp7dc",
	"xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
	"Kq7vLp2x>Wm",
	"<b>Kq7vLp2x!Wm</b>",
};

Test(placeholder, placeholders_are_dropped)
{
	size_t i;

	for (i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		cr_expect(placeholder_match(placeholders[i],
					    strlen(placeholders[i])),
			  "kept: %s", placeholders[i]);
}

/* Values that look like real credentials: all kept. */
static const char *const realistic[] = {
	"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",
	"AKIAQ3EGTUVWZ7JY5X2N",
	"tR9vK2mQ8xLp4Zs7Bw1Nc6Hd3Yf5Gj0A",
	"b5c3f08e9a7d41e2a6c4d9f0e1b27c83d4a6f9e2",
	"dGhpcyBpcyBub3QgYSByZWFsIGtleQ+/Vb8k2Q==",
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl",
	"S3cure!Pa55-w0rd#2024",
	"hunter2hunter2",
	"p@ssw0rd-for-prod",
	/* Django's generated keys draw "%(" from their alphabet */
	"django-insecure-3^xril_av63#fv9^%(+21kkpdhi6@e=ygsn_o0frnzrvcm+a",
	"q%(8)vt!k2%(",
	/* generated from all of printable ASCII: '<' and '>' are just symbols */
	"Qx7\"k;Lm>2v!Rz%Tq&8w^Np(Ys)Bd",
	"7`Dk}/vYR)T;W5]EB<f;_&kq@X",
	/* MongoDB's manual prints it, and configs copy it in use: reported */
	"D1fficultP%40ssw0rd",
};

Test(placeholder, realistic_values_are_kept)
{
	size_t i;

	for (i = 0; i < sizeof(realistic) / sizeof(realistic[0]); i++)
		cr_expect_not(
			placeholder_match(realistic[i], strlen(realistic[i])),
			"dropped: %s", realistic[i]);
}

Test(placeholder, generated_tokens_are_kept)
{
	unsigned seed;

	for (seed = 1; seed <= 2000; seed++) {
		const char *t = th_fake_token("ghp_", 30, seed, 0);
		const char *r = th_fake_token("ghr_", 70, seed, 1);
		cr_assert_not(placeholder_match(t, strlen(t)), "dropped: %s",
			      t);
		cr_assert_not(placeholder_match(r, strlen(r)), "dropped: %s",
			      r);
	}
}

Test(placeholder, long_key_blocks_may_hold_runs)
{
	char block[400];

	memset(block, 'A', sizeof(block));
	memcpy(block, th_fake_token("", 60, 3, 0), 66);
	cr_assert_not(placeholder_match(block, sizeof(block)));
}

Test(placeholder, length_not_strlen)
{
	/* Only the first len bytes count: the "xxxx" after them is not seen. */
	const char *s = "tR9vK2mQ8xLp4Zs7xxxx";

	cr_assert_not(placeholder_match(s, 16));
	cr_assert(placeholder_match(s, 20));
}

/* Each value's grade: how much of a stand-in it is. */
static const struct {
	const char *s;
	enum placeholder_kind kind;
} graded[] = {
	{ "tR9vK2mQ8xLp4Zs7Bw1Nc6Hd3Yf5Gj0A", PLACEHOLDER_NONE },
	{ "abcdef1234567890abcdef1234567890", PLACEHOLDER_RUN },
	{ "9f8e7d6c12345678aB3kQ", PLACEHOLDER_RUN },
	{ "wxyzABCDEFGHIJKL5678mnop", PLACEHOLDER_LONG_RUN },
	{ "abcdefghijklmnopqrstuvwxyz123456", PLACEHOLDER_LONG_RUN },
	{ "12345678901234567890123456789012", PLACEHOLDER_SKELETON },
	{ "abcdefabcdefabcdefabcdefabcdef", PLACEHOLDER_SKELETON },
	{ "abcdefghijklmnopqrstuvwxyzabcdef", PLACEHOLDER_SKELETON },
	{ "your_api_key_1234567890abcdef", PLACEHOLDER_SKELETON },
	{ "aaaaaaaaaaaaaaaa", PLACEHOLDER_SKELETON },
	{ "${WALKSCORE_KEY}", PLACEHOLDER_SKELETON },
};

Test(placeholder, kinds_grade_runs_apart_from_bare_stand_ins)
{
	size_t i;

	for (i = 0; i < sizeof(graded) / sizeof(graded[0]); i++) {
		const char *s = graded[i].s;
		cr_expect_eq(placeholder_kind(s, strlen(s)), graded[i].kind,
			     "%s: %d, not %d", s, placeholder_kind(s, strlen(s)),
			     graded[i].kind);
		cr_expect_eq(placeholder_match(s, strlen(s)),
			     graded[i].kind != PLACEHOLDER_NONE, "%s", s);
	}
}
