/* Configuration tables: defaults, values from text, text of values, and JSON both ways, for any
 * settings struct described by a table of fields. */
#include "mbrl/config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/file.h"
#include "mbrl/core.h"

static void *at(void *base, const mbrl_field *f) { return (char *)base + f->offset; }
static const void *at_c(const void *base, const mbrl_field *f) { return (const char *)base + f->offset; }

/* the table of a section field for the struct base (NULL: a dynamic one naming none yet) */
static const mbrl_config_table *section_table(const mbrl_field *f, const void *base) {
  return f->section ? f->section : f->section_of ? f->section_of(base) : NULL;
}

static int choice_count(const mbrl_field *f) {
  int n = 0;
  while (f->choices[n]) n++;
  return n;
}

size_t mbrl_config_extent(const mbrl_config_table *t) {
  size_t end = 0;
  for (int i = 0; i < t->n; i++) {
    const mbrl_field *f = &t->fields[i];
    size_t sz = f->type == MBRL_FIELD_DOUBLE ? sizeof(double) : f->type == MBRL_FIELD_STRING ? MBRL_CONFIG_STR
                                                                                              : sizeof(int);
    if (f->type == MBRL_FIELD_SECTION) {
      if (!f->section) return SIZE_MAX;
      sz = mbrl_config_extent(f->section);
      if (sz == SIZE_MAX) return SIZE_MAX;
    }
    if (f->offset + sz > end) end = f->offset + sz;
  }
  return end;
}

void mbrl_config_defaults(const mbrl_config_table *t, void *base) {
  for (int i = 0; i < t->n; i++) {
    const mbrl_field *f = &t->fields[i];
    void *v = at(base, f);
    int iv = (int)f->def;
    float fv = (float)f->def;
    switch (f->type) {
      case MBRL_FIELD_INT:
      case MBRL_FIELD_BOOL:
      case MBRL_FIELD_CHOICE: memcpy(v, &iv, sizeof iv); break;
      case MBRL_FIELD_DOUBLE: memcpy(v, &f->def, sizeof f->def); break;
      case MBRL_FIELD_FLOAT: memcpy(v, &fv, sizeof fv); break;
      case MBRL_FIELD_STRING: snprintf(v, MBRL_CONFIG_STR, "%s", f->def_str ? f->def_str : ""); break;
      case MBRL_FIELD_SECTION: {
        const mbrl_config_table *s = section_table(f, base);
        if (s) mbrl_config_defaults(s, v);
        break;
      }
    }
  }
}

const mbrl_field *mbrl_config_find(const mbrl_config_table *t, void *base, const char *name, void **owner) {
  for (int i = 0; i < t->n; i++) {
    const mbrl_field *f = &t->fields[i];
    if (f->type == MBRL_FIELD_SECTION) {
      const mbrl_config_table *s = section_table(f, base);
      const mbrl_field *g = s ? mbrl_config_find(s, at(base, f), name, owner) : NULL;
      if (g) return g;
    } else if (!strcmp(f->name, name)) {
      if (owner) *owner = base;
      return f;
    }
  }
  return NULL;
}

/* a number parsed from text, whole when integral; 0 or MBRL_EINVAL */
static int parse_number(const mbrl_field *f, const char *text, int integral, double *out, char *err,
                        size_t err_sz) {
  char *end;
  errno = 0;
  double x = integral ? (double)strtoll(text, &end, 10) : strtod(text, &end);
  if (end == text || *end || errno || !isfinite(x))
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "%s needs %s, got '%s'", f->name,
                     integral ? "an integer" : "a number", text);
  if (f->lo != f->hi && (x < f->lo || x > f->hi))
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "%s must be in [%g, %g], got %s", f->name, f->lo, f->hi, text);
  *out = x;
  return MBRL_OK;
}

