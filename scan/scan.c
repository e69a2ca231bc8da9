/* The scan pipeline: see scan.h. Ownership: a job owns its hosts, a host its addresses
 * and TLSA records, an address its SMTP result; everything is freed in job_free once the
 * record has been written (or, for a domain a grace period gave up, at the end of
 * scan_run). A job's 'pending' counts outstanding lookups and probes; the record is
 * written when it drops to zero. */
#include "scan/scan.h"
#include "lib/domain.h"
#include "checks/tlsrpt_parse.h"
#include "checks/mtasts_parse.h"
#include "net/https_fetch.h"
#include "record/json.h"
#include "record/write_probe.h"
#include "record/sink.h"
#include "record/resume.h"
#include "lib/nameset.h"
#include "net/rdns.h"
#include "polite/sched.h"
#include "scan/progress.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>
#include <arpa/inet.h>

#define RR_A 1
#define RR_TXT 16
#define RR_MX 15
#define RR_AAAA 28
#define RR_TLSA 52

#define MAX_MX 16          /* MX hosts scanned per domain; more are recorded as truncated */
#define MAX_ADDRS 8        /* addresses probed per family per host */
#define TLSA_LISTED 32     /* TLSA records listed in a record; DANE is judged with all */
#define IN_BUF 65536       /* input buffer: the longest line considered */
/* Bytes of an invalid line that are its record's domain and its identity (duplicates,
 * --resume): a name is at most 253, domain_normalize looks at 1024; escaped for JSON it
 * stays within the resume reader's RESUME_NAME_MAX. */
#define INVALID_LINE_MAX 1024

typedef struct job job_t;
typedef struct host host_t;

typedef struct addr {
  host_t *host;
  int family;
  uint8_t ip[16];
  enum dnssec_state dnssec;
  char *ptr;                       /* reverse name, informational (c-ares) */
  const char *ptr_error;
  smtp_result_t smtp;
} addr_t;

typedef struct lookup {            /* outcome of one address lookup */
  bool done;
  enum dns_outcome outcome;
  enum dnssec_state dnssec;
  char *reason;
} lookup_t;

struct host {
  job_t *job;
  char *name;                      /* presentation form, \DDD escapes included (owned) */
  int pref;
  bool implicit;
  char *cname;
  char *invalid;                   /* static reason when the host is not resolved */
  bool bad_name;                   /* ... because the MX target is no host name */
  lookup_t a, aaaa;
  addr_t addrs[2 * MAX_ADDRS];
  size_t naddrs;
  bool addrs_truncated;
  /* TLSA */
  bool tlsa_looked_up;
  char tlsa_name[300];             /* "_25._tcp." + base: may exceed DNS_QNAME_MAX */
  char tlsa_base[256];             /* a host name or a canonical name: <= 254 characters */
  bool tlsa_fallback_done;
  enum dns_outcome tlsa_outcome;
  enum dnssec_state tlsa_dnssec;
  char *tlsa_reason;
  /* Every record of the answer: DANE must see them all, or a matching record after the
   * first few reads as a mismatch. Bounded by the answer, which the resolver bounds
   * (64 KiB: at most ~4 700 records). Array and data owned here (malloc'd). */
  tlsa_rec_t *tlsa;
  size_t ntlsa;
};

typedef struct scan scan_t;

struct job {
  scan_t *scan;
  job_t *prev, *next;              /* the scan's jobs in flight (s->jobs) */
  char domain[DOMAIN_MAX];         /* for an invalid line: its start, for messages only */
  char *line;                      /* an invalid line: the record's domain (line_len bytes) */
  size_t line_len;
  char *input;                     /* the line as given, when it differs (input_len bytes) */
  size_t input_len;
  const char *status;
  bool have_dnssec;
  enum dnssec_state dnssec;
  char *dnssec_reason;
  char *cname;
  bool null_mx;
  const char *err_stage;
  char *err_reason;
  char scanned_at[32];
  host_t *hosts;
  size_t nhosts;
  bool mx_truncated;
  /* TLS-RPT (RFC 8460), looked up for domains that can receive mail */
  const char *tlsrpt_status;       /* NULL: not looked up */
  enum dnssec_state tlsrpt_dnssec;
  char *tlsrpt_reason;
  tlsrpt_t *tlsrpt;
  /* MTA-STS (RFC 8461) */
  const char *sts_status;          /* NULL: not looked up */
  const char *sts_result_type;     /* RFC 8460 failure name, when one applies */
  char *sts_reason;
  char sts_id[MTASTS_ID_MAX + 1];
  long sts_http_status;
  char sts_host[DOMAIN_MAX + 16];
  mtasts_policy_t *sts_policy;
  int pending;
};

struct scan {
  const scan_config_t *cfg;
  uv_loop_t *loop;
  dns_t *dns;
  rdns_t *rdns;
  fetcher_t *fetch;
  tls_ctx_t *tls;
  observe_t *obs;                  /* SMTP/TLS observations shared between domains */
  observe_probe_env_t probe_env;
  sched_t *sched;                  /* every SMTP connection goes through it */
  progress_t *prog;
  sink_t *sink;
  uv_timer_t flush_timer;
  uv_signal_t sigint, sigterm, sighup;
  uv_timer_t grace_timer;
  uv_idle_t end_idle;              /* ends the scan from the loop: see scan_may_end */
  bool ending;                     /* end_idle is started */
  int interrupted;                 /* the first SIGINT/SIGTERM/SIGHUP received, or 0 */
  size_t active;
  job_t *jobs;                     /* in flight: freed at the end if a grace period cut them off */
  bool input_done;
  bool closed;
  /* input */
  int in_fd;
  uv_fs_t in_req;
  uv_work_t pool_req;              /* starts libuv's thread pool early (start_thread_pool) */
  char in_buf[IN_BUF];
  size_t in_len, in_pos;
  bool in_reading, in_eof, in_discard;
  bool pulling;                    /* inside pull_input */                     /* the loop's own handles are closing: scan is over */
  bool failed;
  unsigned long long lines, records;
  /* names: every normalised input name seen (NAME_SEEN) and every domain already in the
   * output when resuming (NAME_RECORDED); see start_job */
  nameset_t *names;
  unsigned long long duplicates;   /* input lines repeating a name already seen */
  unsigned long long resumed;      /* input names skipped: already in the output */
  unsigned long long excluded;     /* records with status "excluded" */
  jw_t jw;
};

static void pull_input(scan_t *s);
static void scan_may_end(scan_t *s);
static void on_end_idle(uv_idle_t *h);
static void job_unref(job_t *j);

static char *xstrdup(const char *s) { return s ? strdup(s) : NULL; }

/* Our own failure to allocate (or to start a lookup, which only fails for want of
 * memory): the scan stops, since a record written now would blame the domain for it
 * ("dns-error", "could not start query") and --resume would never redo it. Domains in
 * flight finish unrecorded (job_unref writes nothing once the scan failed); the file
 * holds whole records of the domains before, and status 1 says to resume. */
static void scan_oom(scan_t *s) {
  if (!s->failed) fprintf(stderr, "mxsurvey: out of memory\n");
  s->failed = true;
}

static void set_error(job_t *j, const char *status, const char *stage, const char *reason) {
  j->status = status;
  j->err_stage = stage;
  free(j->err_reason);
  j->err_reason = xstrdup(reason);
}

/* ---------- record ---------- */

static int version_rank(const char *v);
static int version_rank(const char *v) {
  static const char *order[] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
  for (int i = 0; i < 5; i++) if (strcmp(v, order[i]) == 0) return i;
  return -1;
}

/* The DANE verdict for one address (RFC 7672 §2.2, §3): combines the host's TLSA lookup,
 * its address records' DNSSEC state and the TLS outcome. */
static const char *dane_status(const host_t *h, const addr_t *a, const char **reason) {
  *reason = NULL;
  if (h->tlsa_dnssec == DNSSEC_BOGUS) { *reason = h->tlsa_reason; return "tlsa-bogus"; }
  if (h->tlsa_outcome == DNS_ERROR) {
    if (a->dnssec != DNSSEC_SECURE) { *reason = "address records not DNSSEC-secure"; return "no-tlsa"; }
    *reason = h->tlsa_reason;
    return "dns-error";
  }
  if (h->tlsa_outcome != DNS_DATA) { *reason = "no TLSA records"; return "no-tlsa"; }
  if (h->tlsa_dnssec != DNSSEC_SECURE) { *reason = "TLSA records not DNSSEC-secure"; return "no-tlsa"; }
  if (a->dnssec != DNSSEC_SECURE) { *reason = "address records not DNSSEC-secure"; return "no-tlsa"; }
  size_t usable = 0;
  for (size_t i = 0; i < h->ntlsa; i++)
    if (!tlsa_unusable_reason(&h->tlsa[i])) usable++;
  if (usable == 0) { *reason = "no usable TLSA record for SMTP"; return "unusable"; }
  if (!a->smtp.have_tls) {
    *reason = a->smtp.err_reason ? a->smtp.err_reason : "no TLS";
    return "no-starttls";
  }
  if (a->smtp.tls.dane_valid) return "valid";
  *reason = a->smtp.tls.dane_error[0] ? a->smtp.tls.dane_error : "no TLSA record matched";
  return "mismatch";
}

/* RFC 8461 §4.2: the MX host's certificate must be PKIX-valid for its name over TLS 1.2+.
 * True when at least one address completed TLS and every one that did qualifies. */
