/*
 * The commit message classifier. The first byte is the parent count (mod 4),
 * the rest the message, not NUL-terminated, exactly as long as given.
 */
#include "fuzz.h"

#include "pr_classify.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	alm_pr_kind kind;
	if (size < 1)
		return 0;
	kind = alm_pr_classify((const char *)data + 1, size - 1, data[0] % 4u);
	if ((int)kind < 0 || kind >= ALM_PR__COUNT || !alm_pr_kind_name(kind))
		abort();
	return 0;
}