int mbrl_config_field_set(const mbrl_field *f, void *base, const char *text, char *err, size_t err_sz) {
  void *v = at(base, f);
  double x;
  int rc;
  switch (f->type) {
    case MBRL_FIELD_INT: {
      if ((rc = parse_number(f, text, 1, &x, err, err_sz))) return rc;
      if (x < -2147483648.0 || x > 2147483647.0)
        return mbrl_errf(err, err_sz, MBRL_EINVAL, "%s is out of the range of an int: %s", f->name, text);
      int iv = (int)x;
      memcpy(v, &iv, sizeof iv);
      return MBRL_OK;
    }
    case MBRL_FIELD_DOUBLE:
      if ((rc = parse_number(f, text, 0, &x, err, err_sz))) return rc;
      memcpy(v, &x, sizeof x);
      return MBRL_OK;
    case MBRL_FIELD_FLOAT: {
      if ((rc = parse_number(f, text, 0, &x, err, err_sz))) return rc;
      float fv = (float)x;
      memcpy(v, &fv, sizeof fv);
      return MBRL_OK;
    }
    case MBRL_FIELD_BOOL: {
      int b = !strcmp(text, "1") || !strcmp(text, "true") || !strcmp(text, "on") ? 1
              : !strcmp(text, "0") || !strcmp(text, "false") || !strcmp(text, "off") ? 0
                                                                                       : -1;
      if (b < 0) return mbrl_errf(err, err_sz, MBRL_EINVAL, "%s needs true or false, got '%s'", f->name, text);
      memcpy(v, &b, sizeof b);
      return MBRL_OK;
    }
    case MBRL_FIELD_STRING:
      if (strlen(text) >= MBRL_CONFIG_STR)
        return mbrl_errf(err, err_sz, MBRL_EINVAL, "%s is longer than %d bytes", f->name, MBRL_CONFIG_STR - 1);
      memcpy(v, text, strlen(text) + 1);
      return MBRL_OK;
    case MBRL_FIELD_CHOICE: {
      char names[256] = "";
      size_t used = 0;
      for (int k = 0; f->choices[k]; k++) {
        if (!strcmp(text, f->choices[k])) {
          memcpy(v, &k, sizeof k);
          return MBRL_OK;
        }
        if (used < sizeof names)
          used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", k ? ", " : "", f->choices[k]);
      }
      return mbrl_errf(err, err_sz, MBRL_EINVAL, "%s must be one of %s, got '%s'", f->name, names, text);
    }
    case MBRL_FIELD_SECTION: break;
  }
  return mbrl_errf(err, err_sz, MBRL_EINVAL, "%s is a section, not a value", f->name);
}

int mbrl_config_set(const mbrl_config_table *t, void *base, const char *name, const char *text, char *err,
                    size_t err_sz) {
  void *owner;
  const mbrl_field *f = mbrl_config_find(t, base, name, &owner);
  if (!f) return mbrl_errf(err, err_sz, MBRL_ENOTFOUND, "%s has no setting '%s'", t->name, name);
  return mbrl_config_field_set(f, owner, text, err, err_sz);
}

/* the shortest decimal text that reads back as the float x */
static double float_as_double(float x) {
  char buf[32];
  for (int prec = 6; prec <= 9; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, (double)x);
    if ((float)strtod(buf, NULL) == x) return strtod(buf, NULL);
  }
  return (double)x;
}