static bool sts_cert_ok(const host_t *h) {
  size_t tls = 0;
  for (size_t k = 0; k < h->naddrs; k++) {
    const smtp_result_t *r = &h->addrs[k].smtp;
    if (!r->have_tls) continue;
    tls++;
    if (!r->tls.pkix_valid || version_rank(r->tls.version) < version_rank("TLSv1.2")) return false;
  }
  return tls > 0;
}

static void write_mta_sts(jw_t *w, const job_t *j) {
  jw_obj_begin(w, "mta_sts");
  jw_str(w, "status", j->sts_status);
  if (j->sts_id[0]) jw_str(w, "id", j->sts_id);
  if (j->sts_reason) jw_str(w, "reason", j->sts_reason);
  if (j->sts_result_type) jw_str(w, "result_type", j->sts_result_type);
  if (j->sts_http_status) jw_int(w, "http_status", j->sts_http_status);
  const mtasts_policy_t *p = j->sts_policy;
  if (p) {
    jw_str(w, "mode", p->mode_name);
    jw_int(w, "max_age", p->max_age);
    jw_arr_begin(w, "mx");
    for (size_t i = 0; i < p->nmx; i++) jw_str(w, NULL, p->mx[i]);
    jw_arr_end(w);
    if (p->mx_truncated) jw_bool(w, "mx_truncated", true);
    jw_arr_begin(w, "hosts");
    for (size_t i = 0; i < j->nhosts; i++) {
      const host_t *h = &j->hosts[i];
      bool match = false;
      for (size_t k = 0; k < p->nmx && !match; k++) match = mtasts_mx_match(p->mx[k], h->name);
      jw_obj_begin(w, NULL);
      jw_str(w, "host", h->name);
      jw_bool(w, "policy_match", match);
      jw_bool(w, "cert_ok", sts_cert_ok(h));
      jw_obj_end(w);
    }
    jw_arr_end(w);
  }
  jw_obj_end(w);
}

/* ---------- what would a sender do? ---------- */

/* RFC 8460 §4.3 result type for a failed authentication, from OpenSSL's verify error. */
static const char *verify_result_type(const char *err) {
  if (!err || !*err) return "validation-failure";
  if (strcasestr(err, "hostname mismatch")) return "certificate-host-mismatch";
  if (strcasestr(err, "expired")) return "certificate-expired";
  if (strcasestr(err, "no matching DANE") || strcasestr(err, "self-signed") ||
      strcasestr(err, "unable to get") || strcasestr(err, "untrusted"))
    return "certificate-not-trusted";
  return "validation-failure";
}

enum policy_kind { POL_DANE, POL_STS };

typedef struct verdict {
  const char *action;        /* deliver, deliver-unauthenticated, defer, no-route */
  const char *result_type;   /* the first failure seen, RFC 8460 names */
  const char *mx;            /* host that would take the message */
} verdict_t;

/* One MX host as a sender with the given policy sees it: 1 delivers (authenticated),
 * 2 delivers unauthenticated, 0 fails (sets *why), -1 not reachable (try the next host). */
static int host_outcome(const job_t *j, const host_t *h, enum policy_kind pol, const char **why) {
  if (h->naddrs == 0) {
    /* An address lookup that is bogus or failed is a DNSSEC failure, not "no host". */
    bool dnsfail = h->a.dnssec == DNSSEC_BOGUS || h->aaaa.dnssec == DNSSEC_BOGUS ||
                   h->a.outcome == DNS_ERROR || h->aaaa.outcome == DNS_ERROR;
    if (dnsfail) { *why = "dnssec-invalid"; return 0; }
    return -1;
  }
  const char *ignored;
  bool sts_enforce = pol == POL_STS && j->sts_policy && j->sts_policy->mode == MTASTS_MODE_ENFORCE;
  bool sts_match = false;
  if (sts_enforce)
    for (size_t k = 0; k < j->sts_policy->nmx && !sts_match; k++)
      sts_match = mtasts_mx_match(j->sts_policy->mx[k], h->name);
  int result = -1;
  for (size_t k = 0; k < h->naddrs; k++) {
    const addr_t *a = &h->addrs[k];
    const char *ds = dane_status(h, a, &ignored);
    const smtp_result_t *r = &a->smtp;
    if (strcmp(ds, "tlsa-bogus") == 0 || strcmp(ds, "dns-error") == 0) { *why = "dnssec-invalid"; return 0; }
    if (r->banner_code != 220) continue;              /* not reachable: next address */
    /* RFC 8461 §2: where DANE applies it decides, for both kinds of sender. */
    if (strcmp(ds, "valid") == 0) return 1;
    if (strcmp(ds, "mismatch") == 0) { *why = verify_result_type(r->tls.dane_error); result = 0; continue; }
    if (strcmp(ds, "no-starttls") == 0) { *why = "starttls-not-supported"; result = 0; continue; }
    if (strcmp(ds, "unusable") == 0) {
      /* Secure TLSA but nothing usable: TLS is mandatory, authentication impossible. */
      *why = r->have_tls ? "tlsa-invalid" : "starttls-not-supported";
      if (r->have_tls) return 2;
      result = 0;
      continue;
    }
    if (!sts_enforce) return 2;                       /* opportunistic TLS (or none) */
    if (!sts_match) { *why = "validation-failure"; result = 0; continue; }
    if (!r->have_tls) { *why = "starttls-not-supported"; result = 0; continue; }
    if (!r->tls.pkix_valid) { *why = verify_result_type(r->tls.pkix_error); result = 0; continue; }
    if (version_rank(r->tls.version) < version_rank("TLSv1.2")) { *why = "validation-failure"; result = 0; continue; }
    return 1;
  }
  return result;
}

static verdict_t sender_verdict(const job_t *j, enum policy_kind pol) {
  verdict_t v = {NULL, NULL, NULL};
  if (strcmp(j->status, "dns-error") == 0) {
    v.action = "defer";
    v.result_type = "dnssec-invalid";
    return v;
  }
  if (strcmp(j->status, "ok") != 0) { v.action = "no-route"; return v; }
  bool any_addr = false;
  for (size_t i = 0; i < j->nhosts; i++) {
    const host_t *h = &j->hosts[i];
    any_addr |= h->naddrs > 0;
    const char *why = NULL;
    int o = host_outcome(j, h, pol, &why);
    if (o > 0) {
      v.action = o == 1 ? "deliver" : "deliver-unauthenticated";
      v.mx = h->name;
      if (o == 2 && why && !v.result_type) v.result_type = why;   /* e.g. tlsa-invalid */
      return v;
    }
    if (o == 0 && !v.result_type) v.result_type = why;
  }
  /* Nothing took the message: a sender queues and retries, unless there is no host. */
  v.action = (!any_addr && !v.result_type) ? "no-route" : "defer";
  return v;
}

static void write_verdict(jw_t *w, const char *key, verdict_t v, const char *extra_type) {
  jw_obj_begin(w, key);
  jw_str(w, "action", v.action);
  if (v.mx) jw_str(w, "mx", v.mx);
  const char *rt = v.result_type ? v.result_type : extra_type;
  if (rt) jw_str(w, "result_type", rt);
  jw_obj_end(w);
}

static void write_sender(jw_t *w, const job_t *j) {
  jw_obj_begin(w, "sender");
  write_verdict(w, "dane", sender_verdict(j, POL_DANE), NULL);
  /* A policy that could not be fetched or parsed is reported, and a sender without a
   * cached policy goes on as if there were none (RFC 8461 §3.3, §5). */
  verdict_t sts = sender_verdict(j, POL_STS);
  write_verdict(w, "mta_sts", sts, j->sts_result_type);
  jw_obj_end(w);
}

