/* Typed look-ups in a parsed record, and the record's time stamps (see jsonget.h). */
#include "report/jsonget.h"

#include <stdint.h>
#include <string.h>

json_object *jget(json_object *o, const char *key) {
  json_object *v;
  if (!o || !json_object_is_type(o, json_type_object)) return NULL;
  return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

const char *jstr(json_object *o, const char *key) {
  json_object *v = jget(o, key);
  return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SSZ" as written by the scanner; -1 otherwise. By hand:
 * sscanf costs more than the rest of a record's figures. */
static int digits(const char *p, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return -1;
    v = v * 10 + (p[i] - '0');
  }
  return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil):
 * timegm() takes the time zone lock, which the two parser threads then fight over. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

time_t jtime_str(const char *t) {
  if (!t || strlen(t) < 19 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':')
    return -1;
  int y = digits(t, 4), mo = digits(t + 5, 2), d = digits(t + 8, 2), h = digits(t + 11, 2),
      mi = digits(t + 14, 2), sec = digits(t + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      sec < 0 || sec > 60)
    return -1;
  return (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec);
}

