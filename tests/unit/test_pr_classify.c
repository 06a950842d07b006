/* The pull-request conventions, one message at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pr_classify.h"

typedef struct {
	const char *message;
	unsigned int parents;
	alm_pr_kind expect;
} pr_case;

static const pr_case cases[] = {
	/* Azure DevOps: any parent count */
	{ "Merged PR 123: Add the thing", 2, ALM_PR_AZURE_DEVOPS },
	{ "Merged PR 123: Squashed\n\nBody", 1, ALM_PR_AZURE_DEVOPS },
	{ "Merged PR 7:", 0, ALM_PR_AZURE_DEVOPS },
	{ "Merged PR : no number", 2, ALM_PR_NONE },
	{ "Merged PR 12 no colon", 2, ALM_PR_NONE },
	{ " Merged PR 12: leading blank", 2, ALM_PR_NONE },
	{ "\n\n  \nMerged PR 12: after blank lines", 2, ALM_PR_AZURE_DEVOPS },
	{ "Merged PR\n12: joined subject", 2, ALM_PR_AZURE_DEVOPS },
	/* GitHub merge: two or more parents */
	{ "Merge pull request #42 from owner/branch", 2, ALM_PR_GITHUB_MERGE },
	{ "Merge pull request #42 from owner/branch\n\nTitle", 3, ALM_PR_GITHUB_MERGE },
	{ "Merge pull request #42 from owner/branch", 1, ALM_PR_NONE },
	{ "Merge pull request #42 in PROJ/repo from a to b", 2, ALM_PR_NONE },
	{ "Merge pull request #x from owner/branch", 2, ALM_PR_NONE },
	/* GitHub squash: exactly one parent, (#N) at the end of the subject */
	{ "Add a report (#15)", 1, ALM_PR_GITHUB_SQUASH },
	{ "Add a report (#15)   \r\n\nBody (#16)", 1, ALM_PR_GITHUB_SQUASH },
	{ "Add a report\n(#15)\n\nBody", 1, ALM_PR_GITHUB_SQUASH },
	{ "Add a report (#15)", 2, ALM_PR_NONE },
	{ "Add a report (#15)", 0, ALM_PR_NONE },
	{ "Add a report (#15) later", 1, ALM_PR_NONE },
	{ "Add a report (#)", 1, ALM_PR_NONE },
	{ "Add a report\n\n(#15)", 1, ALM_PR_NONE },
	{ "(#1)", 1, ALM_PR_GITHUB_SQUASH },
	/* GitLab: a line of the message */
	{ "Merge branch 'a' into 'main'\n\nTitle\n\nSee merge request group/project!123", 2, ALM_PR_GITLAB },
	{ "Merge branch 'a' into 'main'\n\nSee merge request group/sub/project!9\n", 2, ALM_PR_GITLAB },
	{ "Squashed\n\nSee merge request g/p!9\r\n", 1, ALM_PR_GITLAB },
	{ "x\n\nSee merge request !9", 2, ALM_PR_GITLAB },
	{ "x\n\nSee merge request a!b!9", 2, ALM_PR_GITLAB },
	{ "x\n\nSee merge request g p!9", 2, ALM_PR_NONE },
	{ "x\n\nSee merge request g/p!9 ", 2, ALM_PR_NONE },
	{ "x\n\nSee merge request g/p!", 2, ALM_PR_NONE },
	{ "x\n\nSee merge request g/p#9", 2, ALM_PR_NONE },
	{ "x\n\n  See merge request g/p!9", 2, ALM_PR_NONE },
	{ "See merge request g/p!9", 0, ALM_PR_GITLAB },
	/* Bitbucket */
	{ "Merged in feature/x (pull request #12)", 2, ALM_PR_BITBUCKET },
	{ "Merged in feature/x (pull request #12)\n\nApproved-by: someone", 1, ALM_PR_BITBUCKET },
	{ "Merged in x (pull request #1)", 2, ALM_PR_BITBUCKET },
	{ "Merged in   (pull request #1)", 2, ALM_PR_BITBUCKET },
	{ "Merged in  (pull request #1)", 2, ALM_PR_NONE },
	{ "Merged in (pull request #1)", 2, ALM_PR_NONE },
	{ "Merged in feature/x (pull request #)", 2, ALM_PR_NONE },
	{ "Merged in feature/x (pull request 12)", 2, ALM_PR_NONE },
	/* first rule wins */
	{ "Merged PR 5: Add (#6)", 1, ALM_PR_AZURE_DEVOPS },
	{ "Fix (#6)\n\nSee merge request g/p!1", 1, ALM_PR_GITHUB_SQUASH },
	{ "Merged in x (pull request #1)\n\nSee merge request g/p!1", 2, ALM_PR_GITLAB },
	/* plain merges and ordinary commits */
	{ "Merge branch 'feature'", 2, ALM_PR_NONE },
	{ "Merge remote-tracking branch 'origin/main'", 2, ALM_PR_NONE },
	{ "Fix typo", 1, ALM_PR_NONE },
	{ "", 1, ALM_PR_NONE },
	{ "\n\n\n", 1, ALM_PR_NONE },
	{ NULL, 0, ALM_PR_NONE }
};

static void test_table(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; cases[i].message; i++) {
		alm_pr_kind got = alm_pr_classify(cases[i].message, strlen(cases[i].message),
						  cases[i].parents);
		if (got != cases[i].expect)
			fail_msg("case %zu \"%s\" (%u parents): expected %s, got %s", i,
				 cases[i].message, cases[i].parents, alm_pr_kind_name(cases[i].expect),
				 alm_pr_kind_name(got));
	}
}

static void test_length_is_respected(void **state)
{
	/* Only the first len bytes count; a NUL ends the message as in git. */
	static const char text[] = "Add a report (#15) and more";
	static const char nul[] = "Merged in x (pull request #1)\0 trailing";
	(void)state;
	assert_int_equal(alm_pr_classify(text, 18, 1), ALM_PR_GITHUB_SQUASH);
	assert_int_equal(alm_pr_classify(text, sizeof text - 1, 1), ALM_PR_NONE);
	assert_int_equal(alm_pr_classify(nul, sizeof nul - 1, 2), ALM_PR_BITBUCKET);
	assert_int_equal(alm_pr_classify(NULL, 10, 1), ALM_PR_NONE);
	assert_int_equal(alm_pr_classify("Merged PR 1:", 0, 1), ALM_PR_NONE);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(alm_pr_kind_name(ALM_PR_AZURE_DEVOPS), "azure_devops");
	assert_string_equal(alm_pr_kind_name(ALM_PR_GITHUB_MERGE), "github_merge");
	assert_string_equal(alm_pr_kind_name(ALM_PR_GITHUB_SQUASH), "github_squash");
	assert_string_equal(alm_pr_kind_name(ALM_PR_GITLAB), "gitlab");
	assert_string_equal(alm_pr_kind_name(ALM_PR_BITBUCKET), "bitbucket");
	assert_string_equal(alm_pr_kind_name(ALM_PR_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_length_is_respected),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
