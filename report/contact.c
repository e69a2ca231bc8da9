/* The contact hint of --notify (see contact.h): pure functions of a record's strings, which
 * are hostile (every length bounded by the caller's buffer, control characters refused). */
#include "report/contact.h"
#include "report/jsonget.h"
#include "record/schema.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *const contact_source_name[CONTACT_SOURCE_COUNT] = {"tls-rpt", "soa", "none"};

int contact_soa_mailbox(const char *rname, char *buf, size_t cap) {
  size_t n = 0;
  const char *p = rname;
  for (; *p && *p != '.'; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '\\' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' && p[3] >= '0' &&
        p[3] <= '9') {
      int v = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
      if (v > 255) return -1;
      c = (unsigned char)v;
      p += 3;
    } else if (c == '\\' && p[1]) {
      c = (unsigned char)*++p;
    }
    if (c < 0x21 || c == 0x7f || c == '@' || n + 1 >= cap) return -1;
    buf[n++] = (char)c;
  }
  if (n == 0 || *p != '.' || !p[1] || p[1] == '.') return -1;
  buf[n++] = '@';
  for (p++; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c < 0x21 || c == 0x7f || c == '\\' || c == '@' || n + 1 >= cap) return -1;
    buf[n++] = (char)c;
  }
  if (buf[n - 1] == '.') n--;
  buf[n] = 0;
  return 0;
}

/* The first rua URI with the scheme (case-insensitive), without it for mailto:. */
static int rua_with(json_object *rua, const char *scheme, char *buf, size_t cap) {
  size_t sn = strlen(scheme);
  for (size_t i = 0; rua && json_object_is_type(rua, json_type_array) &&
                     i < json_object_array_length(rua); i++) {
    json_object *u = json_object_array_get_idx(rua, i);
    const char *s = json_object_is_type(u, json_type_string) ? json_object_get_string(u) : NULL;
    if (!s || strncasecmp(s, scheme, sn) != 0) continue;
    const char *v = strcmp(scheme, "mailto:") == 0 ? s + sn : s;
    if (!*v || strlen(v) >= cap) continue;
    snprintf(buf, cap, "%s", v);
    return 1;
  }
  return 0;
}

enum contact_source contact_hint(json_object *rec, char *buf, size_t cap) {
  json_object *rua = jget(jget(rec, RK_TLS_RPT), RK_RUA);
  if (rua_with(rua, "mailto:", buf, cap) || rua_with(rua, "https:", buf, cap))
    return CONTACT_TLSRPT;
  const char *rname = jstr(rec, RK_SOA_RNAME);
  if (rname && contact_soa_mailbox(rname, buf, cap) == 0) return CONTACT_SOA;
  buf[0] = 0;
  return CONTACT_NONE;
}
