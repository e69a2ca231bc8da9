/* The probe's result: its life cycle (init, copy, free), its first error, and the outcome
 * of a finished dialogue; declared in smtp_probe.h. Pure: no loop, no network. */
#include "smtp/smtp_probe.h"
#include "tls/hello_build.h"

#include <stdlib.h>
#include <string.h>

void smtp_result_init(smtp_result_t *r) {
  memset(r, 0, sizeof *r);
}

void smtp_result_free(smtp_result_t *r) {
  free(r->banner);
  free(r->starttls_reply);
  free(r->err_reason);
  free(r->inferred_from);
  for (size_t i = 0; i < r->nretry_reasons; i++) free(r->retry_reasons[i]);
  if (r->have_tls) tls_result_free(&r->tls);
  smtp_result_init(r);
}

/* Copies len bytes (NULs included) plus a terminating NUL; NULL stays NULL. */
static int dup_bytes(char **dst, const char *src, size_t len) {
  *dst = NULL;
  if (!src) return 0;
  if (!(*dst = malloc(len + 1))) return -1;
  memcpy(*dst, src, len);
  (*dst)[len] = '\0';
  return 0;
}

int smtp_result_copy(smtp_result_t *dst, const smtp_result_t *src) {
  *dst = *src;
  dst->have_tls = false;
  int rc = dup_bytes(&dst->banner, src->banner, src->banner_len);
  rc |= dup_bytes(&dst->starttls_reply, src->starttls_reply, src->starttls_reply_len);
  rc |= dup_bytes(&dst->err_reason, src->err_reason, src->err_reason_len);
  rc |= dup_bytes(&dst->inferred_from, src->inferred_from,
                  src->inferred_from ? strlen(src->inferred_from) : 0);
  dst->nretry_reasons = 0;
  for (size_t i = 0; i < src->nretry_reasons && rc == 0; i++) {
    rc |= dup_bytes(&dst->retry_reasons[i], src->retry_reasons[i], strlen(src->retry_reasons[i]));
    if (rc == 0) dst->nretry_reasons = i + 1;
  }
  if (rc == 0 && src->have_tls) {
    if (tls_result_copy(&dst->tls, &src->tls) == 0) dst->have_tls = true;
    else rc = -1;
  }
  if (rc != 0) smtp_result_free(dst);
  return rc;
}

void smtp_result_set_error_bytes(smtp_result_t *r, enum smtp_stage stage, const char *reason,
                                 size_t len) {
  if (r->err_stage != SMTP_STAGE_NONE) return;   /* the first failure is the one that explains */
  r->err_stage = stage;
  free(r->err_reason);
  r->err_reason = malloc(len + 1);
  r->err_reason_len = r->err_reason ? len : 0;
  if (r->err_reason) {
    memcpy(r->err_reason, reason, len);
    r->err_reason[len] = '\0';
  }
}

void smtp_result_set_error(smtp_result_t *r, enum smtp_stage stage, const char *reason) {
  if (!reason) reason = "error";
  smtp_result_set_error_bytes(r, stage, reason, strlen(reason));
}

enum smtp_outcome smtp_outcome_of(const smtp_result_t *r) {
  if (r->connect == SMTP_CONNECT_NOT_ATTEMPTED) return SMTP_OUTCOME_NOT_ATTEMPTED;
  if (r->connect != SMTP_CONNECT_OK) return SMTP_OUTCOME_UNREACHABLE;
  if (r->starttls != SMTP_STARTTLS_UNKNOWN) return SMTP_OUTCOME_ENGAGED;   /* EHLO said 250 */
  /* No greeting: a server that hung up on us acted (postscreen, a throttle, a blocklist:
   * the scheduler retries it as one); silence or bytes that are no SMTP reply are no SMTP
   * service to speak of. */
  if (!r->banner) return r->peer_closed ? SMTP_OUTCOME_LOST : SMTP_OUTCOME_UNREACHABLE;
  if (r->banner_code >= 400 && r->banner_code <= 599) return SMTP_OUTCOME_REFUSED;
  if (r->banner_code != 220) return SMTP_OUTCOME_UNREACHABLE;   /* a 2xx/3xx: no greeting */
  if (r->ehlo_code >= 400 && r->ehlo_code <= 599) return SMTP_OUTCOME_REFUSED;
  return SMTP_OUTCOME_LOST;      /* greeted, and EHLO was never answered */
}

smtp_offer_answer_t smtp_offer_answer_of(const hello_peek_t *h, bool eof) {
  smtp_offer_answer_t a;
  memset(&a, 0, sizeof a);
  a.kind = hello_peek_answer(h, eof);
  a.bytes = h->seen;
  switch (a.kind) {
  case HELLO_ANS_SERVER_HELLO:
  case HELLO_ANS_RETRY:
    a.version = h->version;
    a.suite = h->suite;
    a.group = h->group;
    a.compression = h->compression;
    a.reneg = h->reneg;
    a.retry = h->retry;
    a.dhe_bits = h->dhe_bits;
    a.dhe_class = h->dhe_class;
    a.ske_group = h->ske_group;
    break;
  case HELLO_ANS_ALERT:
    a.alert_level = h->alert[0];
    a.alert_desc = h->alert[1];
    break;
  default:
    break;
  }
  return a;
}

bool smtp_opts_offer_ok(const smtp_opts_t *o) {
  return !o->offer || (o->offer_len > 0 && o->offer_len <= HELLO_BUILD_MAX);
}