static void write_record(scan_t *s, job_t *j) {
  jw_t *w = &s->jw;
  jw_reset(w);
  jw_obj_begin(w, NULL);
  if (j->line) jw_strn(w, "domain", j->line, j->line_len);   /* NUL bytes too: \u0000 */
  else jw_str(w, "domain", j->domain);
  if (j->input) jw_strn(w, "input", j->input, j->input_len);
  jw_str(w, "status", j->status);
  if (j->have_dnssec) jw_str(w, "dnssec", dnssec_state_name(j->dnssec));
  if (j->have_dnssec && j->dnssec == DNSSEC_BOGUS && j->dnssec_reason)
    jw_str(w, "dnssec_reason", j->dnssec_reason);
  if (j->cname) jw_str(w, "cname", j->cname);
  if (j->null_mx) jw_bool(w, "null_mx", true);
  jw_str(w, "scanned_at", j->scanned_at);
  if (j->err_stage) {
    jw_obj_begin(w, "error");
    jw_str(w, "stage", j->err_stage);
    jw_str(w, "reason", j->err_reason);
    jw_obj_end(w);
  }

  if (j->tlsrpt_status) {
    jw_obj_begin(w, "tls_rpt");
    jw_str(w, "status", j->tlsrpt_status);
    jw_str(w, "dnssec", dnssec_state_name(j->tlsrpt_dnssec));
    if (j->tlsrpt_reason) jw_str(w, "reason", j->tlsrpt_reason);
    if (j->tlsrpt) {
      jw_arr_begin(w, "rua");
      for (size_t i = 0; i < j->tlsrpt->nrua; i++) jw_str(w, NULL, j->tlsrpt->rua[i]);
      jw_arr_end(w);
      if (j->tlsrpt->rua_truncated) jw_bool(w, "rua_truncated", true);
    }
    jw_obj_end(w);
  }

  if (j->sts_status) write_mta_sts(w, j);

  size_t answered = 0, tls_ok = 0, naddr = 0, dane_valid = 0;
  bool dane_secure = false;
  const char *best = NULL, *worst = NULL;
  jw_arr_begin(w, "mx");
  for (size_t i = 0; i < j->nhosts; i++) {
    host_t *h = &j->hosts[i];
    jw_obj_begin(w, NULL);
    jw_str(w, "host", h->name);
    jw_int(w, "preference", h->pref);
    jw_bool(w, "implicit", h->implicit);
    if (h->cname) jw_str(w, "cname", h->cname);
    if (h->a.done || h->aaaa.done)
      jw_str(w, "dnssec", dnssec_state_name(dnssec_worst(h->a.dnssec, h->aaaa.dnssec)));
    if (h->tlsa_looked_up) {
      jw_obj_begin(w, "tlsa");
      jw_str(w, "name", h->tlsa_name);
      jw_str(w, "dnssec", dnssec_state_name(h->tlsa_dnssec));
      jw_str(w, "result", dns_outcome_name(h->tlsa_outcome));
      if (h->tlsa_reason) jw_str(w, "reason", h->tlsa_reason);
      jw_arr_begin(w, "records");
      for (size_t k = 0; k < h->ntlsa && k < TLSA_LISTED; k++) {
        const tlsa_rec_t *t = &h->tlsa[k];
        const char *why = tlsa_unusable_reason(t);
        jw_obj_begin(w, NULL);
        jw_int(w, "usage", t->usage);
        jw_int(w, "selector", t->selector);
        jw_int(w, "mtype", t->mtype);
        jw_hex(w, "data", t->data, t->len);
        jw_bool(w, "usable", why == NULL);
        if (why) jw_str(w, "unusable_reason", why);
        jw_obj_end(w);
      }
      jw_arr_end(w);
      if (h->ntlsa > TLSA_LISTED) {    /* the record stays bounded; the verdict saw all */
        jw_bool(w, "records_truncated", true);
        jw_int(w, "records_total", (long long)h->ntlsa);
      }
      jw_obj_end(w);
    }
    jw_arr_begin(w, "addresses");
    for (size_t k = 0; k < h->naddrs; k++) {
      addr_t *a = &h->addrs[k];
      char ip[INET6_ADDRSTRLEN];
      inet_ntop(a->family, a->ip, ip, sizeof ip);
      jw_obj_begin(w, NULL);
      jw_str(w, "ip", ip);
      jw_int(w, "family", a->family == AF_INET ? 4 : 6);
      jw_str(w, "dnssec", dnssec_state_name(a->dnssec));
      if (a->ptr) jw_str(w, "ptr", a->ptr);
      if (a->ptr_error) jw_str(w, "ptr_error", a->ptr_error);
      write_smtp_result(w, "smtp", &a->smtp);
      const char *reason;
      const char *ds = dane_status(h, a, &reason);
      jw_obj_begin(w, "dane");
      jw_str(w, "status", ds);
      if (strcmp(ds, "valid") == 0 && a->smtp.tls.dane_matched_set) {
        const tlsa_rec_t *m = &a->smtp.tls.dane_matched;
        jw_obj_begin(w, "matched");
        jw_int(w, "usage", m->usage);
        jw_int(w, "selector", m->selector);
        jw_int(w, "mtype", m->mtype);
        jw_hex(w, "data", m->data, m->len);
        jw_obj_end(w);
        jw_int(w, "depth", a->smtp.tls.dane_depth);
      }
      if (reason) jw_str(w, "reason", reason);
      jw_obj_end(w);
      jw_obj_end(w);

      naddr++;
      if (a->smtp.banner) answered++;
      if (a->smtp.have_tls) {
        tls_ok++;
        const char *v = a->smtp.tls.version;
        if (!best || version_rank(v) > version_rank(best)) best = v;
        if (!worst || version_rank(v) < version_rank(worst)) worst = v;
      }
      if (strcmp(ds, "valid") == 0) dane_valid++;
      if (strcmp(ds, "valid") == 0 || strcmp(ds, "mismatch") == 0 || strcmp(ds, "unusable") == 0 ||
          strcmp(ds, "no-starttls") == 0 || strcmp(ds, "tlsa-bogus") == 0)
        dane_secure = true;
    }
    jw_arr_end(w);
    if (h->addrs_truncated) jw_bool(w, "addresses_truncated", true);
    if (h->invalid || h->naddrs == 0) {
      char bad[128];
      if (h->bad_name) snprintf(bad, sizeof bad, "MX target not usable as a host name: %s", h->invalid);
      const char *why = h->bad_name ? bad : h->invalid ? h->invalid
                      : h->a.reason ? h->a.reason
                      : h->aaaa.reason ? h->aaaa.reason
                      : (h->a.outcome == DNS_NXDOMAIN) ? "NXDOMAIN" : "no A or AAAA records";
      jw_obj_begin(w, "error");
      jw_str(w, "stage", "dns");
      jw_str(w, "reason", why);
      jw_obj_end(w);
    }
    jw_obj_end(w);
  }
  jw_arr_end(w);
  if (j->mx_truncated) jw_bool(w, "mx_truncated", true);
  if (strcmp(j->status, "invalid") != 0 && strcmp(j->status, "excluded") != 0) write_sender(w, j);

  if (strcmp(j->status, "ok") == 0) {
    jw_obj_begin(w, "summary");
    jw_str(w, "starttls", answered == 0 ? "unreachable" : tls_ok == answered ? "all"
                          : tls_ok == 0 ? "none" : "some");
    jw_str(w, "dane", (naddr > 0 && dane_valid == naddr) ? "valid"
                      : dane_valid > 0 ? "partial" : dane_secure ? "invalid" : "none");
    if (best) jw_str(w, "tls_best", best);
    if (worst) jw_str(w, "tls_worst", worst);
    jw_int(w, "mx_hosts", (long long)j->nhosts);
    jw_int(w, "addresses", (long long)naddr);
    jw_obj_end(w);
  }
  jw_obj_end(w);
  if (w->oom) {
    fprintf(stderr, "mxsurvey: out of memory writing the record of %s\n", j->domain);
    s->failed = true;
    return;
  }
  if (sink_write(s->sink, w->buf, w->len) != 0) {
    fprintf(stderr, "mxsurvey: %s\n", sink_error(s->sink));
    s->failed = true;
    return;
  }
  s->records++;
}

static void job_free(job_t *j) {
  for (size_t i = 0; i < j->nhosts; i++) {
    host_t *h = &j->hosts[i];
    free(h->name);
    free(h->cname);
    free(h->a.reason);
    free(h->aaaa.reason);
    free(h->tlsa_reason);
    for (size_t k = 0; k < h->ntlsa; k++) free((void *)h->tlsa[k].data);
    free(h->tlsa);
    for (size_t k = 0; k < h->naddrs; k++) {
      smtp_result_free(&h->addrs[k].smtp);
      free(h->addrs[k].ptr);
    }
  }
  free(j->hosts);
  free(j->line);
  free(j->input);
  free(j->dnssec_reason);
  free(j->cname);
  free(j->err_reason);
  free(j->tlsrpt_reason);
  free(j->tlsrpt);
  free(j->sts_reason);
  free(j->sts_policy);
  free(j);
}

static void job_unlink(job_t *j) {
  scan_t *s = j->scan;
  if (j->prev) j->prev->next = j->next;
  else s->jobs = j->next;
  if (j->next) j->next->prev = j->prev;
  s->active--;
}

static void job_unref(job_t *j) {
  if (--j->pending > 0) return;
  scan_t *s = j->scan;
  if (!s->failed) write_record(s, j);
  if (strcmp(j->status, "dns-error") == 0) progress_fail(s->prog, "dns");
  job_unlink(j);
  job_free(j);
  pull_input(s);
}

/* ---------- SMTP ---------- */

static void on_ptr(void *arg, const char *name, const char *error) {
  addr_t *a = arg;
  if (name) a->ptr = strdup(name);
  a->ptr_error = error;       /* static strings */
  job_unref(a->host->job);
}

static bool tlsa_usable_any(const host_t *h) {
  for (size_t i = 0; i < h->ntlsa; i++)
    if (!tlsa_unusable_reason(&h->tlsa[i])) return true;
  return false;
}

/* DANE input for one address of h (RFC 7672): NULL when DANE does not apply, i.e. unless
 * the TLSA RRset and the address records are secure and a record is usable. Names accepted
 * for DANE-TA (§3.2.2): MX host as published, the next-hop domain and its CNAME expansion;
 * the TLSA base domain is the primary reference name. */
static const tls_dane_in_t *host_dane_in(const host_t *h, const addr_t *a, const char *names[3],
                                         tls_dane_in_t *din) {
  const job_t *j = h->job;
  if (!(h->tlsa_outcome == DNS_DATA && h->tlsa_dnssec == DNSSEC_SECURE && tlsa_usable_any(h) &&
        a->dnssec == DNSSEC_SECURE))
    return NULL;
  size_t nn = 0;
  names[nn++] = h->name;
  names[nn++] = j->domain;
  if (j->cname) names[nn++] = j->cname;
  *din = (tls_dane_in_t){h->tlsa_base, names, nn, h->tlsa, h->ntlsa};
  return din;
}

/* The observation may have been made for another domain: the verdicts are this MX's. */
static void judge_probe(addr_t *a) {
  host_t *h = a->host;
  if (!a->smtp.have_tls) return;
  const char *names[3];
  tls_dane_in_t din;
  tls_result_judge(h->job->scan->tls, &a->smtp.tls, h->name, host_dane_in(h, a, names, &din));
}

