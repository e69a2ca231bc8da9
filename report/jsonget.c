/* Typed look-ups in a parsed record (see jsonget.h). */
#include "report/jsonget.h"

json_object *jget(json_object *o, const char *key) {
  json_object *v;
  if (!o || !json_object_is_type(o, json_type_object)) return NULL;
  return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

const char *jstr(json_object *o, const char *key) {
  json_object *v = jget(o, key);
  return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}
