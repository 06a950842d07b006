#include "alm/jsonlogic.h"

#include "alm/error.h"
#include "alm/json.h"
#include "jsonlogic_js.h"
#include "vec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Values during evaluation are borrowed where they can be: "var" answers with
 * the node inside the data, a literal with the node inside the rule. That
 * avoids copies and gives arrays JavaScript's identity (the same array from
 * the data twice is ==, two literal [1] are not). A value is copied only when
 * it goes into a new array or outlives what it points into.
 *
 * Work is charged to a per-call budget: one step per evaluation, and copies,
 * strings and array walks by their size (WALK_PER_STEP nodes or BYTES_PER_STEP
 * bytes to a step), so that no rule runs for long whatever the data.
 */

#define WALK_PER_STEP 16
#define BYTES_PER_STEP 256

/* Where in the rule: each link is an operator name or an argument's index;
 * the root holds the text of the whole path's start ("$"). */
typedef struct jl_path {
	const struct jl_path *up;
	const char *key; /* NULL for an index */
	int index;
} jl_path;

typedef struct {
	size_t steps;          /* left in this call */
	size_t walked, bytes;  /* work not yet a whole step: many small copies add up */
	int depth;
} jl_ctx;

/* What "var" reads. Inside reduce the data is {"current", "accumulator"},
 * which exists only as these two pointers (data is then NULL). */
typedef struct {
	const cJSON *data;
	const cJSON *current;
	const cJSON *accumulator;
} jl_scope;

typedef struct {
	const cJSON *v; /* never NULL once evaluated */
	cJSON *own;     /* v when this evaluation made it, else NULL (borrowed) */
} jl_val;

#define NOVAL {NULL, NULL}

/* JavaScript's undefined, which and/or with no arguments produce and which
 * behaves unlike null (String gives "undefined", Number gives NaN); it is
 * null in the result. */
static const cJSON jl_undefined = {.type = cJSON_Invalid};
static const cJSON jl_null = {.type = cJSON_NULL};
static const cJSON jl_true = {.type = cJSON_True};
static const cJSON jl_false = {.type = cJSON_False};

/* --- errors ------------------------------------------------------------ */

