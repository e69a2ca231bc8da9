/* The MTA-STS check (RFC 8461): the _mta-sts TXT record, then the policy over HTTPS, then
 * per MX host whether the policy lists it and whether its certificate would satisfy an
 * MTA-STS sender.
 *
 * The lookups are a small chain, each step started from the previous one's callback:
 *   TXT _mta-sts.<domain>  -> A mta-sts.<domain> (AAAA when there is no IPv4 address)
 *   -> the connection gate  -> GET https://mta-sts.<domain>/.well-known/mta-sts.txt
 * and the check is done (check_done) in the callback of the last step that ran. The policy
 * host is resolved by our own validating resolver and connected to by address, so
 * libcurl never asks the system resolver and the gate sees every address.
 *
 * What counts as a policy (§3.3): status 200 only (redirects are not followed), a
 * Content-Type of text/plain, at most 64 KiB, a certificate valid for the policy host
 * (the fetcher verifies it: "sts-webpki-invalid" otherwise). Failures carry the RFC 8460
 * result type a sender would report. */
#include "checks/check.h"
#include "checks/mtasts.h"
#include "checks/tlsver.h"
#include "checks/mtasts_parse.h"
#include "checks/txt.h"
#include "polite/gate.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#define RR_A 1
#define RR_AAAA 28
#define STS_BODY_MAX 65536

static void sts_fail(job_t *j, enum sts_status status, enum result_type rt, const char *reason) {
  j->sts_status = status;
  j->sts_result_type = rt;
  free(j->sts_reason);
  j->sts_reason = job_strdup(reason);
}

/* §3.3 on a completed (or failed) HTTPS exchange: true when the body is to be parsed. */
bool mtasts_response_ok(const fetch_result_t *r, const char *host, char *why, size_t cap,
                        enum result_type *rt) {
  *rt = RT_STS_POLICY_FETCH_ERROR;
  if (!r->ok && r->too_large) {
    snprintf(why, cap, "policy larger than 64 KiB");
    return false;
  }
  if (!r->ok) {
    snprintf(why, cap, "https://%s: %s", host, r->error);
    if (r->webpki_failed) *rt = RT_STS_WEBPKI_INVALID;
    return false;
  }
  if (r->http_status != 200) {
    snprintf(why, cap, "HTTP status %ld", r->http_status);
    return false;
  }
  size_t tl = strcspn(r->content_type, "; \t");
  if (tl != 10 || strncasecmp(r->content_type, "text/plain", 10) != 0) {
    snprintf(why, cap, "Content-Type '%s' is not text/plain", r->content_type);
    return false;
  }
  return true;
}

void mtasts_policy_sha256(const fetch_result_t *r, char out[65]) {
  static const char hx[] = "0123456789abcdef";
  unsigned char md[32];
  unsigned n = 0;
  out[0] = 0;
  if (!r->ok || r->http_status != 200 || (!r->body && r->body_len)) return;
  if (!EVP_Digest(r->body ? r->body : "", r->body_len, md, &n, EVP_sha256(), NULL) || n != 32) return;
  for (int i = 0; i < 32; i++) {
    out[2 * i] = hx[md[i] >> 4];
    out[2 * i + 1] = hx[md[i] & 15];
  }
  out[64] = 0;
}

static void on_sts_policy(void *arg, const fetch_result_t *r) {
  job_t *j = arg;
  char why[600];
  enum result_type rt;
  /* Whenever the server sent a status line, whatever went wrong after it (a body cut or
   * too large, a header too large). */
  if (r->http_status) j->sts_http_status = r->http_status;
  mtasts_policy_sha256(r, j->sts_policy_sha256);
  if (!mtasts_response_ok(r, j->sts_host, why, sizeof why, &rt)) {
    sts_fail(j, STS_FETCH_ERROR, rt, why);
  } else {
    mtasts_policy_t *p = calloc(1, sizeof *p);
    const char *reason = NULL;
    if (!p) {
      sts_fail(j, STS_FETCH_ERROR, RT_STS_POLICY_FETCH_ERROR, "out of memory");
      job_oom(j);
    } else if (mtasts_policy_parse(r->body, r->body_len, p, &reason) != 1) {
      sts_fail(j, STS_POLICY_INVALID, RT_STS_POLICY_INVALID, reason);
      free(p);
    } else {
      j->sts_status = STS_VALID;
      j->sts_policy = p;
    }
  }
  check_done(j, CHECK_MTASTS);
}

/* Connects to the policy host at ip (through the gate). true when the fetch started. */
static bool sts_fetch(job_t *j, int fam, const uint8_t *ip) {
  job_env_t *env = j->env;
  char why[400], text[INET6_ADDRSTRLEN];
  const char *deny = gate_denied(env->exclude, env->policy, env->routes, fam, ip);
  inet_ntop(fam, ip, text, sizeof text);
  if (deny) {
    snprintf(why, sizeof why, "%s at %s: %s", j->sts_host, text, deny);
    sts_fail(j, STS_FETCH_ERROR, RT_STS_POLICY_FETCH_ERROR, why);
    return false;
  }
  if (fetch_start(env->fetch, j->sts_host, env->https_port, "/.well-known/mta-sts.txt", text,
                  STS_BODY_MAX, env->t_https, on_sts_policy, j) != 0) {
    sts_fail(j, STS_FETCH_ERROR, RT_STS_POLICY_FETCH_ERROR, "could not start HTTPS request");
    job_oom(j);
    return false;
  }
  return true;
}

