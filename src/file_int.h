#ifndef ALM_FILE_INT_H
#define ALM_FILE_INT_H
/* For tests of src/file.c: when set, writes use named temporaries, as on a
 * file system without O_TMPFILE, so that path (and the clean-up of what a
 * killed run leaves) can be exercised where O_TMPFILE works. */
extern int alm_file_named_temporaries;

#endif