static void on_probe_done(void *arg, smtp_result_t *res) {
  addr_t *a = arg;
  if (res->err_stage) progress_fail(a->host->job->scan->prog, res->err_stage);
  a->smtp = *res;               /* the result moves into the record */
  smtp_result_init(res);
  judge_probe(a);
  job_unref(a->host->job);
}

/* Why mxsurvey must not connect to this address (an opt-out, then a special-purpose range
 * not opened with --allow), or NULL. Every connection, SMTP or HTTPS, asks here first. */
static const char *connect_denied(const scan_t *s, int family, const uint8_t *ip) {
  const char *deny = exclude_addr(s->cfg->exclude, family, ip);
  if (!deny && s->cfg->policy) deny = addrpolicy_check(s->cfg->policy, family, ip);
  return deny;
}

static void start_probes(host_t *h) {
  job_t *j = h->job;
  scan_t *s = j->scan;
  for (size_t k = 0; k < h->naddrs; k++) {
    addr_t *a = &h->addrs[k];
    j->pending++;
    if (rdns_lookup(s->rdns, a->family, a->ip, on_ptr, a) != 0) {
      j->pending--;
      a->ptr_error = "could not start PTR lookup";
      scan_oom(s);
    }
    const char *deny = connect_denied(s, a->family, a->ip);
    if (deny) {
      a->smtp.connect = "not-attempted";
      smtp_result_set_error(&a->smtp, "connect", deny);
      continue;
    }
    /* SNI: the TLSA base domain where DANE applies, else the MX name. */
    const char *names[3];
    tls_dane_in_t din;
    const char *sni = host_dane_in(h, a, names, &din) ? h->tlsa_base : h->name;
    j->pending++;
    int rc = observe_request(s->obs, a->family, a->ip, sni, &a->smtp, on_probe_done, a);
    if (rc == OBSERVE_WAIT) continue;
    j->pending--;
    if (rc == OBSERVE_HIT) {
      if (a->smtp.err_stage) progress_fail(s->prog, a->smtp.err_stage);
      judge_probe(a);
    } else {
      a->smtp.connect = "not-attempted";
      smtp_result_set_error(&a->smtp, "connect", "could not start probe (out of memory)");
      scan_oom(s);
    }
  }
}

/* Starts a lookup that the job waits for: counted in 'pending' only if it started.
 * Returns 0 when started, -1 when not (the callback will then never run). */
static int job_query(job_t *j, const char *name, int type, dns_cb cb, void *arg) {
  if (dns_query(j->scan->dns, name, type, cb, arg) != 0) { scan_oom(j->scan); return -1; }
  j->pending++;
  return 0;
}

/* ---------- DNS: TLSA ---------- */

static void query_tlsa(host_t *h, const char *base);

/* Copies every record of the answer into h; false (and nothing kept) when memory ran out. */
static bool tlsa_keep(host_t *h, const dns_answer_t *ans) {
  h->tlsa = calloc(ans->count, sizeof *h->tlsa);
  if (!h->tlsa) return false;
  for (size_t i = 0; i < ans->count; i++) {
    if (ans->len[i] < 3) continue;   /* cannot even hold usage/selector/mtype */
    size_t len = (size_t)ans->len[i] - 3;
    uint8_t *data = malloc(len ? len : 1);
    if (!data) {
      for (size_t k = 0; k < h->ntlsa; k++) free((void *)h->tlsa[k].data);
      free(h->tlsa);
      h->tlsa = NULL;
      h->ntlsa = 0;
      return false;
    }
    memcpy(data, ans->data[i] + 3, len);
    h->tlsa[h->ntlsa++] = (tlsa_rec_t){ans->data[i][0], ans->data[i][1], ans->data[i][2], data, len};
  }
  return true;
}

static void on_tlsa(void *arg, const dns_answer_t *ans) {
  host_t *h = arg;
  h->tlsa_looked_up = true;
  /* RFC 7672 §2.2.3: a secure "no TLSA" at the expanded name falls back to the original. */
  if (!h->tlsa_fallback_done && h->cname && strcmp(h->tlsa_base, h->cname) == 0 &&
      ans->dnssec == DNSSEC_SECURE && (ans->outcome == DNS_NODATA || ans->outcome == DNS_NXDOMAIN)) {
    h->tlsa_fallback_done = true;
    query_tlsa(h, h->name);
    job_unref(h->job);
    return;
  }
  h->tlsa_outcome = ans->outcome;
  h->tlsa_dnssec = ans->dnssec;
  free(h->tlsa_reason);
  h->tlsa_reason = xstrdup(ans->reason);
  if (ans->count > 0 && !tlsa_keep(h, ans)) {
    /* A partial set could hide the matching record: no verdict from it. */
    h->tlsa_outcome = DNS_ERROR;
    free(h->tlsa_reason);
    h->tlsa_reason = xstrdup("out of memory");
    scan_oom(h->job->scan);
  }
  start_probes(h);
  job_unref(h->job);
}

static void query_tlsa(host_t *h, const char *base) {
  snprintf(h->tlsa_base, sizeof h->tlsa_base, "%s", base);
  snprintf(h->tlsa_name, sizeof h->tlsa_name, "_%d._tcp.%s", 25, base);
  if (strlen(h->tlsa_name) > DNS_QNAME_MAX) {
    /* A base of more than 244 characters (legal for a host name) leaves no room for the
     * prefix: no DNS name, so no lookup. Not "no TLSA": the outcome is unknown, as a
     * DANE sender's resolver would fail the same way (RFC 7672 §2.2). */
    h->tlsa_looked_up = true;
    h->tlsa_outcome = DNS_ERROR;
    h->tlsa_dnssec = DNSSEC_INDETERMINATE;
    free(h->tlsa_reason);
    h->tlsa_reason = strdup("TLSA name longer than 253 octets: not queried");
    start_probes(h);
    return;
  }
  if (job_query(h->job, h->tlsa_name, RR_TLSA, on_tlsa, h) != 0) {
    h->tlsa_looked_up = true;
    h->tlsa_outcome = DNS_ERROR;
    h->tlsa_dnssec = DNSSEC_INDETERMINATE;
    h->tlsa_reason = strdup("could not start query");
    start_probes(h);
  }
}

/* ---------- DNS: addresses ---------- */

static void host_addresses_done(host_t *h) {
  job_t *j = h->job;
  if (h->implicit) {
    /* RFC 5321 §5.1: the implicit MX exists only if the domain has an address. */
    j->dnssec = dnssec_worst(j->dnssec, dnssec_worst(h->a.dnssec, h->aaaa.dnssec));
    if (h->naddrs == 0) {
      bool err = h->a.outcome == DNS_ERROR || h->aaaa.outcome == DNS_ERROR;
      if (err) set_error(j, "dns-error", "dns", h->a.reason ? h->a.reason : h->aaaa.reason);
      else set_error(j, "no-mail", "dns", "no MX and no address records");
      j->nhosts = 0;
      free(h->name);
      free(h->cname);
      free(h->a.reason);
      free(h->aaaa.reason);
      memset(h, 0, sizeof *h);
      return;
    }
  }
  if (h->naddrs == 0) return;   /* recorded as a DNS error on this host */
  /* RFC 7672 §2.2.3: a securely expanded alias is tried as TLSA base first; one that is
   * no host name (bytes written \DDD) is not, as no SMTP server can be named by it. */
  bool secure = h->a.dnssec == DNSSEC_SECURE && h->aaaa.dnssec == DNSSEC_SECURE;
  query_tlsa(h, (h->cname && secure && domain_is_hostname(h->cname)) ? h->cname : h->name);
}

static void on_addr(host_t *h, lookup_t *lk, int family, const dns_answer_t *ans) {
  lk->done = true;
  lk->outcome = ans->outcome;
  lk->dnssec = ans->dnssec;
  if (ans->outcome == DNS_ERROR) {
    char buf[300];
    snprintf(buf, sizeof buf, "%s%s", ans->dnssec == DNSSEC_BOGUS ? "bogus: " : "",
             ans->reason ? ans->reason : "lookup failed");
    lk->reason = strdup(buf);
  }
  if (ans->canonname && !h->cname) h->cname = strdup(ans->canonname);
  size_t want = family == AF_INET ? 4 : 16, added = 0;
  for (size_t i = 0; i < ans->count; i++) {
    if ((size_t)ans->len[i] != want) continue;
    if (added == MAX_ADDRS) { h->addrs_truncated = true; break; }
    addr_t *a = &h->addrs[h->naddrs++];
    a->host = h;
    a->family = family;
    memcpy(a->ip, ans->data[i], want);
    a->dnssec = ans->dnssec;
    smtp_result_init(&a->smtp);
    added++;
  }
  job_t *j = h->job;             /* host_addresses_done may wipe an implicit host */
  if (h->a.done && h->aaaa.done) host_addresses_done(h);
  job_unref(j);
}

static void on_a(void *arg, const dns_answer_t *ans) { host_t *h = arg; on_addr(h, &h->a, AF_INET, ans); }
static void on_aaaa(void *arg, const dns_answer_t *ans) { host_t *h = arg; on_addr(h, &h->aaaa, AF_INET6, ans); }

static void lookup_failed(lookup_t *lk) {
  lk->done = true;
  lk->outcome = DNS_ERROR;
  lk->dnssec = DNSSEC_INDETERMINATE;
  lk->reason = strdup("could not start query");
}

