/* Cipher suites by IANA code point and name (see suites.h). The names are the IANA
 * registry's (https://www.iana.org/assignments/tls-parameters, "TLS Cipher Suites"); for the
 * suites Debian's OpenSSL knows, tests/unit/test_hello.c checks them against
 * SSL_CIPHER_standard_name. */
#include "tls/suites.h"

#include <string.h>

const tls_suite_t tls_suites[] = {
  {0x0001, "TLS_RSA_WITH_NULL_MD5"},
  {0x0002, "TLS_RSA_WITH_NULL_SHA"},
  {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"},
  {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
  {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
  {0x0009, "TLS_RSA_WITH_DES_CBC_SHA"},
  {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
  {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
  {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
  {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
  {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
  {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
  {0x003b, "TLS_RSA_WITH_NULL_SHA256"},
  {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
  {0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
  {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
  {0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
  {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
  {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
  {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
  {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
  {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
  {0x1301, "TLS_AES_128_GCM_SHA256"},
  {0x1302, "TLS_AES_256_GCM_SHA384"},
  {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
  {0x5600, "TLS_FALLBACK_SCSV"},
  {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
  {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
  {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
  {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
  {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
  {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
  {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
  {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
  {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
  {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
  {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
  {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
  {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
  {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
  {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
  {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
};
const size_t tls_suites_count = sizeof tls_suites / sizeof tls_suites[0];

const char *tls_suite_name(uint16_t code)
{
  size_t lo = 0, hi = tls_suites_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (tls_suites[mid].code == code)
      return tls_suites[mid].name;
    if (tls_suites[mid].code < code)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

int tls_suite_code(const char *name)
{
  for (size_t i = 0; name != NULL && i < tls_suites_count; i++)
    if (strcmp(tls_suites[i].name, name) == 0)
      return tls_suites[i].code;
  return -1;
}
