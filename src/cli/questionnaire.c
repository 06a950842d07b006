#include "questionnaire.h"
#include "cli.h"
#include "progress.h"

#include "alm/answers.h"
#include "alm/assess.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/schema.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef ALM_VERSION
#define ALM_VERSION "0.0.0"
#endif

#define MAX_HISTORY 256
#define MAX_SKIPPED 128

/* What an answers key accepts, from the answers schema. */
typedef enum { K_BOOL, K_ENUM, K_ENUM_LIST, K_STRING_LIST, K_STRING, K_OTHER } key_kind;

typedef struct {
	char *key;
	cJSON *previous; /* the value before this step (NULL: none) */
	int skipped;     /* the step was a skip, not an answer */
} history_step;

typedef struct {
	const questionnaire_options *o;
	alm_facts *facts;
	cJSON *answers;  /* the answers document, without "schema" */
	cJSON *schema;   /* rules/answers.schema.json */
	cJSON *report;
	history_step history[MAX_HISTORY];
	int nhistory;
	char *skipped[MAX_SKIPPED];
	int nskipped;
	cJSON *undone;   /* key -> the answer a "back" took away, offered again as the default */
	int answered;
} session;

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* The shared readers: NULL when absent or of another type. */
#define str alm_json_str
#define get alm_json_get

/* ---- the answers document, addressed by dotted keys ------------------- */

static const cJSON *doc_get(const cJSON *doc, const char *key)
{
	return alm_json_get_path(doc, key);
}

/* Sets (value not NULL, ownership taken) or removes (NULL) the member at `key`,
 * creating the objects on the way and dropping those left empty. */
static int doc_put(cJSON *doc, const char *key, cJSON *value)
{
	const char *dot = strchr(key, '.');
	char seg[128];
	size_t len = dot ? (size_t)(dot - key) : strlen(key);
	cJSON *child;
	int error;

	if (len >= sizeof seg) {
		cJSON_Delete(value);
		return alm_error_set(ALM_EINVALID, "answers key too long: %s", key);
	}
	memcpy(seg, key, len);
	seg[len] = '\0';
	if (!dot) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, seg);
		if (value && !cJSON_AddItemToObject(doc, seg, value)) {
			cJSON_Delete(value);
			return alm_error_set(ALM_ENOMEM, "out of memory");
		}
		return 0;
	}
	child = cJSON_GetObjectItemCaseSensitive(doc, seg);
	if (!cJSON_IsObject(child)) {
		if (!value)
			return 0;
		cJSON_DeleteItemFromObjectCaseSensitive(doc, seg);
		if (!(child = cJSON_AddObjectToObject(doc, seg))) {
			cJSON_Delete(value);
			return alm_error_set(ALM_ENOMEM, "out of memory");
		}
	}
	if ((error = doc_put(child, dot + 1, value)) < 0)
		return error;
	if (!child->child)
		cJSON_DeleteItemFromObjectCaseSensitive(doc, seg);
	return 0;
}

/* ---- the schema of a key ---------------------------------------------- */

#define resolve alm_schema_resolve

static const cJSON *key_schema(const cJSON *root, const char *key)
{
	const cJSON *node = root;
	char seg[128];
	while (node && *key) {
		const char *dot = strchr(key, '.');
		size_t len = dot ? (size_t)(dot - key) : strlen(key);
		if (len >= sizeof seg)
			return NULL;
		memcpy(seg, key, len);
		seg[len] = '\0';
		node = resolve(root, get(get(resolve(root, node), "properties"), seg));
		key = dot ? dot + 1 : key + len;
	}
	return node;
}

static key_kind kind_of(const cJSON *root, const cJSON *schema, const cJSON **choices)
{
	const char *type = str(schema, "type");
	*choices = NULL;
	if (cJSON_IsArray(get(schema, "enum"))) {
		*choices = get(schema, "enum");
		return K_ENUM;
	}
	if (type && strcmp(type, "boolean") == 0)
		return K_BOOL;
	if (type && strcmp(type, "string") == 0)
		return K_STRING;
	if (type && strcmp(type, "array") == 0) {
		const cJSON *items = resolve(root, get(schema, "items"));
		if (cJSON_IsArray(get(items, "enum"))) {
			*choices = get(items, "enum");
			return K_ENUM_LIST;
		}
		return K_STRING_LIST;
	}
	return K_OTHER;
}

