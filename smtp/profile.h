/* The TLS profile of one MX address (issue 15): which protocol versions the server
 * accepts, not only the one it negotiated with mxsurvey.
 *
 * A server that negotiates TLS 1.3 with us may still accept TLS 1.0 from an attacker who
 * strips the newer versions. The profile learns it the way testssl.sh does, because
 * Debian's OpenSSL cannot offer SSLv3: for each version, one polite SMTP dialogue through
 * the scheduler (EHLO, STARTTLS) that sends a hand-built ClientHello offering that version
 * alone (tls/hello_build.h) and reads the ServerHello or the alert (the probe's offer
 * mode, smtp/smtp_probe.h), then closes. No handshake completes.
 *
 * Once per address, not per domain and not per SNI name: a version's acceptance does not
 * depend on the name asked for, and a national scan has about ten times fewer addresses
 * than domains. Requests for an address are shared: one in flight serves every waiter, a
 * finished profile is kept (LRU, at most cache_max) for later requests, each requester
 * gets its own copy.
 *
 * The offers of one address run one after another (SSLv3 up to TLS 1.3), each through the
 * scheduler's limits like any probe (per-IP, per-prefix, --rate, retries, opt-outs). A
 * server that stops engaging half-way (421, a dropped connection before the 220 to
 * STARTTLS) ends the profile: what was learnt is kept, the versions not learnt are
 * "error" with that reason, and `partial` says why. A refusal of our connection is never
 * recorded as a refusal of a TLS version. */
#ifndef MXS_SMTP_PROFILE_H
#define MXS_SMTP_PROFILE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "polite/sched.h"
#include "smtp/smtp_probe.h"
#include "tls/classes.h"

/* The versions, in the order they are offered ("tls_profile.versions" keys:
 * record/schema.c). */
enum profile_version { PV_SSL3, PV_TLS10, PV_TLS11, PV_TLS12, PV_TLS13, PV_COUNT };

/* What one version's offer showed. UNTESTED (0): not offered (the profile ended first,
 * or was never made). ACCEPTED: a ServerHello (or, for TLS 1.3, a HelloRetryRequest)
 * choosing this version. REFUSED: an alert, or a ServerHello choosing another version.
 * ERROR: no answer that says either (timeout, the connection closed without one, a
 * non-TLS answer, the server stopped engaging): reasons[] says which. */
enum profile_vstate { PVS_UNTESTED, PVS_ACCEPTED, PVS_REFUSED, PVS_ERROR, PVS_COUNT };

/* --tls-profile: basic = versions and certificates, full = also cipher classes, server
 * order, key exchange (smtp/profile_plan.h says which phase runs in which mode). */
enum profile_mode { PROFILE_OFF = 0, PROFILE_BASIC, PROFILE_FULL, PROFILE_MODE_COUNT };

/* The key types a handshake of the certs phase asks for, by restricting the signature
 * algorithms (and, for TLS <= 1.2, the suites' authentication) it offers. */
enum profile_cert_kind { PCK_RSA, PCK_ECDSA, PCK_EDDSA, PCK_COUNT };

/* One distinct leaf certificate the server presented (by SHA-256), the observation of
 * the first handshake that showed it: its verdicts (PKIX for the MX name, DANE for the
 * host's TLSA) are judged by each requester on its own copy, as for the main probe. */
#define PROFILE_CERTS_MAX PCK_COUNT
typedef struct profile_cert {
  enum profile_cert_kind asked;     /* the handshake that showed it first */
  tls_result_t tls;
} profile_cert_t;

/* A tri-state answer of the full phase: not learnt, yes, no. */
enum profile_tri { PT_UNKNOWN = 0, PT_YES, PT_NO };

/* The ECDHE groups asked for one by one (full): X25519, P-256, P-384, P-521. */
enum profile_group { PG_X25519, PG_P256, PG_P384, PG_P521, PG_COUNT };

/* One NCSC-NL class of cipher suites (tls/suites.h), full mode: whether the server
 * accepts a suite of it, and the accepted suites found (every one, for phase-out and
 * insufficient, up to PROFILE_CLASS_SUITES_MAX; complete when the enumeration ended with
 * a refusal of every suite not found, rather than at the first accepted (good and
 * sufficient stop there), at the bound of 16 hellos, or on an answer that said neither). */
#define PROFILE_CLASS_SUITES_MAX 32
typedef struct profile_class_res {
  bool tested;
  bool accepted;
  bool complete;
  uint16_t suites[PROFILE_CLASS_SUITES_MAX];
  size_t nsuites;
} profile_class_res_t;

typedef struct profile_result {
  bool done;                        /* a profile was made (or shared) for this address */
  enum profile_mode mode;           /* the mode it was made in */
  enum profile_vstate versions[PV_COUNT];
  char *reasons[PV_COUNT];          /* REFUSED/ERROR: why, e.g. "alert 70 (protocol
                                       version)", "timeout" (malloc'd, or NULL) */
  uint16_t suites[PV_COUNT];        /* ACCEPTED: the suite the server chose (0: none) */
  char *partial;                    /* why the profile stopped early (malloc'd), or NULL */
  unsigned connections;             /* connections the profile made (retries included;
                                       an offer never attempted, e.g. opted out, none) */
  bool shared;                      /* made for an earlier request (another domain's) */
  /* certs phase (basic and full) */
  enum profile_vstate cert_kinds[PCK_COUNT];   /* each kind's handshake: ACCEPTED (a
                                       certificate came), REFUSED, ERROR; UNTESTED */
  char *cert_reasons[PCK_COUNT];    /* REFUSED/ERROR: why (malloc'd) */
  profile_cert_t certs[PROFILE_CERTS_MAX];
  size_t ncerts;
  /* full phase */
  profile_class_res_t ciphers[TLS_CLASS_COUNT];   /* TLS 1.3 suites included */
  enum profile_tri server_order;    /* the server imposes its own preference */
  bool dhe_tested;
  unsigned dhe_bits;                /* the DH group the server picks for DHE, 0: none
                                       accepted */
  enum tls_class dhe_class;         /* dhe_bits > 0: its class (tls_class_dh_group) */
  enum profile_vstate ecdhe[PG_COUNT];
  enum profile_tri secure_reneg;    /* RFC 5746 renegotiation_info came back (TLS <= 1.2:
                                       learnt from the versions phase's ServerHellos) */
} profile_result_t;

