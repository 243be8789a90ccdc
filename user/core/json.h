/* SPDX-License-Identifier: MIT */
/*
 * The one JSON writer: every `--json` output (attach summary, stats, status,
 * load, doctor) is a json-c object tree built by the code that owns the data
 * and printed here, once, whole. json-c escapes strings, so an interface
 * name or a driver string can never break the document.
 *
 * Ownership follows json-c: an object added to another belongs to it; the
 * caller puts (frees) only the root, which xg_json_print does.
 */
#ifndef XDPGAME_CORE_JSON_H
#define XDPGAME_CORE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

typedef struct json_object xg_json;

/* A new object or array; NULL only when memory runs out, and every helper
 * below takes a NULL parent quietly, so a tree is built without checks and
 * the print fails once at the end. */
xg_json *xg_json_obj(void);
xg_json *xg_json_arr(void);

/* Members of an object: obj[key] = value. The key is copied. */
void xg_json_u64(xg_json *obj, const char *key, uint64_t v);
void xg_json_i64(xg_json *obj, const char *key, int64_t v);
void xg_json_dbl(xg_json *obj, const char *key, double v);
void xg_json_bool(xg_json *obj, const char *key, bool v);
void xg_json_str(xg_json *obj, const char *key, const char *s); /* NULL: null */
/* obj[key] = child, which obj then owns; returns child for chaining. */
xg_json *xg_json_add(xg_json *obj, const char *key, xg_json *child);
/* Elements of an array; the array owns what is appended. */
xg_json *xg_json_push(xg_json *arr, xg_json *child);
void xg_json_push_u64(xg_json *arr, uint64_t v);
void xg_json_push_str(xg_json *arr, const char *s);

/* Print root as one line of compact JSON and a newline, flush, and free the
 * tree. 0, or -ENOMEM if the tree could not be built, or -EIO. */
int xg_json_print(FILE *f, xg_json *root);

#endif
