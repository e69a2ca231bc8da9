/* The TLS profile's pure half (smtp/profile_offer.c, issue 15): the judging of an offer's
 * result, whose fields come from a server (the answer hello_peek read, the reply text with
 * any bytes), and the ClientHello of each version with any SNI. Checks: the reason always
 * terminated within its buffer (a size drawn from the input); ACCEPTED only for a
 * ServerHello or HelloRetryRequest choosing the offered version; an offer never sent is
 * never REFUSED and always ends the profile; a sent one never ends it; every hello is one
 * record of at most PROFILE_HELLO_MAX bytes whose length adds up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/profile.h"
#include "tls/hello_build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 12) return 0;
  smtp_result_t r;
  memset(&r, 0, sizeof r);
  enum profile_version v = (enum profile_version)(data[0] % (PV_COUNT + 1));
  r.offer_sent = data[1] & 1;
  r.outcome = (enum smtp_outcome)(data[1] >> 1) % SMTP_OUTCOME_COUNT;
  r.starttls = (enum smtp_starttls)(data[2] % SMTP_STARTTLS_COUNT);
  r.offer.kind = (enum hello_answer)(data[3] % HELLO_ANS_COUNT);
  r.offer.version = (uint16_t)(data[4] << 8 | data[5]);
  r.offer.alert_level = data[6];
  r.offer.alert_desc = data[7];
  size_t cap = data[8];
  size_t reason_len = data[9];
  data += 12, size -= 12;
  char *reason = NULL;
  if (reason_len > size) reason_len = size;
  if (data[-2] & 1) {                    /* a reason with any bytes, NULs included */
    reason = malloc(reason_len + 1);
    if (!reason) return 0;
    memcpy(reason, data, reason_len);
    reason[reason_len] = '\0';
    r.err_reason = reason;
    r.err_reason_len = reason_len;
  }
  char *buf = malloc(cap ? cap : 1);
  if (!buf) { free(reason); return 0; }
  enum profile_vstate st = profile_judge_offer(v, &r, cap ? buf : NULL, cap);
  if (cap && !memchr(buf, '\0', cap)) abort();
  if (st == PVS_ACCEPTED &&
      !((r.offer.kind == HELLO_ANS_SERVER_HELLO || r.offer.kind == HELLO_ANS_RETRY) &&
        r.offer.version == profile_version_wire(v) && r.offer_sent))
    abort();
  if (!r.offer_sent && v < PV_COUNT && st != PVS_ERROR) abort();
  bool ends = profile_offer_ends(&r, cap ? buf : NULL, cap);
  if (ends != !r.offer_sent) abort();
  if (cap && !memchr(buf, '\0', cap)) abort();
  free(buf);

  char sni[HELLO_MAX_SNI + 8];
  size_t sl = size - reason_len < sizeof sni - 1 ? size - reason_len : sizeof sni - 1;
  memcpy(sni, data + reason_len, sl);
  sni[sl] = '\0';
  uint8_t rnd[32] = {0}, out[PROFILE_HELLO_MAX + 16];
  size_t len = profile_hello(v, sni, rnd, out, sizeof out);
  if (v < PV_COUNT && len == 0) abort();  /* always room in PROFILE_HELLO_MAX */
  if (len > PROFILE_HELLO_MAX || (len && (size_t)(out[3] << 8 | out[4]) + 5 != len)) abort();
  free(reason);
  return 0;
}