static void resolve_host(host_t *h) {
  job_t *j = h->job;
  /* Callbacks never run inside dns_query, so neither lookup can finish the job early. */
  if (job_query(j, h->name, RR_A, on_a, h) != 0) lookup_failed(&h->a);
  if (job_query(j, h->name, RR_AAAA, on_aaaa, h) != 0) lookup_failed(&h->aaaa);
  if (h->a.done && h->aaaa.done) host_addresses_done(h);
}

/* ---------- DNS: MX ---------- */

/* ---------- DNS: TLS-RPT ---------- */

#define TXT_MAX_LEN 4096         /* bytes of one joined TXT record */
static const char TXT_OOM[] = "out of memory";   /* txt_select's reason: our failure */
#define TXT_ANSWER_MAX 65535     /* RDATA bytes of one TXT RRset: one DNS message's worth */

typedef int (*txt_select_fn)(const char *const *, const size_t *, size_t, void *, const char **);
static int txt_select(const dns_answer_t *ans, const char *tag, txt_select_fn fn, void *out,
                      const char **why);
static int rpt_select(const char *const *t, const size_t *l, size_t n, void *out, const char **why) {
  return tlsrpt_txt_select(t, l, n, out, why);
}

static void on_tlsrpt(void *arg, const dns_answer_t *ans) {
  job_t *j = arg;
  j->tlsrpt_dnssec = ans->dnssec;
  if (ans->outcome == DNS_ERROR) {
    j->tlsrpt_status = "dns-error";
    j->tlsrpt_reason = xstrdup(ans->reason);
  } else if (ans->outcome != DNS_DATA) {
    j->tlsrpt_status = "none";
  } else {
    tlsrpt_t *rpt = calloc(1, sizeof *rpt);
    const char *why = NULL;
    int rc = rpt ? txt_select(ans, "v=TLSRPTv1", rpt_select, rpt, &why) : -1;
    if (!rpt) why = TXT_OOM;
    if (why == TXT_OOM) scan_oom(j->scan);
    j->tlsrpt_status = rc > 0 ? "valid" : rc == 0 ? "none" : "invalid";
    if (rc < 0) j->tlsrpt_reason = xstrdup(why);
    if (rc > 0) j->tlsrpt = rpt;
    else free(rpt);
  }
  job_unref(j);
}

static void query_tlsrpt(job_t *j) {
  char name[DOMAIN_MAX + 16];
  snprintf(name, sizeof name, "_smtp._tls.%s", j->domain);
  if (strlen(name) > DNS_QNAME_MAX) {
    /* A domain of more than 242 characters: no record can exist at a name that long. */
    j->tlsrpt_status = "none";
    j->tlsrpt_dnssec = DNSSEC_INDETERMINATE;
    j->tlsrpt_reason = strdup("_smtp._tls.<domain> would be longer than 253 octets");
    return;
  }
  if (job_query(j, name, RR_TXT, on_tlsrpt, j) != 0) {
    j->tlsrpt_status = "dns-error";
    j->tlsrpt_dnssec = DNSSEC_INDETERMINATE;
    j->tlsrpt_reason = strdup("could not start query");
  }
}

/* ---------- MTA-STS ---------- */

#define STS_BODY_MAX 65536

static void sts_fail(job_t *j, const char *status, const char *result_type, const char *reason) {
  j->sts_status = status;
  j->sts_result_type = result_type;
  free(j->sts_reason);
  j->sts_reason = xstrdup(reason);
}

static void on_sts_policy(void *arg, const fetch_result_t *r) {
  job_t *j = arg;
  char why[600];
  /* Whenever the server sent a status line, whatever went wrong after it (a body cut or
   * too large, a header too large). */
  if (r->http_status) j->sts_http_status = r->http_status;
  if (!r->ok && r->too_large) {
    sts_fail(j, "fetch-error", "sts-policy-fetch-error", "policy larger than 64 KiB");
  } else if (!r->ok) {
    snprintf(why, sizeof why, "https://%s: %s", j->sts_host, r->error);
    sts_fail(j, "fetch-error", r->webpki_failed ? "sts-webpki-invalid" : "sts-policy-fetch-error", why);
  } else if (r->http_status != 200) {
    /* RFC 8461 §3.3: only 200 counts, and redirects are not followed. */
    snprintf(why, sizeof why, "HTTP status %ld", r->http_status);
    sts_fail(j, "fetch-error", "sts-policy-fetch-error", why);
  } else {
    size_t tl = strcspn(r->content_type, "; \t");
    if (tl != 10 || strncasecmp(r->content_type, "text/plain", 10) != 0) {
      snprintf(why, sizeof why, "Content-Type '%s' is not text/plain", r->content_type);
      sts_fail(j, "fetch-error", "sts-policy-fetch-error", why);
    } else {
      mtasts_policy_t *p = calloc(1, sizeof *p);
      const char *reason = NULL;
      if (!p) {
        sts_fail(j, "fetch-error", "sts-policy-fetch-error", "out of memory");
        scan_oom(j->scan);
      }
      else if (mtasts_policy_parse(r->body, r->body_len, p, &reason) != 1) {
        sts_fail(j, "policy-invalid", "sts-policy-invalid", reason);
        free(p);
      } else {
        j->sts_status = "valid";
        j->sts_policy = p;
      }
    }
  }
  job_unref(j);
}

static void on_sts_addr(void *arg, const dns_answer_t *ans) {
  job_t *j = arg;
  scan_t *s = j->scan;
  size_t want = ans->qtype == RR_A ? 4 : 16;
  if (ans->outcome == DNS_NODATA && ans->qtype == RR_A) {
    /* No IPv4 address: the policy host may be IPv6-only. */
    if (job_query(j, j->sts_host, RR_AAAA, on_sts_addr, j) != 0) {
      sts_fail(j, "fetch-error", "sts-policy-fetch-error", "could not start query");
    }
    job_unref(j);
    return;
  }
  const uint8_t *ip = NULL;
  for (size_t i = 0; i < ans->count && !ip; i++)
    if ((size_t)ans->len[i] == want) ip = ans->data[i];
  char why[400];
  if (!ip) {
    snprintf(why, sizeof why, "cannot resolve %s: %s", j->sts_host,
             ans->reason ? ans->reason : ans->outcome == DNS_NXDOMAIN ? "NXDOMAIN" : "no address");
    sts_fail(j, "fetch-error", "sts-policy-fetch-error", why);
  } else {
    int fam = want == 4 ? AF_INET : AF_INET6;
    const char *deny = connect_denied(s, fam, ip);
    char text[INET6_ADDRSTRLEN];
    inet_ntop(fam, ip, text, sizeof text);
    if (deny) {
      snprintf(why, sizeof why, "%s at %s: %s", j->sts_host, text, deny);
      sts_fail(j, "fetch-error", "sts-policy-fetch-error", why);
    } else {
      j->pending++;
      if (fetch_start(s->fetch, j->sts_host, s->cfg->https_port, "/.well-known/mta-sts.txt", text,
                      STS_BODY_MAX, s->cfg->smtp.t_tls, on_sts_policy, j) != 0) {
        j->pending--;
        sts_fail(j, "fetch-error", "sts-policy-fetch-error", "could not start HTTPS request");
        scan_oom(s);
      }
    }
  }
  job_unref(j);
}

/* Joins every TXT record of an answer and hands them to select(): a valid record may
 * follow any number of others (SPF, site verifications), so none is left out. The
 * memory is bounded by the answer, which one DNS message bounds (TXT_ANSWER_MAX): a
 * record's joined text is shorter than its RDATA. A record longer than TXT_MAX_LEN
 * joined that starts with tag is one of the records asked for that we refuse to read:
 * an explicit error, not "none". */
static int txt_select(const dns_answer_t *ans, const char *tag, txt_select_fn fn, void *out,
                      const char **why) {
  size_t n = ans->count, total = 0, taglen = strlen(tag);
  for (size_t i = 0; i < n; i++) total += (size_t)ans->len[i] + 1;
  if (total > TXT_ANSWER_MAX + n) {   /* cannot come from one message: refuse, never "none" */
    *why = "TXT answer larger than 64 KiB";
    return -1;
  }
  char *buf = malloc(total + 1);
  const char **txts = calloc(n ? n : 1, sizeof *txts);
  size_t *lens = calloc(n ? n : 1, sizeof *lens), k = 0, off = 0;
  bool too_long = false;
  if (!buf || !txts || !lens) {
    free(buf);
    free(txts);
    free(lens);
    *why = TXT_OOM;
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    size_t len = (size_t)ans->len[i];
    long l = dns_txt_join(ans->data[i], len, buf + off, len + 1);
    if (l < 0) continue;               /* malformed: cannot be a record we would use */
    if ((size_t)l > TXT_MAX_LEN) {
      if ((size_t)l >= taglen && memcmp(buf + off, tag, taglen) == 0) too_long = true;
      continue;
    }
    txts[k] = buf + off;
    lens[k++] = (size_t)l;
    off += (size_t)l + 1;
  }
  int rc = fn(txts, lens, k, out, why);
  free(buf);
  free(txts);
  free(lens);
  if (too_long && rc >= 0) {
    *why = "TXT record longer than 4096 bytes";
    return -1;
  }
  return rc;
}

static int sts_select(const char *const *t, const size_t *l, size_t n, void *out, const char **why) {
  return mtasts_txt_select(t, l, n, out, why);
}