/* Text from outside (the rules' questions, the evidence's sentences, the
 * answers, file names) on the terminal: shown, never run ("?" for none). */
static void say(const char *before, const char *text, const char *after)
{
	cli_show(stdout, before, text, after);
}

/* "critical, high or non-critical" */
static void print_choices(const cJSON *choices, const char *last_word)
{
	const cJSON *c;
	int n = cJSON_GetArraySize(choices), i = 0;
	cJSON_ArrayForEach(c, choices) {
		char *text = cJSON_IsString(c) ? NULL : cJSON_PrintUnformatted(c);
		fputs(i == 0 ? "" : i == n - 1 ? last_word : ", ", stdout);
		say("", cJSON_IsString(c) ? c->valuestring : text, "");
		cJSON_free(text);
		i++;
	}
}

/* ---- reading an answer ------------------------------------------------ */

static char *trim(char *s)
{
	char *end;
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* The choice `word` names: exactly, ignoring case, or by a prefix only it has. */
static const cJSON *match_choice(const cJSON *choices, const char *word)
{
	const cJSON *c, *found = NULL;
	int prefixes = 0;
	size_t n = strlen(word);
	if (!n)
		return NULL;
	cJSON_ArrayForEach(c, choices) {
		char buf[64];
		const char *text = buf;
		if (cJSON_IsString(c))
			text = c->valuestring;
		else if (cJSON_IsNumber(c))
			snprintf(buf, sizeof buf, "%d", c->valueint);
		else
			continue;
		if (strcasecmp(text, word) == 0)
			return c;
		if (strncasecmp(text, word, n) == 0) {
			found = c;
			prefixes++;
		}
	}
	return prefixes == 1 ? found : NULL;
}

/* Parses `input` as a value of the key's kind; NULL (with a message printed)
 * when it is not one. */
static cJSON *parse_answer(key_kind kind, const cJSON *choices, const char *input)
{
	if (kind == K_BOOL) {
		if (!strcasecmp(input, "y") || !strcasecmp(input, "yes") || !strcasecmp(input, "true"))
			return cJSON_CreateTrue();
		if (!strcasecmp(input, "n") || !strcasecmp(input, "no") || !strcasecmp(input, "false"))
			return cJSON_CreateFalse();
		printf("  Please answer yes or no (or ? to explain, < to go back, q to quit).\n");
		return NULL;
	}
	if (kind == K_ENUM) {
		const cJSON *c = match_choice(choices, input);
		if (c)
			return cJSON_Duplicate(c, 1);
		printf("  Please answer one of ");
		print_choices(choices, " or ");
		printf(".\n");
		return NULL;
	}
	if (kind == K_STRING)
		return cJSON_CreateString(input);
	if (kind == K_ENUM_LIST || kind == K_STRING_LIST) {
		cJSON *list = cJSON_CreateArray();
		char *copy = strdup(input), *tok, *save = NULL;
		if (!list || !copy) {
			cJSON_Delete(list);
			free(copy);
			return NULL;
		}
		for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			cJSON *item = NULL;
			const cJSON *c;
			int seen = 0;
			if (kind == K_ENUM_LIST) {
				if (!(c = match_choice(choices, tok))) {
					say("  '", tok, "' is not one of ");
					print_choices(choices, " or ");
					printf(".\n");
					cJSON_Delete(list);
					free(copy);
					return NULL;
				}
				item = cJSON_Duplicate(c, 1);
			} else {
				char *p;
				/* The schema asks for lower-case names. */
				for (p = tok; *p; p++)
					*p = (char)tolower((unsigned char)*p);
				item = cJSON_CreateString(tok);
			}
			cJSON_ArrayForEach(c, list)
				seen |= item && cJSON_Compare(c, item, 1);
			if (seen)
				cJSON_Delete(item);
			else if (!alm_json_add(list, NULL, item)) {
				free(copy);
				cJSON_Delete(list);
				return NULL;
			}
		}
		free(copy);
		if (cJSON_GetArraySize(list) == 0) {
			printf("  Please give at least one, separated by commas.\n");
			cJSON_Delete(list);
			return NULL;
		}
		return list;
	}
	printf("  This key cannot be answered here; edit the answers file instead.\n");
	return NULL;
}

/* ---- what to ask next ------------------------------------------------- */

