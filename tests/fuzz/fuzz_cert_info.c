/* The certificate a server sends is outside data: arbitrary DER through d2i_X509, then
 * the code that describes the leaf for the record (cert_info.c), then its JSON. Checks
 * the bounds the record relies on (at most TLS_SAN_MAX SANs, bounded strings, a 64-digit
 * fingerprint) and that the deep copy (used when observations are shared) is faithful. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tls/cert_info.h"

static void check_str(const char *s, size_t max) {
  if (s && strnlen(s, max + 1) > max) abort();
}

/* OpenSSL builds caches on first use (error strings, digest fetches); done once here so a
 * run's allocations balance and libFuzzer's per-run leak check stays quiet and fast. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_ADD_ALL_DIGESTS, NULL);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n;
  EVP_Digest("", 0, md, &n, EVP_sha256(), NULL);
  ERR_put_error(ERR_LIB_X509, 0, 0, __FILE__, __LINE__);
  ERR_clear_error();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const unsigned char *p = data;
  X509 *x = d2i_X509(NULL, &p, (long)size);
  if (!x) {
    ERR_clear_error();
    return 0;
  }
  tls_cert_info_t ci;
  memset(&ci, 0, sizeof ci);
  if (tls_cert_info_fill(&ci, x) == 0) {
    if (ci.nsans > TLS_SAN_MAX) abort();
    for (size_t i = 0; i < ci.nsans; i++) {
      if (!ci.sans[i]) abort();
      check_str(ci.sans[i], 4096);
    }
    check_str(ci.subject, 1 << 16);
    check_str(ci.issuer, 1 << 16);
    if (strnlen(ci.sha256, sizeof ci.sha256) != 64) abort();
    if (ci.key_bits < 0) abort();
    tls_cert_info_t copy;
    memset(&copy, 0, sizeof copy);
    if (tls_cert_info_copy(&copy, &ci) == 0) {
      if (copy.nsans != ci.nsans || strcmp(copy.sha256, ci.sha256) != 0) abort();
      tls_cert_info_free(&copy);
    }
  }
  tls_cert_info_free(&ci);
  X509_free(x);
  ERR_clear_error();
  return 0;
}
