/* The MX stage: the domain's MX RRset becomes its list of hosts (RFC 5321 §5.1, RFC 7505).
 *
 * Every record is looked at, whatever order the answer came in: records are sorted by
 * preference, then by wire bytes, so that with more than MAX_MX distinct hosts the most
 * preferred are kept and the kept set never depends on the resolver's order. The same
 * host under several preferences is one host (the most preferred). A target that is no
 * host name is listed with the reason, never dropped; an excluded host is listed and not
 * resolved. A "." target is a null MX whatever else is published beside it. NODATA means
 * the implicit MX: the domain itself, if it has an address. */
#include "scan/stages.h"
#include "checks/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int host_cmp(const void *x, const void *y) {
  const host_t *a = x, *b = y;
  if (a->pref != b->pref) return a->pref < b->pref ? -1 : 1;
  return strcmp(a->name, b->name);
}

static void mx_oom(job_t *j) {
  job_set_error(j, JOB_DNS_ERROR, STAGE_DNS, "out of memory");
  job_oom(j);
}

/* The host for one MX record, or a reason not to add one: 0 added (or a duplicate or the
 * null MX), 1 MAX_MX reached, -1 out of memory. */
static int mx_add(job_t *j, const mx_rr_t *rr, size_t *nh) {
  char name[DNS_NAME_TEXT_MAX];
  const char *problem = NULL;
  int pref = rr->len >= 2 ? (rr->d[0] << 8) | rr->d[1] : 0;
  if (rr->len < 3 || dns_name_from_wire(rr->d + 2, (size_t)rr->len - 2, name, sizeof name) < 0) {
    name[0] = '\0';
    problem = "malformed name";
  } else if (strcmp(name, ".") == 0) {
    j->null_mx = true;
    return 0;
  } else {
    problem = domain_hostname_problem(name);
  }
  for (size_t k = 0; k < *nh; k++)
    if (strcmp(j->hosts[k].name, name) == 0) return 0;
  if (*nh == MAX_MX) { j->mx_truncated = true; return 1; }
  host_t *h = &j->hosts[*nh];
  if (!(h->name = strdup(name))) return -1;
  h->job = j;
  h->pref = pref;
  const char *excl;
  if (problem) {
    h->invalid = problem;
    h->bad_name = true;
  } else if ((excl = exclude_domain(j->env->exclude, name))) {
    h->invalid = excl;
  }
  (*nh)++;
  return 0;
}

/* The hosts of an MX answer with data. false: out of memory (error recorded). */
static bool mx_hosts(job_t *j, const dns_answer_t *ans) {
  /* Distinct hosts are at most the records (and MAX_MX): a host_t is large (its
   * addresses' SMTP results, its TLSA records), and most domains publish one or two. */
  size_t cap = ans->count < MAX_MX ? ans->count : MAX_MX;
  j->hosts = calloc(cap ? cap : 1, sizeof(host_t));
  mx_rr_t *rrs = calloc(ans->count ? ans->count : 1, sizeof *rrs);
  if (!j->hosts || !rrs) {
    free(rrs);
    return false;
  }
  for (size_t i = 0; i < ans->count; i++) rrs[i] = (mx_rr_t){ans->data[i], ans->len[i]};
  qsort(rrs, ans->count, sizeof *rrs, mx_rr_cmp);
  size_t nh = 0;
  int rc = 0;
  for (size_t i = 0; i < ans->count && rc == 0; i++) rc = mx_add(j, &rrs[i], &nh);
  free(rrs);
  j->nhosts = nh;                /* job_free frees the names made so far */
  if (rc < 0) return false;
  qsort(j->hosts, nh, sizeof(host_t), host_cmp);
  for (size_t i = 0; i < nh; i++) j->hosts[i].job = j;
  return true;
}

/* The host of a host that is not resolved: its error, and it is done. */
static void host_not_resolved(host_t *h) {
  char bad[128];
  const char *why = h->invalid;
  if (h->bad_name) {
    snprintf(bad, sizeof bad, "MX target not usable as a host name: %s", h->invalid);
    why = bad;
  }
  if (!(h->error = strdup(why))) job_oom(h->job);
  h->state = HOST_DONE;
}

static void on_mx_data(job_t *j, const dns_answer_t *ans) {
  if (!mx_hosts(j, ans)) { mx_oom(j); return; }
  if (j->null_mx && j->nhosts == 0) {
    job_set_error(j, JOB_NO_MAIL, STAGE_DNS, "null MX (RFC 7505)");
    return;
  }
  checks_begin(j);
  for (size_t i = 0; i < j->nhosts; i++) {
    if (j->hosts[i].invalid) host_not_resolved(&j->hosts[i]);
    else host_start(&j->hosts[i]);
  }
}

static void on_mx_nodata(job_t *j) {
  checks_begin(j);
  if (!(j->hosts = calloc(1, sizeof(host_t)))) { mx_oom(j); return; }
  j->nhosts = 1;
  host_t *h = &j->hosts[0];
  h->job = j;
  h->implicit = true;
  if (!(h->name = strdup(j->domain))) { mx_oom(j); return; }
  host_start(h);
}

static void on_mx(void *arg, const dns_answer_t *ans) {
  job_t *j = arg;
  j->have_dnssec = true;
  j->dnssec = ans->dnssec;
  if (ans->canonname) j->cname = strdup(ans->canonname);
  /* issue 16: the MX RRset's signatures, when they are what the verdict rests on */
  if (ans->dnssec == DNSSEC_SECURE && ans->outcome == DNS_DATA) j->mx_sig = ans->sig;
  if (ans->outcome == DNS_ERROR) {
    if (ans->dnssec == DNSSEC_BOGUS) j->dnssec_reason = job_strdup(ans->reason);
    char buf[300];
    snprintf(buf, sizeof buf, "MX lookup %s: %s", ans->dnssec == DNSSEC_BOGUS ? "bogus" : "failed",
             ans->reason ? ans->reason : "error");
    job_set_error(j, JOB_DNS_ERROR, STAGE_DNS, buf);
  } else if (ans->outcome == DNS_NXDOMAIN) {
    j->status = JOB_NXDOMAIN;
  } else if (ans->outcome == DNS_NODATA) {
    on_mx_nodata(j);
  } else {
    on_mx_data(j, ans);
  }
  /* Everything the hosts and checks need is started: from now on their completions may
   * end the job. */
  j->state = JOB_HOSTS;
  job_advance(j);
}

void mx_start(job_t *j) {
  if (job_query(j, j->domain, RR_MX, on_mx, j) != 0) {
    j->have_dnssec = true;
    j->dnssec = DNSSEC_INDETERMINATE;
    job_set_error(j, JOB_DNS_ERROR, STAGE_DNS, "could not start MX query");
    j->state = JOB_HOSTS;
    job_advance(j);
  }
}
