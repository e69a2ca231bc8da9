/* MTA-STS (RFC 8461) parsers; see mtasts_parse.h. All scanning is index-based against an explicit
 * length, so embedded NULs or a missing terminator in hostile input cannot overrun. */
#include "checks/mtasts_parse.h"
#include "checks/txtrec.h"

#include <string.h>

static const char *const VERSION_TXT = "v=STSv1";

/* True if the record starts with the version token "v=STSv1" as a whole token: it must be
 * followed by the end, WSP or ";" — "v=STSv10" is some other version, not ours. */
static bool starts_sts_version(const char *txt, size_t len) {
  size_t vl = strlen(VERSION_TXT);
  if (!txt || len < vl || memcmp(txt, VERSION_TXT, vl) != 0) return false;
  return len == vl || is_wsp((unsigned char)txt[vl]) || txt[vl] == ';';
}

static size_t sts_kind(const char *txt, size_t len) {
  return starts_sts_version(txt, len) ? strlen(VERSION_TXT) : 0;
}

int mtasts_txt_parse(const char *txt, size_t len, mtasts_txt_t *out, const char **reason) {
  set_reason(reason, NULL);
  if (out) memset(out, 0, sizeof *out);
  if (!starts_sts_version(txt, len)) {
    set_reason(reason, "not an STSv1 record");
    return 0;
  }
  /* sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
   * sts-field-delim = *WSP ";" *WSP   (whitespace on both sides, per erratum 6285).
   * Trailing WSP after the last field is tolerated: it is harmless and common. */
  size_t i = strlen(VERSION_TXT);
  bool have_id = false;
  for (;;) {
    while (i < len && is_wsp((unsigned char)txt[i])) i++;
    if (i == len) break;                        /* end, possibly after a trailing ";" */
    if (txt[i] != ';') {
      set_reason(reason, "bad field syntax");
      return -1;
    }
    i++;
    while (i < len && is_wsp((unsigned char)txt[i])) i++;
    if (i == len) break;                        /* trailing ";" is allowed */

    size_t nl = scan_name(txt + i, len - i);
    if (nl == 0 || i + nl >= len || txt[i + nl] != '=') {
      set_reason(reason, "bad field syntax");
      return -1;
    }
    const char *name = txt + i;
    i += nl + 1;
    size_t vstart = i;
    while (i < len && is_ext_value_char((unsigned char)txt[i])) i++;
    size_t vl = i - vstart;
    /* the value must end at a delimiter candidate; anything else (a control character,
     * "=", a byte >= 0x80) is outside the grammar */
    if (i < len && !is_wsp((unsigned char)txt[i]) && txt[i] != ';') {
      set_reason(reason, "bad field syntax");
      return -1;
    }
    if (nl == 2 && memcmp(name, "id", 2) == 0) {   /* %s"id=": case-sensitive */
      if (have_id) {
        set_reason(reason, "duplicate id");
        return -1;
      }
      if (vl < 1 || vl > MTASTS_ID_MAX) {
        set_reason(reason, "id must be 1-32 letters or digits");
        return -1;
      }
      for (size_t k = 0; k < vl; k++) {
        if (!is_alnum((unsigned char)txt[vstart + k])) {
          set_reason(reason, "id must be 1-32 letters or digits");
          return -1;
        }
      }
      if (out) {
        memcpy(out->id, txt + vstart, vl);
        out->id[vl] = '\0';
      }
      have_id = true;
    } else if (vl == 0) {
      /* an unknown extension is ignored, but it still has to be well-formed */
      set_reason(reason, "bad field syntax");
      return -1;
    }
  }
  if (!have_id) {
    if (out) out->id[0] = '\0';
    set_reason(reason, "missing id");
    return -1;
  }
  return 1;
}

int mtasts_txt_select(const char *const *txts, const size_t *lens, size_t n,
                      mtasts_txt_t *out, const char **reason) {
  set_reason(reason, NULL);
  if (out) memset(out, 0, sizeof *out);
  size_t which, start;
  size_t found = txt_count_kind(txts, lens, n, sts_kind, &which, &start);
  if (found == 0) {
    set_reason(reason, "no STSv1 record");
    return 0;
  }
  if (found > 1) {
    /* §3.1: more than one STSv1 record means no policy, even if they agree */
    set_reason(reason, "multiple STSv1 records");
    return -1;
  }
  return mtasts_txt_parse(txts[which], lens[which], out, reason);
}