static int is_skipped(const session *s, const char *key)
{
	int i;
	for (i = 0; i < s->nskipped; i++)
		if (strcmp(s->skipped[i], key) == 0)
			return 1;
	return 0;
}

static int is_answered(const session *s, const char *key)
{
	const cJSON *v = doc_get(s->answers, key);
	return v && !cJSON_IsNull(v);
}

/* The step where the walk stopped on an unknown, or NULL when it reached a
 * verdict by known answers. */
static const cJSON *stuck_step(const session *s)
{
	const cJSON *step, *last = NULL;
	cJSON_ArrayForEach(step, get(s->report, "path"))
		last = step;
	return last && str(last, "value") && strcmp(str(last, "value"), "unknown") == 0 ? last : NULL;
}

/* `key` when it can be asked now: known to the answers schema, not answered,
 * not skipped. */
static const char *askable(const session *s, const char *key)
{
	if (!key || is_skipped(s, key) || is_answered(s, key) || !key_schema(s->schema, key))
		return NULL;
	return key;
}

/* The first answers key among a list of fact names ("answers.maturity.current"). */
static const char *first_answers_need(const session *s, const cJSON *needs)
{
	const cJSON *n;
	cJSON_ArrayForEach(n, needs)
		if (cJSON_IsString(n) && strncmp(n->valuestring, "answers.", 8) == 0 && askable(s, n->valuestring + 8))
			return n->valuestring + 8;
	return NULL;
}

/*
 * The first key to ask, in the tree's order: what the report says decides the
 * node where the walk stopped (decide_with); then the other answers that node
 * reads (a part may read two facts, like the maturity gate's current and
 * target, and a condition may read keys no part asks, like the creators);
 * then the open questions, that node's question first, in the report's order.
 * A key already answered may stay unknown while its part waits for another
 * fact: it is passed over, and that other key comes up in turn.
 */
static const char *next_key(const session *s)
{
	const cJSON *k, *u, *stuck = stuck_step(s), *node = NULL, *p;
	const char *key, *question = NULL;
	int pass;

	cJSON_ArrayForEach(k, get(s->report, "decide_with"))
		if (cJSON_IsString(k) && (key = askable(s, k->valuestring)) != NULL)
			return key;
	if (stuck && (node = alm_rules_node(s->o->rules, str(stuck, "node"))) != NULL) {
		question = str(node, "question");
		if (str(node, "part") && (key = first_answers_need(s, get(alm_rules_part(s->o->rules, str(node, "part"), NULL),
									  "needs"))) != NULL)
			return key;
		cJSON_ArrayForEach(p, get(node, "parts"))
			if (cJSON_IsString(p) &&
			    (key = first_answers_need(s, get(alm_rules_part(s->o->rules, p->valuestring, NULL), "needs"))) != NULL)
				return key;
		if ((key = first_answers_need(s, get(node, "needs"))) != NULL)
			return key;
	}
	for (pass = question ? 0 : 1; pass < 2; pass++) {
		cJSON_ArrayForEach(u, get(s->report, "unknowns")) {
			if (pass == 0 && (!str(u, "question") || strcmp(str(u, "question"), question) != 0))
				continue;
			if ((key = askable(s, str(u, "ask"))) != NULL)
				return key;
		}
	}
	return NULL;
}

static int count_open(const session *s)
{
	const cJSON *u, *v;
	int n = 0;
	cJSON_ArrayForEach(u, get(s->report, "unknowns")) {
		const char *ask = str(u, "ask");
		int dup = 0;
		if (!ask || is_skipped(s, ask) || is_answered(s, ask))
			continue;
		cJSON_ArrayForEach(v, get(s->report, "unknowns")) {
			if (v == u)
				break;
			dup |= str(v, "ask") && strcmp(str(v, "ask"), ask) == 0;
		}
		n += !dup;
	}
	return n;
}

/* The report's parts that `key` answers, in its order. */
static int parts_for(const session *s, const char *key, const cJSON **parts, const cJSON **questions, int max)
{
	const cJSON *q, *p;
	int n = 0;
	cJSON_ArrayForEach(q, get(s->report, "questions")) {
		cJSON_ArrayForEach(p, get(q, "parts")) {
			if (n < max && str(p, "ask") && strcmp(str(p, "ask"), key) == 0) {
				parts[n] = p;
				questions[n] = q;
				n++;
			}
		}
	}
	return n;
}

