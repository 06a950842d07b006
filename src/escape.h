#ifndef ALM_ESCAPE_H
#define ALM_ESCAPE_H
/*
 * Making text from outside (repository and file names, branch names, answers a
 * team wrote, messages) safe in each output: it is shown as text, never turned
 * into markup, a formula, a terminal control sequence or invalid UTF-8. Every
 * renderer writes outside text through these and nothing else. In every one
 * a control character other than a line break or tab (an escape sequence in a
 * file name) is shown as alm_esc_terminal shows it, never written as it is.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stddef.h>

/* The length of the well-formed UTF-8 sequence at s (at most n bytes
 * available), or 0 when it is not one: overlong forms, surrogates and code
 * points past U+10FFFF are not. */
size_t alm_utf8_seq(const char *s, size_t n);

/* Whether n bytes at s are well-formed UTF-8. */
int alm_utf8_valid(const char *s, size_t n);

/* Replaces each ill-formed byte of the n bytes at *buf with U+FFFD, in a new
 * NUL-terminated buffer (the old one is freed; *len updated, may be NULL when
 * the buffer is a C string). Nothing changes when it is well formed. Returns 0
 * or ALM_ENOMEM (the buffer is left as it was). */
int alm_utf8_repair(char **buf, size_t *len);

/* HTML text and attribute values alike: & < > " ' as entities. */
void alm_esc_html(FILE *fp, const char *s);

/* Markdown running text: ASCII punctuation that could open markup (emphasis,
 * links, code, raw HTML, headings, tables) gets a backslash, which CommonMark
 * renders as the character itself; a newline becomes a space. */
void alm_esc_md_text(FILE *fp, const char *s);

/* A GFM table cell: the same, and a newline becomes <br> (a newline would
 * end the row). */
void alm_esc_md_cell(FILE *fp, const char *s);

/* A Markdown code span, in running text or in a GFM table cell: fenced with
 * more backticks than any run inside it (padded with a space where it starts
 * or ends with one); a newline becomes a space, which code spans allow, and
 * in a cell '|' gets a backslash (GFM splits rows into cells before it reads
 * code). */
void alm_esc_md_code(FILE *fp, const char *s);
void alm_esc_md_code_cell(FILE *fp, const char *s);

/* A Graphviz DOT double-quoted string's content: '"' and '\\' get a
 * backslash, a newline is \n; a control character's visible form has its
 * backslash doubled (\\e), since DOT reads a backslash as an escape. */
void alm_esc_dot(FILE *fp, const char *s);

/* A Mermaid label's content, inside its double quotes: " # < > & as entity
 * codes (#quot; #35; #lt; #gt; #amp;), a newline as <br/>. */
void alm_esc_mermaid(FILE *fp, const char *s);

/* One RFC 4180 field, always quoted, quotes doubled. A cell that a
 * spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
 * carriage return) is prefixed with a single quote, which makes it text. */
void alm_esc_csv_cell(FILE *fp, const char *s);

/* Text in an Azure Pipelines logging command (##vso[...]): '%', CR and LF
 * coded (%AZP25, %0D, %0A) so one command stays one line, and in a property
 * (`property` non-zero) ';' and ']' too (%3B, %5D). The log viewer runs ANSI
 * sequences, so every other control character is spelt as on a terminal. */
void alm_esc_vso(FILE *fp, const char *s, int property);

/* A copy of s for a terminal: control characters (C0, DEL and C1) are
 * written as \n, \t, \r, \e or \xHH (C1 as \u0080...), so an escape
 * sequence hidden in a name is shown, never run. NULL when out of memory
 * (or s is NULL). Caller frees. */
char *alm_esc_terminal_dup(const char *s);

/* The same, to a stream. */
void alm_esc_terminal(FILE *fp, const char *s);

#define ALM_ESC_UTF8 1u     /* ill-formed UTF-8 becomes U+FFFD */
#define ALM_ESC_TERMINAL 2u /* control characters shown escaped (alm_esc_terminal_dup) */

/* Rewrites every string value and member name below `doc` in place, as
 * `flags` say. Returns 0 or ALM_ENOMEM with a message. */
int alm_esc_json_tree(cJSON *doc, unsigned flags);

/* A deep copy of `doc` rewritten with alm_esc_json_tree: what the text
 * renderers format. NULL with ALM_ENOMEM set when out of memory. */
cJSON *alm_esc_json_copy(const cJSON *doc, unsigned flags);

#endif
