/* Run metrics: one logger per run directory that writes each row of scalars both to metrics.csv and
 * to a TensorBoard event file under the same tags, and the run's configuration as config.json. */
#ifndef MBRL_METRICS_H
#define MBRL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(default)

typedef struct mbrl_metrics mbrl_metrics;

/* Opens a logger on dir (created if needed) into *m: a new metrics.csv whose header is "step" then
 * tags (n_tags; may be NULL when 0) in order, and a new TensorBoard event file. Returns 0, or
 * MBRL_EIO with a message in err (may be NULL) and *m NULL. */
int mbrl_metrics_open(mbrl_metrics **m, const char *dir, const char *const *tags, int n_tags, char *err,
                      size_t err_sz);

/* Reopens a logger on dir to go on with a run: metrics.csv becomes csv (n bytes: the file as it
 * was at the point the run goes on from, header and whole rows), its columns are the header's,
 * rows are appended to it, and TensorBoard scalars go to a new event file beside the old ones.
 * Returns 0, MBRL_EFORMAT for csv without a header line, or MBRL_EIO, with a message. */
int mbrl_metrics_resume(mbrl_metrics **m, const char *dir, const char *csv, size_t n, char *err, size_t err_sz);

/* Stages value for tag in the current row; a tag not seen before becomes the next column. Tags are
 * non-empty and hold no control characters (spaces, commas and quotes are fine). */
void mbrl_metrics_set(mbrl_metrics *m, const char *tag, float value);

/* Writes the staged values as one CSV row at step (cells of unset columns left empty) and as one
 * TensorBoard scalar each, flushes both files and clears the row. When new tags appeared since the
 * last row, metrics.csv is first rewritten with their columns added on the right, earlier rows
 * getting empty cells there. */
int mbrl_metrics_write(mbrl_metrics *m, int64_t step, char *err, size_t err_sz);

/* Path of metrics.csv. */
const char *mbrl_metrics_csv_path(const mbrl_metrics *m);

/* Path of the TensorBoard event file. */
const char *mbrl_metrics_events_path(const mbrl_metrics *m);

/* Closes the files and frees the logger; NULL is a no-op. */
void mbrl_metrics_close(mbrl_metrics *m);

/* types of configuration values */
typedef enum mbrl_metrics_type {
  MBRL_METRICS_STRING,
  MBRL_METRICS_INT,
  MBRL_METRICS_DOUBLE,
  MBRL_METRICS_BOOL
} mbrl_metrics_type;

/* One configuration entry; only the field of its type is read. */
typedef struct mbrl_metrics_param {
  const char *key;
  mbrl_metrics_type type;
  const char *s; /* STRING: UTF-8, or NULL for JSON null */
  int64_t i;     /* INT: written exactly */
  double d;      /* DOUBLE: NaN and infinities become JSON null */
  int b;         /* BOOL */
} mbrl_metrics_param;

/* initialisers: mbrl_metrics_param cfg[] = {MBRL_PARAM_STR("env", "maze"), MBRL_PARAM_INT("seed", 1)}; */
#define MBRL_PARAM_STR(k, v) {.key = (k), .type = MBRL_METRICS_STRING, .s = (v)}
#define MBRL_PARAM_INT(k, v) {.key = (k), .type = MBRL_METRICS_INT, .i = (v)}
#define MBRL_PARAM_DOUBLE(k, v) {.key = (k), .type = MBRL_METRICS_DOUBLE, .d = (v)}
#define MBRL_PARAM_BOOL(k, v) {.key = (k), .type = MBRL_METRICS_BOOL, .b = (v)}

/* Writes params (n) as one JSON object, keys in the given order, to dir/config.json (dir created if
 * needed) through a temporary file and a rename; a key given twice is MBRL_EINVAL. */
int mbrl_metrics_write_config(const char *dir, const mbrl_metrics_param *params, int n, char *err,
                              size_t err_sz);

#pragma GCC visibility pop

#endif
