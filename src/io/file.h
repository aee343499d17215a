/* Internal file helpers shared by the io formats: whole-file reads, mkdir -p, atomic writes. */
#ifndef MBRL_IO_FILE_H
#define MBRL_IO_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A file being written under "<path>.tmp" that replaces path only when committed. */
typedef struct mbrl_io_atomic {
  FILE *f;
  char *path;
  char *tmp;
} mbrl_io_atomic;

/* Opens path for reading into *f only if it is a regular file, without blocking on a FIFO or a
 * device; returns 0, MBRL_ENOTFOUND for a file that does not exist, or MBRL_EIO (not a regular
 * file, cannot be opened), with a message. */
int mbrl_io_open_read(FILE **f, const char *path, char *err, size_t err_sz);

/* Reads the whole regular file at path into *buf (mbrl_alloc'd, *size bytes, plus a zero byte);
 * returns 0, MBRL_ENOTFOUND for a file that does not exist, or MBRL_EIO. */
int mbrl_io_read_all(const char *path, uint8_t **buf, size_t *size, char *err, size_t err_sz);

/* Creates dir and its missing parents; an existing directory is fine. */
int mbrl_io_mkdirs(const char *dir, char *err, size_t err_sz);

/* Opens "<path>.tmp" for writing. */
int mbrl_io_atomic_open(mbrl_io_atomic *a, const char *path, char *err, size_t err_sz);

/* Appends n bytes of p to the temporary file. */
int mbrl_io_atomic_write(mbrl_io_atomic *a, const void *p, size_t n, char *err, size_t err_sz);

/* Flushes, syncs and closes the temporary file, then renames it over path; removes it on failure. */
int mbrl_io_atomic_commit(mbrl_io_atomic *a, char *err, size_t err_sz);

/* Closes and removes the temporary file without touching path; safe after a failed commit. */
void mbrl_io_atomic_abort(mbrl_io_atomic *a);

#endif