/*
 * A default the evidence suggests, or NULL: the answer a "back" took away;
 * else, from the first fact outside answers.* that the key's parts read and
 * that is present: a list of names for a list of names, a string for a string,
 * and for yes or no a count (more than 0), a flag or a list (non-empty). The
 * evidence left the part unknown, so this is a suggestion to confirm, shown
 * with the evidence it comes from, never an answer given for the user.
 */
static cJSON *evidence_default(const session *s, const char *key, key_kind kind, const cJSON **from)
{
	const cJSON *parts[16], *questions[16], *undone = get(s->undone, key);
	int n = parts_for(s, key, parts, questions, 16), i;
	*from = NULL;
	if (undone)
		return cJSON_Duplicate(undone, 1);
	for (i = 0; i < n; i++) {
		const cJSON *ev;
		cJSON_ArrayForEach(ev, get(parts[i], "evidence")) {
			const char *fact = str(ev, "fact"), *source = str(ev, "source");
			const cJSON *value;
			if (!fact || (source && strcmp(source, "answers") == 0))
				continue;
			value = alm_facts_get(s->facts, fact);
			if (!value)
				continue;
			*from = ev;
			if (kind == K_STRING_LIST && cJSON_IsArray(value) && cJSON_GetArraySize(value) > 0) {
				const cJSON *item;
				int all_strings = 1;
				cJSON_ArrayForEach(item, value)
					all_strings &= cJSON_IsString(item);
				if (all_strings)
					return cJSON_Duplicate(value, 1);
			} else if (kind == K_STRING && cJSON_IsString(value) && *value->valuestring) {
				return cJSON_Duplicate(value, 1);
			} else if (kind == K_BOOL) {
				if (cJSON_IsBool(value))
					return cJSON_CreateBool(cJSON_IsTrue(value));
				if (cJSON_IsNumber(value))
					return cJSON_CreateBool(value->valuedouble > 0);
				if (cJSON_IsArray(value))
					return cJSON_CreateBool(cJSON_GetArraySize(value) > 0);
			}
			*from = NULL;
		}
	}
	return NULL;
}

static void print_value(const cJSON *value, key_kind kind)
{
	if (kind == K_BOOL) {
		fputs(cJSON_IsTrue(value) ? "yes" : "no", stdout);
	} else if (cJSON_IsString(value)) {
		say("", value->valuestring, "");
	} else if (cJSON_IsArray(value)) {
		const cJSON *item;
		int first = 1;
		cJSON_ArrayForEach(item, value) {
			char *t = cJSON_IsString(item) ? NULL : cJSON_PrintUnformatted(item);
			fputs(first ? "" : ", ", stdout);
			say("", cJSON_IsString(item) ? item->valuestring : t, "");
			cJSON_free(t);
			first = 0;
		}
	} else {
		char *t = cJSON_PrintUnformatted(value);
		fputs(t ? t : "?", stdout);
		cJSON_free(t);
	}
}

/* "?": where the question comes from, why it is asked now, and what a "no"
 * would mean, all from the rules and the report. */
static void explain(const session *s, const char *key)
{
	const cJSON *parts[16], *questions[16], *k, *last = NULL, *step;
	int n = parts_for(s, key, parts, questions, 16), i, deciding = 0;

	cJSON_ArrayForEach(k, get(s->report, "decide_with"))
		deciding |= cJSON_IsString(k) && strcmp(k->valuestring, key) == 0;
	cJSON_ArrayForEach(step, get(s->report, "path"))
		last = step;
	/* A key no part asks is asked only because the stopped node reads it. */
	if (n == 0 && stuck_step(s)) {
		deciding = 1;
		say("\n  Needed to decide: ", str(last, "label"), "\n");
	}
	printf("\n  From the CoE ALM maturity model's quick-start questions:\n");
	for (i = 0; i < n; i++) {
		const cJSON *rq = NULL, *rp = alm_rules_part(s->o->rules, str(parts[i], "id"), &rq);
		if (i == 0 || questions[i] != questions[i - 1])
			say("  ", str(questions[i], "section") ? str(questions[i], "section") : str(questions[i], "text"),
			    "\n");
		say("    - ", str(parts[i], "text"), "\n");
		if (str(rp, "action"))
			say("      If not: ", str(rp, "action"), "\n");
	}
	if (deciding && last)
		say("  Why now: the tree stops at \"", str(last, "label"),
		    "\" until this is answered; the verdict depends on it.\n");
	else
		printf("  Why now: it is still unknown, so the report cannot say whether it is a gap; each answer "
		       "raises the confidence.\n");
	say("  It is saved as \"", key,
	    "\" in the answers file. Enter takes the default when one is shown; - skips.\n\n");
}

