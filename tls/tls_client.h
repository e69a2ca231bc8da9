/* TLS client for STARTTLS probes: OpenSSL over memory BIOs, so the socket stays with
 * libuv and nothing blocks. One tls_ctx per process (an SSL_CTX with DANE enabled and a
 * separate X509_STORE for the PKIX verdict); one tls_conn per handshake.
 *
 * The client is a survey client, not a mail client: it offers TLS 1.0 to 1.3 and legacy
 * ciphers at security level 0 so that old servers show what they really negotiate; it
 * verifies nothing during the handshake (SSL_VERIFY_NONE) and judges afterwards, so a
 * failed verification still yields the certificate; session resumption is off, so every
 * probe is a full handshake. PKIX and DANE are separate verdicts (see tls_result_t). */
#ifndef MXS_TLS_TLS_CLIENT_H
#define MXS_TLS_TLS_CLIENT_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <time.h>

typedef struct tls_ctx tls_ctx_t;
typedef struct tls_conn tls_conn_t;

/* One TLSA record as published (RFC 6698 wire form of the RDATA after the 3 octets). */
typedef struct tlsa_rec {
  uint8_t usage, selector, mtype;
  const uint8_t *data;
  size_t len;
} tlsa_rec_t;

/* Is this record usable for SMTP (RFC 7672 §3.1.3, RFC 7671)? usages 2 and 3 only,
 * selector 0/1, mtype 0/1/2, SHA-256 data of 32 octets, SHA-512 of 64, full data that
 * parses (certificate for selector 0, SubjectPublicKeyInfo for selector 1).
 * Returns NULL if usable, else a static reason ("usage 1 (PKIX-EE) is not usable for SMTP",
 * "SHA-256 data must be 32 octets", ...). */
const char *tlsa_unusable_reason(const tlsa_rec_t *r);

typedef struct tls_dane_in {
  const char *base;              /* TLSA base domain: DANE reference name, and SNI */
  const char *const *names;      /* further names accepted for DANE-TA (RFC 7672 §3.2.2) */
  size_t nnames;
  const tlsa_rec_t *recs;        /* all records of the RRset; unusable ones are skipped */
  size_t nrecs;
} tls_dane_in_t;

#define TLS_SAN_MAX 64

typedef struct tls_cert_info {
  char *subject, *issuer;            /* RFC 2253 one-line form */
  char *sans[TLS_SAN_MAX];           /* dNSName and iPAddress SANs, at most TLS_SAN_MAX */
  size_t nsans;
  bool sans_truncated;
  char not_before[32], not_after[32]; /* RFC 3339 UTC */
  char key_type[16];                 /* "RSA", "EC", "ED25519", "ED448", "DSA", ... */
  int key_bits;
  char *curve;                       /* EC curve name, or NULL */
  char sig_alg[64];                  /* e.g. "sha256WithRSAEncryption" */
  char sha256[65], spki_sha256[65];  /* lowercase hex */
  bool self_signed;                  /* subject == issuer and self-verifies */
} tls_cert_info_t;

typedef struct tls_chain tls_chain_t;  /* the peer chain as DER, reference-counted */

/* A TLS observation (version, cipher, group, chain, leaf details: what the handshake saw)
 * plus the verdicts tls_result_judge computed from it for one MX name and one TLSA RRset.
 * The observation does not depend on the names; the verdicts do, so a shared observation
 * is copied and judged again per MX. */
typedef struct tls_result {
  char version[16];                  /* "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" */
  char cipher[64];                   /* OpenSSL/IANA name as SSL_CIPHER_get_name */
  char group[32];                    /* key-exchange group ("X25519", "secp256r1", "ffdhe2048",
                                        "DHE-2048" for TLS<=1.2 DHE, at most
                                        4096 (TLS_DH_MAX_BITS), "RSA" for static RSA) */
  int chain_len;                     /* certificates the server sent (<= TLS_CHAIN_KEEP) */
  bool have_cert;
  tls_cert_info_t cert;              /* leaf */
  /* PKIX: chain to the trust store + host name (the MX name) check; DANE off. */
  bool pkix_valid;
  char pkix_error[128];              /* OpenSSL's verify error string, "" when valid */
  int pkix_verify_error;             /* OpenSSL's X509_V_ERR_* code when not valid (0 when
                                        valid or not judged): what a check tells apart
                                        without parsing the string (TLS_VERIFY_*) */
  /* DANE: meaningful only when dane_enabled (at least one usable record was added). */
  bool dane_enabled;
  bool dane_valid;
  char dane_error[128];              /* verify error string when not valid */
  int dane_depth;                    /* depth of the matched certificate: 0 = leaf (EE),
                                        -1 when no record matched */
  bool dane_matched_set;
  tlsa_rec_t dane_matched;           /* the record that matched; data owned by tls_result */
  char *dane_peername;               /* name that matched (DANE-TA), or NULL */
  /* The peer chain as sent (leaf first) in DER, at most TLS_CHAIN_KEEP certificates and
   * TLS_CHAIN_MAX_BYTES, shared between copies: the input of tls_result_judge. NULL
   * without a certificate. */
  tls_chain_t *chain;
} tls_result_t;

/* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ("unable to get local issuer certificate"):
 * the chain stops at a certificate whose issuer is neither sent nor in the trust store.
 * OpenSSL never fetches a missing intermediate, so on a leaf that is not self-signed this
 * is an incomplete chain (checks/cncs.c). tls_judge.c asserts it equals OpenSSL's value. */
#define TLS_VERIFY_NO_LOCAL_ISSUER 20

/* Whatever a handshake can accept is kept whole, so a verdict never differs because the
 * stored chain was cut: OpenSSL's default verify depth (100) plus the leaf, and its default
 * limit on the Certificate message (SSL_MAX_CERT_LIST_DEFAULT, 100 KiB). The handshake
 * refuses a server that sends more certificates (tls_client.c, handshake_chain_check), so
 * chain_len is never more than TLS_CHAIN_KEEP. The observation cache declines to keep
 * large chains (smtp/observe.c), which bounds its memory. */
#define TLS_CHAIN_KEEP 101
#define TLS_CHAIN_MAX_BYTES (100 * 1024)

/* ca_file NULL: the system's default trust store. NULL on error with err set. */
tls_ctx_t *tls_ctx_new(const char *ca_file, char *err, size_t errlen);
void tls_ctx_free(tls_ctx_t *c);

/* The key types a handshake asks the server to authenticate with (the TLS profile's
 * certs phase, smtp/profile.h): the signature algorithms offered, and for TLS <= 1.2 the
 * suites' authentication, restricted to that family, so that a server holding several
 * certificates presents the one of that type. ANY: no restriction (every probe). */
enum tls_keys { TLS_KEYS_ANY = 0, TLS_KEYS_RSA, TLS_KEYS_ECDSA, TLS_KEYS_EDDSA, TLS_KEYS_COUNT };

/* sni: server name sent (NULL or "": none). The handshake verifies nothing: it observes,
 * and PKIX and DANE are judged afterwards from the stored chain (tls_result_judge), once
 * per MX name and TLSA set that uses the observation. NULL on allocation failure. */
tls_conn_t *tls_conn_new(tls_ctx_t *c, const char *sni);
/* The same with the key types restricted (enum tls_keys): only that family's signature
 * algorithms, and for TLS <= 1.2 only suites authenticated by it (aRSA, or aECDSA for
 * ECDSA and EdDSA); everything else (versions, groups, security level 0, no verification)
 * as tls_conn_new, which is tls_conn_new_keys(c, sni, TLS_KEYS_ANY). NULL on allocation
 * failure or an invalid keys. */
tls_conn_t *tls_conn_new_keys(tls_ctx_t *c, const char *sni, enum tls_keys keys);
void tls_conn_free(tls_conn_t *t);

enum tls_step { TLS_WANT = 0, TLS_DONE = 1, TLS_FAIL = -1 };

/* Bytes received from the network go in here. */
void tls_conn_recv(tls_conn_t *t, const uint8_t *buf, size_t len);
/* The peer closed its side of the TCP connection: from now on, running out of input is
 * end of stream (a handshake then fails with "unexpected eof while reading") instead of
 * "wait for more". */
void tls_conn_recv_eof(tls_conn_t *t);
/* Bytes to send to the network: copies up to cap into buf, returns how many (0: none). */
size_t tls_conn_take_output(tls_conn_t *t, uint8_t *buf, size_t cap);
/* Drives the handshake. After TLS_FAIL, tls_conn_error() says why (e.g. "alert handshake
 * failure", "unexpected eof", "wrong version number"). Always drain output after a call. */
enum tls_step tls_conn_handshake(tls_conn_t *t);
/* True once the server's first handshake message (read by tls_conn_recv before OpenSSL
 * sees it) negotiated finite-field DH: a DHE suite, or an ffdhe group in TLS 1.3. From
 * then on a tls_conn_handshake call may cost up to ~27 ms of CPU (a 4096-bit group; see
 * TLS_DH_MAX_BITS) instead of well under 1 ms: the caller runs those calls off the event
 * loop (uv_queue_work), and calls no other tls_conn function on t while one runs. */
bool tls_conn_costly(const tls_conn_t *t);
/* Releases OpenSSL's state of the calling thread (its error queue, random generators):
 * call it in a thread-pool thread after a tls_conn_handshake there. Kept, it would outlive
 * OPENSSL_cleanup at exit (which runs before libuv joins its threads) and leak; released,
 * the next call in that thread creates it again. */
void tls_thread_done(void);
/* Application data after the handshake. write: 0 ok, -1 error. read: >0 bytes, 0 need
 * more network input, -1 closed or error. */
int tls_conn_write(tls_conn_t *t, const void *buf, size_t len);
int tls_conn_read(tls_conn_t *t, void *buf, size_t cap);
/* Sends close_notify (queued as output). */
void tls_conn_shutdown(tls_conn_t *t);
const char *tls_conn_error(const tls_conn_t *t);