/* Validates one mx value (["*."] Domain) and stores it lowercased without a trailing dot.
 * Labels are LDH, 1-63 octets, not starting or ending with "-" (A-labels per §3.2). */
static const char *store_mx(const char *v, size_t vl, char dst[MTASTS_MX_LEN + 1]) {
  if (vl > 0 && v[vl - 1] == '.') vl--;          /* "mx.example.com." is the same name */
  if (vl == 0) return "empty mx pattern";
  if (vl > MTASTS_MX_LEN) return "mx pattern too long";
  size_t i = 0;
  if (vl >= 2 && v[0] == '*' && v[1] == '.') i = 2;
  if (i == vl) return "bad mx pattern";
  size_t label = 0;
  for (size_t k = i; k <= vl; k++) {
    if (k == vl || v[k] == '.') {
      if (label == 0 || label > 63) return "bad mx pattern";
      if (v[k - 1] == '-' || v[k - label] == '-') return "bad mx pattern";
      label = 0;
      continue;
    }
    unsigned char c = (unsigned char)v[k];
    if (!(is_alnum(c) || c == '-')) return "bad mx pattern";
    label++;
  }
  if (dst) {
    for (size_t k = 0; k < vl; k++) dst[k] = to_lower(v[k]);
    dst[vl] = '\0';
  }
  return NULL;
}

/* Fields seen so far in a policy body: each at most once, mx any number of times. */
typedef struct policy_seen {
  bool version, mode, max_age;
  size_t nmx;                       /* mx lines, also those past MTASTS_MAX_MX */
} policy_seen_t;

/* mode values are case-sensitive (%s in the ABNF). NULL ok, else the reason. */
static const char *policy_mode(mtasts_policy_t *p, const char *v, size_t vl) {
  if (vl == 7 && memcmp(v, "enforce", 7) == 0) {
    p->mode = MTASTS_MODE_ENFORCE; p->mode_name = "enforce";
  } else if (vl == 7 && memcmp(v, "testing", 7) == 0) {
    p->mode = MTASTS_MODE_TESTING; p->mode_name = "testing";
  } else if (vl == 4 && memcmp(v, "none", 4) == 0) {
    p->mode = MTASTS_MODE_NONE; p->mode_name = "none";
  } else {
    return "unknown mode";
  }
  return NULL;
}

/* 1*10(DIGIT): at most 9999999999, which fits in unsigned long long on any platform
 * (long may be 32 bits), then the range check. */
static const char *policy_max_age(mtasts_policy_t *p, const char *v, size_t vl) {
  if (vl < 1 || vl > 10) return "max_age must be 1-10 digits";
  unsigned long long age = 0;
  for (size_t k = 0; k < vl; k++) {
    if (!is_digit((unsigned char)v[k])) return "max_age must be 1-10 digits";
    age = age * 10 + (unsigned long long)(v[k] - '0');
  }
  if (age > (unsigned long long)MTASTS_MAX_AGE_MAX) return "max_age out of range";
  p->max_age = (long)age;
  return NULL;
}

/* One "key: value" field. Any other well-formed key is an extension and is ignored (§3.2). */
static const char *policy_field(mtasts_policy_t *p, policy_seen_t *seen, const char *key,
                                size_t kl, const char *v, size_t vl) {
  const char *why = NULL;
  if (kl == 7 && memcmp(key, "version", 7) == 0) {
    if (seen->version) return "duplicate version";
    if (vl != 5 || memcmp(v, "STSv1", 5) != 0) return "unsupported version";
    seen->version = true;
  } else if (kl == 4 && memcmp(key, "mode", 4) == 0) {
    if (seen->mode) return "duplicate mode";
    if ((why = policy_mode(p, v, vl))) return why;
    seen->mode = true;
  } else if (kl == 7 && memcmp(key, "max_age", 7) == 0) {
    if (seen->max_age) return "duplicate max_age";
    if ((why = policy_max_age(p, v, vl))) return why;
    seen->max_age = true;
  } else if (kl == 2 && memcmp(key, "mx", 2) == 0) {
    /* every mx line is validated, even past the cap, so a bad one is never hidden */
    char tmp[MTASTS_MX_LEN + 1];
    if ((why = store_mx(v, vl, p->nmx < MTASTS_MAX_MX ? p->mx[p->nmx] : tmp))) return why;
    seen->nmx++;
    if (p->nmx < MTASTS_MAX_MX) p->nmx++;
    else p->mx_truncated = true;
  }
  return NULL;
}

