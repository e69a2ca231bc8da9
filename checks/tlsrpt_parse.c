/* SMTP TLS Reporting record parser (RFC 8460 §3); see tlsrpt_parse.h. Index-based scanning
 * against explicit lengths throughout: the input is hostile DNS data.
 *
 *   tlsrpt-record    = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
 *   field-delim      = *WSP ";" *WSP
 *   tlsrpt-field     = tlsrpt-rua / tlsrpt-extension
 *   tlsrpt-version   = %s"v=TLSRPTv1"
 *   tlsrpt-rua       = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 *   tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value
 *   tlsrpt-ext-name  = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
 */
#include "checks/tlsrpt_parse.h"
#include "checks/txtrec.h"

#include <string.h>

static const char *const VERSION_TXT = "v=TLSRPTv1";

/* A URI never contains raw "," or ";" here (§3: they must be percent-encoded) and, being
 * a URI, no space, control character or non-ASCII byte. */
static bool is_uri_char(unsigned char c) {
  return c >= 0x21 && c <= 0x7e && c != ',' && c != ';';
}



/* §3: "Records that do not begin with v=TLSRPTv1; are discarded"; WSP before the ";" is
 * field-delim whitespace. Returns the offset just past the ";" or 0 if not a record. */
static size_t version_end(const char *txt, size_t len) {
  size_t vl = strlen(VERSION_TXT);
  if (!txt || len < vl || memcmp(txt, VERSION_TXT, vl) != 0) return 0;
  size_t i = vl;
  while (i < len && is_wsp((unsigned char)txt[i])) i++;
  if (i == len || txt[i] != ';') return 0;
  return i + 1;
}

static bool has_scheme(const char *u, size_t ul, const char *scheme) {
  size_t sl = strlen(scheme);
  if (ul <= sl) return false;                 /* the scheme alone is not a destination */
  for (size_t k = 0; k < sl; k++)
    if (to_lower(u[k]) != scheme[k]) return false;
  return true;
}

/* Parses the rua value starting at txt[*pos]; on success *pos is just after the list. */
static int parse_rua(const char *txt, size_t len, size_t *pos, tlsrpt_t *out,
                     const char **reason) {
  size_t i = *pos;
  for (;;) {
    size_t us = i;
    while (i < len && is_uri_char((unsigned char)txt[i])) i++;
    size_t ul = i - us;
    if (ul == 0) {
      set_reason(reason, "empty rua URI");
      return -1;
    }
    if (!has_scheme(txt + us, ul, "mailto:") && !has_scheme(txt + us, ul, "https:")) {
      set_reason(reason, "rua URI must be mailto: or https:");
      return -1;
    }
    if (ul > TLSRPT_URI_MAX) {
      /* a shortened URI would send reports somewhere else; refuse rather than truncate */
      set_reason(reason, "rua URI too long");
      return -1;
    }
    if (out->nrua < TLSRPT_MAX_RUA) {
      memcpy(out->rua[out->nrua], txt + us, ul);
      out->rua[out->nrua][ul] = '\0';
      out->nrua++;
    } else {
      out->rua_truncated = true;
    }
    /* *WSP "," *WSP continues the list; anything else ends it (the caller checks) */
    size_t j = i;
    while (j < len && is_wsp((unsigned char)txt[j])) j++;
    if (j < len && txt[j] == ',') {
      j++;
      while (j < len && is_wsp((unsigned char)txt[j])) j++;
      i = j;
      continue;
    }
    *pos = i;
    return 1;
  }
}

static int parse_record(const char *txt, size_t len, size_t i, tlsrpt_t *out,
                        const char **reason) {
  bool have_rua = false;
  bool first = true;   /* the version's ";" was already consumed */
  for (;;) {
    if (!first) {
      while (i < len && is_wsp((unsigned char)txt[i])) i++;
      if (i == len) break;
      if (txt[i] != ';') {
        set_reason(reason, "bad field syntax");
        return -1;
      }
      i++;
    }
    first = false;
    while (i < len && is_wsp((unsigned char)txt[i])) i++;
    if (i == len) break;                        /* trailing ";" allowed */

    size_t nl = scan_name(txt + i, len - i);
    if (nl == 0 || i + nl >= len || txt[i + nl] != '=') {
      set_reason(reason, "bad field syntax");
      return -1;
    }
    const char *name = txt + i;
    i += nl + 1;
    if (nl == 3 && memcmp(name, "rua", 3) == 0) {  /* %s"rua=": case-sensitive */
      if (have_rua) {
        /* the RFC allows one rua field; two is ambiguous about where reports go */
        set_reason(reason, "duplicate rua");
        return -1;
      }
      if (parse_rua(txt, len, &i, out, reason) < 0) return -1;
      have_rua = true;
    } else {
      size_t vs = i;
      while (i < len && is_ext_value_char((unsigned char)txt[i])) i++;
      if (i == vs) {
        set_reason(reason, "bad field syntax");
        return -1;
      }
    }
    if (i < len && !is_wsp((unsigned char)txt[i]) && txt[i] != ';') {
      set_reason(reason, "bad field syntax");
      return -1;
    }
  }
  if (!have_rua) {
    set_reason(reason, "missing rua");
    return -1;
  }
  return 1;
}

int tlsrpt_txt_select(const char *const *txts, const size_t *lens, size_t n,
                      tlsrpt_t *out, const char **reason) {
  tlsrpt_t scratch;
  tlsrpt_t *r = out ? out : &scratch;
  memset(r, 0, sizeof *r);
  set_reason(reason, NULL);
  size_t which, start;
  size_t found = txt_count_kind(txts, lens, n, version_end, &which, &start);
  if (found == 0) {
    set_reason(reason, "no TLSRPTv1 record");
    return 0;
  }
  if (found > 1) {
    set_reason(reason, "multiple TLSRPTv1 records");
    return -1;
  }
  int rc = parse_record(txts[which], lens[which], start, r, reason);
  if (rc < 0) memset(r, 0, sizeof *r);   /* never leave half a record behind */
  return rc;
}
