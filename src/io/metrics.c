/* Run metrics: rows of scalars to metrics.csv and TensorBoard under the same tags; config.json. */
#include "mbrl/metrics.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/file.h"
#include "mbrl/config.h"
#include "mbrl/core.h"
#include "mbrl/tfevents.h"

struct mbrl_metrics {
  char *csv_path;
  FILE *csv;            /* appending rows */
  mbrl_tfevents *tb;
  int n, cap;           /* tags seen, in column order */
  char **tags;          /* (cap) */
  float *vals;          /* (cap) staged values */
  unsigned char *staged;/* (cap) 1 when vals[i] is set in the current row */
  int n_cols;           /* tags present in the CSV header */
};

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = mbrl_alloc(n);
  memcpy(p, s, n);
  return p;
}

static int tag_ok(const char *tag) {
  if (!tag || !tag[0]) return 0;
  for (const unsigned char *c = (const unsigned char *)tag; *c; c++)
    if (*c < 0x20 || *c == 0x7f) return 0;
  return 1;
}

/* writes a CSV field, quoted when it holds a comma or a quote */
static void csv_field(FILE *f, const char *s) {
  if (!strpbrk(s, ",\"")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* the shortest decimal that reads back as the same float */
static void csv_float(FILE *f, float v) {
  if (isnan(v)) {
    fputs("nan", f);
    return;
  }
  if (isinf(v)) {
    fputs(v > 0 ? "inf" : "-inf", f);
    return;
  }
  char s[32];
  for (int p = 1; p <= 9; p++) {
    snprintf(s, sizeof s, "%.*g", p, (double)v);
    if (strtof(s, NULL) == v) break;
  }
  /* plain digits rather than "1e+01" below 1e16, as python prints floats: %g switched to an
   * exponent only because it exceeds the digits, so the digits padded with zeros say the same */
  char *e = strchr(s, 'e');
  int exp = e ? atoi(e + 1) : -1;
  if (exp >= 0 && exp < 16) {
    *e = '\0';
    int digits = 0;
    for (const char *c = s; *c; c++) {
      if (*c >= '0' && *c <= '9') digits++, fputc(*c, f);
      else if (*c == '-') fputc(*c, f);
    }
    for (; digits <= exp; digits++) fputc('0', f);
    return;
  }
  fputs(s, f);
}

static int find_tag(const mbrl_metrics *m, const char *tag) {
  for (int i = 0; i < m->n; i++)
    if (strcmp(m->tags[i], tag) == 0) return i;
  return -1;
}

static void add_tag(mbrl_metrics *m, const char *tag) {
  if (m->n == m->cap) {
    int cap = m->cap ? 2 * m->cap : 16;
    char **tags = mbrl_alloc(sizeof *tags * (size_t)cap);
    float *vals = mbrl_alloc(sizeof *vals * (size_t)cap);
    unsigned char *staged = mbrl_alloc((size_t)cap);
    if (m->n) {
      memcpy(tags, m->tags, sizeof *tags * (size_t)m->n);
      memcpy(vals, m->vals, sizeof *vals * (size_t)m->n);
      memcpy(staged, m->staged, (size_t)m->n);
    }
    mbrl_free(m->tags);
    mbrl_free(m->vals);
    mbrl_free(m->staged);
    m->tags = tags, m->vals = vals, m->staged = staged, m->cap = cap;
  }
  m->tags[m->n++] = dup_str(tag);
}

static int reopen_csv(mbrl_metrics *m, char *err, size_t err_sz) {
  m->csv = fopen(m->csv_path, "ab");
  if (!m->csv) return mbrl_errf(err, err_sz, MBRL_EIO, "%s: cannot open: %s", m->csv_path, strerror(errno));
  return MBRL_OK;
}

/* rewrites metrics.csv with columns n_cols..n-1 added: header names, and empty cells in old rows */
static int add_columns(mbrl_metrics *m, char *err, size_t err_sz) {
  if (m->csv) fclose(m->csv);
  m->csv = NULL;
  FILE *in = fopen(m->csv_path, "rb");
  if (!in) {
    mbrl_errf(err, err_sz, MBRL_EIO, "%s: cannot reopen: %s", m->csv_path, strerror(errno));
    reopen_csv(m, NULL, 0);
    return MBRL_EIO;
  }
  mbrl_io_atomic a;
  int rc = mbrl_io_atomic_open(&a, m->csv_path, err, err_sz);
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  for (int row = 0; rc == MBRL_OK && (len = getline(&line, &cap, in)) > 0; row++) {
    if (line[len - 1] == '\n') line[--len] = '\0';
    fputs(line, a.f);
    for (int i = m->n_cols; i < m->n; i++) {
      fputc(',', a.f);
      if (row == 0) csv_field(a.f, m->tags[i]);
    }
    if (fputc('\n', a.f) == EOF)
      rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: write failed: %s", a.tmp, strerror(errno));
  }
  free(line);
  if (rc == MBRL_OK && ferror(in)) rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: read failed", m->csv_path);
  fclose(in);
  if (rc == MBRL_OK) rc = mbrl_io_atomic_commit(&a, err, err_sz);
  else mbrl_io_atomic_abort(&a);
  if (rc == MBRL_OK) m->n_cols = m->n;
  int rc2 = reopen_csv(m, err, err_sz);
  return rc != MBRL_OK ? rc : rc2;
}

void mbrl_metrics_close(mbrl_metrics *m) {
  if (!m) return;
  if (m->csv) fclose(m->csv);
  mbrl_tfevents_close(m->tb, NULL, 0);
  for (int i = 0; i < m->n; i++) mbrl_free(m->tags[i]);
  mbrl_free(m->tags);
  mbrl_free(m->vals);
  mbrl_free(m->staged);
  mbrl_free(m->csv_path);
  mbrl_free(m);
}

int mbrl_metrics_open(mbrl_metrics **out, const char *dir, const char *const *tags, int n_tags, char *err,
                      size_t err_sz) {
  MBRL_ASSERT(out && dir && n_tags >= 0 && (tags || n_tags == 0));
  *out = NULL;
  int rc = mbrl_io_mkdirs(dir, err, err_sz);
  if (rc) return rc;
  mbrl_metrics *m = mbrl_alloc(sizeof *m);
  for (int i = 0; i < n_tags; i++) {
    MBRL_ASSERT(tag_ok(tags[i]) && find_tag(m, tags[i]) < 0);
    add_tag(m, tags[i]);
  }
  size_t n = strlen(dir) + 16;
  m->csv_path = mbrl_alloc(n);
  snprintf(m->csv_path, n, "%s/metrics.csv", dir);

  /* the header, written whole before any row */
  mbrl_io_atomic a;
  rc = mbrl_io_atomic_open(&a, m->csv_path, err, err_sz);
  if (rc == MBRL_OK) {
    fputs("step", a.f);
    for (int i = 0; i < m->n; i++) fputc(',', a.f), csv_field(a.f, m->tags[i]);
    fputc('\n', a.f);
    rc = mbrl_io_atomic_commit(&a, err, err_sz);
  }
  m->n_cols = m->n;
  if (rc == MBRL_OK) rc = reopen_csv(m, err, err_sz);
  if (rc == MBRL_OK) rc = mbrl_tfevents_open(&m->tb, dir, err, err_sz);
  if (rc != MBRL_OK) {
    mbrl_metrics_close(m);
    return rc;
  }
  *out = m;
  return MBRL_OK;
}

/* the next field of a CSV header line at *p (quoted or not), advancing *p past its comma */
static char *header_field(const char **p, const char *end) {
  char *out = mbrl_alloc((size_t)(end - *p) + 1);
  size_t k = 0;
  const char *s = *p;
  if (s < end && *s == '"') {
    for (s++; s < end; s++) {
      if (*s == '"' && s + 1 < end && s[1] == '"') out[k++] = '"', s++;
      else if (*s == '"') { s++; break; }
      else out[k++] = *s;
    }
  } else {
    while (s < end && *s != ',') out[k++] = *s++;
  }
  out[k] = 0;
  *p = s < end && *s == ',' ? s + 1 : s;
  return out;
}

int mbrl_metrics_resume(mbrl_metrics **out, const char *dir, const char *csv, size_t n, char *err, size_t err_sz) {
  MBRL_ASSERT(out && dir && (csv || n == 0));
  *out = NULL;
  const char *nl = n ? memchr(csv, '\n', n) : NULL;
  if (!nl || n < 5 || memcmp(csv, "step", 4) || (csv[4] != ',' && csv[4] != '\n') || csv[n - 1] != '\n')
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "saved metrics: no header line starting with 'step'");
  mbrl_metrics *m = mbrl_alloc(sizeof *m);
  size_t len = strlen(dir) + 16;
  m->csv_path = mbrl_alloc(len);
  snprintf(m->csv_path, len, "%s/metrics.csv", dir);
  int rc = MBRL_OK;
  for (const char *p = csv + (csv[4] == ',' ? 5 : 4); p < nl && !rc;) {
    char *tag = header_field(&p, nl);
    if (!tag_ok(tag) || find_tag(m, tag) >= 0)
      rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "saved metrics: bad or repeated column '%s'", tag);
    else
      add_tag(m, tag);
    mbrl_free(tag);
  }
  m->n_cols = m->n;
  mbrl_io_atomic a;
  if (!rc) rc = mbrl_io_atomic_open(&a, m->csv_path, err, err_sz);
  if (!rc) {
    rc = mbrl_io_atomic_write(&a, csv, n, err, err_sz);
    if (rc) mbrl_io_atomic_abort(&a);
    else rc = mbrl_io_atomic_commit(&a, err, err_sz);
  }
  if (!rc) rc = reopen_csv(m, err, err_sz);
  if (!rc) rc = mbrl_tfevents_open(&m->tb, dir, err, err_sz);
  if (rc) {
    mbrl_metrics_close(m);
    return rc;
  }
  *out = m;
  return MBRL_OK;
}

