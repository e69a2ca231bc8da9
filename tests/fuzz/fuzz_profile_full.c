/* The full profile's ciphers phase (smtp/profile_full.c, issue 15) under any answers: the
 * input says which versions the versions phase accepted and, step by step, what the
 * server answered (its kind, a suite that was offered or any code point, the version,
 * the group, the DH size). Checks the bounds the phase promises whatever a server says:
 * it ends within 4 classes x PROFILE_CLASS_HELLOS + 2 (order) + 1 (DHE) + PG_COUNT steps;
 * every hello carries exactly what fits (profile_step_fit) and builds into one record of
 * at most PROFILE_HELLO_MAX bytes; a class holds only suites of its class, distinct, at
 * most PROFILE_CLASS_SUITES_MAX; a class is complete only with every hello answered. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/profile_plan.h"
#include "tls/suites.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  static profile_result_t res;
  profile_run_t run;
  memset(&res, 0, sizeof res);
  profile_run_init(&run, &res, PROFILE_FULL, (data[1] & 1) ? "mx.example" : NULL);
  for (int v = 0; v < PV_COUNT; v++)
    res.versions[v] = (data[0] >> v) & 1 ? PVS_ACCEPTED : PVS_REFUSED;
  data += 2, size -= 2;
  run.phase = PP_CIPHERS;
  const unsigned max_steps = TLS_CLASS_COUNT * PROFILE_CLASS_HELLOS + 2 + 1 + PG_COUNT;
  unsigned steps = 0;
  static pstep_t s;
  for (;;) {
    memset(&s, 0, sizeof s);
    s.phase = PP_CIPHERS;
    if (!profile_phase_ciphers.next(&run, &s)) break;
    if (++steps > max_steps) abort();
    if (s.n_suites == 0 || s.n_suites != profile_step_fit(&s, run.sni)) abort();
    uint8_t rnd[32] = {0}, out[PROFILE_HELLO_MAX + 16];
    size_t len = profile_step_hello(&s, run.sni, rnd, out, sizeof out);
    if (len == 0 || len > PROFILE_HELLO_MAX) abort();
    smtp_result_t r;
    memset(&r, 0, sizeof r);
    r.outcome = SMTP_OUTCOME_ENGAGED;
    r.offer_sent = true;
    if (size >= 8) {
      r.offer.kind = (enum hello_answer)(data[0] % HELLO_ANS_COUNT);
      r.offer.suite = data[1] & 0x80 ? s.suites[data[2] % s.n_suites]
                                     : (uint16_t)(data[2] << 8 | data[3]);
      r.offer.version = data[4] & 1 ? s.version : (uint16_t)(0x0300 | (data[4] >> 1) % 6);
      r.offer.group = r.offer.ske_group = data[5] & 0x80 && s.n_groups ? s.groups[0] : data[5];
      r.offer.dhe_bits = (unsigned)data[6] << 4;
      r.offer.dhe_class = (enum tls_class)(data[7] % TLS_CLASS_COUNT);
      r.offer.retry = r.offer.kind == HELLO_ANS_RETRY;
      data += 8, size -= 8;
    } else {
      r.offer.kind = HELLO_ANS_ALERT;              /* the input ran out: refusals */
    }
    profile_phase_ciphers.consume(&run, &s, &r);
  }
  for (int c = 0; c < TLS_CLASS_COUNT; c++) {
    const profile_class_res_t *k = &res.ciphers[c];
    if (k->nsuites > PROFILE_CLASS_SUITES_MAX || (k->nsuites && !k->accepted)) abort();
    for (size_t i = 0; i < k->nsuites; i++) {
      if (tls_suite_class(k->suites[i]) != c) abort();
      for (size_t j = 0; j < i; j++)
        if (k->suites[j] == k->suites[i]) abort();
    }
  }
  if (res.dhe_tested && res.dhe_bits && res.dhe_class >= TLS_CLASS_COUNT) abort();
  return 0;
}