/* One line without its terminator: key ":" *WSP value *WSP. NULL ok, else the reason. */
static const char *policy_line(mtasts_policy_t *p, policy_seen_t *seen, const char *line, size_t ll) {
  /* Blank lines are outside the grammar but widely published (e.g. a trailing empty
   * line); they carry no field, so skipping them cannot change the policy's meaning. */
  size_t b = 0;
  while (b < ll && is_wsp((unsigned char)line[b])) b++;
  if (b == ll) return NULL;
  size_t kl = scan_name(line, ll);
  if (kl == 0 || kl >= ll || line[kl] != ':') return "bad line syntax";
  size_t vs = kl + 1;
  while (vs < ll && is_wsp((unsigned char)line[vs])) vs++;
  size_t ve = ll;
  while (ve > vs && is_wsp((unsigned char)line[ve - 1])) ve--;
  const char *v = line + vs;
  size_t vl = ve - vs;
  /* a value is visible characters with single interior WSP runs; a stray CR or other
   * control character inside a line is not allowed (it is how header-splitting games
   * start). Bytes >= 0x80 are allowed only because extension values may be UTF-8. */
  for (size_t k = 0; k < vl; k++) {
    unsigned char c = (unsigned char)v[k];
    if ((c < 0x20 && c != '\t') || c == 0x7f) return "control character in policy";
  }
  return policy_field(p, seen, line, kl, v, vl);
}

static int policy_fail(const char **reason, const char *why) {
  set_reason(reason, why);
  return -1;
}

int mtasts_policy_parse(const char *body, size_t len, mtasts_policy_t *out,
                        const char **reason) {
  set_reason(reason, NULL);
  mtasts_policy_t scratch;
  mtasts_policy_t *p = out ? out : &scratch;   /* mx validation needs somewhere to write */
  memset(p, 0, sizeof *p);
  p->mode_name = "";
  if (!body && len) return policy_fail(reason, "no policy body");
  if (len > MTASTS_BODY_MAX) return policy_fail(reason, "policy body too large");
  if (len && memchr(body, '\0', len)) return policy_fail(reason, "NUL byte in policy");
  policy_seen_t seen = {false, false, false, 0};
  size_t pos = 0;
  while (pos < len) {
    /* one line: up to LF (the last line may lack one); a CR just before LF belongs to
     * the terminator (CRLF) */
    const char *lf = memchr(body + pos, '\n', len - pos);
    size_t end = lf ? (size_t)(lf - body) : len;
    size_t next = lf ? end + 1 : len;
    if (end > pos && body[end - 1] == '\r') end--;
    const char *why = policy_line(p, &seen, body + pos, end - pos);
    if (why) return policy_fail(reason, why);
    pos = next;
  }
  if (!seen.version) return policy_fail(reason, "missing version");
  if (!seen.mode) return policy_fail(reason, "missing mode");
  if (!seen.max_age) return policy_fail(reason, "missing max_age");
  if (seen.nmx == 0 && p->mode != MTASTS_MODE_NONE) return policy_fail(reason, "no mx pattern");
  return 1;
}

static bool eq_nocase(const char *a, const char *b, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (to_lower(a[k]) != to_lower(b[k])) return false;
  return true;
}

bool mtasts_mx_match(const char *pattern, const char *host) {
  if (!pattern || !host) return false;
  /* bounded: names longer than a DNS name cannot match anything legitimately */
  size_t pl = strnlen(pattern, MTASTS_MX_LEN + 2);
  size_t hl = strnlen(host, MTASTS_MX_LEN + 2);
  if (pl > 0 && pattern[pl - 1] == '.') pl--;
  if (hl > 0 && host[hl - 1] == '.') hl--;
  if (pl == 0 || hl == 0 || pl > MTASTS_MX_LEN || hl > MTASTS_MX_LEN) return false;

  if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') {
    const char *suffix = pattern + 2;
    size_t sl = pl - 2;
    if (sl == 0) return false;
    /* exactly one left-most label: host = label "." suffix, label non-empty, no dot */
    const char *dot = memchr(host, '.', hl);
    if (!dot || dot == host) return false;
    size_t rest = hl - (size_t)(dot - host) - 1;
    return rest == sl && eq_nocase(dot + 1, suffix, sl);
  }
  return pl == hl && eq_nocase(pattern, host, pl);
}
