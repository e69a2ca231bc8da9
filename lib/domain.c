/* Input-line normalisation. See domain.h for the contract.
 *
 * IDNA choices, and why:
 *  - Unicode input goes through idn2_to_ascii_8z with IDN2_NFC_INPUT|IDN2_NONTRANSITIONAL:
 *    that is IDNA2008 with UTS#46 mapping, what registries register and current browsers
 *    resolve (faß.de is xn--fa-hia.de, not fass.de).
 *  - If that fails, IDN2_TRANSITIONAL is tried, but only when the name holds none of the
 *    four "deviation" characters (ß, ς, ZWJ, ZWNJ). Those are the only code points the
 *    two modes map differently, so without them a transitional result cannot be someone
 *    else's domain; what the retry admits is names IDNA2003/UTS#46 accept but IDNA2008
 *    forbids, i.e. symbol and emoji names (☃.net, i❤.ws) that really are registered in
 *    several ccTLDs and would otherwise drop out of a national survey. With a deviation
 *    character present the non-transitional error stands, because transitional processing
 *    would silently scan a different domain (faß.de -> fass.de).
 *  - Pure-ASCII input, including "xn--" labels, is checked by LDH rules only and is not
 *    run through libidn2: zone files list A-labels exactly as registered (emoji A-labels
 *    such as xn--ls8h.la among them, which strict IDNA2008 validation would reject), and
 *    an A-label that does not decode is still a legal DNS name that simply will not
 *    resolve. */
#include "lib/domain.h"

#include <idn2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Longest raw input worth handing to libidn2: 253 octets of A-labels cannot come from
 * more than 4 UTF-8 bytes per octet, with slack for characters UTS#46 maps to nothing. */
#define RAW_MAX 1024

static bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool is_ldh(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* idn2_strerror() returns static text too, but then the reason could not carry the
 * "IDNA conversion failed: " prefix without a buffer; these literals do both. */
static const char *idna_reason(int rc) {
#define R(code, text) case code: return "IDNA conversion failed: " text
  switch (rc) {
  R(IDN2_MALLOC, "out of memory");
  R(IDN2_ENCODING_ERROR, "invalid UTF-8");
  R(IDN2_NFC, "NFC normalisation failed");
  R(IDN2_PUNYCODE_BAD_INPUT, "invalid punycode");
  R(IDN2_PUNYCODE_BIG_OUTPUT, "punycode output too long");
  R(IDN2_PUNYCODE_OVERFLOW, "punycode overflow");
  R(IDN2_TOO_BIG_DOMAIN, "name too long");
  R(IDN2_TOO_BIG_LABEL, "label too long");
  R(IDN2_INVALID_ALABEL, "invalid A-label");
  R(IDN2_UALABEL_MISMATCH, "A-label and U-label mismatch");
  R(IDN2_NOT_NFC, "string not NFC");
  R(IDN2_2HYPHEN, "hyphens in positions 3 and 4");
  R(IDN2_HYPHEN_STARTEND, "leading or trailing hyphen");
  R(IDN2_LEADING_COMBINING, "leading combining mark");
  R(IDN2_DISALLOWED, "disallowed character");
  R(IDN2_CONTEXTJ, "forbidden joiner (CONTEXTJ)");
  R(IDN2_CONTEXTJ_NO_RULE, "joiner without rule (CONTEXTJ)");
  R(IDN2_CONTEXTO, "forbidden context (CONTEXTO)");
  R(IDN2_CONTEXTO_NO_RULE, "character without rule (CONTEXTO)");
  R(IDN2_UNASSIGNED, "unassigned code point");
  R(IDN2_BIDI, "bidirectional rule violated");
  R(IDN2_DOT_IN_LABEL, "dot in label");
  R(IDN2_INVALID_TRANSITIONAL, "invalid in transitional processing");
  R(IDN2_INVALID_NONTRANSITIONAL, "invalid in non-transitional processing");
  R(IDN2_ALABEL_ROUNDTRIP_FAILED, "A-label round trip failed");
  default: return "IDNA conversion failed";
  }
#undef R
}

static bool has_deviation(const char *s) {
  return strstr(s, "\xC3\x9F") || strstr(s, "\xCF\x82") ||        /* ß, ς */
         strstr(s, "\xE2\x80\x8C") || strstr(s, "\xE2\x80\x8D");   /* ZWNJ, ZWJ */
}

/* Shared by both entry points: name is NUL-terminated, without trailing dot. Returns NULL
 * when valid. Upper-case letters pass (DNS is case-insensitive); callers lowercase. */
static const char *check_ldh_name(const char *name, bool need_two_labels) {
  size_t total = strlen(name);
  if (total == 0) return "empty label";
  const char *label = name;
  size_t nlabels = 0;
  for (;;) {
    const char *end = strchr(label, '.');
    size_t n = end ? (size_t)(end - label) : strlen(label);
    if (n == 0) return "empty label";
    if (n > 63) return "label longer than 63 octets";
    for (size_t i = 0; i < n; i++)
      if (!is_ldh((unsigned char)label[i])) return "invalid character";
    if (label[0] == '-' || label[n - 1] == '-') return "leading or trailing hyphen in label";
    nlabels++;
    if (!end) {
      /* RFC 1123 §2.1: the top-level label is alphabetic, which keeps an address written
       * as a name ("1.2.3.4") from being scanned as one. */
      bool numeric = true;
      for (size_t i = 0; i < n; i++)
        if (label[i] < '0' || label[i] > '9') numeric = false;
      if (total > 253) return "name longer than 253 octets";
      if (need_two_labels && nlabels < 2) return "single-label name";
      if (numeric) return "numeric top-level label";
      return NULL;
    }
    label = end + 1;
  }
}

enum domain_norm domain_normalize(const char *line, size_t len,
                                  char out[DOMAIN_MAX], const char **reason) {
  static const char *dummy;
  if (!reason) reason = &dummy;
  *reason = NULL;
  out[0] = '\0';
  if (!line) return DOMAIN_SKIP;

  const unsigned char *s = (const unsigned char *)line;
  while (len > 0 && is_space(s[0])) { s++; len--; }
  while (len > 0 && is_space(s[len - 1])) len--;
  if (len == 0 || s[0] == '#') return DOMAIN_SKIP;

  if (len > RAW_MAX) { *reason = "name longer than 253 octets"; return DOMAIN_INVALID; }

  bool ascii = true;
  for (size_t i = 0; i < len; i++) {
    /* NUL would cut the name short for libidn2; white space inside a name is a typo or
     * two names on one line, never something to guess at. */
    if (s[i] == '\0' || is_space(s[i])) { *reason = "invalid character"; return DOMAIN_INVALID; }
    if (s[i] >= 0x80) ascii = false;
  }

  char raw[RAW_MAX + 1];
  memcpy(raw, s, len);
  raw[len] = '\0';

  char name[RAW_MAX + 1];
  if (ascii) {
    memcpy(name, raw, len + 1);
  } else {
    char *ace = NULL;
    int rc = idn2_to_ascii_8z(raw, &ace, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK && !has_deviation(raw)) {
      int rc2 = idn2_to_ascii_8z(raw, &ace, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
      if (rc2 == IDN2_OK) rc = IDN2_OK;
      else ace = NULL;
    }
    if (rc != IDN2_OK) {
      *reason = idna_reason(rc);
      return DOMAIN_INVALID;
    }
    size_t n = strlen(ace);
    if (n > RAW_MAX) {
      idn2_free(ace);
      *reason = "name longer than 253 octets";
      return DOMAIN_INVALID;
    }
    memcpy(name, ace, n + 1);
    idn2_free(ace);
  }

  size_t n = strlen(name);
  for (size_t i = 0; i < n; i++)
    if (name[i] >= 'A' && name[i] <= 'Z') name[i] = (char)(name[i] - 'A' + 'a');
  if (n > 0 && name[n - 1] == '.') name[--n] = '\0';

  const char *why = check_ldh_name(name, true);
  if (why) { *reason = why; return DOMAIN_INVALID; }
  memcpy(out, name, n + 1);   /* n <= 253 was checked: fits DOMAIN_MAX */
  return DOMAIN_OK;
}

const char *domain_hostname_problem(const char *name) {
  if (!name) return "empty label";
  /* Bound the scan before strlen-based checks, whatever the caller passed (an escaped
   * name from DNS has up to 1003 characters). */
  if (strnlen(name, 1024) == 1024) return "name longer than 253 octets";
  /* A backslash is an escaped byte (dns_name_from_wire): never LDH, whatever the length
   * of its label's escaped text. */
  if (strchr(name, '\\')) return "invalid character";
  return check_ldh_name(name, false);
}

int domain_is_hostname(const char *name) {
  return domain_hostname_problem(name) == NULL;
}
