/* Lexical pieces shared by the tag=value TXT records of MTA-STS (RFC 8461 §3.1) and
 * TLS-RPT (RFC 8460 §3). ABNF character classes are ASCII-only: <ctype.h> would depend on
 * the locale and need casts for bytes >= 0x80. */
#ifndef MXS_CHECKS_TXTREC_H
#define MXS_CHECKS_TXTREC_H
#include <stdbool.h>
#include <stddef.h>

static inline bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline bool is_alnum(unsigned char c) { return is_alpha(c) || is_digit(c); }
static inline bool is_wsp(unsigned char c) { return c == ' ' || c == '\t'; }
static inline char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

/* ext-value = 1*(%x21-3A / %x3C / %x3E-7E): visible ASCII except "=" and ";" */
static inline bool is_ext_value_char(unsigned char c) {
  return c >= 0x21 && c <= 0x7e && c != '=' && c != ';';
}

static inline void set_reason(const char **reason, const char *r) {
  if (reason) *reason = r;
}

/* Length of an extension name at s[0..len) (ALPHA/DIGIT then up to 31 of
 * ALPHA/DIGIT/"_"/"-"/"."), or 0 if there is none. A longer run of name characters is not
 * a name at all, so it also returns 0. */
static inline size_t scan_name(const char *s, size_t len) {
  if (len == 0 || !is_alnum((unsigned char)s[0])) return 0;
  size_t i = 1;
  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (!(is_alnum(c) || c == '_' || c == '-' || c == '.')) break;
    i++;
  }
  return i <= 32 ? i : 0;
}

/* RFC 8461 §3.1 and RFC 8460 §3 alike: of the TXT records at the name, those not of the
 * kind asked for are discarded, and exactly one must remain. kind(txt, len) is 0 for a
 * record of another kind, else the offset where its fields start. Returns how many are of
 * the kind; *which and *start describe the first of them. */
static inline size_t txt_count_kind(const char *const *txts, const size_t *lens, size_t n,
                                    size_t (*kind)(const char *, size_t), size_t *which,
                                    size_t *start) {
  size_t found = 0;
  *which = *start = 0;
  for (size_t k = 0; k < n; k++) {
    size_t e = (txts && lens) ? kind(txts[k], lens[k]) : 0;
    if (e && found++ == 0) {
      *which = k;
      *start = e;
    }
  }
  return found;
}

#endif
