/* Configuration tables: a settings struct described once, as a table of fields (name, type, place
 * in the struct, range, default, help), from which its defaults, the command line's flags and
 * --help, config.json and the reading back of config.json are all generated.
 *
 * A field's name is its JSON key and its flag (--name); alias is an optional short flag. A
 * section embeds another table's struct at its offset, its fields flat among the others (as
 * CS285's config.json keeps every setting at the top level). A dynamic section's table depends on
 * the struct's other values (a planner's own settings depend on which planner it names).
 *
 * Values are stored as: INT int, DOUBLE double, FLOAT float, BOOL int (0 or 1), STRING char
 * [MBRL_CONFIG_STR] (NUL-terminated), CHOICE int (an index into choices). Ranges apply to INT,
 * DOUBLE and FLOAT (lo == hi: any finite value).
 */
#ifndef MBRL_CONFIG_H
#define MBRL_CONFIG_H

#include <stddef.h>

#pragma GCC visibility push(default)

/* bytes of a STRING field, terminator included */
#define MBRL_CONFIG_STR 512

typedef enum mbrl_field_type {
  MBRL_FIELD_INT = 0,
  MBRL_FIELD_DOUBLE,
  MBRL_FIELD_FLOAT,
  MBRL_FIELD_BOOL,
  MBRL_FIELD_STRING,
  MBRL_FIELD_CHOICE,
  MBRL_FIELD_SECTION
} mbrl_field_type;

typedef struct mbrl_config_table mbrl_config_table;

typedef struct mbrl_field {
  const char *name;      /* JSON key and flag --name */
  const char *alias;     /* short flag ("-n") or NULL */
  mbrl_field_type type;
  size_t offset;         /* of the value (or the embedded struct) within the struct */
  double lo, hi;         /* range of INT, DOUBLE and FLOAT values (lo == hi: any finite value) */
  double def;            /* default of INT, DOUBLE, FLOAT, BOOL and CHOICE (an index) values */
  const char *def_str;   /* default of STRING values (NULL: empty) */
  const char *help;      /* one line for --help */
  const char *const *choices; /* CHOICE: the names, NULL-terminated */
  const mbrl_config_table *section; /* SECTION: the embedded struct's table, or NULL for a
                                       dynamic section (section_of) */
  /* SECTION without a table: the table of the block at offset for the struct base (NULL when the
   * struct's values name none) */
  const mbrl_config_table *(*section_of)(const void *base);
} mbrl_field;

struct mbrl_config_table {
  const char *name;     /* what it configures, for messages */
  const mbrl_field *fields;
  int n;
};

/* Initialisers for table rows: MBRL_INT(struct, member, "name", alias, lo, hi, default, help). */
#define MBRL_CFG_INT(T, m, nm, al, lo_, hi_, d, h) \
  {.name = nm, .alias = al, .type = MBRL_FIELD_INT, .offset = offsetof(T, m), .lo = lo_, .hi = hi_, .def = d, .help = h}
#define MBRL_CFG_DOUBLE(T, m, nm, al, lo_, hi_, d, h) \
  {.name = nm, .alias = al, .type = MBRL_FIELD_DOUBLE, .offset = offsetof(T, m), .lo = lo_, .hi = hi_, .def = d, .help = h}
#define MBRL_CFG_FLOAT(T, m, nm, al, lo_, hi_, d, h) \
  {.name = nm, .alias = al, .type = MBRL_FIELD_FLOAT, .offset = offsetof(T, m), .lo = lo_, .hi = hi_, .def = d, .help = h}
#define MBRL_CFG_BOOL(T, m, nm, al, d, h) \
  {.name = nm, .alias = al, .type = MBRL_FIELD_BOOL, .offset = offsetof(T, m), .def = d, .help = h}
#define MBRL_CFG_STRING(T, m, nm, al, d, h) \
  {.name = nm, .alias = al, .type = MBRL_FIELD_STRING, .offset = offsetof(T, m), .def_str = d, .help = h}
#define MBRL_CFG_CHOICE(T, m, nm, al, names, d, h) \
  {.name = nm, .alias = al, .type = MBRL_FIELD_CHOICE, .offset = offsetof(T, m), .choices = names, .def = d, .help = h}
