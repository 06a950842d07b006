#include "vec.h"
#include "alm/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int alm_vec_reserve_(void *itemsp, size_t *cap, size_t need, size_t elem)
{
	void *items, *grown;
	size_t ncap = *cap ? *cap : 16;
	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return ALM_ENOMEM;
		ncap *= 2;
	}
	if (!elem || ncap > SIZE_MAX / elem)
		return ALM_ENOMEM;
	/* The array pointer is read and written as bytes: it may be any T *. */
	memcpy(&items, itemsp, sizeof items);
	if (!(grown = realloc(items, ncap * elem)))
		return ALM_ENOMEM;
	memcpy(itemsp, &grown, sizeof grown);
	*cap = ncap;
	return 0;
}