static void on_sts_txt(void *arg, const dns_answer_t *ans) {
  job_t *j = arg;
  if (ans->outcome == DNS_ERROR) {
    sts_fail(j, "dns-error", NULL, ans->reason);
  } else if (ans->outcome != DNS_DATA) {
    j->sts_status = "none";
  } else {
    mtasts_txt_t txt;
    const char *why = NULL;
    int rc = txt_select(ans, "v=STSv1", sts_select, &txt, &why);
    if (rc == 0) j->sts_status = "none";
    else if (rc < 0) {
      sts_fail(j, "txt-invalid", NULL, why);
      if (why == TXT_OOM) scan_oom(j->scan);
    } else {
      snprintf(j->sts_id, sizeof j->sts_id, "%s", txt.id);
      snprintf(j->sts_host, sizeof j->sts_host, "mta-sts.%s", j->domain);
      j->sts_status = "fetch-error";   /* until the policy arrives */
      if (job_query(j, j->sts_host, RR_A, on_sts_addr, j) != 0) {
        sts_fail(j, "fetch-error", "sts-policy-fetch-error", "could not start query");
      }
    }
  }
  job_unref(j);
}

static void query_mta_sts(job_t *j) {
  char name[DOMAIN_MAX + 16];
  snprintf(name, sizeof name, "_mta-sts.%s", j->domain);
  if (strlen(name) > DNS_QNAME_MAX) {
    /* More than 244 characters: as for TLS-RPT, no record can exist there. */
    j->sts_status = "none";
    j->sts_reason = strdup("_mta-sts.<domain> would be longer than 253 octets");
    return;
  }
  if (job_query(j, name, RR_TXT, on_sts_txt, j) != 0) {
    sts_fail(j, "dns-error", NULL, "could not start query");
  }
}

static int host_cmp(const void *x, const void *y) {
  const host_t *a = x, *b = y;
  if (a->pref != b->pref) return a->pref < b->pref ? -1 : 1;
  return strcmp(a->name, b->name);
}

/* MX RDATA (preference, then target) in the order hosts are taken: with more than MAX_MX
 * records the most preferred ones are scanned (RFC 5321 §5.1), whatever order the answer
 * came in; equal preferences by wire bytes, so the kept set never depends on that order. */
typedef struct mx_rr { const uint8_t *d; int len; } mx_rr_t;

static int mx_rr_cmp(const void *x, const void *y) {
  const mx_rr_t *a = x, *b = y;
  int pa = a->len >= 2 ? (a->d[0] << 8) | a->d[1] : 65536;
  int pb = b->len >= 2 ? (b->d[0] << 8) | b->d[1] : 65536;
  if (pa != pb) return pa < pb ? -1 : 1;
  int n = a->len < b->len ? a->len : b->len;
  int c = memcmp(a->d, b->d, (size_t)(n > 0 ? n : 0));
  return c ? c : (a->len > b->len) - (a->len < b->len);
}

static void on_mx(void *arg, const dns_answer_t *ans) {
  job_t *j = arg;
  j->have_dnssec = true;
  j->dnssec = ans->dnssec;
  if (ans->canonname) j->cname = strdup(ans->canonname);
  if (ans->outcome == DNS_ERROR) {
    if (ans->dnssec == DNSSEC_BOGUS) j->dnssec_reason = xstrdup(ans->reason);
    char buf[300];
    snprintf(buf, sizeof buf, "MX lookup %s: %s", ans->dnssec == DNSSEC_BOGUS ? "bogus" : "failed",
             ans->reason ? ans->reason : "error");
    set_error(j, "dns-error", "dns", buf);
  } else if (ans->outcome == DNS_NXDOMAIN) {
    j->status = "nxdomain";
  } else if (ans->outcome == DNS_NODATA) {
    query_tlsrpt(j);
    query_mta_sts(j);
    j->hosts = calloc(1, sizeof(host_t));
    if (!j->hosts) {
      set_error(j, "dns-error", "dns", "out of memory");
      scan_oom(j->scan);
      job_unref(j);
      return;
    }
    j->nhosts = 1;
    host_t *h = &j->hosts[0];
    h->job = j;
    h->implicit = true;
    if (!(h->name = strdup(j->domain))) {
      set_error(j, "dns-error", "dns", "out of memory");
      scan_oom(j->scan);
      job_unref(j);
      return;
    }
    resolve_host(h);
  } else {
    /* Distinct hosts are at most the records (and MAX_MX): a host_t is large (its
     * addresses' SMTP results, its TLSA records), and most domains publish one or two. */
    size_t cap = ans->count < MAX_MX ? ans->count : MAX_MX;
    j->hosts = calloc(cap ? cap : 1, sizeof(host_t));
    mx_rr_t *rrs = calloc(ans->count ? ans->count : 1, sizeof *rrs);
    if (!j->hosts || !rrs) {
      free(rrs);
      set_error(j, "dns-error", "dns", "out of memory");
      scan_oom(j->scan);
      job_unref(j);
      return;
    }
    for (size_t i = 0; i < ans->count; i++) rrs[i] = (mx_rr_t){ans->data[i], ans->len[i]};
    qsort(rrs, ans->count, sizeof *rrs, mx_rr_cmp);
    /* Every record is looked at: the same host under several preferences is one host (the
     * most preferred, met first), and only a distinct host beyond MAX_MX truncates. A
     * target that is no host name is listed with the reason, never dropped. */
    char name[DNS_NAME_TEXT_MAX];
    size_t nh = 0;
    for (size_t i = 0; i < ans->count; i++) {
      const char *problem = NULL;
      int pref = rrs[i].len >= 2 ? (rrs[i].d[0] << 8) | rrs[i].d[1] : 0;
      if (rrs[i].len < 3 ||
          dns_name_from_wire(rrs[i].d + 2, (size_t)rrs[i].len - 2, name, sizeof name) < 0) {
        name[0] = '\0';
        problem = "malformed name";
      } else if (strcmp(name, ".") == 0) {
        /* RFC 7505: a "." target is a null MX, whatever else is published beside it. */
        j->null_mx = true;
        continue;
      } else {
        problem = domain_hostname_problem(name);
      }
      bool dup = false;
      for (size_t k = 0; k < nh && !dup; k++) dup = strcmp(j->hosts[k].name, name) == 0;
      if (dup) continue;
      if (nh == MAX_MX) { j->mx_truncated = true; break; }
      host_t *h = &j->hosts[nh];
      if (!(h->name = strdup(name))) {
        j->nhosts = nh;              /* job_free frees the names made so far */
        free(rrs);
        set_error(j, "dns-error", "dns", "out of memory");
        scan_oom(j->scan);
        job_unref(j);
        return;
      }
      h->job = j;
      h->pref = pref;
      const char *excl;
      if (problem) {
        h->invalid = (char *)problem;
        h->bad_name = true;
      } else if ((excl = exclude_domain(j->scan->cfg->exclude, name))) {
        h->invalid = (char *)excl;
      }
      nh++;
    }
    free(rrs);
    if (j->null_mx && nh == 0) {
      set_error(j, "no-mail", "dns", "null MX (RFC 7505)");
    } else {
      query_tlsrpt(j);
      query_mta_sts(j);
      j->nhosts = nh;
      qsort(j->hosts, nh, sizeof(host_t), host_cmp);
      for (size_t i = 0; i < nh; i++) j->hosts[i].job = j;
      for (size_t i = 0; i < nh; i++)
        if (!j->hosts[i].invalid) resolve_host(&j->hosts[i]);
    }
  }
  job_unref(j);
}

/* ---------- input ---------- */

#define NAME_SEEN 1u          /* the name occurred earlier in this run's input */
#define NAME_RECORDED 2u      /* the output being resumed already has its record */

/* Whether a line's domain is scanned now: not when an earlier line had the same name
 * (a duplicate, counted), nor when the output being resumed already records it. 'key' is
 * the record's "domain" as JSON text, the form the resume reader collects, so an invalid
 * line is recognised too. 1 scan it, 0 skip it, -1 out of memory. */
static int first_sighting(scan_t *s, const char *key, size_t len) {
  uint32_t v;
  if (nameset_get(s->names, key, len, &v)) {
    if (v & NAME_SEEN) { s->duplicates++; return 0; }
    nameset_set(s->names, key, len, v | NAME_SEEN);
    s->resumed++;
    return 0;
  }
  return nameset_add(s->names, key, len, NAME_SEEN) < 0 ? -1 : 1;
}

static void *memdup(const void *p, size_t n) {
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, p, n);
    d[n] = '\0';
  }
  return d;
}

