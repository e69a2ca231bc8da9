/* The MTA-STS check's pure decisions (checks/mtasts.c, RFC 8461): what counts as a
 * policy response (§3.3) with the RFC 8460 result type of each failure, the per-host
 * verdicts (§4.1 mx patterns, §4.2 certificate) and the check's finish; and the TXT
 * reading every check shares (checks/txt.c): a valid record among others, the
 * too-long-record and over-64KiB rules. The parsers themselves are test_mtasts.c's. */
#include "checks/check.h"
#include "checks/mtasts.h"
#include "checks/mtasts_parse.h"
#include "checks/txt.h"
#include "tests/unit/jobfix.h"
#include "tests/unit/testlib.h"

/* ---- mtasts_response_ok ---- */

static char why[600];
static enum result_type rt;

static fetch_result_t ok_response(void) {
  fetch_result_t r;
  memset(&r, 0, sizeof r);
  r.ok = true;
  r.http_status = 200;
  snprintf(r.content_type, sizeof r.content_type, "text/plain");
  r.body = "version: STSv1\n";
  r.body_len = strlen(r.body);
  return r;
}

static bool resp(const fetch_result_t *r) {
  why[0] = '\0';
  rt = RT_NONE;
  return mtasts_response_ok(r, "mta-sts.example.pt", why, sizeof why, &rt);
}

static void test_response(void) {
  fetch_result_t r = ok_response();
  CHECK(resp(&r));
  /* Content-Type with parameters, in any case, with trailing white space */
  snprintf(r.content_type, sizeof r.content_type, "text/plain; charset=utf-8");
  CHECK(resp(&r));
  snprintf(r.content_type, sizeof r.content_type, "TEXT/Plain;charset=\"utf-8\"");
  CHECK(resp(&r));
  snprintf(r.content_type, sizeof r.content_type, "text/plain ");
  CHECK(resp(&r));

  /* too large: the transfer was aborted */
  r = ok_response();
  r.ok = false;
  r.too_large = true;
  r.http_status = 200;
  snprintf(r.error, sizeof r.error, "Failure writing output to destination");
  CHECK(!resp(&r));
  CHECK_STR(why, "policy larger than 64 KiB");
  CHECK_INT(rt, RT_STS_POLICY_FETCH_ERROR);
  /* ... before the certificate: a body over the limit is never read */
  r.webpki_failed = true;
  CHECK(!resp(&r));
  CHECK_STR(why, "policy larger than 64 KiB");
  CHECK_INT(rt, RT_STS_POLICY_FETCH_ERROR);

  /* libcurl error: the URL's host and libcurl's text */
  r = ok_response();
  r.ok = false;
  r.http_status = 0;
  snprintf(r.error, sizeof r.error, "Connection refused");
  CHECK(!resp(&r));
  CHECK_STR(why, "https://mta-sts.example.pt: Connection refused");
  CHECK_INT(rt, RT_STS_POLICY_FETCH_ERROR);
  /* a certificate that did not verify: sts-webpki-invalid */
  r.webpki_failed = true;
  snprintf(r.error, sizeof r.error, "SSL peer certificate or SSH remote key was not OK");
  CHECK(!resp(&r));
  CHECK_STR(why, "https://mta-sts.example.pt: SSL peer certificate or SSH remote key was not OK");
  CHECK_INT(rt, RT_STS_WEBPKI_INVALID);

  /* any status but 200: redirects are not followed (§3.3) */
  static const long bad[] = {301, 302, 204, 404, 500};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r = ok_response();
    r.http_status = bad[i];
    CHECK(!resp(&r));
    char want[64];
    snprintf(want, sizeof want, "HTTP status %ld", bad[i]);
    CHECK_STR(why, want);
    CHECK_INT(rt, RT_STS_POLICY_FETCH_ERROR);
  }

  /* Content-Type not text/plain */
  static const char *const ctypes[] = {"text/html", "", "text/plainx", "text/plai",
                                       "application/octet-stream", "text/plain-text; x=1"};
  for (size_t i = 0; i < sizeof ctypes / sizeof ctypes[0]; i++) {
    r = ok_response();
    snprintf(r.content_type, sizeof r.content_type, "%s", ctypes[i]);
    CHECK(!resp(&r));
    char want[128];
    snprintf(want, sizeof want, "Content-Type '%s' is not text/plain", ctypes[i]);
    CHECK_STR(why, want);
    CHECK_INT(rt, RT_STS_POLICY_FETCH_ERROR);
  }
  /* the status is judged before the type */
  r.http_status = 404;
  CHECK(!resp(&r));
  CHECK_STR(why, "HTTP status 404");
}

/* ---- per host: §4.1 and §4.2 ---- */

