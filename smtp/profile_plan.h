/* Internal to smtp/profile*.c: the TLS profile as a sequence of steps, planned by pure
 * functions (Knot Resolver's layers, in small): the service (profile.c) owns the loop, the
 * scheduler and the sharing; what to ask next and what an answer means live in phases,
 * each a pair of pure functions over a profile_run_t, unit-tested without a socket.
 *
 *   phase       file               what it learns                               mode
 *   versions    profile_offer.c    SSLv3 .. TLS 1.3, each offered alone          basic
 *   certs       profile_certs.c    every certificate: one complete handshake    basic
 *                                  per signature-algorithm family (RSA, ECDSA,
 *                                  EdDSA), judged per MX name by the requester
 *   ciphers     profile_full.c     suites per NCSC-NL class, server order,       full
 *                                  DHE group size, ECDHE groups
 *
 * A step is either an offer (a hand-built ClientHello, read up to the ServerHello or a
 * little further: pstep_t.want_ske) or a handshake (OpenSSL, complete, with the key types
 * restricted: pstep_t.cert_kind). The service runs the steps of one address one after
 * another, each through the scheduler like any probe; after each it calls the phase's
 * consume(), then asks the same phase's next() until it says there is no more, then the
 * next phase's. A step whose connection shows the server no longer engaging (421, dropped
 * before the 220 to STARTTLS: profile_offer_ends) ends the whole profile (partial), not
 * just the phase: the server's refusal of our connections says nothing of TLS. */
#ifndef MXS_SMTP_PROFILE_PLAN_H
#define MXS_SMTP_PROFILE_PLAN_H
#include "smtp/profile.h"
#include "tls/hello_build.h"

enum profile_phase { PP_VERSIONS, PP_CERTS, PP_CIPHERS, PP_COUNT };

/* More suites than any hello can carry (profile_step_fit says how many do). */
#define PSTEP_SUITES_MAX 256
#define PSTEP_GROUPS_MAX 16

typedef struct pstep {
  enum profile_phase phase;
  unsigned tag;                      /* the phase's own: a version, a class, a group ... */
  bool handshake;                    /* a complete handshake instead of an offer */
  enum profile_cert_kind cert_kind;  /* handshake: the key type asked for */
  /* offer: what the ClientHello carries (profile_step_hello builds it) */
  uint16_t version;                  /* HELLO_SSL3 .. HELLO_TLS13 */
  uint16_t suites[PSTEP_SUITES_MAX]; /* in this order; only the first profile_step_fit go */
  size_t n_suites;
  uint16_t groups[PSTEP_GROUPS_MAX]; /* supported_groups; n_groups 0: the broad default */
  size_t n_groups;
  bool want_ske;                     /* read on to the ServerKeyExchange (DHE bits, the
                                        ECDHE curve of TLS <= 1.2) */
} pstep_t;

/* The phase-private state of the full phase (profile_full.c owns its meaning). */
#define PROFILE_CLASS_HELLOS 16      /* the most hellos spent on one cipher class */
typedef struct profile_full_state {
  unsigned stage;                    /* classes, server order, DHE, ECDHE, done */
  unsigned cls;                      /* classes: the class enumerated */
  unsigned sub;                      /* classes: 0 the TLS 1.0-1.2 suites, 1 TLS 1.3's */
  size_t offset;                     /* classes: the first candidate of the next hello
                                        (the suites before it were refused) */
  unsigned hellos;                   /* hellos of the current class so far (<= 16) */
  bool class_over;                   /* consume ended the class (found, error, full) */
  uint16_t order[2];                 /* server order: the two suites offered */
  uint16_t order_version;
  uint16_t order_first;              /* the suite chosen to the first order (0: none) */
  unsigned order_step;               /* 0, 1: which order is next; 2: done */
  unsigned group;                    /* ECDHE: the group asked next (enum profile_group) */
} profile_full_state_t;

typedef struct profile_run {
  profile_result_t *res;             /* what the profile learnt so far */
  enum profile_mode mode;
  const char *sni;                   /* the hellos' server_name (NULL: none) */
  enum profile_phase phase;
  unsigned cursor;                   /* the phase's position, 0 when a phase begins */
  bool closed[PV_COUNT];             /* versions: "closed without an answer" */
  profile_full_state_t full;
} profile_run_t;

typedef struct profile_phase_ops {
  /* The phase's next step into *s (zeroed by the caller, phase set); false: the phase is
   * over. Pure. */
  bool (*next)(profile_run_t *run, pstep_t *s);
  /* The result of step s (the service checked profile_offer_ends / profile_step_ends
   * first: the server engaged). Pure; may take over r's TLS result (r is freed after). */
  void (*consume)(profile_run_t *run, const pstep_t *s, smtp_result_t *r);
  /* The profile ends before this phase finished (why: the reason): mark what this phase
   * will not learn. May be NULL. */
  void (*abandon)(profile_run_t *run, const char *why);
} profile_phase_ops_t;

extern const profile_phase_ops_t profile_phase_versions, profile_phase_certs,
    profile_phase_ciphers;

void profile_run_init(profile_run_t *run, profile_result_t *res, enum profile_mode mode,
                      const char *sni);
/* The next step of the run, moving from phase to phase (a phase runs only in the modes
 * that have it); false when the profile is complete. */
bool profile_run_next(profile_run_t *run, pstep_t *s);
/* The step's result, to the phase that planned it. Returns false when the profile must
 * end (the server stopped engaging; every phase's abandon() was called, partial set). */
bool profile_run_consume(profile_run_t *run, const pstep_t *s, smtp_result_t *r);
/* The profile ends now with reason why (interrupted, out of memory). */
void profile_run_abandon(profile_run_t *run, const char *why);
/* After the last step: the rules that need every answer (profile_settle_closed). */
void profile_run_finish(profile_run_t *run);

/* How many of s's suites the hello carries: as many as fit into PROFILE_HELLO_MAX with
 * this SNI (see profile_hello), at least 1, 0 when not even one fits or s is invalid. */
size_t profile_step_fit(const pstep_t *s, const char *sni);
/* The ClientHello record of offer step s into out: its version, its first
 * profile_step_fit suites, sni, its groups (or the broad default), the broad signature
 * algorithms, for TLS 1.3 an X25519 key share when X25519 is among the groups (an empty
 * key_share otherwise, so that a HelloRetryRequest names the group the server wants),
 * renegotiation_info (TLS 1.0-1.2) or its SCSV (SSLv3). The length, 0 when it cannot be
 * built. */
size_t profile_step_hello(const pstep_t *s, const char *sni, const uint8_t random[32],
                          uint8_t *out, size_t cap);

#endif
