#ifndef ALM_STAGE_NAMES_H
#define ALM_STAGE_NAMES_H
/*
 * The canonical deployment stages of the ALM Accelerator's environment
 * strategy, read from the names teams give environments, service connections,
 * pipelines and settings folders.
 */
#include <stddef.h>

/* In the strategy's order; ALM_STAGE__COUNT when nothing names a stage. */
typedef enum {
	ALM_STAGE_DEVELOPMENT,
	ALM_STAGE_VALIDATION,
	ALM_STAGE_TEST,
	ALM_STAGE_PRODUCTION,
	ALM_STAGE__COUNT
} alm_stage;

/* "development", "validation", "test", "production"; NULL for __COUNT. */
const char *alm_stage_name(alm_stage stage);

/*
 * The stage the first word of `text` that names one names. Words are split at
 * anything not a letter or digit and at case changes, so DeployProd,
 * PROD_URL, $(ValidationServiceConnection) and deploy-test-X.yml all tell.
 */
alm_stage alm_stage_from_text(const char *text, size_t len);

#endif
