#ifndef ALM_REPORT_WALK_H
#define ALM_REPORT_WALK_H
/*
 * The walk the document renderers share (Markdown and HTML): the report's
 * parts in the order they are shown, each read defensively (any member may be
 * missing or of another type, as with any report given), written through one
 * format's markup. The walk decides what is said and in what order; the markup
 * how it looks and how text from the report is escaped (only through escape.h).
 */
#include <cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "alm/rules.h"

/* A table's column: its heading, and whether it holds numbers. */
typedef struct {
	const char *title;
	int numeric;
} alm_rpt_column;

typedef struct {
	const alm_rpt_column *columns;
	int ncolumns;
	const char *cls; /* a class for the page's style, or NULL */
	int row_header;  /* the first cell names its row */
	int one_row;     /* a table of one row, written on one line */
} alm_rpt_table;

/* What goes before and after a piece of a document. */
typedef struct {
	const char *open, *close;
} alm_rpt_tags;

typedef struct alm_rpt_markup alm_rpt_markup;

/* Where the walk is: what the markup's hooks write to and read from. */
typedef struct {
	FILE *fp;
	const cJSON *report;
	const alm_rules *rules;
	const alm_rpt_markup *m;
	const alm_rpt_table *table; /* the table being written */
	int column;                 /* its open cell in the row, -1 before the first */
} alm_rpt_walker;

/*
 * One format's markup. Strings are written as they are; titles, ids and
 * classes passed to the functions are the walker's own words, never the
 * report's, so they need no escaping.
 */
struct alm_rpt_markup {
	/* Text from the report: in running text, in a table cell, as code in each. */
	void (*text)(FILE *fp, const char *s);
	void (*cell)(FILE *fp, const char *s);
	void (*code)(FILE *fp, const char *s);
	void (*code_cell)(FILE *fp, const char *s);
	/* A status (met, gap, yes, no, unknown, not-applicable), in a table cell. */
	void (*status)(FILE *fp, const char *status);

	void (*section_open)(FILE *fp, const char *id, const char *title);
	const char *section_close;
	alm_rpt_tags para, strong, quote;
	alm_rpt_tags list, item; /* the list of outcomes and each of them */
	const char *block_gap;   /* between two blocks of one section */
	/* A notice: opened as a note [0] or a warning [1]; its text closed; its source; the notice closed. */
	const char *notice_open[2];
	const char *notice_text_close;
	alm_rpt_tags notice_source;
	const char *notice_close;

	void (*table_open)(FILE *fp, const alm_rpt_table *t);
	const char *table_close;
	const char *row_open;
	void (*row_close)(FILE *fp, const alm_rpt_table *t);
	void (*cell_open)(FILE *fp, const alm_rpt_table *t, int column);
	void (*cell_close)(FILE *fp, const alm_rpt_table *t, int column);

	/* Words the formats put differently, as each draws and lays out its own way. */
	const char *inferred_text; /* after a value inferred from evidence, in running text */
	const char *inferred_cell; /* the same, in a table cell */
	const char *drawing_note;  /* after the outcomes: how the drawing marks their branches */
	const char *path_title, *questions_title, *questions_evidence;
	const char *foot_open, *foot_rules, *foot_close; /* around "tool version" and the rules' version */

	/* The parts each format shows its own way. */
	void (*begin)(alm_rpt_walker *w);    /* up to the verdict and why */
	int (*path)(alm_rpt_walker *w);      /* the drawing and the steps; 0 or an alm_error_code */
	void (*maturity)(alm_rpt_walker *w); /* inside the maturity section */
	void (*question_evidence)(alm_rpt_walker *w, const cJSON *question); /* a question's last cell */
};

/*
 * Renders `report` as the markup says into a new string (*out, caller frees;
 * *len its length, may be NULL). Returns 0, ALM_ENOMEM, or the path hook's error.
 */
int alm_rpt_walk(char **out, size_t *len, const cJSON *report, const alm_rules *rules, const alm_rpt_markup *m);

/* A table, for the walk and the hooks alike: begin it, then for each row
 * alm_rpt_row, alm_rpt_cell before each cell's content, alm_rpt_row_end. */
void alm_rpt_table_begin(alm_rpt_walker *w, const alm_rpt_table *t);
void alm_rpt_row(alm_rpt_walker *w);
void alm_rpt_row_numbered(alm_rpt_walker *w, int number); /* a row, its first cell `number` */
void alm_rpt_cell(alm_rpt_walker *w);
void alm_rpt_row_end(alm_rpt_walker *w);
void alm_rpt_table_end(alm_rpt_walker *w);

/* "alm-advisor 1.2.3", from the report's tool. */
void alm_rpt_tool(alm_rpt_walker *w);

/* The maturity levels in words: the current one stated ("300"), or bounded by
 * the evidence ("at least 300" and the inferred mark), or "unknown"; the
 * target ("400" or "unknown"); the level the accelerator fits from. */
void alm_rpt_level_current(alm_rpt_walker *w);
void alm_rpt_level_target(alm_rpt_walker *w);
int alm_rpt_level_gate(const cJSON *report);

#endif