static void test_host_match(void) {
  mtasts_policy_t p;
  memset(&p, 0, sizeof p);
  CHECK(!mtasts_host_match(&p, "mx1.example.pt"));   /* no patterns */
  snprintf(p.mx[p.nmx++], sizeof p.mx[0], "mail.example.org");
  snprintf(p.mx[p.nmx++], sizeof p.mx[0], "*.example.pt");   /* as the parser stores it */
  CHECK(mtasts_host_match(&p, "mail.example.org"));
  CHECK(mtasts_host_match(&p, "MAIL.Example.ORG."));
  CHECK(mtasts_host_match(&p, "mx1.example.pt"));
  CHECK(mtasts_host_match(&p, "MX1.EXAMPLE.PT."));
  CHECK(!mtasts_host_match(&p, "example.pt"));          /* the wildcard needs a label */
  CHECK(!mtasts_host_match(&p, "a.mx1.example.pt"));    /* exactly one label */
  CHECK(!mtasts_host_match(&p, "mx1.example.pt.evil"));
  CHECK(!mtasts_host_match(&p, "xmail.example.org"));
  CHECK(!mtasts_host_match(&p, ""));
  /* the patterns after the first are all looked at */
  p.nmx = 1;
  CHECK(!mtasts_host_match(&p, "mx1.example.pt"));
}

static void test_cert_ok(void) {
  job_t *j = fx_job(1);
  host_t *h = &j->hosts[0];
  CHECK(!mtasts_cert_ok(h));                           /* no address */
  addr_t *a = fx_addr(h, DNSSEC_INSECURE);
  CHECK(mtasts_cert_ok(h));                            /* TLS 1.3, PKIX-valid */
  fx_tls(a, "TLSv1.2", true, NULL);
  CHECK(mtasts_cert_ok(h));
  addr_t *b = fx_addr(h, DNSSEC_INSECURE);
  fx_no_tls(b, NULL);                                  /* without TLS: not judged */
  CHECK(mtasts_cert_ok(h));
  fx_no_tls(a, NULL);
  CHECK(!mtasts_cert_ok(h));                           /* none completed TLS */
  fx_tls(a, "TLSv1.3", true, NULL);
  fx_tls(b, "TLSv1.3", false, "hostname mismatch");   /* every one that did must qualify */
  CHECK(!mtasts_cert_ok(h));
  fx_tls(b, "TLSv1.1", true, NULL);
  CHECK(!mtasts_cert_ok(h));
  fx_tls(b, "TLSv1", true, NULL);
  CHECK(!mtasts_cert_ok(h));
  fx_tls(b, "TLSv1.3", true, NULL);
  CHECK(mtasts_cert_ok(h));
  job_free(j);
}

static void test_finish(void) {
  CHECK_STR(check_mtasts.name, "mta_sts");
  CHECK(checks_table[CHECK_MTASTS] == &check_mtasts);
  CHECK(check_mtasts.begin != NULL);
  job_t *j = fx_job(2);
  fx_addr(&j->hosts[0], DNSSEC_SECURE);
  fx_tls(fx_addr(&j->hosts[1], DNSSEC_SECURE), "TLSv1.3", false, "certificate has expired");
  /* no policy: nothing judged */
  j->hosts[0].sts_match = true;
  check_mtasts.finish(j);
  CHECK(j->hosts[0].sts_match);
  CHECK(!j->hosts[0].sts_cert_ok);
  fx_policy(j, MTASTS_MODE_TESTING, "mx2.example.pt", NULL);
  check_mtasts.finish(j);
  CHECK(!j->hosts[0].sts_match);
  CHECK(j->hosts[0].sts_cert_ok);
  CHECK(j->hosts[1].sts_match);
  CHECK(!j->hosts[1].sts_cert_ok);
  job_free(j);
}

/* ---- txt_select ---- */

#define NREC_MAX 300
static uint8_t *rdata[NREC_MAX];
static int rlen[NREC_MAX];
static dns_answer_t ans;

static void txt_reset(void) {
  for (size_t i = 0; i < ans.count; i++) free(rdata[i]);
  memset(&ans, 0, sizeof ans);
  ans.qtype = 16;
  ans.outcome = DNS_DATA;
  ans.data = rdata;
  ans.len = rlen;
}

/* Appends a TXT record whose text is s, cut into character-strings of at most chunk. */
static void txt_add(const char *s, size_t chunk) {
  size_t n = strlen(s), o = 0, w = 0;
  uint8_t *d = malloc(n + n / chunk + 2);
  if (!d || ans.count >= NREC_MAX) abort();
  do {
    size_t l = n - o < chunk ? n - o : chunk;
    d[w++] = (uint8_t)l;
    memcpy(d + w, s + o, l);
    w += l;
    o += l;
  } while (o < n);
  rdata[ans.count] = d;
  rlen[ans.count++] = (int)w;
}