void mbrl_metrics_set(mbrl_metrics *m, const char *tag, float value) {
  MBRL_ASSERT(m && tag_ok(tag));
  int i = find_tag(m, tag);
  if (i < 0) {
    add_tag(m, tag);
    i = m->n - 1;
  }
  m->vals[i] = value;
  m->staged[i] = 1;
}

int mbrl_metrics_write(mbrl_metrics *m, int64_t step, char *err, size_t err_sz) {
  MBRL_ASSERT(m);
  int rc = MBRL_OK;
  if (m->n > m->n_cols) rc = add_columns(m, err, err_sz);

  /* the CSV row: step, then each column's value or nothing */
  if (rc == MBRL_OK) {
    fprintf(m->csv, "%" PRId64, step);
    for (int i = 0; i < m->n_cols; i++) {
      fputc(',', m->csv);
      if (m->staged[i]) csv_float(m->csv, m->vals[i]);
    }
    fputc('\n', m->csv);
    if (fflush(m->csv) != 0 || ferror(m->csv))
      rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: write failed: %s", m->csv_path, strerror(errno));
  }

  /* the same values to TensorBoard, one wall time for the row */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  double now = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
  for (int i = 0; i < m->n && rc == MBRL_OK; i++)
    if (m->staged[i]) rc = mbrl_tfevents_scalar(m->tb, m->tags[i], step, m->vals[i], now, err, err_sz);
  if (rc == MBRL_OK) rc = mbrl_tfevents_flush(m->tb, err, err_sz);
  memset(m->staged, 0, (size_t)m->n);
  return rc;
}

