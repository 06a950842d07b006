#ifndef ALM_GRAPH_H
#define ALM_GRAPH_H
/*
 * Drawing the decision tree of a rules document as Graphviz DOT or a Mermaid
 * flowchart. With a report, the path it took is highlighted (the nodes it
 * visited and the branches it took), each visited decision is annotated with
 * the value that decided it, and the reached verdict's prerequisite steps with
 * their status.
 */
#include "alm/rules.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { ALM_GRAPH_DOT, ALM_GRAPH_MERMAID } alm_graph_format;

/* *out is a NUL-terminated string the caller frees. `report` may be NULL. */
int alm_graph_render(char **out, const alm_rules *rules, alm_graph_format format, const cJSON *report);

#ifdef __cplusplus
}
#endif

#endif