static void start_job(scan_t *s, const char *line, size_t len) {
  char name[DOMAIN_MAX];
  const char *reason = NULL;
  enum domain_norm r = domain_normalize(line, len, name, &reason);
  if (r == DOMAIN_SKIP) return;
  /* The trimmed input, kept when it differs from what we scan. */
  size_t b = 0, e = len;
  while (b < e && (line[b] == ' ' || line[b] == '\t')) b++;
  while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r' || line[e - 1] == '\n')) e--;
  /* The record's domain: the name, or for an invalid line the trimmed line itself, every
   * byte of it (a NUL included: a C-string copy would make "a.pt<NUL>x" the name "a.pt"
   * and hide the real a.pt as its duplicate), up to INVALID_LINE_MAX bytes. */
  const char *text = name;
  size_t tl = strlen(name);
  if (r == DOMAIN_INVALID) {
    text = line + b;
    tl = e - b < INVALID_LINE_MAX ? e - b : INVALID_LINE_MAX;
  }
  char key[6 * INVALID_LINE_MAX + 1];
  size_t klen = json_escape(text, tl, key);
  int first = first_sighting(s, key, klen);
  if (first <= 0) {
    if (first < 0) scan_oom(s);
    return;
  }
  job_t *j = calloc(1, sizeof *j);
  if (!j) { scan_oom(s); return; }
  j->scan = s;
  j->status = "ok";
  j->pending = 1;
  j->next = s->jobs;
  if (s->jobs) s->jobs->prev = j;
  s->jobs = j;
  s->active++;
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(j->scanned_at, sizeof j->scanned_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (r == DOMAIN_INVALID) {
    snprintf(j->domain, sizeof j->domain, "%.*s", (int)(tl < DOMAIN_MAX - 1 ? tl : DOMAIN_MAX - 1), text);
    j->line = memdup(text, tl);
    j->line_len = tl;
    if (e - b > tl) {
      j->input = memdup(line + b, e - b);
      j->input_len = e - b;
    }
    if (!j->line || (e - b > tl && !j->input)) scan_oom(s);
    set_error(j, "invalid", "input", reason);
    job_unref(j);
    return;
  }
  memcpy(j->domain, name, sizeof name);
  if (e - b != strlen(name) || memcmp(line + b, name, e - b) != 0) {
    j->input = memdup(line + b, e - b);
    j->input_len = e - b;
  }
  const char *excl = exclude_domain(s->cfg->exclude, j->domain);
  if (excl) {
    /* An opt-out: not one DNS query, not one connection. */
    set_error(j, "excluded", "input", excl);
    s->excluded++;
    job_unref(j);
    return;
  }
  if (job_query(j, j->domain, RR_MX, on_mx, j) != 0) {
    j->have_dnssec = true;
    j->dnssec = DNSSEC_INDETERMINATE;
    set_error(j, "dns-error", "dns", "could not start MX query");
  }
  job_unref(j);
}

static void pool_noop(uv_work_t *w) { (void)w; }
static void pool_started(uv_work_t *w, int status) { (void)w; (void)status; }
static void thread_noop(void *arg) { (void)arg; }

/* libuv starts its thread pool at its first use (the first input read) and abort()s,
 * without a word, when a thread cannot be created (a memory limit: ulimit -v). So: check
 * that its threads can start (as many, with its 8 MiB stacks), then start the pool with a
 * no-op work item, both before the output is created or truncated. */
static int start_thread_pool(scan_t *s, char *err, size_t errlen) {
  const char *env = getenv("UV_THREADPOOL_SIZE");
  int n = env ? atoi(env) : 4;                  /* as libuv reads it */
  if (n < 1) n = 1;
  if (n > 1024) n = 1024;
  uv_thread_t t[1024];
  uv_thread_options_t opt = {UV_THREAD_HAS_STACK_SIZE, 8u << 20};
  int rc = 0, started = 0;
  while (started < n && (rc = uv_thread_create_ex(&t[started], &opt, thread_noop, NULL)) == 0) started++;
  for (int i = 0; i < started; i++) uv_thread_join(&t[i]);
  if (rc != 0) {
    snprintf(err, errlen, "cannot start libuv's thread pool (%d threads): %s (a memory limit such as ulimit -v?)",
             n, strerror(-rc));
    return -1;
  }
  if ((rc = uv_queue_work(s->loop, &s->pool_req, pool_noop, pool_started)) != 0) {
    snprintf(err, errlen, "cannot start libuv's thread pool: %s", uv_strerror(rc));
    return -1;
  }
  return 0;
}

/* Input is read in chunks by libuv's thread pool (uv_fs_read), so a slow pipe never
 * blocks the loop; lines are cut out of the buffer as the window has room. */
static void on_input(uv_fs_t *req) {
  scan_t *s = req->data;
  ssize_t n = req->result;
  uv_fs_req_cleanup(req);
  s->in_reading = false;
  if (n < 0) {
    fprintf(stderr, "mxsurvey: reading the input: %s\n", uv_strerror((int)n));
    s->failed = true;
  } else if (n == 0) {
    s->in_eof = true;
  } else {
    s->in_len += (size_t)n;
  }
  pull_input(s);
}

/* The next complete line, or NULL: then more input is needed (or the input is over). */
static const char *next_line(scan_t *s, size_t *len, bool *complete) {
  char *b = s->in_buf + s->in_pos;
  size_t avail = s->in_len - s->in_pos;
  char *nl = memchr(b, '\n', avail);
  if (!nl && s->in_pos == 0 && s->in_len == IN_BUF) {
    /* A line longer than the buffer is no domain name: keep its start (which is judged
     * invalid) and drop the rest up to the next newline. */
    s->in_pos = s->in_len;
    *len = avail;
    *complete = false;
    return b;
  }
  *complete = true;
  if (!nl && s->in_eof && avail > 0) {   /* last line without a newline */
    s->in_pos = s->in_len;
    *len = avail;
    return b;
  }
  if (!nl) return NULL;
  s->in_pos += (size_t)(nl - b) + 1;
  *len = (size_t)(nl - b) + 1;
  return b;
}

static void pull_input(scan_t *s) {
  /* A job that finishes synchronously (an invalid line) calls back here: the outer loop
   * goes on reading, so a long run of such lines cannot nest calls without bound. */
  if (s->pulling) return;
  s->pulling = true;
  while (!s->input_done && !s->failed && s->active < s->cfg->concurrency) {
    size_t len;
    bool complete;
    const char *line = next_line(s, &len, &complete);
    if (line) {
      if (s->in_discard) {             /* the rest of an over-long line */
        s->in_discard = !complete;
        continue;
      }
      s->in_discard = !complete;
      s->lines++;
      start_job(s, line, len);
      continue;
    }
    if (s->in_eof) { s->input_done = true; break; }
    if (s->in_reading) break;
    memmove(s->in_buf, s->in_buf + s->in_pos, s->in_len - s->in_pos);
    s->in_len -= s->in_pos;
    s->in_pos = 0;
    uv_buf_t b = uv_buf_init(s->in_buf + s->in_len, (unsigned)(IN_BUF - s->in_len));
    s->in_req.data = s;
    int rc = uv_fs_read(s->loop, &s->in_req, s->in_fd, &b, 1, -1, on_input);
    if (rc < 0) {
      fprintf(stderr, "mxsurvey: reading the input: %s\n", uv_strerror(rc));
      s->failed = true;
      break;
    }
    s->in_reading = true;
    break;
  }
  s->pulling = false;
  scan_may_end(s);
}

/* The scan is over once the input is done (or the scan failed) and no domain is in
 * flight. That is noticed inside completion callbacks (job_unref, from a DNS answer, a
 * probe, a policy fetch...), where closing the resolvers, the fetcher and the scheduler
 * would free the very object that is calling back: the end runs from the loop instead,
 * on the next iteration, when no callback of ours is on the stack. */
static void scan_may_end(scan_t *s) {
  if ((s->input_done || s->failed) && s->active == 0 && !s->closed && !s->ending) {
    s->ending = true;
    uv_idle_start(&s->end_idle, on_end_idle);
  }
}

static void on_end_idle(uv_idle_t *h) {
  scan_t *s = h->data;
  uv_idle_stop(h);
  s->ending = false;
  if (!((s->input_done || s->failed) && s->active == 0) || s->closed) return;
  s->closed = true;
  /* Everything is written: let the loop end. */
  uv_close((uv_handle_t *)&s->end_idle, NULL);
  uv_timer_stop(&s->flush_timer);
  uv_close((uv_handle_t *)&s->flush_timer, NULL);
  uv_close((uv_handle_t *)&s->grace_timer, NULL);
  uv_close((uv_handle_t *)&s->sigint, NULL);
  uv_close((uv_handle_t *)&s->sigterm, NULL);
  uv_close((uv_handle_t *)&s->sighup, NULL);
  dns_close(s->dns);
  rdns_close(s->rdns);
  fetcher_close(s->fetch);
  sched_close(s->sched);
  progress_close(s->prog);
  /* A read still blocked in the thread pool (a pipe with nothing to say after a signal)
   * must not keep the process alive. */
  if (s->in_reading) uv_stop(s->loop);
}

static void on_flush_timer(uv_timer_t *t) {
  scan_t *s = t->data;
  if (!s->failed && sink_flush(s->sink) != 0) {
    fprintf(stderr, "mxsurvey: %s\n", sink_error(s->sink));
    s->failed = true;
  }
}

/* The grace period is over: what is still in flight is given up (a resumed scan will
 * redo those domains); everything finished is already in the sink. */
static void on_grace_over(uv_timer_t *t) {
  scan_t *s = t->data;
  fprintf(stderr, "mxsurvey: grace period over, %zu domains in flight not recorded\n", s->active);
  uv_stop(s->loop);
}

/* The line mxsurvey always ends with (README: "The last line"), for exit status rc. */
static void final_line(const scan_t *s, int rc) {
  if (s->cfg->quiet && !rc) return;
  const observe_stats_t *os = observe_stats(s->obs);
  fprintf(stderr, "mxsurvey: %llu records written%s", s->records,
          rc == SCAN_EXIT_INTERRUPTED ? " (interrupted: run again with --resume for the remaining domains)"
          : rc ? " (scan failed: the output is incomplete)" : "");
  if (s->excluded) fprintf(stderr, "; %llu excluded", s->excluded);
  if (s->duplicates) fprintf(stderr, "; %llu duplicate input lines skipped", s->duplicates);
  if (s->resumed) fprintf(stderr, "; %llu domains already in the output skipped", s->resumed);
  fprintf(stderr, "; SMTP probes: %llu started, %llu saved by sharing, %llu by SNI inference\n",
          os->probes, os->shared, os->inferred);
}

static void on_signal(uv_signal_t *h, int signum) {
  scan_t *s = h->data;
  if (s->interrupted) {
    /* Second signal: stop now, but leave a file that reads to the last record, and say
     * how many records it holds, as every run does at its end. A flush that fails leaves
     * records unwritten: that is a failed scan. */
    fprintf(stderr, "mxsurvey: second signal, aborting\n");
    int rc = SCAN_EXIT_INTERRUPTED;
    if (s->failed || sink_flush(s->sink) != 0) {
      if (!s->failed) fprintf(stderr, "mxsurvey: %s\n", sink_error(s->sink));
      rc = 1;
    }
    final_line(s, rc);
    _exit(rc);
  }
  s->interrupted = signum;
  s->input_done = true;          /* no new domains */
  sched_flush_backoff(s->sched); /* a retry minutes away would not finish within the grace */
  fprintf(stderr, "mxsurvey: %s: finishing %zu domains in flight (at most %.0f s); signal again to abort\n",
          strsignal(signum), s->active, s->cfg->grace);
  uv_timer_start(&s->grace_timer, on_grace_over, (uint64_t)(s->cfg->grace * 1000), 0);
  pull_input(s);                 /* ends the loop at once when nothing is in flight */
}

/* ---------- output, --resume ---------- */

static int add_recorded(void *arg, const char *name, size_t len) {
  scan_t *s = arg;
  return nameset_add(s->names, name, len, NAME_RECORDED) < 0 ? -1 : 0;
}

/* Without --resume a new output. With it, an existing file is read first: the domains of
 * its whole records go into s->names (start_job skips them), a torn tail is cut off and
 * the new records are appended. A file that does not exist yet starts a new scan. */
static sink_t *open_output(scan_t *s, char *err, size_t errlen) {
  const scan_config_t *cfg = s->cfg;
  if (!cfg->resume) return sink_open(cfg->output, err, errlen);
  /* Without blocking: a FIFO named as the output has no writer to wait for. */
  int fd = open(cfg->output, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    if (!cfg->quiet) fprintf(stderr, "mxsurvey: %s does not exist yet: starting a new scan\n", cfg->output);
    return sink_open(cfg->output, err, errlen);
  }
  if (fd < 0) {
    snprintf(err, errlen, "cannot read %s: %s", cfg->output, strerror(errno));
    return NULL;
  }
  /* Only a regular file holds records to keep and a tail to cut (/dev/zero never ends). */
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "cannot resume %s: not a regular file", cfg->output);
    close(fd);
    return NULL;
  }
  size_t n = strlen(cfg->output);
  bool zstd = n >= 4 && strcmp(cfg->output + n - 4, ".zst") == 0;
  resume_info_t info;
  char why[400];
  uint64_t t0 = uv_hrtime();
  int rc = resume_read_fd(fd, zstd, add_recorded, s, &info, why, sizeof why);
  close(fd);
  if (rc < 0) {
    snprintf(err, errlen, "cannot resume %s: %s", cfg->output, why[0] ? why : "out of memory");
    return NULL;
  }
  if (!cfg->quiet) {
    fprintf(stderr, "mxsurvey: resuming %s: %llu records (%zu domains) kept, read in %.2f s",
            cfg->output, (unsigned long long)info.lines, nameset_count(s->names),
            (double)(uv_hrtime() - t0) / 1e9);
    if (info.size > info.keep)
      fprintf(stderr, "; torn tail of %llu bytes dropped (its domains are scanned again)",
              (unsigned long long)(info.size - info.keep));
    fprintf(stderr, "\n");
  }
  return sink_open_append(cfg->output, info.keep, err, errlen);
}

