/* Table-driven command-line flags for the mbrl subcommands. */
#include "flags.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mbrl/core.h"

/* a list's values, comma separated, cut to fit buf (n bytes) */
static void list_text(const flag_list *l, char *buf, size_t n) {
  size_t used = 0;
  snprintf(buf, n, "%s", l->n ? "" : "(none)");
  for (int i = 0; i < l->n && used < n; i++)
    used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", l->v[i]);
}

static void value_text(const flag *f, char *buf, size_t n) {
  switch (f->type) {
    case FLAG_FIELD: {
      const flag_field *ff = f->value;
      mbrl_config_field_text(ff->field, ff->owner, buf, n);
      break;
    }
    case FLAG_LIST: list_text(f->value, buf, n); break;
    case FLAG_INT: snprintf(buf, n, "%d", *(int *)f->value); break;
    case FLAG_DOUBLE: snprintf(buf, n, "%g", *(double *)f->value); break;
    case FLAG_STRING: snprintf(buf, n, "%s", *(const char **)f->value ? *(const char **)f->value : "(none)"); break;
    case FLAG_BOOL: snprintf(buf, n, "%s", *(int *)f->value ? "on" : "off"); break;
  }
}

void flags_usage(FILE *out, const char *cmd, const char *args, const char *summary, const flag *flags,
                 int n) {
  fprintf(out, "usage: mbrl %s [flags]%s%s\n%s\n\nflags (default in brackets):\n", cmd, args ? " " : "",
          args ? args : "", summary);
  for (int i = 0; i < n; i++) {
    const flag *f = &flags[i];
    int dup = 0;
    for (int k = 0; k < i && !dup; k++) dup = !strcmp(flags[k].name, f->name);
    if (dup) continue; /* one line for a name several flags share */
    flag_type t = f->type;
    if (t == FLAG_FIELD) {
      mbrl_field_type ft = ((const flag_field *)f->value)->field->type;
      t = ft == MBRL_FIELD_BOOL                                ? FLAG_BOOL
          : ft == MBRL_FIELD_INT                               ? FLAG_INT
          : ft == MBRL_FIELD_DOUBLE || ft == MBRL_FIELD_FLOAT ? FLAG_DOUBLE
                                                               : FLAG_STRING;
    }
    char names[64], def[64];
    snprintf(names, sizeof names, "%s%s%s%s", f->name, f->alias ? ", " : "", f->alias ? f->alias : "",
             t == FLAG_BOOL                             ? ""
             : t == FLAG_STRING || t == FLAG_LIST ? " S"
             : t == FLAG_INT                            ? " N"
                                                              : " X");
    value_text(f, def, sizeof def);
    fprintf(out, "  %-40s %s [%s]\n", names, f->help, def);
  }
  fprintf(out, "  %-40s %s\n", "--help, -h", "this text");
}

/* appends s to a list; 2 after a message when it is full */
static int list_add(const char *cmd, const char *what, flag_list *l, const char *s) {
  if (l->n >= l->cap) {
    fprintf(stderr, "mbrl %s: more than %d %s\n", cmd, l->cap, what);
    return 2;
  }
  l->v[l->n++] = s;
  return 0;
}

/* whether f takes no value (a plain or a configuration boolean) */
static int is_switch(const flag *f) {
  return f->type == FLAG_BOOL ||
         (f->type == FLAG_FIELD && ((const flag_field *)f->value)->field->type == MBRL_FIELD_BOOL);
}

/* first: whether this is the flag's first occurrence on the command line; a switch gets "true" */
static int set_value(const char *cmd, const flag *f, const char *s, int first) {
  char *end;
  errno = 0;
  if (f->type == FLAG_FIELD) {
    char msg[600];
    const flag_field *ff = f->value;
    if (mbrl_config_field_set(ff->field, ff->owner, s, msg, sizeof msg)) {
      fprintf(stderr, "mbrl %s: --%s\n", cmd, msg);
      return 2;
    }
    return 0;
  }
  if (f->type == FLAG_STRING) {
    *(const char **)f->value = s;
    return 0;
  }
  if (f->type == FLAG_BOOL) {
    *(int *)f->value = 1;
    return 0;
  }
  if (f->type == FLAG_LIST) {
    flag_list *l = f->value;
    if (first) l->n = 0;
    return list_add(cmd, f->name, l, s);
  }
  double x = f->type == FLAG_INT ? (double)strtol(s, &end, 10) : strtod(s, &end);
  if (end == s || *end || errno || !isfinite(x)) {
    fprintf(stderr, "mbrl %s: %s needs %s, got '%s'\n", cmd, f->name,
            f->type == FLAG_INT ? "an integer" : "a number", s);
    return 2;
  }
  if (f->lo != f->hi && (x < f->lo || x > f->hi)) {
    fprintf(stderr, "mbrl %s: %s must be in [%g, %g], got %s\n", cmd, f->name, f->lo, f->hi, s);
    return 2;
  }
  if (f->type == FLAG_INT)
    *(int *)f->value = (int)x;
  else
    *(double *)f->value = x;
  return 0;
}