/* Fills r after TLS_DONE with the observation; its verdicts are unset (pkix_valid and
 * dane_enabled false) until tls_result_judge. r is owned by the caller and released with
 * tls_result_free; it is overwritten, not freed, so pass an empty one. 0 ok, -1
 * allocation failure (r is then empty). */
int tls_conn_result(tls_conn_t *t, tls_result_t *r);

/* Computes r's verdicts from its stored chain, replacing any earlier ones:
 *   PKIX: the chain against the trust store, host name pkix_name (no partial wildcards);
 *   DANE: OpenSSL's DANE verification (RFC 7671/7672: DANE-EE without name checks,
 *         DANE-TA with the names base + dane->names) of the same chain against the usable
 *         records of dane; dane_enabled stays false when dane is NULL or nothing usable.
 * The same observation judged for two MX names or TLSA sets gives each its own verdict.
 * 0 ok, -1 allocation failure (verdicts then say so). */
int tls_result_judge(tls_ctx_t *c, tls_result_t *r, const char *pkix_name,
                     const tls_dane_in_t *dane);

void tls_result_free(tls_result_t *r);
/* Copy: strings are duplicated, the chain is shared by reference counts (results are
 * shared between domains). 0 ok, -1 allocation failure. */
int tls_result_copy(tls_result_t *dst, const tls_result_t *src);
/* Bytes of DER of the stored chain (0 without one): what a cached copy costs. */
size_t tls_result_chain_bytes(const tls_result_t *r);

/* ---- issue 16: which TLSA records match what, and the verdicts at a later time ---- */

/* Records considered by tls_tlsa_match: the first TLS_MATCH_RECS (a bit each). */
#define TLS_MATCH_RECS 64
typedef struct tls_tlsa_match {
  uint64_t leaf;                     /* bit k: recs[k]'s data matches the leaf (certificate
                                        DER for selector 0, SubjectPublicKeyInfo DER for 1;
                                        matching type 0 full, 1 SHA-256, 2 SHA-512) */
  uint64_t issuer;                   /* bit k: ... matches a certificate above the leaf in
                                        the chain as sent (depth >= 1) */
  char spki_sha256[65];              /* the leaf's SubjectPublicKeyInfo, SHA-256 hex */
} tls_tlsa_match_t;

/* Matches the first TLS_MATCH_RECS records of recs against r's stored chain. Pure data
 * comparison: the usage is not considered, nothing is verified (no dates, no names, no
 * signatures). 0 ok; -1 without a chain, or on allocation failure (m then zero). */
int tls_tlsa_match(const tls_result_t *r, const tlsa_rec_t *recs, size_t nrecs,
                   tls_tlsa_match_t *m);

/* A certificate of the chain that has expired at the outlook's time, as the verification
 * at that time found it (depth 0: the leaf). */
#define TLS_EXPIRING_MAX 4
typedef struct tls_expiring {
  int depth;
  bool anchor;                       /* the top of the chain built: a trust anchor (a root
                                        of the trust store, whose dates OpenSSL checks) */
  time_t not_after;
  char subject[96];                  /* RFC 2253, cut to fit */
} tls_expiring_t;

typedef struct tls_verdict_at {
  bool valid;
  char error[128];                   /* OpenSSL's verify error string, "" when valid */
  time_t first_not_after;            /* the earliest not_after among the certificates that
                                        count: PKIX the leaf and the intermediates of the
                                        chain built; DANE-TA the chain below the matched
                                        trust anchor (whose own dates OpenSSL does not
                                        check); 0 for DANE-EE (dates do not count) */
  tls_expiring_t expiring[TLS_EXPIRING_MAX];  /* expired at `at`, earliest first */
  size_t nexpiring;
} tls_verdict_at_t;

typedef struct tls_outlook {
  time_t at;
  tls_verdict_at_t pkix;
  bool dane_enabled;                 /* as tls_result_judge's: a usable record was added */
  tls_verdict_at_t dane;
} tls_outlook_t;

/* r's stored chain judged as tls_result_judge judges it (same trust store, PKIX name and
 * DANE input), but at time `at` (X509_VERIFY_PARAM_set_time): PKIX, and DANE when dane has
 * a usable record. OpenSSL's rules for dates under DANE hold (RFC 7672 §3.1.1): a DANE-EE
 * match of the leaf ignores every date; DANE-TA checks the chain below the trust anchor
 * (not the anchor's own dates: unit.test_tls_outlook pins both down).
 * r and its verdicts are untouched; the PKIX verdict cache that tls_result_judge keeps on
 * the chain is neither read nor written (the at-`at` verdict has its own slot there).
 * 0 ok, -1 allocation failure or no chain (o then says invalid). */
int tls_result_outlook(tls_ctx_t *c, const tls_result_t *r, const char *pkix_name,
                       const tls_dane_in_t *dane, time_t at, tls_outlook_t *o);

#endif
