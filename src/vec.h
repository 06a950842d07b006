#ifndef ALM_VEC_H
#define ALM_VEC_H
/*
 * Growable arrays kept as the usual triple of pointer, count and capacity.
 * alm_vec_reserve makes room for `need` elements (doubling from 16), leaving
 * the array as it was when the memory is not there.
 *
 *	if (alm_vec_reserve(&l->items, &l->cap, l->n + 1) < 0)
 *		return alm_error_set(ALM_ENOMEM, "out of memory");
 *	l->items[l->n++] = item;
 */
#include <stddef.h>

/* Returns 0, or ALM_ENOMEM (no message set) when the allocation fails or
 * need * elem would overflow. `itemsp` is the address of the array pointer. */
int alm_vec_reserve_(void *itemsp, size_t *cap, size_t need, size_t elem);

#define alm_vec_reserve(itemsp, cap, need) alm_vec_reserve_((itemsp), (cap), (need), sizeof **(itemsp))

#endif
