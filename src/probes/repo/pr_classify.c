#include "pr_classify.h"

#include <string.h>

/*
 * The subject is never materialised: it can be as long as the message, and a
 * copy would need an allocation per commit. Instead two cursors read it as git
 * would print it, one from the front (for the prefix rules) and one from the
 * back (for the suffix rules).
 */

/* git's isspace() (sane_ctype): only these four. */
static int git_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Start of the line after the one starting at `off`. */
static size_t line_next(const char *m, size_t len, size_t off)
{
	const char *nl = memchr(m + off, '\n', len - off);
	return nl ? (size_t)(nl - m) + 1 : len;
}

/* End of the line's content without trailing whitespace; == off when blank. */
static size_t line_trim(const char *m, size_t off, size_t next)
{
	size_t end = next;
	while (end > off && git_space((unsigned char)m[end - 1]))
		end--;
	return end;
}

typedef struct {
	size_t first;      /* start of the subject's first line */
	size_t last;       /* start of its last line */
	size_t last_end;   /* trimmed end of the last line */
	size_t length;     /* length of the joined subject */
	int empty;
} subject;

static void subject_find(subject *s, const char *m, size_t len)
{
	size_t off = 0, next, end;

	memset(s, 0, sizeof *s);
	s->empty = 1;
	/* Leading blank lines are skipped, as git's skip_blank_lines() does. */
	while (off < len) {
		next = line_next(m, len, off);
		if (line_trim(m, off, next) > off)
			break;
		off = next;
	}
	if (off >= len)
		return;
	s->empty = 0;
	s->first = off;
	while (off < len) {
		next = line_next(m, len, off);
		end = line_trim(m, off, next);
		if (end == off)
			break;
		if (off != s->first)
			s->length++; /* the joining space */
		s->length += end - off;
		s->last = off;
		s->last_end = end;
		off = next;
	}
}

/* Forward cursor over the joined subject. */
typedef struct {
	const char *m;
	size_t len, pos, end, next;
	int done;
} fwd;

static void fwd_init(fwd *it, const char *m, size_t len, const subject *s)
{
	it->m = m;
	it->len = len;
	it->done = s->empty;
	it->pos = s->first;
	it->next = s->empty ? len : line_next(m, len, s->first);
	it->end = s->empty ? s->first : line_trim(m, s->first, it->next);
}

static int fwd_get(fwd *it)
{
	size_t end;

	if (it->done)
		return -1;
	if (it->pos < it->end)
		return (unsigned char)it->m[it->pos++];
	if (it->next >= it->len)
		goto finished;
	end = line_trim(it->m, it->next, line_next(it->m, it->len, it->next));
	if (end == it->next)
		goto finished;
	it->pos = it->next;
	it->end = end;
	it->next = line_next(it->m, it->len, it->next);
	return ' ';
finished:
	it->done = 1;
	return -1;
}

static int fwd_literal(fwd *it, const char *lit)
{
	while (*lit)
		if (fwd_get(it) != (unsigned char)*lit++)
			return 0;
	return 1;
}

/* Consumes [0-9]*; returns how many and the character after them in *after. */
static size_t fwd_digits(fwd *it, int *after)
{
	size_t n = 0;
	int c;
	while ((c = fwd_get(it)) >= '0' && c <= '9')
		n++;
	*after = c;
	return n;
}

/* Backward cursor over the joined subject. */
typedef struct {
	const char *m;
	size_t first, start, pos;
	int done;
} bwd;

static void bwd_init(bwd *it, const char *m, const subject *s)
{
	it->m = m;
	it->first = s->first;
	it->start = s->last;
	it->pos = s->last_end;
	it->done = s->empty;
}

static int bwd_get(bwd *it)
{
	size_t nl, start;

	if (it->done)
		return -1;
	if (it->pos > it->start)
		return (unsigned char)it->m[--it->pos];
	if (it->start <= it->first) {
		it->done = 1;
		return -1;
	}
	/* Step to the previous line of the paragraph; m[start - 1] is its '\n'. */
	nl = it->start - 1;
	start = nl;
	while (start > it->first && it->m[start - 1] != '\n')
		start--;
	it->start = start;
	it->pos = line_trim(it->m, start, nl);
	return ' ';
}

/* Matches `lit` ending at the cursor, reading it from its last character. */
static int bwd_literal(bwd *it, const char *lit)
{
	size_t n = strlen(lit);
	while (n > 0)
		if (bwd_get(it) != (unsigned char)lit[--n])
			return 0;
	return 1;
}

