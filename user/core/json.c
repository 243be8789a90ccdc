/* SPDX-License-Identifier: MIT */
/* The one JSON writer, over json-c; see json.h. */
#include <errno.h>

#include "core/json.h"

xg_json *xg_json_obj(void)
{
	return json_object_new_object();
}

xg_json *xg_json_arr(void)
{
	return json_object_new_array();
}

xg_json *xg_json_add(xg_json *obj, const char *key, xg_json *child)
{
	if (!obj || !child) {
		json_object_put(child);
		return NULL;
	}
	if (json_object_object_add(obj, key, child)) {
		json_object_put(child);
		return NULL;
	}
	return child;
}

void xg_json_u64(xg_json *obj, const char *key, uint64_t v)
{
	if (obj)
		xg_json_add(obj, key, json_object_new_uint64(v));
}

void xg_json_i64(xg_json *obj, const char *key, int64_t v)
{
	if (obj)
		xg_json_add(obj, key, json_object_new_int64(v));
}

void xg_json_dbl(xg_json *obj, const char *key, double v)
{
	if (obj)
		xg_json_add(obj, key, json_object_new_double(v));
}

void xg_json_bool(xg_json *obj, const char *key, bool v)
{
	if (obj)
		xg_json_add(obj, key, json_object_new_boolean(v));
}

void xg_json_str(xg_json *obj, const char *key, const char *s)
{
	if (!obj)
		return;
	if (!s) {
		json_object_object_add(obj, key, NULL); /* null */
		return;
	}
	xg_json_add(obj, key, json_object_new_string(s));
}

xg_json *xg_json_push(xg_json *arr, xg_json *child)
{
	if (!arr || !child) {
		json_object_put(child);
		return NULL;
	}
	if (json_object_array_add(arr, child)) {
		json_object_put(child);
		return NULL;
	}
	return child;
}

void xg_json_push_u64(xg_json *arr, uint64_t v)
{
	if (arr)
		xg_json_push(arr, json_object_new_uint64(v));
}

void xg_json_push_str(xg_json *arr, const char *s)
{
	if (arr)
		xg_json_push(arr, json_object_new_string(s ? s : ""));
}

int xg_json_print(FILE *f, xg_json *root)
{
	const char *s;
	int err = 0;

	if (!root)
		return -ENOMEM;
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		err = -ENOMEM;
	else if (fprintf(f, "%s\n", s) < 0 || fflush(f))
		err = -EIO;
	json_object_put(root);
	return err;
}
