#include "jsonlogic_js.h"

#include "alm/error.h"
#include "alm/jsonlogic.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char object_text[] = "[object Object]";

alm_js_type alm_js_type_of(const cJSON *v)
{
	if (!v)
		return ALM_JS_UNDEFINED;
	switch (v->type & 0xFF) {
	case cJSON_Invalid:
		return ALM_JS_UNDEFINED;
	case cJSON_False:
	case cJSON_True:
		return ALM_JS_BOOLEAN;
	case cJSON_Number:
		return ALM_JS_NUMBER;
	case cJSON_String:
		return v->valuestring ? ALM_JS_STRING : ALM_JS_NULL;
	case cJSON_Array:
		return ALM_JS_ARRAY;
	case cJSON_Object:
		return ALM_JS_OBJECT;
	default:
		/* null, and cJSON's raw and invalid nodes, which parsed JSON never holds */
		return ALM_JS_NULL;
	}
}

int alm_js_to_boolean(const cJSON *v)
{
	switch (alm_js_type_of(v)) {
	case ALM_JS_UNDEFINED:
	case ALM_JS_NULL:
		return 0;
	case ALM_JS_BOOLEAN:
		return (v->type & 0xFF) == cJSON_True;
	case ALM_JS_NUMBER:
		return v->valuedouble != 0 && !isnan(v->valuedouble);
	case ALM_JS_STRING:
		return v->valuestring[0] != '\0';
	default:
		return 1;
	}
}

/* --- UTF-8 ------------------------------------------------------------- */

/* Decodes the character at s (which is not at its NUL). A byte that does not
 * start a well-formed sequence decodes as itself, alone, so every string has
 * a length and an order. Continuation bytes are never NUL, so the terminator
 * stops a truncated sequence. */
static size_t utf8_decode(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len, i;
	uint32_t v, min;

	*cp = s[0];
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2, v = s[0] & 0x1Fu, min = 0x80;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3, v = s[0] & 0x0Fu, min = 0x800;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4, v = s[0] & 0x07u, min = 0x10000;
	} else {
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 1;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 1;
	*cp = v;
	return len;
}

/* UTF-16 code units of a code point: characters beyond the BMP take two. */
static size_t utf16_units(uint32_t cp)
{
	return cp >= 0x10000 ? 2 : 1;
}

size_t alm_js_utf16_length(const char *s)
{
	size_t units = 0, i = 0;
	uint32_t cp;
	while (s[i]) {
		i += utf8_decode(s + i, &cp);
		units += utf16_units(cp);
	}
	return units;
}

/* The first UTF-16 code unit of a code point: what JavaScript compares first. */
static uint32_t utf16_lead(uint32_t cp)
{
	return cp >= 0x10000 ? 0xD800 + ((cp - 0x10000) >> 10) : cp;
}

/* Orders two strings by UTF-16 code units. That is code point order except
 * that characters beyond the BMP (lead surrogates) sort before U+E000-U+FFFF. */
static int utf16_compare(const char *a, const char *b, size_t *work)
{
	size_t i = 0, j = 0;
	uint32_t x, y;
	while (a[i] && b[j]) {
		i += utf8_decode(a + i, &x);
		j += utf8_decode(b + j, &y);
		if (x != y) {
			*work += i;
			if (utf16_lead(x) != utf16_lead(y))
				return utf16_lead(x) < utf16_lead(y) ? -1 : 1;
			return x < y ? -1 : 1;
		}
	}
	*work += i;
	if (a[i])
		return 1;
	return b[j] ? -1 : 0;
}

static int string_equal(const char *a, const char *b, size_t *work)
{
	size_t i = 0;
	while (a[i] && a[i] == b[i])
		i++;
	*work += i;
	return a[i] == b[i];
}

/* JavaScript's StrWhiteSpaceChar: what Number() trims and parseFloat() skips. */
static int js_space(uint32_t cp)
{
	switch (cp) {
	case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
	case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
	case 0x205F: case 0x3000: case 0xFEFF:
		return 1;
	default:
		return cp >= 0x2000 && cp <= 0x200A;
	}
}

