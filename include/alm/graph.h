#ifndef ALM_GRAPH_H
#define ALM_GRAPH_H
/*
 * Drawing the decision tree of a rules document as Graphviz DOT or a Mermaid
 * flowchart. With a report, the path it took is highlighted and each visited
 * decision is annotated with the value that decided it.
 */
#include "alm/rules.h"

typedef enum { ALM_GRAPH_DOT, ALM_GRAPH_MERMAID } alm_graph_format;

/* *out is a NUL-terminated string the caller frees. `report` may be NULL. */
int alm_graph_render(char **out, const alm_rules *rules, alm_graph_format format, const cJSON *report);

#endif