#define MBRL_CFG_SECTION(T, m, tab) \
  {.name = #m, .type = MBRL_FIELD_SECTION, .offset = offsetof(T, m), .section = tab}
#define MBRL_CFG_DYNAMIC(T, m, fn) \
  {.name = #m, .type = MBRL_FIELD_SECTION, .offset = offsetof(T, m), .section_of = fn}

/* The bytes of a struct that t's values reach: the end of its furthest field (a section's by its
 * table); SIZE_MAX when t has a dynamic section, whose extent is not known. */
size_t mbrl_config_extent(const mbrl_config_table *t);

/* Writes every field's default into base (a struct of the table), sections included; a dynamic
 * section is filled once the fields before it name its table. */
void mbrl_config_defaults(const mbrl_config_table *t, void *base);

/* The field named name among t's fields and its sections' (writes the struct holding it into
 * *owner, base or an embedded struct); NULL when there is none. */
const mbrl_field *mbrl_config_find(const mbrl_config_table *t, void *base, const char *name, void **owner);

/* Sets field f of the struct at base from text ("4", "0.1", "cem", "true"); returns 0, or
 * MBRL_EINVAL with a message naming the field (not a number, out of range, not a choice, too long). */
int mbrl_config_field_set(const mbrl_field *f, void *base, const char *text, char *err, size_t err_sz);

/* Sets the field named name (in t or its sections) from text; returns 0, MBRL_ENOTFOUND for an
 * unknown name, or MBRL_EINVAL as mbrl_config_field_set. */
int mbrl_config_set(const mbrl_config_table *t, void *base, const char *name, const char *text, char *err,
                    size_t err_sz);

/* Writes field f's value in the struct at base as text into buf (n bytes): "4", "0.001", "cem",
 * "on"/"off" for booleans. */
void mbrl_config_field_text(const mbrl_field *f, const void *base, char *buf, size_t n);

/* Calls fn(f, owner, ctx) for every value field of t, sections flattened in table order; owner is
 * the struct holding f. */
void mbrl_config_each(const mbrl_config_table *t, void *base,
                      void (*fn)(const mbrl_field *f, void *owner, void *ctx), void *ctx);

/* Adds t's fields with their values in base to a cJSON object (a cJSON *, passed as void * so
 * this header needs no cJSON): numbers as numbers (a FLOAT by its shortest decimal form), BOOL as
 * true/false, STRING and CHOICE as strings. */
void mbrl_config_to_json(const mbrl_config_table *t, const void *base, void *json_object);

/* Reads t's fields from a cJSON object into base: a field that is absent keeps its value, a key
 * that is not a field is ignored, a value of the wrong type or out of range is refused. Returns 0
 * or MBRL_EFORMAT with a message naming the key (what names the source, e.g. a file). */
int mbrl_config_from_json(const mbrl_config_table *t, void *base, const void *json_object, const char *what,
                          char *err, size_t err_sz);

/* t's fields with their values in base as one line of JSON text (as mbrl_config_to_json), for
 * a file's metadata; free it with mbrl_free. */
char *mbrl_config_print(const mbrl_config_table *t, const void *base);

/* Reads t's fields from JSON text (a file's metadata, as mbrl_config_print writes) into base,
 * every value field required; returns 0, or MBRL_EFORMAT with a message naming what and the key
 * (text NULL, not a JSON object, a field missing, of the wrong type or out of range). */
int mbrl_config_parse(const mbrl_config_table *t, void *base, const char *text, const char *what, char *err,
                      size_t err_sz);

/* Writes a cJSON object as indented JSON text to path, through a temporary file and a rename;
 * returns 0 or MBRL_EIO with a message. */
int mbrl_config_write_json(const void *json_object, const char *path, char *err, size_t err_sz);

/* Reads t's fields from the JSON text of file path into base, as mbrl_config_from_json; returns 0,
 * MBRL_ENOTFOUND or MBRL_EIO for a file that cannot be read, MBRL_EFORMAT for bad JSON. */
int mbrl_config_read_file(const mbrl_config_table *t, void *base, const char *path, char *err, size_t err_sz);

#pragma GCC visibility pop

#endif