static const char *skip_space(const char *s)
{
	uint32_t cp;
	size_t n;
	while (*s) {
		n = utf8_decode(s, &cp);
		if (!js_space(cp))
			break;
		s += n;
	}
	return s;
}

/* Length of s without its trailing white space. */
static size_t trimmed_length(const char *s)
{
	size_t i = 0, end = 0, n;
	uint32_t cp;
	while (s[i]) {
		n = utf8_decode(s + i, &cp);
		i += n;
		if (!js_space(cp))
			end = i;
	}
	return end;
}

/* --- numbers ----------------------------------------------------------- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of the longest StrDecimalLiteral at s: a sign, then "Infinity" or
 * digits with an optional fraction and exponent. 0 when there is none. */
static size_t scan_decimal(const char *s, size_t n)
{
	size_t i = 0, j, digits = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (n - i >= 8 && memcmp(s + i, "Infinity", 8) == 0)
		return i + 8;
	while (i < n && is_digit(s[i]))
		i++, digits++;
	if (i < n && s[i] == '.') {
		for (j = i + 1; j < n && is_digit(s[j]); j++)
			digits++;
		if (digits == 0)
			return 0;
		i = j;
	}
	if (digits == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		j = i + 1;
		if (j < n && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < n && is_digit(s[j])) {
			while (j < n && is_digit(s[j]))
				j++;
			i = j;
		}
	}
	return i;
}

/* Enough significant digits that the correctly rounded double never depends
 * on the ones dropped (767 is the worst case), plus a sticky digit for them. */
#define SIGNIFICANT_DIGITS 800
#define EXPONENT_CLAMP 999999L

/* The value of a literal scan_decimal accepted. strtod alone would read hex
 * and "inf" and depends on the locale's radix character, so the literal is
 * rewritten as "[-]DIGITSeEXP", which needs no radix, in a bounded buffer. */
static double decimal_value(const char *s, size_t n)
{
	char buf[SIGNIFICANT_DIGITS + 32];
	size_t i = 0, used = 0, start;
	long e10 = 0, e = 0;
	int neg = 0, fraction = 0, sticky = 0, eneg = 0;

	if (s[i] == '+' || s[i] == '-')
		neg = s[i++] == '-';
	if (n - i >= 8 && memcmp(s + i, "Infinity", 8) == 0)
		return neg ? -INFINITY : INFINITY;
	if (neg)
		buf[used++] = '-';
	start = used;
	for (; i < n; i++) {
		if (s[i] == '.') {
			fraction = 1;
			continue;
		}
		if (!is_digit(s[i]))
			break;
		if (fraction)
			e10--;
		if (s[i] == '0' && used == start)
			continue; /* a leading zero */
		if (used - start < SIGNIFICANT_DIGITS) {
			buf[used++] = s[i];
		} else {
			e10++;
			sticky |= s[i] != '0';
		}
		if (e10 < -EXPONENT_CLAMP * 100)
			e10 = -EXPONENT_CLAMP * 100; /* the value is 0 by now; keep e10 bounded */
	}
	if (used == start)
		return neg ? -0.0 : 0.0;
	if (sticky) {
		buf[used++] = '1';
		e10--;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		for (; i < n && is_digit(s[i]); i++)
			if (e < EXPONENT_CLAMP * 10)
				e = e * 10 + (s[i] - '0');
	}
	e10 += eneg ? -e : e;
	if (e10 > EXPONENT_CLAMP)
		e10 = EXPONENT_CLAMP;
	if (e10 < -EXPONENT_CLAMP)
		e10 = -EXPONENT_CLAMP;
	snprintf(buf + used, sizeof buf - used, "e%ld", e10);
	return strtod(buf, NULL);
}

/* "0x1F", "0o17", "0b101": Number() reads them, parseFloat() does not. */
static double radix_value(const char *s, size_t n)
{
	double v = 0;
	int base, d;
	size_t i;
	switch (s[1]) {
	case 'x': case 'X': base = 16; break;
	case 'o': case 'O': base = 8; break;
	default: base = 2; break;
	}
	if (n == 2)
		return NAN;
	for (i = 2; i < n; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return NAN;
		if (d >= base)
			return NAN;
		v = v * base + d;
	}
	return v;
}

