#ifndef ALM_ALM_H
#define ALM_ALM_H
/* The whole public interface of libalm, for programs that link it:
 * `#include <alm/alm.h>` and `pkg-config --cflags --libs alm`. */
#include "alm/version.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/file.h"
#include "alm/jsonlogic.h"
#include "alm/schema.h"
#include "alm/facts.h"
#include "alm/answers.h"
#include "alm/rules.h"
#include "alm/catalogue.h"
#include "alm/derive.h"
#include "alm/probe.h"
#include "alm/repo_locate.h"
#include "alm/repo_probe.h"
#include "alm/ado_probe.h"
#include "alm/ado_list.h"
#include "alm/assess.h"
#include "alm/report.h"
#include "alm/graph.h"
#include "alm/portfolio.h"
#endif
