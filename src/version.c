#include "alm/version.h"

const char *alm_version(void)
{
	return ALM_VERSION_STRING;
}