/* What the progress display shows: read from the scan's counters, never changing them. */
static void progress_sample(void *arg, progress_snap_t *out) {
  scan_t *s = arg;
  memset(out, 0, sizeof *out);
  out->lines = s->lines;
  out->records = s->records;
  out->active = s->active;
  out->dns_inflight = s->closed ? 0 : dns_inflight(s->dns);
  out->dns_queued = s->closed ? 0 : dns_queued(s->dns);
  sched_stats(s->sched, &out->probes);
}

int scan_run(const scan_config_t *cfg) {
  scan_t s;
  memset(&s, 0, sizeof s);
  char err[512] = "";
  s.cfg = cfg;
  s.loop = uv_default_loop();
  jw_init(&s.jw);
  /* A reader that went away (-o - | head, stderr into a closed pipe or ssh session, an SMTP
   * peer that reset the connection) must be an error at the write that hit it (EPIPE:
   * sink_error names it), not a death by signal that loses the records. */
  signal(SIGPIPE, SIG_IGN);

  s.dns = dns_new(s.loop, &cfg->dns, err, sizeof err);
  if (!s.dns) { fprintf(stderr, "mxsurvey: %s\n", err); return 1; }
  /* PTR lookups share the resolvers and a third of the DNS deadline per attempt (c-ares
   * tries twice, doubling it the second time). */
  s.rdns = rdns_new(s.loop, cfg->dns.resolvers, cfg->dns.nresolvers, cfg->dns.timeout / 3, err, sizeof err);
  if (s.rdns) s.fetch = fetcher_new(s.loop, cfg->ca_file, err, sizeof err);
  if (s.fetch) s.tls = tls_ctx_new(cfg->ca_file, err, sizeof err);
  if (s.tls && !(s.sched = sched_new(s.loop, &cfg->sched))) snprintf(err, sizeof err, "out of memory");
  if (s.sched) {
    s.probe_env = (observe_probe_env_t){s.loop, s.tls, &cfg->smtp, s.sched};
    s.obs = observe_new(&cfg->share, NULL, &s.probe_env);
    if (!s.obs) snprintf(err, sizeof err, "out of memory");
  }
  if (s.obs && !(s.names = nameset_new())) snprintf(err, sizeof err, "out of memory");
  if (s.names && start_thread_pool(&s, err, sizeof err) == 0) s.sink = open_output(&s, err, sizeof err);
  if (!s.sink) {
    nameset_free(s.names);
    fprintf(stderr, "mxsurvey: %s\n", err);
    observe_free(s.obs);
    if (s.sched) sched_close(s.sched);
    if (s.tls) tls_ctx_free(s.tls);
    if (s.rdns) rdns_close(s.rdns);
    if (s.fetch) fetcher_close(s.fetch);
    dns_close(s.dns);
    uv_run(s.loop, UV_RUN_DEFAULT);
    if (s.rdns) rdns_free(s.rdns);
    sched_free(s.sched);
    fetcher_free(s.fetch);
    dns_free(s.dns);
    jw_free(&s.jw);
    return 1;
  }
  uv_timer_init(s.loop, &s.flush_timer);
  s.flush_timer.data = &s;
  uint64_t every = (uint64_t)((cfg->flush_interval > 0 ? cfg->flush_interval : 2) * 1000);
  uv_timer_start(&s.flush_timer, on_flush_timer, every, every);

  uv_timer_init(s.loop, &s.grace_timer);
  s.grace_timer.data = &s;
  uv_idle_init(s.loop, &s.end_idle);
  s.end_idle.data = &s;
  uv_signal_init(s.loop, &s.sigint);
  uv_signal_init(s.loop, &s.sigterm);
  uv_signal_init(s.loop, &s.sighup);
  s.sigint.data = s.sigterm.data = s.sighup.data = &s;
  uv_signal_start(&s.sigint, on_signal, SIGINT);
  uv_signal_start(&s.sigterm, on_signal, SIGTERM);
  /* SIGHUP is what a scan gets when the operator's ssh session or terminal goes away: its
   * default action would lose every record since the last flush. */
  uv_signal_start(&s.sighup, on_signal, SIGHUP);
  if (cfg->early_signal && *cfg->early_signal) raise(*cfg->early_signal);

  s.in_fd = fileno(cfg->input);
  s.prog = progress_new(s.loop, s.in_fd, cfg->quiet, cfg->progress_interval, progress_sample, &s);
  pull_input(&s);
  uv_run(s.loop, UV_RUN_DEFAULT);

  int rc = s.failed ? 1 : s.interrupted ? SCAN_EXIT_INTERRUPTED : 0;
  if (sink_close_err(s.sink, err, sizeof err) != 0) {
    if (!s.failed) fprintf(stderr, "mxsurvey: %s\n", err);
    rc = 1;
  }
  progress_close(s.prog);      /* after an interrupted run the loop did not get that far */
  if (!cfg->quiet) {
    progress_snap_t snap;
    progress_sample(&s, &snap);
    progress_summary(s.prog, &snap);
  }
  final_line(&s, rc);
  if (s.in_reading) {
    /* A thread-pool read is still blocked on the input pipe; libuv's exit-time shutdown
     * would wait for it. Everything is written: leave now. */
    fflush(stdout);
    fflush(stderr);
    _exit(rc);
  }
  observe_free(s.obs);
  tls_ctx_free(s.tls);
  rdns_free(s.rdns);
  fetcher_free(s.fetch);
  dns_free(s.dns);
  jw_free(&s.jw);
  nameset_free(s.names);
  sched_free(s.sched);     /* after a grace period, running probes never call back: fine */
  progress_free(s.prog);
  /* The domains a grace period gave up: the loop no longer runs, so nothing that pointed
   * into them (lookups, probes, fetches) will call back. */
  while (s.jobs) {
    job_t *j = s.jobs;
    job_unlink(j);
    job_free(j);
  }
  if (!s.in_reading && (!s.interrupted || s.closed))
    uv_loop_close(s.loop);   /* after uv_stop, handles or a blocked read remain */
  return rc;
}
