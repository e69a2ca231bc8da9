/* Typed look-ups in a parsed record (json-c): NULL when the member is absent or of another
 * type, so a record from an older or hostile writer never crashes the report. Its own
 * module because both the counters (stats.c) and the comparison (compare.c) read records,
 * and stats.c depends on compare.c (changes are counted against the previous scan):
 * keeping the accessors in stats.c made the two include each other. */
#ifndef MXS_REPORT_JSONGET_H
#define MXS_REPORT_JSONGET_H

#include <json-c/json.h>
#include <time.h>

/* The member key of object o, or NULL (o NULL or not an object, key absent). */
json_object *jget(json_object *o, const char *key);
/* The string member key of o, or NULL when absent or not a string. */
const char *jstr(json_object *o, const char *key);

/* An RFC 3339 UTC time as the scanner writes it ("2026-12-02T08:00:00Z"), -1 otherwise
 * (NULL too). By hand, without timegm: that takes the time zone lock, which the parser
 * threads then fight over. */
time_t jtime_str(const char *t);

#endif