static size_t bwd_digits(bwd *it, int *before)
{
	size_t n = 0;
	int c;
	while ((c = bwd_get(it)) >= '0' && c <= '9')
		n++;
	*before = c;
	return n;
}

static int is_azure_devops(const char *m, size_t len, const subject *s)
{
	fwd it;
	int c;
	fwd_init(&it, m, len, s);
	return fwd_literal(&it, "Merged PR ") && fwd_digits(&it, &c) > 0 && c == ':';
}

static int is_github_merge(const char *m, size_t len, const subject *s)
{
	fwd it;
	int c;
	fwd_init(&it, m, len, s);
	return fwd_literal(&it, "Merge pull request #") && fwd_digits(&it, &c) > 0 &&
	       c == ' ' && fwd_literal(&it, "from ");
}

static int is_github_squash(const char *m, const subject *s)
{
	bwd it;
	int c;
	bwd_init(&it, m, s);
	return bwd_get(&it) == ')' && bwd_digits(&it, &c) > 0 && c == '#' &&
	       bwd_get(&it) == '(';
}

static int is_bitbucket(const char *m, size_t len, const subject *s)
{
	static const char prefix[] = "Merged in ";
	static const char tail[] = " (pull request #";
	fwd f;
	bwd b;
	size_t digits;
	int c;

	fwd_init(&f, m, len, s);
	if (!fwd_literal(&f, prefix))
		return 0;
	bwd_init(&b, m, s);
	if (bwd_get(&b) != ')' || (digits = bwd_digits(&b, &c)) == 0 || c != '#' ||
	    !bwd_literal(&b, " (pull request "))
		return 0;
	/* `.+` between the prefix and the tail needs at least one character. */
	return s->length >= (sizeof prefix - 1) + 1 + (sizeof tail - 1) + digits + 1;
}

/* ^See merge request [^ ]*![0-9]+$ on one line [s, e). */
static int gitlab_line(const char *m, size_t s, size_t e)
{
	static const char lead[] = "See merge request ";
	size_t d = e, i;

	if (e > s && m[e - 1] == '\r')
		e--, d--;
	if (e - s < sizeof lead - 1 + 2 || memcmp(m + s, lead, sizeof lead - 1) != 0)
		return 0;
	s += sizeof lead - 1;
	while (d > s && m[d - 1] >= '0' && m[d - 1] <= '9')
		d--;
	if (d == e || d == s || m[d - 1] != '!')
		return 0;
	for (i = s; i < d - 1; i++)
		if (m[i] == ' ')
			return 0;
	return 1;
}

static int is_gitlab(const char *m, size_t len)
{
	static const char lead[] = "See merge request ";
	size_t off = 0;

	/* memchr on the first letter skips most of a message at once. */
	while (off < len) {
		const char *hit = memchr(m + off, 'S', len - off);
		size_t at, end;
		if (!hit)
			return 0;
		at = (size_t)(hit - m);
		if (len - at < sizeof lead - 1 || memcmp(hit, lead, sizeof lead - 1) != 0) {
			off = at + 1;
			continue;
		}
		end = line_next(m, len, at);
		if (end > at && m[end - 1] == '\n')
			end--;
		if ((at == 0 || m[at - 1] == '\n') && gitlab_line(m, at, end))
			return 1;
		off = at + 1;
	}
	return 0;
}

alm_pr_kind alm_pr_classify(const char *message, size_t len, unsigned int parents)
{
	subject s;

	if (!message)
		return ALM_PR_NONE;
	len = strnlen(message, len);
	subject_find(&s, message, len);
	if (is_azure_devops(message, len, &s))
		return ALM_PR_AZURE_DEVOPS;
	if (parents >= 2 && is_github_merge(message, len, &s))
		return ALM_PR_GITHUB_MERGE;
	if (parents == 1 && is_github_squash(message, &s))
		return ALM_PR_GITHUB_SQUASH;
	if (is_gitlab(message, len))
		return ALM_PR_GITLAB;
	if (is_bitbucket(message, len, &s))
		return ALM_PR_BITBUCKET;
	return ALM_PR_NONE;
}

const char *alm_pr_kind_name(alm_pr_kind kind)
{
	switch (kind) {
	case ALM_PR_AZURE_DEVOPS: return "azure_devops";
	case ALM_PR_GITHUB_MERGE: return "github_merge";
	case ALM_PR_GITHUB_SQUASH: return "github_squash";
	case ALM_PR_GITLAB: return "gitlab";
	case ALM_PR_BITBUCKET: return "bitbucket";
	case ALM_PR_NONE:
	case ALM_PR__COUNT:
		break;
	}
	return "none";
}
