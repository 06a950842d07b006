#ifndef ALM_REPO_GROW_H
#define ALM_REPO_GROW_H
/* Growing arrays for the repository probe's modules. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "alm/error.h"

/*
 * Makes room for `need` elements of `elem` bytes in *ptr (capacity *cap,
 * doubled from 64 as needed). Returns 0, or ALM_ENOMEM with *ptr unchanged.
 */
static inline int alm_repo_grow(void **ptr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *p;
	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return ALM_ENOMEM;
		ncap *= 2;
	}
	p = realloc(*ptr, ncap * elem);
	if (!p)
		return ALM_ENOMEM;
	*ptr = p;
	*cap = ncap;
	return 0;
}

#endif
