#include "escape.h"
#include "strbuf.h"
#include "alm/error.h"

#include <stdlib.h>
#include <string.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

size_t alm_utf8_seq(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len, i;
	unsigned long cp;
	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1Fu;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0Fu;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

int alm_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;
	while (i < n) {
		if (!(k = alm_utf8_seq(s + i, n - i)))
			return 0;
		i += k;
	}
	return 1;
}

int alm_utf8_repair(char **buf, size_t *len)
{
	alm_strbuf b = ALM_STRBUF_INIT;
	size_t n = len ? *len : strlen(*buf), i = 0, k;
	char *out;
	if (alm_utf8_valid(*buf, n))
		return 0;
	while (i < n) {
		if ((k = alm_utf8_seq(*buf + i, n - i)) != 0) {
			alm_strbuf_put(&b, *buf + i, k);
			i += k;
		} else {
			alm_strbuf_put(&b, replacement, 3);
			i++;
		}
	}
	if (alm_strbuf_finish(&b, &out, &n, "a text") < 0)
		return ALM_ENOMEM;
	free(*buf);
	*buf = out;
	if (len)
		*len = n;
	return 0;
}

/* The visible form of the control character at s (len bytes), or NULL when
 * it is not one; `tmp` holds a formed \xHH or \uHHHH. */
static const char *control_form(const unsigned char *s, size_t *len, char tmp[8])
{
	*len = 1;
	switch (s[0]) {
	case '\n': return "\\n";
	case '\t': return "\\t";
	case '\r': return "\\r";
	case 0x1B: return "\\e";
	default: break;
	}
	if (s[0] < 0x20 || s[0] == 0x7F) {
		snprintf(tmp, 8, "\\x%02x", s[0]);
		return tmp;
	}
	if (s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F) {
		*len = 2;
		snprintf(tmp, 8, "\\u%04x", s[1]);
		return tmp;
	}
	return NULL;
}

/* What one output writes for a character: its replacement, or NULL for the
 * character itself. `cell` tells a table cell from running text. */
typedef const char *(*char_form)(char c, int cell);

/* Writes s with each character in its output's form; a control character
 * other than a line's own (\n, \r, \t) in its visible form, whatever the
 * output, after `control_lead` (an output that reads a backslash as an escape
 * keeps the visible form's own that way). */
static void escaped_lead(FILE *fp, const char *s, char_form form, int cell, const char *control_lead)
{
	for (; s && *s; s++) {
		char tmp[8];
		size_t len = 1;
		const char *out = NULL;
		if (*s != '\n' && *s != '\r' && *s != '\t')
			out = control_form((const unsigned char *)s, &len, tmp);
		if (out)
			fputs(control_lead, fp);
		else
			out = form(*s, cell);
		if (out)
			fputs(out, fp);
		else
			fputc(*s, fp);
		s += len - 1;
	}
}

static void escaped(FILE *fp, const char *s, char_form form, int cell)
{
	escaped_lead(fp, s, form, cell, "");
}