/* StringToNumber: the whole string, trimmed, must be a literal; "" is 0. */
static double string_number(const char *str)
{
	const char *s = skip_space(str);
	size_t n = trimmed_length(s);
	if (n == 0)
		return 0;
	if (n > 2 && s[0] == '0' && strchr("xXoObB", s[1]))
		return radix_value(s, n);
	if (scan_decimal(s, n) != n)
		return NAN;
	return decimal_value(s, n);
}

double alm_js_number(const cJSON *v)
{
	int inside = 0; /* converting an array element, through its join() text */
	for (;;) {
		switch (alm_js_type_of(v)) {
		case ALM_JS_UNDEFINED:
			return inside ? 0 : NAN; /* [undefined] is "" */
		case ALM_JS_NULL:
			return 0; /* Number(null) is 0, and so is Number("") for [null] */
		case ALM_JS_BOOLEAN:
			if (inside)
				return NAN; /* [true] is "true" */
			return (v->type & 0xFF) == cJSON_True ? 1 : 0;
		case ALM_JS_NUMBER:
			return v->valuedouble;
		case ALM_JS_STRING:
			return string_number(v->valuestring);
		case ALM_JS_OBJECT:
			return NAN; /* "[object Object]" */
		case ALM_JS_ARRAY:
			/* An array becomes its join() text: "" when empty, a comma (so
			 * NaN) with two or more elements, else its element's text. */
			if (!v->child)
				return 0;
			if (v->child->next)
				return NAN;
			v = v->child;
			inside = 1;
			break;
		}
	}
}

double alm_js_parse_float(const cJSON *v)
{
	const char *s;
	size_t n;
	for (;;) {
		switch (alm_js_type_of(v)) {
		case ALM_JS_NUMBER:
			return v->valuedouble == 0 ? 0 : v->valuedouble; /* String(-0) is "0" */
		case ALM_JS_STRING:
			s = skip_space(v->valuestring);
			n = scan_decimal(s, strlen(s));
			return n ? decimal_value(s, n) : NAN;
		case ALM_JS_ARRAY:
			/* The join() text starts with the first element's text, and a
			 * comma ends any literal, so only the first element counts. */
			if (!v->child)
				return NAN;
			v = v->child;
			break;
		default:
			return NAN; /* "undefined", "null", "true", "[object Object]", or "" inside an array */
		}
	}
}

