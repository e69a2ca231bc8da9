/* Which TLSA records a DANE SMTP client may use (RFC 7672 §3.1.3, RFC 7671, RFC 6698).
 * OpenSSL's SSL_dane_tlsa_add() accepts PKIX usages 0 and 1, which SMTP must ignore, so
 * the filter lives here and the connection code adds only what passes it. */
#include "tls/tls_client.h"

#include <openssl/err.h>
#include <openssl/x509.h>

const char *tlsa_unusable_reason(const tlsa_rec_t *r)
{
  if (r == NULL)
    return "no record";
  switch (r->usage) {
  case 0: return "usage 0 (PKIX-TA) is not usable for SMTP";
  case 1: return "usage 1 (PKIX-EE) is not usable for SMTP";
  case 2: case 3: break;
  default: return "unknown certificate usage";
  }
  if (r->selector > 1)
    return "unknown selector";
  if (r->data == NULL || r->len == 0)
    return "empty certificate association data";
  switch (r->mtype) {
  case 1:
    return r->len == 32 ? NULL : "SHA-256 data must be 32 octets";
  case 2:
    return r->len == 64 ? NULL : "SHA-512 data must be 64 octets";
  case 0:
    break;
  default:
    return "unknown matching type";
  }

  /* Full data: a record that does not parse could never match, and d2i takes a long. */
  if (r->len > 65535)
    return "full data too long";
  const unsigned char *p = r->data;
  if (r->selector == 0) {
    X509 *x = d2i_X509(NULL, &p, (long)r->len);
    if (x == NULL) {
      ERR_clear_error();  /* the parse failure is our verdict, not a connection error */
      return "full data is not a DER certificate";
    }
    X509_free(x);
  } else {
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)r->len);
    if (k == NULL) {
      ERR_clear_error();
      return "full data is not a DER SubjectPublicKeyInfo";
    }
    EVP_PKEY_free(k);
  }
  if (p != r->data + r->len)
    return "full data has trailing octets";
  return NULL;
}