static int identifier(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static void append(char *out, size_t size, size_t *len, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static void append(char *out, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (*len >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
}

/* Renders a path as JSONPath: $.and[1], $["=="][0]. Paths are as deep as the
 * rule, so only the innermost links are shown, after "...". */
#define PATH_LINKS 40
static void path_text(char *out, size_t size, const jl_path *at)
{
	const jl_path *links[PATH_LINKS];
	const jl_path *p;
	size_t n = 0, len = 0, i;
	int elided = 0;

	for (p = at; p && p->up; p = p->up) {
		if (n < PATH_LINKS)
			links[n++] = p;
		else
			elided = 1;
	}
	out[0] = '\0';
	append(out, size, &len, "%s%s", p && p->key ? p->key : "$", elided ? "..." : "");
	while (n-- > 0) {
		p = links[n];
		if (!p->key) {
			append(out, size, &len, "[%d]", p->index);
		} else if (identifier(p->key)) {
			append(out, size, &len, ".%.64s", p->key);
		} else {
			append(out, size, &len, "[\"");
			for (i = 0; p->key[i] && i < 64; i++) {
				char c = p->key[i];
				if (c == '"' || c == '\\')
					append(out, size, &len, "\\%c", c);
				else
					append(out, size, &len, "%c", (unsigned char)c < 0x20 ? '?' : c);
			}
			append(out, size, &len, "\"]");
		}
	}
}

static int fail(int code, const jl_path *at, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int fail(int code, const jl_path *at, const char *fmt, ...)
{
	char msg[512], where[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	path_text(where, sizeof where, at);
	return alm_error_set(code, "%s at %s", msg, where);
}

/* Adds the place to a message a lower layer set (copied first: the message
 * lives in the buffer that is about to be rewritten). */
static int located(int code, const jl_path *at)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%s", alm_error_last());
	return fail(code, at, "%s", msg);
}

static int nomem(const jl_path *at)
{
	return fail(ALM_ENOMEM, at, "out of memory");
}

static int charge(jl_ctx *cx, size_t steps, const jl_path *at)
{
	if (steps > cx->steps) {
		cx->steps = 0;
		return fail(ALM_ELIMIT, at, "evaluation exceeded %d steps (ALM_JSONLOGIC_MAX_STEPS): too much work, "
			    "such as map, filter or reduce over long arrays", ALM_JSONLOGIC_MAX_STEPS);
	}
	cx->steps -= steps;
	return 0;
}

static int charge_work(jl_ctx *cx, size_t nodes, size_t bytes, const jl_path *at)
{
	size_t steps;
	cx->walked += nodes;
	cx->bytes += bytes;
	steps = cx->walked / WALK_PER_STEP + cx->bytes / BYTES_PER_STEP;
	cx->walked %= WALK_PER_STEP;
	cx->bytes %= BYTES_PER_STEP;
	return charge(cx, steps, at);
}

/* --- values ------------------------------------------------------------ */

static jl_val borrowed(const cJSON *v)
{
	jl_val x = {v, NULL};
	return x;
}

static jl_val boolean(int b)
{
	return borrowed(b ? &jl_true : &jl_false);
}

/* An argument that is there: JavaScript's `x !== undefined`. */
static int given(const cJSON *v)
{
	return alm_js_type_of(v) != ALM_JS_UNDEFINED;
}

static void drop(jl_val *x)
{
	cJSON_Delete(x->own);
	x->v = NULL;
	x->own = NULL;
}

static int made(jl_val *out, cJSON *v, const jl_path *at)
{
	if (!v)
		return nomem(at);
	out->v = out->own = v;
	return 0;
}

static int number(jl_val *out, double d, const jl_path *at)
{
	/* cJSON converts to int on creation, which is undefined for NaN: store
	 * non-finite values afterwards. They are kept during evaluation (NaN is
	 * not null to ==) and become null in the result. */
	cJSON *n = cJSON_CreateNumber(isfinite(d) ? d : 0);
	if (n && !isfinite(d))
		n->valuedouble = d;
	return made(out, n, at);
}

static int make_string(jl_val *out, const char *s, const jl_path *at)
{
	return made(out, cJSON_CreateString(s), at);
}

/* JsonLogic truthiness over JavaScript's: an empty array is false too. */
static int truthy(const cJSON *v)
{
	if (cJSON_IsArray(v) && !v->child)
		return 0;
	return alm_js_to_boolean(v ? v : &jl_null);
}

/* Nodes and string bytes in v, stopping once past `limit` nodes; -1 when v is
 * nested deeper than the depth limit. */
static int measure(size_t *nodes, size_t *bytes, const cJSON *v, size_t limit, int depth)
{
	const cJSON *c;
	if (depth > ALM_JSONLOGIC_MAX_DEPTH)
		return -1;
	(*nodes)++;
	if (cJSON_IsString(v) && v->valuestring)
		*bytes += strlen(v->valuestring);
	for (c = v->child; c && *nodes <= limit; c = c->next)
		if (measure(nodes, bytes, c, limit, depth + 1) < 0)
			return -1;
	return 0;
}

/* A fresh copy, without the object key the original may have had. */
static cJSON *duplicate(const cJSON *v)
{
	cJSON *copy = cJSON_Duplicate(v, 1);
	if (copy && copy->string) {
		if (!(copy->type & cJSON_StringIsConst))
			cJSON_free(copy->string);
		copy->string = NULL;
		copy->type &= ~cJSON_StringIsConst;
	}
	return copy;
}

/* A copy charged to the budget by its size. */
static int copy_value(cJSON **out, jl_ctx *cx, const cJSON *v, const jl_path *at)
{
	size_t nodes = 0, bytes = 0;
	int error;
	*out = NULL;
	if (measure(&nodes, &bytes, v, cx->steps * WALK_PER_STEP, 0) < 0)
		return fail(ALM_ELIMIT, at, "a value nested deeper than %d levels cannot be copied",
			    ALM_JSONLOGIC_MAX_DEPTH);
	if ((error = charge_work(cx, nodes, bytes, at)) < 0)
		return error;
	if (!(*out = duplicate(v)))
		return nomem(at);
	return 0;
}

/* Gives *x to the caller as a node it owns (and may put in an array),
 * copying it when it was borrowed. */
static int take(cJSON **out, jl_ctx *cx, jl_val *x, const jl_path *at)
{
	if (x->own) {
		*out = x->own;
		x->own = NULL;
		x->v = NULL;
		return 0;
	}
	return copy_value(out, cx, x->v, at);
}

/* Makes a value plain JSON: undefined becomes null, and so do NaN and the
 * infinities, which cJSON would print as null anyway; the value says so
 * itself, so that a caller inspecting it sees what a printer would write.
 * Iterative: the value may hold data nested deeper than any limit here. */
static int make_json(cJSON *root)
{
	cJSON **stack = NULL, *node;
	size_t n = 0, cap = 0;
	int error = 0;

	if (alm_vec_reserve(&stack, &cap, 16) < 0)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	stack[n++] = root;
	while (n > 0) {
		for (node = stack[--n]; node; node = node->next) {
			if ((cJSON_IsNumber(node) && !isfinite(node->valuedouble)) || cJSON_IsInvalid(node)) {
				node->type = cJSON_NULL | (node->type & cJSON_StringIsConst);
				node->valuedouble = 0;
				node->valueint = 0;
			}
			if (!node->child)
				continue;
			if (alm_vec_reserve(&stack, &cap, n + 1) < 0) {
				error = alm_error_set(ALM_ENOMEM, "out of memory");
				goto done;
			}
			stack[n++] = node->child;
		}
	}
done:
	free(stack);
	return error;
}

/* --- evaluation -------------------------------------------------------- */

typedef struct {
	jl_ctx *cx;
	const jl_scope *sc;
	const jl_path *at;  /* the operator's value: $.op */
	const cJSON *first; /* the first argument's logic; the rest follow by next */
	int n;
	int listed; /* the arguments came as an array (else one bare argument) */
	jl_val *args; /* operators with ordinary arguments: their values */
} jl_call;

typedef int (*jl_fn)(jl_val *out, jl_call *c);

typedef struct {
	const char *name;
	jl_fn fn;
	int lazy;          /* evaluates its own arguments (if, and, map...) */
	int min, max;      /* argument counts alm_jsonlogic_check accepts; max -1: any */
} jl_op;

static const jl_op *find_op(const char *name);

static int eval(jl_val *out, jl_ctx *cx, const cJSON *logic, const jl_scope *sc, const jl_path *at);

/* The value of argument i, NULL (undefined) when not given. */
static const cJSON *arg(const jl_call *c, int i)
{
	return i < c->n ? c->args[i].v : NULL;
}

/* Moves argument i into *out. */
static void steal(jl_val *out, jl_call *c, int i)
{
	*out = c->args[i];
	c->args[i].v = NULL;
	c->args[i].own = NULL;
}

/* Logic of argument i for lazy operators; NULL when not given. */
static const cJSON *raw(const jl_call *c, int i)
{
	const cJSON *a = c->first;
	if (i >= c->n)
		return NULL;
	while (a && i-- > 0)
		a = a->next;
	return a;
}

/* Evaluates argument i's logic in a scope; a missing argument is null. */
static int eval_arg(jl_val *out, const jl_call *c, int i, const cJSON *logic, const jl_scope *sc)
{
	jl_path link = {c->at, NULL, i};
	return eval(out, c->cx, logic ? logic : &jl_null, sc, c->listed ? &link : c->at);
}

static int eval_array(jl_val *out, jl_ctx *cx, const cJSON *logic, const jl_scope *sc, const jl_path *at)
{
	cJSON *list = cJSON_CreateArray(), *node;
	const cJSON *item;
	jl_val v = NOVAL;
	int error = 0, i = 0;

	if (!list)
		return nomem(at);
	cJSON_ArrayForEach(item, logic) {
		jl_path link = {at, NULL, i++};
		if ((error = eval(&v, cx, item, sc, &link)) < 0 || (error = take(&node, cx, &v, &link)) < 0)
			goto done;
		if (!alm_json_add(list, NULL, node)) {
			error = nomem(at);
			goto done;
		}
	}
	error = made(out, list, at);
	list = NULL;
done:
	drop(&v);
	cJSON_Delete(list);
	return error;
}

static int eval_operation(jl_val *out, jl_ctx *cx, const cJSON *logic, const jl_scope *sc, const jl_path *at)
{
	const cJSON *key = logic->child, *a;
	const char *name = key->string ? key->string : "";
	const jl_op *op;
	jl_val small[8], *args = small;
	jl_call call;
	jl_path here = {at, name, 0};
	int error = 0, i;

	if (key->next)
		return fail(ALM_EINVALID, at, "an object with %d keys is not an operation (an operation has exactly one key)",
			    cJSON_GetArraySize(logic));
	if (!(op = find_op(name)))
		return fail(ALM_EINVALID, at, "unknown operator \"%.64s\"", name);

	call.cx = cx;
	call.sc = sc;
	call.at = &here;
	call.listed = cJSON_IsArray(key);
	call.first = call.listed ? key->child : key;
	call.n = call.listed ? cJSON_GetArraySize(key) : 1;
	call.args = NULL;
	if (op->lazy)
		return op->fn(out, &call);

	if (call.n > (int)(sizeof small / sizeof small[0]) && !(args = calloc((size_t)call.n, sizeof *args)))
		return nomem(at);
	for (i = 0; i < call.n; i++)
		args[i].v = args[i].own = NULL;
	call.args = args;
	for (i = 0, a = call.first; i < call.n; i++, a = a->next)
		if ((error = eval_arg(&args[i], &call, i, a, sc)) < 0)
			goto done;
	error = op->fn(out, &call);
done:
	for (i = 0; i < call.n; i++)
		drop(&args[i]);
	if (args != small)
		free(args);
	return error;
}

static int eval(jl_val *out, jl_ctx *cx, const cJSON *logic, const jl_scope *sc, const jl_path *at)
{
	int error;
	out->v = NULL;
	out->own = NULL;
	if (cx->depth >= ALM_JSONLOGIC_MAX_DEPTH)
		return fail(ALM_ELIMIT, at, "logic nested deeper than %d levels (ALM_JSONLOGIC_MAX_DEPTH)",
			    ALM_JSONLOGIC_MAX_DEPTH);
	if ((error = charge(cx, 1, at)) < 0)
		return error;
	cx->depth++;
	if (cJSON_IsArray(logic))
		error = eval_array(out, cx, logic, sc, at);
	else if (cJSON_IsObject(logic) && logic->child)
		error = eval_operation(out, cx, logic, sc, at);
	else
		*out = borrowed(logic); /* a scalar, or {} */
	cx->depth--;
	if (error < 0)
		drop(out);
	return error;
}

/* --- data access: var, missing, missing_some --------------------------- */

/* "0", "17": the property names that index an array. */
static int array_index(const char *s, size_t len, size_t *index)
{
	size_t i, v = 0;
	if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*index = v;
	return v < 4294967295u;
}

/* One step down a path, reading what JavaScript would: an object's member,
 * an array's element or length, a string's character (by UTF-16 index) or
 * length. *made is set when the answer had to be made (a length, a
 * character); *found is NULL when there is nothing there. Other properties
 * (toString, constructor...) are functions, not data, and are not read. */
static int member(const cJSON **found, cJSON **made, const cJSON *v, const char *key, size_t len,
		  size_t *walked)
{
	alm_js_buf ch = ALM_JS_BUF_INIT;
	const cJSON *c;
	size_t i;
	int error = 0, making = 1, length = len == 6 && strncmp(key, "length", 6) == 0;

	*found = NULL;
	*made = NULL;
	if (cJSON_IsObject(v)) {
		making = 0;
		for (c = v->child; c && !*found; c = c->next) {
			(*walked)++;
			if (c->string && strncmp(c->string, key, len) == 0 && c->string[len] == '\0')
				*found = c;
		}
	} else if (cJSON_IsArray(v) && array_index(key, len, &i)) {
		making = 0;
		for (c = v->child; c && i > 0; c = c->next, i--)
			(*walked)++;
		*found = c;
	} else if (cJSON_IsArray(v) && length) {
		for (i = 0, c = v->child; c; c = c->next)
			i++;
		*walked += i;
		*made = cJSON_CreateNumber((double)i);
	} else if (cJSON_IsString(v) && length) {
		*walked += strlen(v->valuestring);
		*made = cJSON_CreateNumber((double)alm_js_utf16_length(v->valuestring));
	} else if (cJSON_IsString(v) && array_index(key, len, &i)) {
		/* a character; half of a surrogate pair is not one UTF-8 can hold */
		if ((error = alm_js_substr(&ch, v->valuestring, (double)i, 1)) < 0)
			goto done;
		*walked += (size_t)i;
		if (ch.len == 0)
			goto done;
		*made = cJSON_CreateString(alm_js_buf_str(&ch));
	} else {
		making = 0;
	}
	if (making && !*made)
		error = alm_error_set(ALM_ENOMEM, "out of memory");
	else if (making)
		*found = *made;
done:
	alm_js_buf_free(&ch);
	return error;
}

/* Follows a dotted path into *out (out->v NULL when something on the way is
 * absent, null or undefined; a null at the end is found, and is the answer). */
static int lookup(jl_val *out, const jl_scope *sc, const char *path, size_t *walked)
{
	const cJSON *cur = sc->data;
	cJSON *made = NULL, *next = NULL;
	const char *seg = path;
	size_t len;
	int top = 1, error = 0;

	out->v = NULL;
	out->own = NULL;
	for (;;) {
		len = strcspn(seg, ".");
		if (top && sc->current) {
			if (len == 7 && strncmp(seg, "current", 7) == 0)
				cur = sc->current;
			else if (len == 11 && strncmp(seg, "accumulator", 11) == 0)
				cur = sc->accumulator;
			else
				cur = NULL;
		} else if (alm_js_type_of(cur) == ALM_JS_NULL || alm_js_type_of(cur) == ALM_JS_UNDEFINED) {
			cur = NULL;
		} else {
			if ((error = member(&cur, &next, cur, seg, len, walked)) < 0)
				goto done;
			cJSON_Delete(made); /* the step before, which cur no longer points into */
			made = next;
			next = NULL;
		}
		if (!cur)
			goto done;
		if (seg[len] == '\0')
			break;
		seg += len + 1;
		top = 0;
	}
	out->v = cur;
	out->own = made;
	made = NULL;
done:
	cJSON_Delete(made);
	return error;
}

/* The whole data item, which reduce has to build. */
static int whole_data(jl_val *out, const jl_call *c)
{
	cJSON *obj, *cur = NULL, *acc = NULL;
	int error;
	if (!c->sc->current) {
		*out = borrowed(c->sc->data);
		return 0;
	}
	if (!(obj = cJSON_CreateObject()))
		return nomem(c->at);
	if ((error = copy_value(&cur, c->cx, c->sc->current, c->at)) < 0)
		goto done;
	if (!cJSON_AddItemToObject(obj, "current", cur)) {
		error = nomem(c->at);
		goto done;
	}
	cur = NULL;
	if ((error = copy_value(&acc, c->cx, c->sc->accumulator, c->at)) < 0)
		goto done;
	if (!cJSON_AddItemToObject(obj, "accumulator", acc)) {
		error = nomem(c->at);
		goto done;
	}
	acc = NULL;
	error = made(out, obj, c->at);
	obj = NULL;
done:
	cJSON_Delete(cur);
	cJSON_Delete(acc);
	cJSON_Delete(obj);
	return error;
}

/* The value a var key names; out->v is NULL when it names nothing. "", null
 * and no key name the whole data item; other keys are read as String(key). */
static int var_get(jl_val *out, const jl_call *c, const cJSON *key)
{
	alm_js_buf text = ALM_JS_BUF_INIT;
	const char *path;
	size_t walked = 0;
	int error;

	out->v = NULL;
	out->own = NULL;
	switch (alm_js_type_of(key)) {
	case ALM_JS_UNDEFINED:
	case ALM_JS_NULL:
		return whole_data(out, c);
	case ALM_JS_STRING:
		if (!key->valuestring[0])
			return whole_data(out, c);
		path = key->valuestring;
		break;
	default:
		if ((error = alm_js_string(&text, key)) < 0) {
			error = located(error, c->at);
			goto done;
		}
		path = alm_js_buf_str(&text);
		break;
	}
	if ((error = lookup(out, c->sc, path, &walked)) < 0) {
		error = located(error, c->at);
		goto done;
	}
	if ((error = charge_work(c->cx, walked, text.len, c->at)) < 0)
		drop(out);
done:
	alm_js_buf_free(&text);
	return error;
}

static int op_var(jl_val *out, jl_call *c)
{
	int error;
	if ((error = var_get(out, c, arg(c, 0))) < 0 || out->v)
		return error;
	if (given(arg(c, 1)))
		steal(out, c, 1); /* the default */
	else
		*out = borrowed(&jl_null);
	return 0;
}

/* Appends key to `list` when the data lacks it: absent, null or "". A key
 * is looked up as {"var": key} would be, so an array key is var's
 * arguments: a name (none: the whole data) and a default. */
static int missing_key(cJSON *list, const jl_call *c, const cJSON *key)
{
	const cJSON *name = key, *dflt = NULL;
	jl_val v = NOVAL;
	cJSON *copy;
	int error, absent;
	if (cJSON_IsArray(key)) {
		name = key->child;
		dflt = name ? name->next : NULL;
	}
	if ((error = var_get(&v, c, name)) < 0)
		return error;
	if (!v.v)
		v = borrowed(given(dflt) ? dflt : &jl_null);
	absent = !v.v || alm_js_type_of(v.v) == ALM_JS_NULL || (cJSON_IsString(v.v) && !v.v->valuestring[0]);
	drop(&v);
	if (!absent)
		return 0;
	if ((error = copy_value(&copy, c->cx, key, c->at)) < 0)
		return error;
	if (!alm_json_add(list, NULL, copy))
		return nomem(c->at);
	return 0;
}

/* The keys are the arguments, or the first argument when it is an array
 * (such as the result of merge). */
static int op_missing(jl_val *out, jl_call *c)
{
	cJSON *list = cJSON_CreateArray();
	const cJSON *key;
	int error = 0, i;
	if (!list)
		return nomem(c->at);
	if (cJSON_IsArray(arg(c, 0))) {
		cJSON_ArrayForEach(key, arg(c, 0))
			if ((error = missing_key(list, c, key)) < 0)
				goto done;
	} else {
		for (i = 0; i < c->n; i++)
			if ((error = missing_key(list, c, arg(c, i))) < 0)
				goto done;
	}
	error = made(out, list, c->at);
	list = NULL;
done:
	cJSON_Delete(list);
	return error;
}

/* [min, keys]: [] when at least min of the keys are present, else the
 * missing ones. A non-array key list counts as one key. */
static int op_missing_some(jl_val *out, jl_call *c)
{
	const cJSON *keys = arg(c, 1), *key;
	cJSON *list = cJSON_CreateArray();
	double need = alm_js_number(arg(c, 0));
	int error = 0, count = 0;
	if (!list)
		return nomem(c->at);
	if (cJSON_IsArray(keys)) {
		cJSON_ArrayForEach(key, keys) {
			count++;
			if ((error = missing_key(list, c, key)) < 0)
				goto done;
		}
	} else if (keys) {
		count = 1;
		if ((error = missing_key(list, c, keys)) < 0)
			goto done;
	}
	if ((double)(count - cJSON_GetArraySize(list)) >= need) {
		cJSON_Delete(list);
		if (!(list = cJSON_CreateArray())) {
			error = nomem(c->at);
			goto done;
		}
	}
	error = made(out, list, c->at);
	list = NULL;
done:
	cJSON_Delete(list);
	return error;
}

/* --- logic: if, and, or, !, !! ----------------------------------------- */

/* if/then, elseif/then..., else; no else gives null. */
static int op_if(jl_val *out, jl_call *c)
{
	const cJSON *node = c->first;
	jl_val cond = NOVAL;
	int i, error, yes;
	for (i = 0; i + 1 < c->n; i += 2, node = node->next->next) {
		if ((error = eval_arg(&cond, c, i, node, c->sc)) < 0)
			return error;
		yes = truthy(cond.v);
		drop(&cond);
		if (yes)
			return eval_arg(out, c, i + 1, node->next, c->sc);
	}
	if (i + 1 == c->n)
		return eval_arg(out, c, i, node, c->sc);
	*out = borrowed(&jl_null);
	return 0;
}

/* and/or return the deciding value itself, not a boolean: the first that is
 * `stop` (falsy for and, truthy for or), else the last. */
static int and_or(jl_val *out, jl_call *c, int stop)
{
	const cJSON *node = c->first;
	int i, error;
	*out = borrowed(&jl_undefined); /* no arguments */
	for (i = 0; i < c->n; i++, node = node->next) {
		drop(out);
		if ((error = eval_arg(out, c, i, node, c->sc)) < 0)
			return error;
		if (truthy(out->v) == stop)
			break;
	}
	return 0;
}

static int op_and(jl_val *out, jl_call *c)
{
	return and_or(out, c, 0);
}

static int op_or(jl_val *out, jl_call *c)
{
	return and_or(out, c, 1);
}

static int op_not(jl_val *out, jl_call *c)
{
	*out = boolean(!truthy(arg(c, 0)));
	return 0;
}

static int op_truthy(jl_val *out, jl_call *c)
{
	*out = boolean(truthy(arg(c, 0)));
	return 0;
}

/* --- comparison -------------------------------------------------------- */

static int equality(jl_val *out, jl_call *c, int strict, int negate)
{
	size_t work = 0;
	int eq, error;
	if (strict) {
		eq = alm_js_strict_equal(arg(c, 0), arg(c, 1), &work);
	} else if ((error = alm_js_loose_equal(&eq, arg(c, 0), arg(c, 1), &work)) < 0) {
		return located(error, c->at);
	}
	if ((error = charge_work(c->cx, 0, work, c->at)) < 0)
		return error;
	*out = boolean(eq != negate);
	return 0;
}

static int op_eq(jl_val *out, jl_call *c)
{
	return equality(out, c, 0, 0);
}

static int op_ne(jl_val *out, jl_call *c)
{
	return equality(out, c, 0, 1);
}

static int op_seq(jl_val *out, jl_call *c)
{
	return equality(out, c, 1, 0);
}

static int op_sne(jl_val *out, jl_call *c)
{
	return equality(out, c, 1, 1);
}

/* Whether a OP b, where OP accepts the orders marked in `accept` (bit 0 for
 * less, 1 for equal, 2 for greater). Unordered (NaN) is always false. */
static int relation(int *yes, jl_call *c, const cJSON *a, const cJSON *b, unsigned accept)
{
	size_t work = 0;
	int order, error;
	*yes = 0;
	if ((error = alm_js_compare(&order, a, b, &work)) < 0)
		return located(error, c->at);
	*yes = order != ALM_JS_UNORDERED && ((accept >> (order + 1)) & 1u);
	return charge_work(c->cx, 0, work, c->at);
}

#define LESS 1u
#define EQUAL 2u
#define GREATER 4u

/* < and <= take a third argument: a < b < c (exclusive) and a <= b <= c
 * (inclusive). > and >= ignore one, as the reference implementation does. */
static int compare_op(jl_val *out, jl_call *c, unsigned accept, int between)
{
	int yes = 0, error;
	if ((error = relation(&yes, c, arg(c, 0), arg(c, 1), accept)) < 0)
		return error;
	if (yes && between && given(arg(c, 2)) && (error = relation(&yes, c, arg(c, 1), arg(c, 2), accept)) < 0)
		return error;
	*out = boolean(yes);
	return 0;
}

static int op_lt(jl_val *out, jl_call *c)
{
	return compare_op(out, c, LESS, 1);
}

static int op_le(jl_val *out, jl_call *c)
{
	return compare_op(out, c, LESS | EQUAL, 1);
}

static int op_gt(jl_val *out, jl_call *c)
{
	return compare_op(out, c, GREATER, 0);
}

static int op_ge(jl_val *out, jl_call *c)
{
	return compare_op(out, c, GREATER | EQUAL, 0);
}

/* --- arithmetic -------------------------------------------------------- */

/* Math.min / Math.max: every argument through Number(); any NaN wins; none
 * gives Infinity (-Infinity), which the result reports as null. */
static int extreme(jl_val *out, jl_call *c, int want_max)
{
	double r = want_max ? -INFINITY : INFINITY, x;
	int i;
	for (i = 0; i < c->n; i++) {
		x = alm_js_number(arg(c, i));
		if (isnan(x))
			return number(out, NAN, c->at);
		if (want_max ? (x > r || (x == 0 && r == 0 && !signbit(x))) : (x < r || (x == 0 && r == 0 && signbit(x))))
			r = x;
	}
	return number(out, r, c->at);
}

static int op_min(jl_val *out, jl_call *c)
{
	return extreme(out, c, 0);
}

static int op_max(jl_val *out, jl_call *c)
{
	return extreme(out, c, 1);
}

/* + reads every argument with parseFloat ("3 apples" is 3), so one
 * argument casts it to a number. */
static int op_add(jl_val *out, jl_call *c)
{
	double sum = 0;
	int i;
	for (i = 0; i < c->n; i++)
		sum += alm_js_parse_float(arg(c, i));
	return number(out, sum, c->at);
}

/* * multiplies parseFloat values, starting from the first argument itself:
 * one argument comes back unchanged, none is an error, as in the reference
 * implementation (a reduce without an initial value). */
static int op_mul(jl_val *out, jl_call *c)
{
	double product;
	int i;
	if (c->n == 0)
		return fail(ALM_EINVALID, c->at, "\"*\" needs at least one argument");
	if (c->n == 1) {
		steal(out, c, 0);
		return 0;
	}
	product = alm_js_parse_float(arg(c, 0));
	for (i = 1; i < c->n; i++)
		product *= alm_js_parse_float(arg(c, i));
	return number(out, product, c->at);
}

static int op_sub(jl_val *out, jl_call *c)
{
	if (!given(arg(c, 1)))
		return number(out, -alm_js_number(arg(c, 0)), c->at);
	return number(out, alm_js_number(arg(c, 0)) - alm_js_number(arg(c, 1)), c->at);
}

static int op_div(jl_val *out, jl_call *c)
{
	return number(out, alm_js_number(arg(c, 0)) / alm_js_number(arg(c, 1)), c->at);
}

/* JavaScript's % is fmod: the sign of the dividend, NaN for a zero divisor. */
static int op_mod(jl_val *out, jl_call *c)
{
	return number(out, fmod(alm_js_number(arg(c, 0)), alm_js_number(arg(c, 1))), c->at);
}

/* --- arrays: map, filter, reduce, all, some, none, merge, in ----------- */

/* Evaluates the first argument: the array the others iterate over. */
static int eval_list(jl_val *list, const jl_call *c)
{
	return eval_arg(list, c, 0, c->first, c->sc);
}

static int op_map(jl_val *out, jl_call *c)
{
	const cJSON *body = raw(c, 1), *item;
	jl_val list = NOVAL, r = NOVAL;
	cJSON *result = NULL, *node;
	int error;

	if ((error = eval_list(&list, c)) < 0)
		goto done;
	if (!(result = cJSON_CreateArray())) {
		error = nomem(c->at);
		goto done;
	}
	if (cJSON_IsArray(list.v)) {
		cJSON_ArrayForEach(item, list.v) {
			jl_scope s = {item, NULL, NULL};
			if ((error = eval_arg(&r, c, 1, body, &s)) < 0 || (error = take(&node, c->cx, &r, c->at)) < 0)
				goto done;
			if (!alm_json_add(result, NULL, node)) {
				error = nomem(c->at);
				goto done;
			}
		}
	}
	error = made(out, result, c->at);
	result = NULL;
done:
	drop(&r);
	drop(&list);
	cJSON_Delete(result);
	return error;
}

static int op_filter(jl_val *out, jl_call *c)
{
	const cJSON *body = raw(c, 1), *item;
	jl_val list = NOVAL, r = NOVAL;
	cJSON *result = NULL, *node, *next;
	int error, keep;

	if ((error = eval_list(&list, c)) < 0)
		goto done;
	if (list.own && cJSON_IsArray(list.own)) {
		/* an array this evaluation made: filter it in place */
		for (node = list.own->child; node; node = next) {
			jl_scope s = {node, NULL, NULL};
			next = node->next;
			if ((error = eval_arg(&r, c, 1, body, &s)) < 0)
				goto done;
			keep = truthy(r.v);
			drop(&r);
			if (!keep)
				cJSON_Delete(cJSON_DetachItemViaPointer(list.own, node));
		}
		*out = list;
		list.v = NULL;
		list.own = NULL;
		goto done;
	}
	if (!(result = cJSON_CreateArray())) {
		error = nomem(c->at);
		goto done;
	}
	if (cJSON_IsArray(list.v)) {
		cJSON_ArrayForEach(item, list.v) {
			jl_scope s = {item, NULL, NULL};
			if ((error = eval_arg(&r, c, 1, body, &s)) < 0)
				goto done;
			keep = truthy(r.v);
			drop(&r);
			if (!keep)
				continue;
			if ((error = copy_value(&node, c->cx, item, c->at)) < 0)
				goto done;
			if (!alm_json_add(result, NULL, node)) {
				error = nomem(c->at);
				goto done;
			}
		}
	}
	error = made(out, result, c->at);
	result = NULL;
done:
	drop(&r);
	drop(&list);
	cJSON_Delete(result);
	return error;
}

/* [array, logic, initial]: the logic sees {"current", "accumulator"}; the
 * initial value defaults to null and is the answer for an empty array or a
 * non-array. */
static int op_reduce(jl_val *out, jl_call *c)
{
	const cJSON *body = raw(c, 1), *item;
	jl_val list = NOVAL, acc = NOVAL, r = NOVAL;
	cJSON *copy;
	int error;

	if ((error = eval_list(&list, c)) < 0)
		goto done;
	if (c->n > 2) {
		if ((error = eval_arg(&acc, c, 2, raw(c, 2), c->sc)) < 0)
			goto done;
	}
	if (!given(acc.v)) {
		drop(&acc);
		acc = borrowed(&jl_null);
	}
	if (cJSON_IsArray(list.v)) {
		cJSON_ArrayForEach(item, list.v) {
			jl_scope s = {NULL, item, acc.v};
			if ((error = eval_arg(&r, c, 1, body, &s)) < 0)
				goto done;
			if (r.v == acc.v && !r.own)
				continue; /* the accumulator itself, unchanged */
			/* A borrowed answer may point into the element or the old
			 * accumulator; keep it only if neither is freed. */
			if (!r.own && (list.own || acc.own)) {
				if ((error = copy_value(&copy, c->cx, r.v, c->at)) < 0)
					goto done;
				r.v = r.own = copy;
			}
			drop(&acc);
			acc = r;
			r.v = NULL;
			r.own = NULL;
		}
	}
	if (!acc.own && list.own) {
		if ((error = copy_value(&copy, c->cx, acc.v, c->at)) < 0)
			goto done;
		acc.v = acc.own = copy;
	}
	*out = acc;
	acc.v = NULL;
	acc.own = NULL;
done:
	drop(&r);
	drop(&acc);
	drop(&list);
	return error;
}

/* all, some and none: the logic is tried on each element and the first
 * element that gives `stop` (as truthiness) decides `stopped`; otherwise the
 * answer is !stopped. An empty array (or a non-array) answers `empty`: all
 * of nothing is false here, as in the reference implementation. */
static int quantifier(jl_val *out, jl_call *c, int stop, int stopped, int empty)
{
	const cJSON *body = raw(c, 1), *item;
	jl_val list = NOVAL, r = NOVAL;
	int error, answer = empty, yes;

	if ((error = eval_list(&list, c)) < 0)
		return error;
	if (cJSON_IsArray(list.v) && list.v->child) {
		answer = !stopped;
		cJSON_ArrayForEach(item, list.v) {
			jl_scope s = {item, NULL, NULL};
			if ((error = eval_arg(&r, c, 1, body, &s)) < 0)
				goto done;
			yes = truthy(r.v);
			drop(&r);
			if (yes == stop) {
				answer = stopped;
				break;
			}
		}
	}
	*out = boolean(answer);
done:
	drop(&list);
	return error;
}

static int op_all(jl_val *out, jl_call *c)
{
	return quantifier(out, c, 0, 0, 0);
}

static int op_some(jl_val *out, jl_call *c)
{
	return quantifier(out, c, 1, 1, 0);
}

static int op_none(jl_val *out, jl_call *c)
{
	return quantifier(out, c, 1, 0, 1);
}

/* Flattens one level: array arguments give their elements, others themselves. */
static int op_merge(jl_val *out, jl_call *c)
{
	cJSON *list = cJSON_CreateArray(), *node, *next;
	const cJSON *item;
	size_t moved = 0;
	int error = 0, i;

	if (!list)
		return nomem(c->at);
	for (i = 0; i < c->n; i++) {
		jl_val *x = &c->args[i];
		if (!cJSON_IsArray(x->v)) {
			if ((error = take(&node, c->cx, x, c->at)) < 0)
				goto done;
			if (!alm_json_add(list, NULL, node)) {
				error = nomem(c->at);
				goto done;
			}
		} else if (x->own) {
			for (node = x->own->child; node; node = next) {
				next = node->next;
				if (!alm_json_add(list, NULL, cJSON_DetachItemViaPointer(x->own, node))) {
					error = nomem(c->at);
					goto done;
				}
				moved++;
			}
		} else {
			cJSON_ArrayForEach(item, x->v) {
				if ((error = copy_value(&node, c->cx, item, c->at)) < 0)
					goto done;
				if (!alm_json_add(list, NULL, node)) {
					error = nomem(c->at);
					goto done;
				}
			}
		}
	}
	if ((error = charge_work(c->cx, moved, 0, c->at)) < 0)
		goto done;
	error = made(out, list, c->at);
	list = NULL;
done:
	cJSON_Delete(list);
	return error;
}

/* [a, b]: a is an element of the array b (===), or a substring of the string
 * b (as String(a)). Anything else, and "", contains nothing. */
static int op_in(jl_val *out, jl_call *c)
{
	const cJSON *a = arg(c, 0), *b = arg(c, 1), *item;
	alm_js_buf needle = ALM_JS_BUF_INIT;
	size_t work = 0, scanned = 0;
	int found = 0, error = 0;

	if (alm_js_type_of(b) == ALM_JS_STRING && b->valuestring[0]) {
		const char *s = cJSON_IsString(a) ? a->valuestring : NULL;
		if (!s) {
			if ((error = alm_js_string(&needle, a)) < 0) {
				error = located(error, c->at);
				goto done;
			}
			s = alm_js_buf_str(&needle);
		}
		found = strstr(b->valuestring, s) != NULL;
		work = strlen(b->valuestring) + needle.len;
	} else if (cJSON_IsArray(b)) {
		for (item = b->child; item && !found; item = item->next) {
			scanned++;
			found = alm_js_strict_equal(a, item, &work);
		}
	}
	if ((error = charge_work(c->cx, scanned, work, c->at)) < 0)
		goto done;
	*out = boolean(found);
done:
	alm_js_buf_free(&needle);
	return error;
}

/* --- strings: cat, substr, log ----------------------------------------- */

/* Joins the arguments as Array.prototype.join("") does: null is "", numbers
 * as JavaScript prints them, arrays with commas. */
static int op_cat(jl_val *out, jl_call *c)
{
	alm_js_buf b = ALM_JS_BUF_INIT;
	int error = 0, i;
	for (i = 0; i < c->n; i++) {
		if ((error = alm_js_join_item(&b, arg(c, i))) < 0) {
			error = located(error, c->at);
			goto done;
		}
	}
	if ((error = charge_work(c->cx, 0, b.len, c->at)) < 0)
		goto done;
	error = make_string(out, alm_js_buf_str(&b), c->at);
done:
	alm_js_buf_free(&b);
	return error;
}

/* [string, start, length]: a negative start counts from the end; a negative
 * length drops that many characters from the end. */
static int op_substr(jl_val *out, jl_call *c)
{
	const cJSON *end = arg(c, 2);
	alm_js_buf src = ALM_JS_BUF_INIT, tail = ALM_JS_BUF_INIT, res = ALM_JS_BUF_INIT;
	double start = alm_js_number(arg(c, 1));
	const char *s = cJSON_IsString(arg(c, 0)) ? arg(c, 0)->valuestring : NULL;
	int error = 0;

	if (!s) {
		if ((error = alm_js_string(&src, arg(c, 0))) < 0) {
			error = located(error, c->at);
			goto done;
		}
		s = alm_js_buf_str(&src);
	}
	if (given(end) && alm_js_number(end) < 0) {
		/* s.substr(start) without its last -end characters. The reference
		 * adds end to a length: a string or an array there concatenates
		 * into something that is not a number, so the answer is "". */
		if (!cJSON_IsNumber(end))
			error = alm_js_buf_put(&res, "", 0);
		else if ((error = alm_js_substr(&tail, s, start, INFINITY)) == 0)
			error = alm_js_substr(&res, alm_js_buf_str(&tail), 0,
					      (double)alm_js_utf16_length(alm_js_buf_str(&tail)) + end->valuedouble);
	} else {
		error = alm_js_substr(&res, s, start, given(end) ? alm_js_number(end) : INFINITY);
	}
	if (error < 0) {
		error = located(error, c->at);
		goto done;
	}
	if ((error = charge_work(c->cx, 0, strlen(s) + tail.len, c->at)) < 0)
		goto done;
	error = make_string(out, alm_js_buf_str(&res), c->at);
done:
	alm_js_buf_free(&src);
	alm_js_buf_free(&tail);
	alm_js_buf_free(&res);
	return error;
}

/* Where "log" sends its lines; the library itself writes nowhere. */
static alm_jsonlogic_log_fn log_fn;
static void *log_data;

void alm_jsonlogic_set_log(alm_jsonlogic_log_fn fn, void *data)
{
	log_fn = fn;
	log_data = data;
}

/* Hands its argument as JSON to the log sink and returns it. */
static int op_log(jl_val *out, jl_call *c)
{
	const cJSON *v = given(arg(c, 0)) ? arg(c, 0) : &jl_null;
	cJSON *copy = NULL;
	char *text = cJSON_PrintUnformatted(v);
	int error;
	if (!text) {
		/* cJSON cannot print undefined inside an array: print a copy
		 * made JSON the way the result is */
		if ((error = copy_value(&copy, c->cx, v, c->at)) < 0)
			return error;
		if ((error = make_json(copy)) < 0) {
			cJSON_Delete(copy);
			return located(error, c->at);
		}
		text = cJSON_PrintUnformatted(copy);
		cJSON_Delete(copy);
		if (!text)
			return nomem(c->at);
	}
	if (log_fn)
		log_fn(text, log_data);
	error = charge_work(c->cx, 0, strlen(text), c->at);
	cJSON_free(text);
	if (error < 0)
		return error;
	if (c->n > 0)
		steal(out, c, 0);
	else
		*out = borrowed(&jl_null);
	return 0;
}

/* --- the operator table ------------------------------------------------ */

static const jl_op jl_ops[] = {
	{"var", op_var, 0, 0, 2},
	{"missing", op_missing, 0, 0, -1},
	{"missing_some", op_missing_some, 0, 2, 2},
	{"if", op_if, 1, 1, -1},
	{"?:", op_if, 1, 1, -1},
	{"==", op_eq, 0, 2, 2},
	{"!=", op_ne, 0, 2, 2},
	{"===", op_seq, 0, 2, 2},
	{"!==", op_sne, 0, 2, 2},
	{"!", op_not, 0, 1, 1},
	{"!!", op_truthy, 0, 1, 1},
	{"or", op_or, 1, 1, -1},
	{"and", op_and, 1, 1, -1},
	{">", op_gt, 0, 2, 2},
	{">=", op_ge, 0, 2, 2},
	{"<", op_lt, 0, 2, 3},
	{"<=", op_le, 0, 2, 3},
	{"max", op_max, 0, 0, -1},
	{"min", op_min, 0, 0, -1},
	{"+", op_add, 0, 0, -1},
	{"-", op_sub, 0, 1, 2},
	{"*", op_mul, 0, 1, -1},
	{"/", op_div, 0, 2, 2},
	{"%", op_mod, 0, 2, 2},
	{"map", op_map, 1, 2, 2},
	{"filter", op_filter, 1, 2, 2},
	{"reduce", op_reduce, 1, 2, 3},
	{"all", op_all, 1, 2, 2},
	{"none", op_none, 1, 2, 2},
	{"some", op_some, 1, 2, 2},
	{"merge", op_merge, 0, 0, -1},
	{"in", op_in, 0, 2, 2},
	{"cat", op_cat, 0, 0, -1},
	{"substr", op_substr, 0, 1, 3},
	{"log", op_log, 0, 1, 1},
};

static const jl_op *find_op(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof jl_ops / sizeof jl_ops[0]; i++)
		if (strcmp(jl_ops[i].name, name) == 0)
			return &jl_ops[i];
	return NULL;
}

/* --- the public functions ---------------------------------------------- */

int alm_jsonlogic_apply(cJSON **out, const cJSON *logic, const cJSON *data)
{
	jl_ctx cx = {ALM_JSONLOGIC_MAX_STEPS, 0, 0, 0};
	jl_scope sc = {data ? data : &jl_null, NULL, NULL};
	jl_path root = {NULL, "$", 0};
	jl_val v = NOVAL;
	cJSON *result = NULL;
	int error;

	*out = NULL;
	if (!logic)
		return alm_error_set(ALM_EINVALID, "no logic to apply");
	if ((error = eval(&v, &cx, logic, &sc, &root)) < 0)
		goto done;
	if (v.own) {
		result = v.own;
		v.own = NULL;
	} else if (!(result = duplicate(v.v))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory copying the result");
		goto done;
	}
	if ((error = make_json(result)) < 0)
		goto done;
	*out = result;
	result = NULL;
done:
	drop(&v);
	cJSON_Delete(result);
	return error;
}

int alm_jsonlogic_truthy(const cJSON *value)
{
	return truthy(value);
}

static int is_operation(const cJSON *v)
{
	return cJSON_IsObject(v) && v->child && !v->child->next;
}

static const char *kind_of(const cJSON *v)
{
	switch (alm_js_type_of(v)) {
	case ALM_JS_BOOLEAN: return "a boolean";
	case ALM_JS_NUMBER: return "a number";
	case ALM_JS_STRING: return "a string";
	case ALM_JS_ARRAY: return "an array";
	case ALM_JS_OBJECT: return "an object that is not an operation";
	default: return "null";
	}
}

static void describe_count(char *out, size_t size, const jl_op *op)
{
	if (op->max < 0)
		snprintf(out, size, "at least %d argument%s", op->min, op->min == 1 ? "" : "s");
	else if (op->min == op->max)
		snprintf(out, size, "%d argument%s", op->min, op->min == 1 ? "" : "s");
	else
		snprintf(out, size, "%d to %d arguments", op->min, op->max);
}

/* Argument shapes that cannot work whatever the data: var's name must be a
 * string, a number or null; missing_some's count a number, its keys an array
 * (or logic that computes them). */
static int check_shapes(const jl_op *op, const cJSON *first, int n, const jl_path *here, int listed)
{
	jl_path link0 = {here, NULL, 0}, link1 = {here, NULL, 1};
	const jl_path *at0 = listed ? &link0 : here;
	alm_js_type t;

	if (strcmp(op->name, "var") == 0 && n >= 1 && !is_operation(first)) {
		t = alm_js_type_of(first);
		if (t != ALM_JS_STRING && t != ALM_JS_NUMBER && t != ALM_JS_NULL)
			return fail(ALM_EINVALID, at0, "\"var\" takes a name (a string or a number), not %s", kind_of(first));
	}
	if (strcmp(op->name, "missing_some") == 0 && n == 2) {
		if (!is_operation(first) && !cJSON_IsNumber(first))
			return fail(ALM_EINVALID, &link0, "\"missing_some\" takes a count first, not %s", kind_of(first));
		if (!is_operation(first->next) && !cJSON_IsArray(first->next))
			return fail(ALM_EINVALID, &link1, "\"missing_some\" takes an array of keys second, not %s",
				    kind_of(first->next));
	}
	return 0;
}

static int check_node(const cJSON *logic, const jl_path *at, int depth)
{
	const cJSON *key, *a;
	const jl_op *op;
	const char *name;
	char count[48];
	int error, n, i, listed;

	if (depth >= ALM_JSONLOGIC_MAX_DEPTH)
		return fail(ALM_ELIMIT, at, "logic nested deeper than %d levels (ALM_JSONLOGIC_MAX_DEPTH)",
			    ALM_JSONLOGIC_MAX_DEPTH);
	if (cJSON_IsArray(logic)) {
		i = 0;
		cJSON_ArrayForEach(a, logic) {
			jl_path link = {at, NULL, i++};
			if ((error = check_node(a, &link, depth + 1)) < 0)
				return error;
		}
		return 0;
	}
	if (!cJSON_IsObject(logic) || !logic->child)
		return 0;
	key = logic->child;
	if (key->next)
		return fail(ALM_EINVALID, at, "an object with %d keys is not an operation (an operation has exactly one key)",
			    cJSON_GetArraySize(logic));
	name = key->string ? key->string : "";
	if (!(op = find_op(name)))
		return fail(ALM_EINVALID, at, "unknown operator \"%.64s\"", name);

	{
		jl_path here = {at, name, 0};
		listed = cJSON_IsArray(key);
		n = listed ? cJSON_GetArraySize(key) : 1;
		if (n < op->min || (op->max >= 0 && n > op->max)) {
			describe_count(count, sizeof count, op);
			return fail(ALM_EINVALID, at, "\"%s\" takes %s, not %d", op->name, count, n);
		}
		if ((error = check_shapes(op, listed ? key->child : key, n, &here, listed)) < 0)
			return error;
		if (!listed)
			return check_node(key, &here, depth + 1);
		i = 0;
		cJSON_ArrayForEach(a, key) {
			jl_path link = {&here, NULL, i++};
			if ((error = check_node(a, &link, depth + 1)) < 0)
				return error;
		}
	}
	return 0;
}

int alm_jsonlogic_check(const cJSON *logic, const char *where)
{
	jl_path root = {NULL, where && *where ? where : "$", 0};
	if (!logic)
		return alm_error_set(ALM_EINVALID, "no logic at %s", root.key);
	return check_node(logic, &root, 0);
}

static int add_name(cJSON *names, const cJSON *name)
{
	const cJSON *have;
	cJSON *s;
	if (!cJSON_IsString(name) || !name->valuestring[0])
		return 0;
	cJSON_ArrayForEach(have, names)
		if (cJSON_IsString(have) && strcmp(have->valuestring, name->valuestring) == 0)
			return 0;
	if (!(s = cJSON_CreateString(name->valuestring)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (!alm_json_add(names, NULL, s))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

/* A literal key, or a literal array of them. */
static int add_names(cJSON *names, const cJSON *v)
{
	const cJSON *item;
	int error;
	if (!cJSON_IsArray(v))
		return add_name(names, v);
	cJSON_ArrayForEach(item, v)
		if ((error = add_name(names, item)) < 0)
			return error;
	return 0;
}

static int collect(cJSON *names, const cJSON *logic, int depth)
{
	const cJSON *key, *first, *a;
	const char *name;
	int error, n, i;

	if (depth >= ALM_JSONLOGIC_MAX_DEPTH)
		return alm_error_set(ALM_ELIMIT, "logic nested deeper than %d levels (ALM_JSONLOGIC_MAX_DEPTH)",
				     ALM_JSONLOGIC_MAX_DEPTH);
	if (cJSON_IsArray(logic)) {
		cJSON_ArrayForEach(a, logic)
			if ((error = collect(names, a, depth + 1)) < 0)
				return error;
		return 0;
	}
	if (!is_operation(logic))
		return 0;
	key = logic->child;
	name = key->string ? key->string : "";
	first = cJSON_IsArray(key) ? key->child : key;
	n = cJSON_IsArray(key) ? cJSON_GetArraySize(key) : 1;

	if (strcmp(name, "var") == 0 && n >= 1) {
		if ((error = add_name(names, first)) < 0)
			return error;
	} else if (strcmp(name, "missing") == 0) {
		for (i = 0, a = first; i < n && a; i++, a = a->next) {
			if (is_operation(a) && a->child->string && strcmp(a->child->string, "merge") == 0) {
				/* {"missing": {"merge": [...]}}: the merged literals are keys */
				const cJSON *m, *margs = a->child;
				if (!cJSON_IsArray(margs)) {
					if ((error = add_names(names, margs)) < 0)
						return error;
				} else {
					cJSON_ArrayForEach(m, margs)
						if ((error = add_names(names, m)) < 0)
							return error;
				}
			} else if ((error = (i == 0 ? add_names(names, a) : add_name(names, a))) < 0) {
				return error;
			}
		}
	} else if (strcmp(name, "missing_some") == 0 && n == 2) {
		if ((error = add_names(names, first->next)) < 0)
			return error;
	}

	/* Recurse into the arguments, except the logic map, filter, reduce, all,
	 * some and none apply to each element: its names are the element's, not
	 * the data's. */
	for (i = 0, a = first; i < n && a; i++, a = a->next) {
		if (i == 1 && (strcmp(name, "map") == 0 || strcmp(name, "filter") == 0 || strcmp(name, "reduce") == 0 ||
			       strcmp(name, "all") == 0 || strcmp(name, "some") == 0 || strcmp(name, "none") == 0))
			continue;
		if ((error = collect(names, a, depth + 1)) < 0)
			return error;
	}
	return 0;
}

int alm_jsonlogic_vars(cJSON *names, const cJSON *logic)
{
	if (!cJSON_IsArray(names))
		return alm_error_set(ALM_EINVALID, "the names to collect into must be a JSON array");
	if (!logic)
		return 0;
	return collect(names, logic, 0);
}