typedef struct profile profile_t;

/* The service: probes go to sched with a copy of opts (port, EHLO name, timeouts); the
 * offer fields of opts are the profile's own; tls is the context of the certs phase's
 * handshakes. mode (basic or full) says which phases run. cache_max finished profiles are
 * kept. NULL on allocation failure. */
profile_t *profile_new(uv_loop_t *loop, sched_t *sched, tls_ctx_t *tls,
                       const smtp_opts_t *opts, enum profile_mode mode, size_t cache_max);
/* Frees the service. Profiles in flight stay with their probes, as observe_free does:
 * if the loop runs them after all, their waiters still get their callbacks, with what was
 * learnt and the versions not yet offered "error" (reason and partial "interrupted"). */
void profile_free(profile_t *p);

enum profile_rc { PROFILE_FAIL = -1, PROFILE_WAIT = 0, PROFILE_HIT = 1 };
typedef void (*profile_cb)(void *arg);

/* Asks for the profile of (family, addr); sni is the name the hellos carry when a new
 * profile is made (the first requester's).
 *   PROFILE_HIT:  *out is filled now (owned by the caller); cb is never called.
 *   PROFILE_WAIT: *out is emptied now (profile_result_init) and filled just before cb(arg),
 *                 which is called exactly once, later; out must stay valid until then.
 *   PROFILE_FAIL: out of memory; cb is never called, *out untouched. */
int profile_request(profile_t *p, int family, const uint8_t addr[16], const char *sni,
                    profile_result_t *out, profile_cb cb, void *arg);

void profile_result_init(profile_result_t *r);
void profile_result_free(profile_result_t *r);
/* Deep copy into dst (overwritten). 0 ok, -1 allocation failure (dst empty). */
int profile_result_copy(profile_result_t *dst, const profile_result_t *src);

/* Pure (unit-tested): the state and reason of one version from its offer's result
 * (reason written into buf, cap bytes); and whether the result means the server stopped
 * engaging, so that the profile must end (the reason then in buf). */
enum profile_vstate profile_judge_offer(enum profile_version v, const smtp_result_t *r,
                                        char *buf, size_t cap);
bool profile_offer_ends(const smtp_result_t *r, char *buf, size_t cap);
/* The same for a complete handshake (the certs phase): it ends the profile unless the
 * dialogue reached the TLS stage (a failed handshake is an answer, not a disengagement). */
bool profile_step_ends(const smtp_result_t *r, char *buf, size_t cap);
/* Pure: a server that closes the connection on a version's hello without a word, while it
 * accepted another version's hello in the same profile, was speaking TLS and refused that
 * version (Python's asyncio TLS servers, some appliances, close instead of sending an
 * alert; testssl.sh calls these "not offered" too). closed[v]: version v's offer got
 * "closed without an answer"; those ERRORs become REFUSED, with the reason saying so.
 * Without an accepted version they stay ERROR: nothing shows the server speaks TLS. */
void profile_settle_closed(profile_result_t *r, const bool closed[PV_COUNT]);

/* Pure (unit-tested): what version v's offer carries (smtp/profile_offer.c).
 * profile_suites: every suite of tls/suites.h valid for v (TLS 1.3: the TLS 1.3 suites;
 * TLS 1.2: the others; SSLv3 to TLS 1.1: those without TLS 1.2's MACs and modes; never an
 * SCSV), mainstream ciphers first, then the rare ones (Camellia, ARIA, SEED, IDEA, DSS,
 * CCM), then what no server should accept (EXPORT, NULL, anonymous, static DH, DES, RC2),
 * better classes first within each; written up to cap, the count returned.
 * profile_hello: the ClientHello record of v into out (cap bytes): v alone, the first
 * suites of profile_suites that fit into PROFILE_HELLO_MAX bytes, server_name sni (none
 * when NULL, empty or longer than HELLO_MAX_SNI), broad supported_groups and
 * signature_algorithms, TLS 1.3 an X25519 key_share, renegotiation_info (TLS 1.0-1.2) or
 * its SCSV (SSLv3). Returns its length, 0 when it cannot be built.
 * Why the bound: servers and middleboxes exist that stall or drop a ClientHello of many
 * hundred bytes, and some that hang on a handshake message of 256 to 511 bytes (hence
 * RFC 7685's padding, which hello_build adds: such a message is raised to 512 bytes). The
 * suites are chosen so that the unpadded message stays within 508 bytes, the padded one
 * at 512 (a record of 517): with a short name about 180 suites, every suite a real server
 * serves for TLS 1.2 and all of them for older versions; a 253-byte name leaves about 45. */
#define PROFILE_HELLO_MAX (5 + 512)
size_t profile_suites(enum profile_version v, uint16_t *out, size_t cap);
size_t profile_hello(enum profile_version v, const char *sni, const uint8_t random[32],
                     uint8_t *out, size_t cap);
/* The wire value of v (0x0300 .. 0x0304), 0 for another value. */
uint16_t profile_version_wire(enum profile_version v);

#endif
