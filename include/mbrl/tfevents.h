/* TensorBoard event files: a writer of scalar summaries and a verifying reader.
 *
 * A file is a sequence of TFRecords (uint64 LE length, masked CRC32C of the length, data, masked
 * CRC32C of the data) whose data is a protobuf Event: wall_time, step, and either the file_version
 * "brain.Event:2" (first record) or a Summary of tagged float values.
 */
#ifndef MBRL_TFEVENTS_H
#define MBRL_TFEVENTS_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(default)

typedef struct mbrl_tfevents mbrl_tfevents;
typedef struct mbrl_tfevents_reader mbrl_tfevents_reader;

/* One scalar of an event; tag is valid until the reader's next call. */
typedef struct mbrl_tfevents_value {
  const char *tag;
  float value;
} mbrl_tfevents_value;

/* One decoded event; pointers are valid until the reader's next call. */
typedef struct mbrl_tfevents_event {
  double wall_time;                   /* seconds since the Unix epoch */
  int64_t step;
  const char *file_version;           /* NULL unless the record carries one */
  int n_values;
  const mbrl_tfevents_value *values;  /* (n_values) scalars: simple values, or one-element
                                         float/double tensors; other summaries are skipped */
} mbrl_tfevents_event;

/* CRC32C (Castagnoli) of data (n bytes). */
uint32_t mbrl_tfevents_crc32c(const void *data, size_t n);

/* The TFRecord mask of a CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8. */
uint32_t mbrl_tfevents_mask(uint32_t crc);

/* Creates dir if needed and a new file events.out.tfevents.<unix time>.<hostname>.<pid>.<n> in it
 * (n counts the writers this process opened), starting with the file_version record, into *w;
 * returns 0, or MBRL_EIO with a message in err (may be NULL) and *w NULL. */
int mbrl_tfevents_open(mbrl_tfevents **w, const char *dir, char *err, size_t err_sz);

/* Path of the file being written. */
const char *mbrl_tfevents_path(const mbrl_tfevents *w);

/* Appends one scalar event; wall_time in seconds since the epoch, or negative for now. */
int mbrl_tfevents_scalar(mbrl_tfevents *w, const char *tag, int64_t step, float value,
                         double wall_time, char *err, size_t err_sz);

/* Pushes buffered records to the operating system, so TensorBoard sees them. */
int mbrl_tfevents_flush(mbrl_tfevents *w, char *err, size_t err_sz);

/* Flushes, closes and frees the writer; NULL is a no-op; err (may be NULL) gets any error. */
int mbrl_tfevents_close(mbrl_tfevents *w, char *err, size_t err_sz);

/* Opens an event file for reading into *r; returns 0, or MBRL_ENOTFOUND (no such file) or MBRL_EIO
 * with a message in err (may be NULL) and *r NULL. */
int mbrl_tfevents_reader_open(mbrl_tfevents_reader **r, const char *path, char *err, size_t err_sz);

/* Reads the next record into ev: 1 when one was read, 0 at the clean end of the file, or
 * MBRL_EFORMAT for a bad CRC, a truncated record or an undecodable Event (events read before stay
 * valid; every later call fails the same way). */
int mbrl_tfevents_reader_next(mbrl_tfevents_reader *r, mbrl_tfevents_event *ev, char *err,
                              size_t err_sz);

/* Closes and frees a reader; NULL is a no-op. */
void mbrl_tfevents_reader_free(mbrl_tfevents_reader *r);

#pragma GCC visibility pop

#endif