size_t alm_js_format_number(char *out, double d)
{
	char digits[24], tmp[40], check[48];
	const char *c;
	char *o = out;
	int k = 0, n, p, e10 = 0;

	if (isnan(d))
		return (size_t)snprintf(out, ALM_JS_NUMBER_SIZE, "NaN");
	if (isinf(d))
		return (size_t)snprintf(out, ALM_JS_NUMBER_SIZE, d < 0 ? "-Infinity" : "Infinity");
	if (d == 0)
		return (size_t)snprintf(out, ALM_JS_NUMBER_SIZE, "0");
	if (d < 0) {
		*o++ = '-';
		d = -d;
	}
	/* The fewest significant digits that read back as d: printf rounds
	 * correctly, and the check is written without a radix character so the
	 * locale cannot change it. */
	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
		k = 0;
		for (c = tmp; *c && *c != 'e'; c++)
			if (is_digit(*c) && k < 20)
				digits[k++] = *c;
		e10 = *c ? atoi(c + 1) : 0;
		snprintf(check, sizeof check, "%.*se%d", k, digits, e10 - (k - 1));
		if (strtod(check, NULL) == d)
			break;
	}
	while (k > 1 && digits[k - 1] == '0')
		k--;
	n = e10 + 1; /* d = 0.DIGITS x 10^n */
	if (k <= n && n <= 21) {
		memcpy(o, digits, (size_t)k);
		o += k;
		memset(o, '0', (size_t)(n - k));
		o += n - k;
	} else if (0 < n && n <= 21) {
		memcpy(o, digits, (size_t)n);
		o += n;
		*o++ = '.';
		memcpy(o, digits + n, (size_t)(k - n));
		o += k - n;
	} else if (-6 < n && n <= 0) {
		*o++ = '0';
		*o++ = '.';
		memset(o, '0', (size_t)-n);
		o += -n;
		memcpy(o, digits, (size_t)k);
		o += k;
	} else {
		*o++ = digits[0];
		if (k > 1) {
			*o++ = '.';
			memcpy(o, digits + 1, (size_t)(k - 1));
			o += k - 1;
		}
		o += sprintf(o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
	*o = '\0';
	return (size_t)(o - out);
}

/* --- strings ----------------------------------------------------------- */

int alm_js_buf_put(alm_js_buf *b, const char *s, size_t n)
{
	if (n > (size_t)ALM_JSONLOGIC_MAX_STRING - b->len)
		return alm_error_set(ALM_ELIMIT, "a string would exceed %d bytes (ALM_JSONLOGIC_MAX_STRING)",
				     ALM_JSONLOGIC_MAX_STRING);
	if (alm_strbuf_put(b, s, n) < 0)
		return alm_error_set(ALM_ENOMEM, "out of memory building a string");
	return 0;
}

static int put_value(alm_js_buf *b, const cJSON *v, int in_join, int depth)
{
	char num[ALM_JS_NUMBER_SIZE];
	const cJSON *item;
	size_t n;
	int error;

	switch (alm_js_type_of(v)) {
	case ALM_JS_UNDEFINED:
		return in_join ? 0 : alm_js_buf_put(b, "undefined", 9);
	case ALM_JS_NULL:
		return in_join ? 0 : alm_js_buf_put(b, "null", 4);
	case ALM_JS_BOOLEAN:
		return (v->type & 0xFF) == cJSON_True ? alm_js_buf_put(b, "true", 4) : alm_js_buf_put(b, "false", 5);
	case ALM_JS_NUMBER:
		n = alm_js_format_number(num, v->valuedouble);
		return alm_js_buf_put(b, num, n);
	case ALM_JS_STRING:
		return alm_js_buf_put(b, v->valuestring, strlen(v->valuestring));
	case ALM_JS_OBJECT:
		return alm_js_buf_put(b, object_text, sizeof object_text - 1);
	case ALM_JS_ARRAY:
		if (depth >= ALM_JSONLOGIC_MAX_DEPTH)
			return alm_error_set(ALM_ELIMIT, "an array nested deeper than %d levels cannot become a string",
					     ALM_JSONLOGIC_MAX_DEPTH);
		cJSON_ArrayForEach(item, v) {
			if (item != v->child && (error = alm_js_buf_put(b, ",", 1)) < 0)
				return error;
			if ((error = put_value(b, item, 1, depth + 1)) < 0)
				return error;
		}
		return 0;
	}
	return 0;
}

int alm_js_string(alm_js_buf *b, const cJSON *v)
{
	return put_value(b, v, 0, 0);
}

int alm_js_join_item(alm_js_buf *b, const cJSON *v)
{
	return put_value(b, v, 1, 0);
}

/* --- equality and order ------------------------------------------------ */

int alm_js_strict_equal(const cJSON *a, const cJSON *b, size_t *work)
{
	alm_js_type ta = alm_js_type_of(a);
	if (ta != alm_js_type_of(b))
		return 0;
	switch (ta) {
	case ALM_JS_UNDEFINED:
	case ALM_JS_NULL:
		return 1;
	case ALM_JS_BOOLEAN:
		return (a->type & 0xFF) == (b->type & 0xFF);
	case ALM_JS_NUMBER:
		return a->valuedouble == b->valuedouble;
	case ALM_JS_STRING:
		return string_equal(a->valuestring, b->valuestring, work);
	default:
		return a == b; /* arrays and objects: the same one */
	}
}

static int nullish(alm_js_type t)
{
	return t == ALM_JS_UNDEFINED || t == ALM_JS_NULL;
}

static int stringish(alm_js_type t)
{
	return t == ALM_JS_STRING || t == ALM_JS_ARRAY || t == ALM_JS_OBJECT;
}

/* ToPrimitive for a string, an array or an object: their text. Arrays are
 * joined into `scratch`; the rest need no copy. */
static int primitive_text(const char **out, alm_js_buf *scratch, const cJSON *v, size_t *work)
{
	int error;
	switch (alm_js_type_of(v)) {
	case ALM_JS_STRING:
		*out = v->valuestring;
		return 0;
	case ALM_JS_ARRAY:
		if ((error = alm_js_string(scratch, v)) < 0)
			return error;
		*work += scratch->len;
		*out = alm_js_buf_str(scratch);
		return 0;
	default:
		*out = object_text;
		return 0;
	}
}

int alm_js_loose_equal(int *eq, const cJSON *a, const cJSON *b, size_t *work)
{
	alm_js_type ta = alm_js_type_of(a), tb = alm_js_type_of(b);
	alm_js_buf scratch = ALM_JS_BUF_INIT;
	const char *sa, *sb;
	int error = 0;

	*eq = 0;
	if (ta == tb) {
		*eq = alm_js_strict_equal(a, b, work);
	} else if (nullish(ta) || nullish(tb)) {
		*eq = nullish(ta) && nullish(tb); /* null == undefined, and nothing else */
	} else if (ta == ALM_JS_BOOLEAN || tb == ALM_JS_BOOLEAN || ta == ALM_JS_NUMBER || tb == ALM_JS_NUMBER) {
		/* A boolean becomes a number, and the other side (string, array,
		 * object) its primitive, then a number: NaN for objects. */
		*eq = alm_js_number(a) == alm_js_number(b);
	} else if (ta == ALM_JS_STRING || tb == ALM_JS_STRING) {
		/* a string against an array or an object: compare texts */
		if ((error = primitive_text(&sa, &scratch, a, work)) < 0 ||
		    (error = primitive_text(&sb, &scratch, b, work)) < 0)
			goto done;
		*eq = string_equal(sa, sb, work);
	}
	/* an array against an object: two different objects */
done:
	alm_js_buf_free(&scratch);
	return error;
}

int alm_js_compare(int *order, const cJSON *a, const cJSON *b, size_t *work)
{
	alm_js_buf ba = ALM_JS_BUF_INIT, bb = ALM_JS_BUF_INIT;
	const char *sa, *sb;
	double x, y;
	int error = 0;

	*order = ALM_JS_UNORDERED;
	if (stringish(alm_js_type_of(a)) && stringish(alm_js_type_of(b))) {
		if ((error = primitive_text(&sa, &ba, a, work)) < 0 || (error = primitive_text(&sb, &bb, b, work)) < 0)
			goto done;
		*order = utf16_compare(sa, sb, work);
	} else {
		x = alm_js_number(a);
		y = alm_js_number(b);
		if (!isnan(x) && !isnan(y))
			*order = x < y ? -1 : x > y ? 1 : 0;
	}
done:
	alm_js_buf_free(&ba);
	alm_js_buf_free(&bb);
	return error;
}

/* --- substr ------------------------------------------------------------ */

/* ToIntegerOrInfinity. */
static double to_integer(double d)
{
	return isnan(d) ? 0 : trunc(d);
}

/* The byte offset of a UTF-16 position; one inside a surrogate pair moves
 * past the character when `forward`, else before it. */
static size_t unit_offset(const char *s, double unit, int forward)
{
	size_t i = 0, n, w;
	double at = 0;
	uint32_t cp;
	while (s[i] && at < unit) {
		n = utf8_decode(s + i, &cp);
		w = utf16_units(cp);
		if (at + (double)w > unit)
			return forward ? i + n : i;
		at += (double)w;
		i += n;
	}
	return i;
}

int alm_js_substr(alm_js_buf *b, const char *s, double start, double length)
{
	double size = (double)alm_js_utf16_length(s);
	size_t from, to;

	start = to_integer(start);
	start = start < 0 ? fmax(size + start, 0) : fmin(start, size);
	length = fmin(fmax(to_integer(length), 0), size - start);
	from = unit_offset(s, start, 1);
	to = unit_offset(s, start + length, 0);
	if (to <= from)
		return alm_js_buf_put(b, "", 0);
	return alm_js_buf_put(b, s + from, to - from);
}