const char *mbrl_metrics_csv_path(const mbrl_metrics *m) {
  MBRL_ASSERT(m);
  return m->csv_path;
}

const char *mbrl_metrics_events_path(const mbrl_metrics *m) {
  MBRL_ASSERT(m);
  return mbrl_tfevents_path(m->tb);
}

static cJSON *param_json(const mbrl_metrics_param *p) {
  char s[24];
  switch (p->type) {
    case MBRL_METRICS_STRING: return p->s ? cJSON_CreateString(p->s) : cJSON_CreateNull();
    case MBRL_METRICS_INT:
      snprintf(s, sizeof s, "%" PRId64, p->i);
      return cJSON_CreateRaw(s);
    case MBRL_METRICS_DOUBLE: return isfinite(p->d) ? cJSON_CreateNumber(p->d) : cJSON_CreateNull();
    case MBRL_METRICS_BOOL: return cJSON_CreateBool(p->b != 0);
  }
  MBRL_ASSERT(!"unknown parameter type");
  return NULL;
}

int mbrl_metrics_write_config(const char *dir, const mbrl_metrics_param *params, int n, char *err,
                              size_t err_sz) {
  MBRL_ASSERT(dir && n >= 0 && (params || n == 0));
  for (int i = 0; i < n; i++) {
    MBRL_ASSERT(params[i].key);
    for (int j = 0; j < i; j++)
      if (strcmp(params[i].key, params[j].key) == 0)
        return mbrl_errf(err, err_sz, MBRL_EINVAL, "config key '%s' given twice", params[i].key);
  }
  int rc = mbrl_io_mkdirs(dir, err, err_sz);
  if (rc != MBRL_OK) return rc;

  cJSON *root = cJSON_CreateObject();
  int ok = root != NULL;
  for (int i = 0; ok && i < n; i++) {
    cJSON *v = param_json(&params[i]);
    ok = v && cJSON_AddItemToObject(root, params[i].key, v);
    if (v && !ok) cJSON_Delete(v);
  }
  if (!ok) {
    cJSON_Delete(root);
    return mbrl_errf(err, err_sz, MBRL_ENOMEM, "out of memory building config.json");
  }
  size_t pn = strlen(dir) + 16;
  char *path = mbrl_alloc(pn);
  snprintf(path, pn, "%s/config.json", dir);
  rc = mbrl_config_write_json(root, path, err, err_sz);
  cJSON_Delete(root);
  mbrl_free(path);
  return rc;
}