static const char *html_form(char c, int cell)
{
	(void)cell;
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

void alm_esc_html(FILE *fp, const char *s)
{
	escaped(fp, s, html_form, 0);
}

/* Punctuation that could open markup (emphasis, links, code, raw HTML,
 * headings, tables) gets a backslash. */
static const char *md_form(char c, int cell)
{
	switch (c) {
	case '\\': return "\\\\";
	case '`': return "\\`";
	case '*': return "\\*";
	case '_': return "\\_";
	case '[': return "\\[";
	case ']': return "\\]";
	case '<': return "\\<";
	case '>': return "\\>";
	case '|': return "\\|";
	case '&': return "\\&";
	case '~': return "\\~";
	case '#': return "\\#";
	case '\n': return cell ? "<br>" : " ";
	case '\r': return "";
	default: return NULL;
	}
}

void alm_esc_md_text(FILE *fp, const char *s)
{
	escaped(fp, s, md_form, 0);
}

void alm_esc_md_cell(FILE *fp, const char *s)
{
	escaped(fp, s, md_form, 1);
}

/* Inside a code span nothing but a backtick run is markup, and the fence
 * outruns those; what remains is what would break the line or the cell. */
static const char *md_code_form(char c, int cell)
{
	switch (c) {
	case '|': return cell ? "\\|" : NULL;
	case '\n':
	case '\r': return " ";
	default: return NULL;
	}
}

static void md_code(FILE *fp, const char *s, int cell)
{
	size_t run = 0, longest = 0, i;
	const char *p;
	int pad;
	for (p = s; p && *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	/* A span starting or ending with a backtick needs a space inside the
	 * fence, which CommonMark strips. */
	pad = s && *s && (s[0] == '`' || s[strlen(s) - 1] == '`');
	for (i = 0; i <= longest; i++)
		fputc('`', fp);
	if (pad)
		fputc(' ', fp);
	escaped(fp, s, md_code_form, cell);
	if (pad)
		fputc(' ', fp);
	for (i = 0; i <= longest; i++)
		fputc('`', fp);
}

void alm_esc_md_code(FILE *fp, const char *s)
{
	md_code(fp, s, 0);
}

void alm_esc_md_code_cell(FILE *fp, const char *s)
{
	md_code(fp, s, 1);
}

/* A Graphviz DOT double-quoted string: a quote and a backslash get a
 * backslash (DOT reads \N, \G, \E... as names), a newline is written \n. */
static const char *dot_form(char c, int cell)
{
	(void)cell;
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\r': return "";
	default: return NULL;
	}
}

void alm_esc_dot(FILE *fp, const char *s)
{
	escaped_lead(fp, s, dot_form, 0, "\\");
}

/* A Mermaid label, inside its double quotes: Mermaid takes entity codes
 * (#quot;, #35;) there, and renders labels as HTML, so '<', '>' and '&' are
 * coded too; a newline is a <br/>. */
static const char *mermaid_form(char c, int cell)
{
	(void)cell;
	switch (c) {
	case '"': return "#quot;";
	case '#': return "#35;";
	case '<': return "#lt;";
	case '>': return "#gt;";
	case '&': return "#amp;";
	case '\n': return "<br/>";
	case '\r': return "";
	default: return NULL;
	}
}

void alm_esc_mermaid(FILE *fp, const char *s)
{
	escaped(fp, s, mermaid_form, 0);
}

static const char *csv_form(char c, int cell)
{
	(void)cell;
	return c == '"' ? "\"\"" : NULL;
}

void alm_esc_csv_cell(FILE *fp, const char *s)
{
	fputc('"', fp);
	if (s && *s && strchr("=+-@\t\r", *s))
		fputc('\'', fp);
	escaped(fp, s, csv_form, 0);
	fputc('"', fp);
}

/* Azure Pipelines logging commands, coded as its task library codes them;
 * `cell` is a property, where ';' and ']' would end it or the list. */
static const char *vso_form(char c, int property)
{
	switch (c) {
	case '%': return "%AZP25";
	case '\r': return "%0D";
	case '\n': return "%0A";
	case ';': return property ? "%3B" : NULL;
	case ']': return property ? "%5D" : NULL;
	default: return NULL;
	}
}

void alm_esc_vso(FILE *fp, const char *s, int property)
{
	escaped(fp, s, vso_form, property);
}

static void terminal_to(alm_strbuf *b, FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char tmp[8];
	while (s && *s) {
		size_t len;
		const char *form = control_form(s, &len, tmp);
		if (form) {
			if (b)
				alm_strbuf_puts(b, form);
			else
				fputs(form, fp);
		} else if (b) {
			alm_strbuf_putc(b, (char)*s);
		} else {
			fputc(*s, fp);
		}
		s += len;
	}
}

char *alm_esc_terminal_dup(const char *s)
{
	alm_strbuf b = ALM_STRBUF_INIT;
	char *out;
	if (!s)
		return NULL;
	terminal_to(&b, NULL, s);
	return alm_strbuf_finish(&b, &out, NULL, "a text") < 0 ? NULL : out;
}

void alm_esc_terminal(FILE *fp, const char *s)
{
	terminal_to(NULL, fp, s);
}

/* The rewritten form of s as `flags` say, or NULL (with `*failed`) when out
 * of memory; s itself when nothing changes. */
static char *rewritten(const char *s, unsigned flags, int *failed)
{
	char *copy = NULL;
	if ((flags & ALM_ESC_UTF8) && !alm_utf8_valid(s, strlen(s))) {
		if (!(copy = strdup(s)) || alm_utf8_repair(&copy, NULL) < 0) {
			free(copy);
			*failed = 1;
			return NULL;
		}
	}
	if (flags & ALM_ESC_TERMINAL) {
		const char *from = copy ? copy : s;
		size_t i;
		int has_control = 0;
		for (i = 0; from[i] && !has_control; i++) {
			size_t len;
			char tmp[8];
			has_control = control_form((const unsigned char *)from + i, &len, tmp) != NULL;
		}
		if (has_control) {
			char *t = alm_esc_terminal_dup(from);
			free(copy);
			if (!t) {
				*failed = 1;
				return NULL;
			}
			copy = t;
		}
	}
	return copy ? copy : (char *)s;
}

/* cJSON owns its strings through its own allocator. */
static char *cjson_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = cJSON_malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* Rewrites the string in *slot (cJSON's, freed with cJSON_free unless
 * `borrowed`, as a constant key is); says whether a new one took its place. */
static int rewrite_slot(char **slot, int borrowed, unsigned flags, int *failed)
{
	char *v = rewritten(*slot, flags, failed), *owned;
	if (!v || v == *slot)
		return 0;
	owned = cjson_strdup(v);
	free(v);
	if (!owned) {
		*failed = 1;
		return 0;
	}
	if (!borrowed)
		cJSON_free(*slot);
	*slot = owned;
	return 1;
}

/* `node` and the values after it, with their children. */
static void rewrite_tree(cJSON *node, unsigned flags, int *failed)
{
	cJSON *item;
	for (item = node; item && !*failed; item = item->next) {
		if (item->string &&
		    rewrite_slot(&item->string, (item->type & cJSON_StringIsConst) != 0, flags, failed))
			item->type &= ~cJSON_StringIsConst;
		if (cJSON_IsString(item) && item->valuestring)
			rewrite_slot(&item->valuestring, 0, flags, failed);
		if (item->child)
			rewrite_tree(item->child, flags, failed);
	}
}

int alm_esc_json_tree(cJSON *doc, unsigned flags)
{
	int failed = 0;
	/* The root's siblings are not its own: only it and what it holds. Its
	 * name, if it has one, is its parent's business. */
	if (doc && cJSON_IsString(doc) && doc->valuestring)
		rewrite_slot(&doc->valuestring, 0, flags, &failed);
	if (doc && !failed && doc->child)
		rewrite_tree(doc->child, flags, &failed);
	return failed ? alm_error_set(ALM_ENOMEM, "out of memory") : 0;
}

cJSON *alm_esc_json_copy(const cJSON *doc, unsigned flags)
{
	cJSON *copy = cJSON_Duplicate(doc, 1);
	if (!copy) {
		alm_error_set(ALM_ENOMEM, "out of memory");
		return NULL;
	}
	if (alm_esc_json_tree(copy, flags) < 0) {
		cJSON_Delete(copy);
		return NULL;
	}
	return copy;
}