static void on_sts_addr(void *arg, const dns_answer_t *ans) {
  job_t *j = arg;
  size_t want = ans->qtype == RR_A ? 4 : 16;
  if (ans->outcome == DNS_NODATA && ans->qtype == RR_A) {
    /* No IPv4 address: the policy host may be IPv6-only. */
    if (job_query(j, j->sts_host, RR_AAAA, on_sts_addr, j) == 0) return;
    sts_fail(j, STS_FETCH_ERROR, RT_STS_POLICY_FETCH_ERROR, "could not start query");
    check_done(j, CHECK_MTASTS);
    return;
  }
  const uint8_t *ip = NULL;
  for (size_t i = 0; i < ans->count && !ip; i++)
    if ((size_t)ans->len[i] == want) ip = ans->data[i];
  if (!ip) {
    char why[400];
    snprintf(why, sizeof why, "cannot resolve %s: %s", j->sts_host,
             ans->reason ? ans->reason : ans->outcome == DNS_NXDOMAIN ? "NXDOMAIN" : "no address");
    sts_fail(j, STS_FETCH_ERROR, RT_STS_POLICY_FETCH_ERROR, why);
  } else if (sts_fetch(j, want == 4 ? AF_INET : AF_INET6, ip)) {
    return;
  }
  check_done(j, CHECK_MTASTS);
}

static int sts_select(const char *const *t, const size_t *l, size_t n, void *out, const char **why) {
  return mtasts_txt_select(t, l, n, out, why);
}

static void on_sts_txt(void *arg, const dns_answer_t *ans) {
  job_t *j = arg;
  if (ans->outcome == DNS_ERROR) {
    sts_fail(j, STS_DNS_ERROR, RT_NONE, ans->reason);
  } else if (ans->outcome != DNS_DATA) {
    j->sts_status = STS_NONE;
  } else {
    mtasts_txt_t txt;
    const char *why = NULL;
    int rc = txt_select(ans, "v=STSv1", sts_select, &txt, &why);
    if (rc == 0) {
      j->sts_status = STS_NONE;
    } else if (rc < 0) {
      sts_fail(j, STS_TXT_INVALID, RT_NONE, why);
      if (why == TXT_OOM) job_oom(j);
    } else {
      snprintf(j->sts_id, sizeof j->sts_id, "%s", txt.id);
      snprintf(j->sts_host, sizeof j->sts_host, "mta-sts.%s", j->domain);
      j->sts_status = STS_FETCH_ERROR;   /* until the policy arrives */
      if (job_query(j, j->sts_host, RR_A, on_sts_addr, j) == 0) return;
      sts_fail(j, STS_FETCH_ERROR, RT_STS_POLICY_FETCH_ERROR, "could not start query");
    }
  }
  check_done(j, CHECK_MTASTS);
}

static bool mtasts_begin(job_t *j) {
  int rc = txt_query(j, "_mta-sts", on_sts_txt);
  if (rc > 0) return true;
  if (rc == 0) {
    /* More than 244 characters: as for TLS-RPT, no record can exist there. */
    j->sts_status = STS_NONE;
    j->sts_reason = strdup("_mta-sts.<domain> would be longer than 253 octets");
  } else {
    sts_fail(j, STS_DNS_ERROR, RT_NONE, "could not start query");
  }
  return false;
}

/* RFC 8461 §4.2: the MX host's certificate must be PKIX-valid for its name over TLS 1.2+.
 * True when at least one address completed TLS and every one that did qualifies. */
bool mtasts_cert_ok(const host_t *h) {
  size_t tls = 0;
  for (size_t k = 0; k < h->naddrs; k++) {
    const smtp_result_t *r = &h->addrs[k].smtp;
    if (!r->have_tls) continue;
    tls++;
    if (!r->tls.pkix_valid || tls_version_rank(r->tls.version) < tls_version_rank("TLSv1.2"))
      return false;
  }
  return tls > 0;
}

/* §4.1: the host matches one of the policy's mx patterns. */
bool mtasts_host_match(const mtasts_policy_t *p, const char *host) {
  for (size_t k = 0; k < p->nmx; k++)
    if (mtasts_mx_match(p->mx[k], host)) return true;
  return false;
}

static void mtasts_finish(job_t *j) {
  if (!j->sts_policy) return;
  for (size_t i = 0; i < j->nhosts; i++) {
    host_t *h = &j->hosts[i];
    h->sts_match = mtasts_host_match(j->sts_policy, h->name);
    h->sts_cert_ok = mtasts_cert_ok(h);
  }
}

const check_t check_mtasts = {"mta_sts", CHECK_MTASTS, mtasts_begin, NULL, mtasts_finish};
