/* Table-driven command-line flags: --name value, --name=value, short aliases, typed and
 * range-checked values, repeatable flags, positional arguments, and a generated --help. */
#ifndef MBRL_CLI_FLAGS_H
#define MBRL_CLI_FLAGS_H

#include <stdio.h>

#include "mbrl/config.h"

typedef enum { FLAG_INT, FLAG_DOUBLE, FLAG_STRING, FLAG_BOOL, FLAG_LIST, FLAG_FIELD } flag_type;

/* The values of a repeatable flag (FLAG_LIST) or a command's positional arguments: v holds up to
 * cap strings (argc is always enough). v[0..n) are a list flag's defaults until it first appears;
 * each occurrence then appends one value. */
typedef struct {
  const char **v;
  int n, cap;
} flag_list;

typedef struct {
  const char *name;  /* "--name" */
  const char *alias; /* "-n" or NULL */
  flag_type type;
  void *value;       /* int *, double *, const char **, int * (bool: set to 1, no argument),
                        flag_list *, or a flag_field * */
  double lo, hi;     /* allowed range for numbers (ignored when lo == hi) */
  const char *help;
} flag;

/* The value of a FLAG_FIELD flag: a configuration table's field (its range and type; a BOOL field
 * is a switch) in the struct owner. Flags of one name all take the value. */
typedef struct {
  const mbrl_field *field;
  void *owner;
} flag_field;

/* Writes a FLAG_FIELD flag for every value field of t at base into out (cap), sections flattened
 * and dynamic sections left out; returns the count written. */
int flags_from_config(flag *out, int cap, const mbrl_config_table *t, void *base);

/* A FLAG_FIELD flag for the field named name of t at base (which must exist). */
flag flags_field(const mbrl_config_table *t, void *base, const char *name);

/* Parses argv[1..argc) into the flags' values; returns 0, 1 after printing --help to stdout, or
 * 2 after printing a usage error to stderr. */
int flags_parse(const char *cmd, const char *summary, const flag *flags, int n, int argc, char **argv);

/* flags_parse for a command that also takes positional arguments: they go to pos, and "--" ends
 * the flags; args names them in the usage line (e.g. "RUN_DIR..."). */
int flags_parse_args(const char *cmd, const char *args, const char *summary, const flag *flags,
                     int n, int argc, char **argv, flag_list *pos);

/* Prints the usage text with each flag's default (its current value); args may be NULL. */
void flags_usage(FILE *f, const char *cmd, const char *args, const char *summary, const flag *flags,
                 int n);

#endif