/* A record of len bytes starting with prefix, padded with 'a'. */
static void txt_add_long(const char *prefix, size_t len) {
  char *s = malloc(len + 1);
  if (!s) abort();
  memset(s, 'a', len);
  memcpy(s, prefix, strlen(prefix));
  s[len] = '\0';
  txt_add(s, 255);
  free(s);
}

static int sts_fn(const char *const *t, const size_t *l, size_t n, void *out, const char **w) {
  return mtasts_txt_select(t, l, n, out, w);
}

static size_t seen;
static int count_fn(const char *const *t, const size_t *l, size_t n, void *out, const char **w) {
  (void)t, (void)l, (void)out, (void)w;
  seen = n;
  return 0;
}

static mtasts_txt_t txt;
static const char *twhy;

static int sel(void) {
  twhy = NULL;
  memset(&txt, 0, sizeof txt);
  return txt_select(&ans, "v=STSv1", sts_fn, &txt, &twhy);
}

static void test_txt_select(void) {
  txt_reset();
  /* a valid record among others, split into character-strings */
  txt_add("v=spf1 -all", 255);
  txt_add("v=STSv1; id=20261201T000000", 5);
  txt_add("google-site-verification=xyz", 255);
  CHECK_INT(sel(), 1);
  CHECK_STR(txt.id, "20261201T000000");
  /* none of the kind */
  txt_reset();
  txt_add("v=spf1 -all", 255);
  CHECK_INT(sel(), 0);
  /* a malformed RDATA is skipped, the rest read */
  txt_reset();
  txt_add("v=STSv1; id=abc", 255);
  rdata[ans.count] = malloc(4);
  memcpy(rdata[ans.count], "\x09v=S", 4);   /* claims 9 octets, has 3 */
  rlen[ans.count++] = 4;
  CHECK_INT(sel(), 1);
  CHECK_STR(txt.id, "abc");

  /* too long (joined) and of the kind asked: refused, not "none" and not the other one */
  txt_reset();
  txt_add_long("v=STSv1; id=abc; x=", TXT_MAX_LEN + 1);
  CHECK_INT(sel(), -1);
  CHECK_STR(twhy, "TXT record longer than 4096 bytes");
  txt_add("v=STSv1; id=def", 255);
  CHECK_INT(sel(), -1);
  CHECK_STR(twhy, "TXT record longer than 4096 bytes");
  /* exactly TXT_MAX_LEN is read (a long extension field is allowed) */
  txt_reset();
  txt_add_long("v=STSv1; id=abc; x=", TXT_MAX_LEN);
  CHECK_INT(sel(), 1);
  CHECK_STR(txt.id, "abc");
  /* too long but of another kind: left out, the valid one selected */
  txt_reset();
  txt_add_long("v=spf1 ", TXT_MAX_LEN + 100);
  txt_add("v=STSv1; id=def", 255);
  CHECK_INT(sel(), 1);
  CHECK_STR(txt.id, "def");
  /* the parser's own refusal is kept over the length one */
  txt_reset();
  txt_add_long("v=STSv1;", TXT_MAX_LEN + 1);
  txt_add("v=STSv1; id=a", 255);
  txt_add("v=STSv1; id=b", 255);
  CHECK_INT(sel(), -1);
  CHECK_STR(twhy, "multiple STSv1 records");

  /* over 64 KiB of RDATA: cannot come from one message, refused before any parsing */
  txt_reset();
  size_t total = 0;
  while (total + 4000 <= TXT_ANSWER_MAX) {
    txt_add_long("v=spf1 ", 3984);   /* 3984 + 16 length octets = 4000 */
    total += (size_t)rlen[ans.count - 1];
  }
  CHECK_INT(total, 64000);
  /* fill up to exactly TXT_ANSWER_MAX octets: still read */
  txt_add_long("x", TXT_ANSWER_MAX - total - 6);
  total += (size_t)rlen[ans.count - 1];
  CHECK_INT(total, TXT_ANSWER_MAX);
  seen = 99;
  twhy = NULL;
  CHECK_INT(txt_select(&ans, "v=STSv1", count_fn, &txt, &twhy), 0);
  CHECK_INT(seen, ans.count);
  /* one octet more: refused */
  txt_add("", 255);
  total += 1;
  seen = 99;
  twhy = NULL;
  CHECK_INT(txt_select(&ans, "v=STSv1", count_fn, &txt, &twhy), -1);
  CHECK_STR(twhy, "TXT answer larger than 64 KiB");
  CHECK_INT(seen, 99);   /* the parser was not called */
  txt_reset();

  /* an empty answer: the parser sees nothing */
  seen = 99;
  CHECK_INT(txt_select(&ans, "v=STSv1", count_fn, &txt, &twhy), 0);
  CHECK_INT(seen, 0);
}

int main(void) {
  test_response();
  test_host_match();
  test_cert_ok();
  test_finish();
  test_txt_select();
  TEST_MAIN_END();
}