void mbrl_config_field_text(const mbrl_field *f, const void *base, char *buf, size_t n) {
  const void *v = at_c(base, f);
  int iv;
  double dv;
  float fv;
  switch (f->type) {
    case MBRL_FIELD_INT: memcpy(&iv, v, sizeof iv), snprintf(buf, n, "%d", iv); break;
    case MBRL_FIELD_DOUBLE: memcpy(&dv, v, sizeof dv), snprintf(buf, n, "%g", dv); break;
    case MBRL_FIELD_FLOAT: memcpy(&fv, v, sizeof fv), snprintf(buf, n, "%g", float_as_double(fv)); break;
    case MBRL_FIELD_BOOL: memcpy(&iv, v, sizeof iv), snprintf(buf, n, "%s", iv ? "on" : "off"); break;
    case MBRL_FIELD_STRING: snprintf(buf, n, "%s", *(const char *)v ? (const char *)v : "(none)"); break;
    case MBRL_FIELD_CHOICE:
      memcpy(&iv, v, sizeof iv);
      snprintf(buf, n, "%s", iv >= 0 && iv < choice_count(f) ? f->choices[iv] : "?");
      break;
    case MBRL_FIELD_SECTION: snprintf(buf, n, "(section)"); break;
  }
}

void mbrl_config_each(const mbrl_config_table *t, void *base,
                      void (*fn)(const mbrl_field *f, void *owner, void *ctx), void *ctx) {
  for (int i = 0; i < t->n; i++) {
    const mbrl_field *f = &t->fields[i];
    if (f->type != MBRL_FIELD_SECTION) {
      fn(f, base, ctx);
      continue;
    }
    const mbrl_config_table *s = section_table(f, base);
    if (s) mbrl_config_each(s, at(base, f), fn, ctx);
  }
}

/* ---- JSON ---- */

static void add_json(const mbrl_field *f, void *owner, void *obj) {
  const void *v = at_c(owner, f);
  int iv;
  double dv;
  float fv;
  cJSON *item = NULL;
  switch (f->type) {
    case MBRL_FIELD_INT: memcpy(&iv, v, sizeof iv), item = cJSON_CreateNumber(iv); break;
    case MBRL_FIELD_DOUBLE: memcpy(&dv, v, sizeof dv), item = cJSON_CreateNumber(dv); break;
    case MBRL_FIELD_FLOAT: memcpy(&fv, v, sizeof fv), item = cJSON_CreateNumber(float_as_double(fv)); break;
    case MBRL_FIELD_BOOL: memcpy(&iv, v, sizeof iv), item = cJSON_CreateBool(iv); break;
    case MBRL_FIELD_STRING: item = cJSON_CreateString(v); break;
    case MBRL_FIELD_CHOICE: {
      char buf[64];
      mbrl_config_field_text(f, owner, buf, sizeof buf);
      item = cJSON_CreateString(buf);
      break;
    }
    case MBRL_FIELD_SECTION: break;
  }
  if (item && !cJSON_AddItemToObject(obj, f->name, item)) cJSON_Delete(item);
}

void mbrl_config_to_json(const mbrl_config_table *t, const void *base, void *json_object) {
  mbrl_config_each(t, (void *)(uintptr_t)base, add_json, json_object);
}

/* reads one field's JSON value; 0 or MBRL_EFORMAT */
static int field_from_json(const mbrl_field *f, void *owner, const cJSON *v, const char *what, char *err,
                           size_t err_sz) {
  char text[MBRL_CONFIG_STR], msg[600];
  if (f->type == MBRL_FIELD_BOOL && cJSON_IsBool(v))
    snprintf(text, sizeof text, "%s", cJSON_IsTrue(v) ? "true" : "false");
  else if ((f->type == MBRL_FIELD_STRING || f->type == MBRL_FIELD_CHOICE) && cJSON_IsString(v)) {
    if (strlen(v->valuestring) >= sizeof text)
      return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: '%s' is longer than %d bytes", what, f->name,
                       MBRL_CONFIG_STR - 1);
    snprintf(text, sizeof text, "%s", v->valuestring);
  } else if ((f->type == MBRL_FIELD_INT || f->type == MBRL_FIELD_BOOL) && cJSON_IsNumber(v)) {
    if (v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 2147483647.0)
      return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: '%s' must be an integer, got %g", what, f->name,
                       v->valuedouble);
    snprintf(text, sizeof text, "%.0f", v->valuedouble);
  } else if ((f->type == MBRL_FIELD_DOUBLE || f->type == MBRL_FIELD_FLOAT) && cJSON_IsNumber(v))
    snprintf(text, sizeof text, "%.17g", v->valuedouble);
  else
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: '%s' has the wrong type", what, f->name);
  if (mbrl_config_field_set(f, owner, text, msg, sizeof msg))
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: %s", what, msg);
  return MBRL_OK;
}

