#ifndef ALM_FACTS_INT_H
#define ALM_FACTS_INT_H
/* What gathering on several threads needs of a facts document: a copy for
 * each probe to write in, and taking back what the probe wrote. */
#include "alm/facts.h"

/* A deep copy of `src`. */
int alm_facts_copy(alm_facts **out, const alm_facts *src);

/* Moves namespace `ns` (its data, the evidence of every path below it and
 * its probe status) from `src` into `dst`, replacing what `dst` had. 0, or
 * ALM_ENOMEM: then part of the namespace may be left behind in `src`. */
int alm_facts_adopt(alm_facts *dst, alm_facts *src, const char *ns);

#endif