/* ---- recording -------------------------------------------------------- */

static int set_fact(session *s, const char *key, const cJSON *value)
{
	char path[300], *text = value ? cJSON_PrintUnformatted(value) : NULL;
	int error;
	snprintf(path, sizeof path, "answers.%s", key);
	/* A null fact is a missing one: that is how an answer is taken back. */
	error = alm_facts_set(s->facts, path, value ? cJSON_Duplicate(value, 1) : cJSON_CreateNull(), ALM_SOURCE_ANSWERS,
			      value ? "answered on the terminal: %s = %s" : NULL, key, text ? text : "");
	cJSON_free(text);
	return error;
}

static int record(session *s, const char *key, cJSON *value)
{
	const cJSON *old = doc_get(s->answers, key);
	history_step *st;
	int error;
	if (s->nhistory >= MAX_HISTORY) {
		cJSON_Delete(value);
		return alm_error_set(ALM_ELIMIT, "more than %d answers in one session", MAX_HISTORY);
	}
	st = &s->history[s->nhistory];
	st->key = strdup(key);
	st->previous = old ? cJSON_Duplicate(old, 1) : NULL;
	st->skipped = value == NULL;
	if (!st->key) {
		cJSON_Delete(st->previous);
		cJSON_Delete(value);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	s->nhistory++;
	if (!value) {
		if (s->nskipped < MAX_SKIPPED && (s->skipped[s->nskipped] = strdup(key)) != NULL)
			s->nskipped++;
		return 0;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(s->undone, key);
	if ((error = set_fact(s, key, value)) < 0) {
		cJSON_Delete(value);
		return error;
	}
	s->answered++;
	return doc_put(s->answers, key, value);
}

/* Undoes the last step; returns 0, or 1 when there was none. */
static int go_back(session *s)
{
	history_step *st;
	int error = 0;
	if (s->nhistory == 0)
		return 1;
	st = &s->history[--s->nhistory];
	if (st->skipped) {
		int i;
		for (i = 0; i < s->nskipped; i++) {
			if (strcmp(s->skipped[i], st->key) == 0) {
				free(s->skipped[i]);
				s->skipped[i] = s->skipped[--s->nskipped];
				break;
			}
		}
	} else {
		const cJSON *given = doc_get(s->answers, st->key);
		if (given) {
			cJSON_DeleteItemFromObjectCaseSensitive(s->undone, st->key);
			if (!alm_json_add_copy(s->undone, st->key, given))
				return alm_error_set(ALM_ENOMEM, "out of memory");
		}
		if ((error = set_fact(s, st->key, st->previous)) == 0)
			error = doc_put(s->answers, st->key, st->previous ? cJSON_Duplicate(st->previous, 1) : NULL);
		s->answered--;
	}
	free(st->key);
	cJSON_Delete(st->previous);
	return error < 0 ? error : 0;
}

/* Writes the answers document (with its schema tag first) atomically. */
static int save(const session *s)
{
	cJSON *doc = cJSON_CreateObject(), *copy = cJSON_Duplicate(s->answers, 1), *item;
	alm_facts *check = NULL;
	char *line = NULL;
	size_t n;
	int code = EXIT_OUTPUT;

	if (!doc || !copy || !alm_json_add_string(doc, "schema", "alm-advisor/answers@1")) {
		cli_error("out of memory");
		goto done;
	}
	while ((item = copy->child) != NULL) {
		cJSON_DetachItemViaPointer(copy, item);
		if (strcmp(item->string, "schema") == 0)
			cJSON_Delete(item);
		else if (!alm_json_add(doc, item->string, item)) {
			cli_error("out of memory");
			goto done;
		}
	}
	if (alm_json_print_line(&line, &n, doc) < 0) {
		cli_error("out of memory");
		goto done;
	}
	/* What is saved must load: check it as assess would read it. */
	if (alm_facts_new(&check) < 0 || alm_answers_load_text(check, line, n, s->o->output) < 0) {
		cli_error("the answers would not load back: %s", alm_error_last());
		goto done;
	}
	if (alm_file_write_atomic(s->o->output, line, n) < 0) {
		cli_error("%s", alm_error_last());
		goto done;
	}
	code = EXIT_ASSESSED;
done:
	free(line);
	alm_facts_free(check);
	cJSON_Delete(copy);
	cJSON_Delete(doc);
	return code;
}

/* ---- the conversation ------------------------------------------------- */

typedef enum { ASK_ANSWERED, ASK_BACK, ASK_QUIT, ASK_ERROR } ask_result;

static ask_result ask(session *s, const char *key)
{
	const cJSON *parts[16], *questions[16], *choices, *from = NULL, *schema = key_schema(s->schema, key);
	key_kind kind = kind_of(s->schema, schema, &choices);
	cJSON *def = evidence_default(s, key, kind, &from);
	char *buf = NULL;
	size_t cap = 0;
	int n = parts_for(s, key, parts, questions, 16), i;
	ask_result result = ASK_ERROR;

	printf("\n");
	for (i = 0; i < n; i++) {
		const cJSON *ev;
		if (i == 0 || questions[i] != questions[i - 1]) {
			printf("%d. ", get(questions[i], "number") ? get(questions[i], "number")->valueint : 0);
			say("", str(questions[i], "section") ? str(questions[i], "section") : str(questions[i], "text"),
			    "\n");
		}
		say("   ", str(parts[i], "text"), "\n");
		cJSON_ArrayForEach(ev, get(parts[i], "evidence"))
			if (str(ev, "detail") && (!str(ev, "source") || strcmp(str(ev, "source"), "answers") != 0))
				say("   Evidence: ", str(ev, "detail"), "\n");
	}
	if (n == 0) {
		const cJSON *stuck = stuck_step(s);
		say("", stuck && str(stuck, "label") ? str(stuck, "label") : key, "\n");
	}
	say("   Answer (", key, "): ");
	switch (kind) {
	case K_BOOL: printf("yes or no"); break;
	case K_ENUM: print_choices(choices, " or "); break;
	case K_ENUM_LIST: printf("one or more of "); print_choices(choices, ", "); printf(", comma-separated"); break;
	case K_STRING_LIST: printf("names, comma-separated"); break;
	case K_STRING: printf("text"); break;
	case K_OTHER: printf("(edit the file)"); break;
	}
	printf("\n");
	if (def) {
		printf("   Default: ");
		print_value(def, kind);
		if (from)
			printf(" (suggested by the %s evidence)", str(from, "source") ? str(from, "source") : "");
		printf("\n");
	}
	for (;;) {
		ssize_t got;
		char *input;
		cJSON *value;
		printf("   [? explain, - skip, < back, q quit] > ");
		fflush(stdout);
		errno = 0;
		got = getline(&buf, &cap, stdin);
		if (got < 0 || interrupted) {
			/* End of input or an interrupt: keep what was answered. */
			printf("\n");
			clearerr(stdin);
			result = ASK_QUIT;
			break;
		}
		input = trim(buf);
		if (strcmp(input, "?") == 0 || strcasecmp(input, "help") == 0) {
			explain(s, key);
			continue;
		}
		if (strcmp(input, "<") == 0 || strcasecmp(input, "back") == 0) {
			result = ASK_BACK;
			break;
		}
		if (strcasecmp(input, "q") == 0 || strcasecmp(input, "quit") == 0) {
			result = ASK_QUIT;
			break;
		}
		if (strcmp(input, "-") == 0 || strcasecmp(input, "skip") == 0 || (!*input && !def)) {
			result = record(s, key, NULL) < 0 ? ASK_ERROR : ASK_ANSWERED;
			break;
		}
		value = *input ? parse_answer(kind, choices, input) : cJSON_Duplicate(def, 1);
		if (!value)
			continue;
		result = record(s, key, value) < 0 ? ASK_ERROR : ASK_ANSWERED;
		break;
	}
	if (result == ASK_ERROR)
		cli_error("%s", alm_error_last());
	free(buf);
	cJSON_Delete(def);
	return result;
}

static int assess(session *s)
{
	cJSON_Delete(s->report);
	s->report = NULL;
	if (alm_assess(&s->report, s->o->rules, s->facts, ALM_VERSION) < 0) {
		cli_error("%s", alm_error_last());
		return EXIT_BAD_INPUT;
	}
	return EXIT_ASSESSED;
}

static void print_outcome(const session *s, int finished)
{
	const cJSON *c = get(s->report, "confidence");
	printf("\n%s: ", finished ? "No more questions. Verdict" : "Stopped. Verdict so far");
	say("", str(s->report, "title"), " [");
	say("", str(s->report, "verdict"), "]");
	printf(", confidence %.2f.\n", cJSON_IsNumber(c) ? c->valuedouble : 0.0);
}

int cli_questionnaire(const questionnaire_options *o)
{
	session s;
	struct sigaction sa, old_sa;
	const cJSON *answers;
	const char *schema_text;
	size_t schema_len;
	int code, i, finished = 0;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cli_error("questions --interactive asks on a terminal, and standard %s is not one; to answer in a "
			  "file instead, write a template with 'alm-advisor questions --init FILE', fill it in, and "
			  "pass it to assess with --answers FILE",
			  !isatty(STDIN_FILENO) ? "input" : "output");
		return EXIT_USAGE;
	}
	memset(&s, 0, sizeof s);
	s.o = o;
	schema_text = alm_rules_answers_schema_text(&schema_len);
	if (alm_json_parse(&s.schema, schema_text, schema_len, "answers.schema.json") < 0 ||
	    !(s.undone = cJSON_CreateObject())) {
		cli_error("%s", alm_error_last());
		code = EXIT_BAD_INPUT;
		goto done;
	}

	cli_progress_begin(o->gather.no_repo ? "reading the answers" : "reading the repository", !o->quiet);
	code = cli_gather(&s.facts, &o->gather);
	cli_progress_end();
	if (code != EXIT_ASSESSED)
		goto done;
	answers = alm_facts_get(s.facts, "answers");
	if (!(s.answers = cJSON_IsObject(answers) ? cJSON_Duplicate(answers, 1) : cJSON_CreateObject())) {
		cli_error("out of memory");
		code = EXIT_BAD_INPUT;
		goto done;
	}

	/* An interrupt ends the session like 'q': without SA_RESTART the pending
	 * read returns, and the answers so far are saved. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);

	say("alm-advisor: the questions the evidence left open, in the tree's order.\nAnswers are saved to ",
	    o->output, " when you finish or quit (q).\n");
	for (;;) {
		const char *key;
		ask_result r;
		if ((code = assess(&s)) != EXIT_ASSESSED)
			break;
		if (!(key = next_key(&s))) {
			finished = 1;
			break;
		}
		printf("\n-- %d open, %d answered; verdict so far: ", count_open(&s), s.answered);
		say("", str(s.report, "verdict"), "\n");
		r = ask(&s, key);
		if (r == ASK_ERROR) {
			code = EXIT_BAD_INPUT;
			break;
		}
		if (r == ASK_QUIT)
			break;
		if (r == ASK_BACK && go_back(&s) == 1)
			printf("   Nothing to go back to.\n");
	}
	sigaction(SIGINT, &old_sa, NULL);
	if (code == EXIT_ASSESSED) {
		if (s.report && (code = assess(&s)) == EXIT_ASSESSED)
			print_outcome(&s, finished);
		if ((code = save(&s)) == EXIT_ASSESSED) {
			int here = o->gather.no_repo || strcmp(o->gather.repo, ".") == 0;
			fputs("Saved to ", stdout);
			say("", o->output, "");
			fputs(o->gather.no_repo ? ". Assess with: alm-advisor assess --no-repo" : ". Assess with: alm-advisor assess", stdout);
			if (!here) {
				fputc(' ', stdout);
				say("", o->gather.repo, "");
			}
			say(" --answers ", o->output, "\n");
		}
		fflush(stdout);
	}
done:
	for (i = 0; i < s.nhistory; i++) {
		free(s.history[i].key);
		cJSON_Delete(s.history[i].previous);
	}
	for (i = 0; i < s.nskipped; i++)
		free(s.skipped[i]);
	cJSON_Delete(s.undone);
	cJSON_Delete(s.report);
	cJSON_Delete(s.answers);
	cJSON_Delete(s.schema);
	alm_facts_free(s.facts);
	return code;
}