/* from_json over one table; required: every value field must be present */
static int read_json(const mbrl_config_table *t, void *base, const cJSON *obj, int required, const char *what,
                     char *err, size_t err_sz) {
  for (int i = 0; i < t->n; i++) {
    const mbrl_field *f = &t->fields[i];
    int rc = MBRL_OK;
    if (f->type == MBRL_FIELD_SECTION) {
      /* a dynamic section's table is known once the fields before it are read */
      const mbrl_config_table *s = section_table(f, base);
      if (s && f->section_of) mbrl_config_defaults(s, at(base, f));
      if (s) rc = read_json(s, at(base, f), obj, required, what, err, err_sz);
    } else {
      const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->name);
      if (v) rc = field_from_json(f, base, v, what, err, err_sz);
      else if (required) rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: '%s' is missing", what, f->name);
    }
    if (rc) return rc;
  }
  return MBRL_OK;
}

int mbrl_config_from_json(const mbrl_config_table *t, void *base, const void *json_object, const char *what,
                          char *err, size_t err_sz) {
  if (!cJSON_IsObject((const cJSON *)json_object))
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s is not a JSON object", what);
  return read_json(t, base, json_object, 0, what, err, err_sz);
}

char *mbrl_config_print(const mbrl_config_table *t, const void *base) {
  cJSON *obj = cJSON_CreateObject();
  mbrl_config_to_json(t, base, obj);
  char *text = cJSON_PrintUnformatted(obj);
  cJSON_Delete(obj);
  MBRL_ASSERT(text);
  size_t n = strlen(text) + 1;
  char *out = mbrl_alloc(n);
  memcpy(out, text, n);
  cJSON_free(text);
  return out;
}

int mbrl_config_parse(const mbrl_config_table *t, void *base, const char *text, const char *what, char *err,
                      size_t err_sz) {
  cJSON *obj = text ? cJSON_Parse(text) : NULL;
  int rc = cJSON_IsObject(obj) ? read_json(t, base, obj, 1, what, err, err_sz)
                               : mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s is %s", what,
                                           text ? "not a JSON object" : "missing");
  cJSON_Delete(obj);
  return rc;
}

int mbrl_config_write_json(const void *json_object, const char *path, char *err, size_t err_sz) {
  char *text = cJSON_Print(json_object);
  if (!text) return mbrl_errf(err, err_sz, MBRL_ENOMEM, "out of memory writing %s", path);
  mbrl_io_atomic a;
  int rc = mbrl_io_atomic_open(&a, path, err, err_sz);
  if (rc == MBRL_OK) rc = mbrl_io_atomic_write(&a, text, strlen(text), err, err_sz);
  if (rc == MBRL_OK) rc = mbrl_io_atomic_write(&a, "\n", 1, err, err_sz);
  if (rc == MBRL_OK) rc = mbrl_io_atomic_commit(&a, err, err_sz);
  else if (a.f) mbrl_io_atomic_abort(&a);
  cJSON_free(text);
  return rc;
}

int mbrl_config_read_file(const mbrl_config_table *t, void *base, const char *path, char *err, size_t err_sz) {
  uint8_t *text;
  size_t size;
  int rc = mbrl_io_read_all(path, &text, &size, err, err_sz);
  if (rc) return rc;
  cJSON *root = cJSON_ParseWithLength((const char *)text, size);
  mbrl_free(text);
  if (!root) return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s is not JSON", path);
  rc = mbrl_config_from_json(t, base, root, path, err, err_sz);
  cJSON_Delete(root);
  return rc;
}