/* the parser behind flags_parse_args; seen (n) marks the flags met so far */
static int parse(const char *cmd, const char *args, const char *summary, const flag *flags, int n,
                 int argc, char **argv, flag_list *pos, unsigned char *seen) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      flags_usage(stdout, cmd, args, summary, flags, n);
      return 1;
    }
    /* positional arguments: words that are not flags, and everything after "--" */
    if (pos && !strcmp(a, "--")) {
      for (i++; i < argc; i++)
        if (list_add(cmd, "arguments", pos, argv[i])) return 2;
      return 0;
    }
    if (pos && (a[0] != '-' || a[1] == '\0')) {
      if (list_add(cmd, "arguments", pos, a)) return 2;
      continue;
    }
    /* split --name=value */
    char name[128];
    const char *eq = strchr(a, '=');
    size_t len = eq && a[0] == '-' && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, a, len);
    name[len] = 0;
    const flag *f = NULL;
    for (int k = 0; k < n && !f; k++)
      if (!strcmp(name, flags[k].name) || (flags[k].alias && !strcmp(name, flags[k].alias))) f = &flags[k];
    if (!f) {
      fprintf(stderr, "mbrl %s: unknown flag '%s' (mbrl %s --help lists them)\n", cmd, a, cmd);
      return 2;
    }
    if (is_switch(f) && eq && len == strlen(name) && a[len] == '=') {
      fprintf(stderr, "mbrl %s: %s takes no value\n", cmd, f->name);
      return 2;
    }
    const char *v = is_switch(f) ? "true" : eq && a[0] == '-' && a[1] == '-' ? eq + 1 : NULL;
    if (!v) {
      if (i + 1 >= argc) {
        fprintf(stderr, "mbrl %s: %s needs a value\n", cmd, f->name);
        return 2;
      }
      v = argv[++i];
    }
    int first = !seen[f - flags];
    seen[f - flags] = 1;
    int rc = set_value(cmd, f, v, first);
    /* the same setting of other configurations (a planner option two planners share) */
    for (const flag *g = f + 1; !rc && g < flags + n; g++)
      if (!strcmp(g->name, f->name)) rc = set_value(cmd, g, v, 0);
    if (rc) return rc;
  }
  return 0;
}

int flags_parse_args(const char *cmd, const char *args, const char *summary, const flag *flags,
                     int n, int argc, char **argv, flag_list *pos) {
  unsigned char *seen = calloc((size_t)n + 1, 1);
  if (!seen) {
    fprintf(stderr, "mbrl %s: out of memory\n", cmd);
    return 2;
  }
  int rc = parse(cmd, args, summary, flags, n, argc, argv, pos, seen);
  free(seen);
  return rc;
}

int flags_parse(const char *cmd, const char *summary, const flag *flags, int n, int argc, char **argv) {
  return flags_parse_args(cmd, NULL, summary, flags, n, argc, argv, NULL);
}

/* flag names and fields live as long as the program: the CLI parses once */
enum { MAX_FIELDS = 512 };
static char field_names[MAX_FIELDS][64];
static flag_field field_refs[MAX_FIELDS];
static int fields_used;

/* a FLAG_FIELD flag for field f in the struct owner */
static flag field_flag(const mbrl_field *f, void *owner) {
  MBRL_ASSERT(fields_used < MAX_FIELDS);
  snprintf(field_names[fields_used], sizeof field_names[0], "--%s", f->name);
  field_refs[fields_used] = (flag_field){f, owner};
  flag out = {field_names[fields_used], f->alias, FLAG_FIELD, &field_refs[fields_used], 0, 0, f->help};
  fields_used++;
  return out;
}

flag flags_field(const mbrl_config_table *t, void *base, const char *name) {
  void *owner;
  const mbrl_field *f = mbrl_config_find(t, base, name, &owner);
  MBRL_ASSERT(f);
  return field_flag(f, owner);
}

/* writes t's value fields at base as flags into out[*n..cap); dynamic sections are left out */
static void add_fields(flag *out, int *n, int cap, const mbrl_config_table *t, void *base) {
  for (int i = 0; i < t->n && *n < cap && fields_used < MAX_FIELDS; i++) {
    const mbrl_field *f = &t->fields[i];
    if (f->type == MBRL_FIELD_SECTION) {
      if (f->section) add_fields(out, n, cap, f->section, (char *)base + f->offset);
      continue;
    }
    out[(*n)++] = field_flag(f, base);
  }
}

int flags_from_config(flag *out, int cap, const mbrl_config_table *t, void *base) {
  int n = 0;
  add_fields(out, &n, cap, t, base);
  return n;
}
