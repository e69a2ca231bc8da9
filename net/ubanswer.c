/* libunbound's result as a dns_answer_t: see ubanswer.h. */
#include "net/ubanswer.h"
#include "net/dnsextras.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define NOT_SENT "not sent: no socket (too many open files)"

/* The RRSIGs and SOA contact (net/dnsextras.h) come from answer_packet: libunbound asks
 * its forwarders with the DO bit and encodes answer_packet with the DNSSEC records
 * (libworker's setup_qinfo_edns sets EDNS_DO), so the signatures it validated are there:
 * no second query is needed. */
static void answer_extras(const struct ub_result *res, dns_answer_t *a, char *rname, size_t cap) {
  if (res->answer_packet && res->answer_len > 0)
    dns_answer_extras(a, res->answer_packet, (size_t)res->answer_len, rname, cap);
}

void ubanswer_fill(struct ub_result *res, const char *qname, int qtype, bool sockfail,
                   dns_answer_t *out, ubanswer_t *b) {
  memset(out, 0, sizeof *out);
  dns_answer_t *a = out;
  a->qname = qname;
  a->qtype = qtype;
  a->rcode = res->rcode;
  a->ttl = res->ttl;
  /* libunbound's canonname is lossy (dname_str: '?' for any byte but LDH, '_' and '*',
   * and cut with '&' at 253 characters): a legal 253-character alias target would come
   * out wrong, and be queried as the TLSA base. The name is read from the answer
   * packet instead, with \DDD escapes; libunbound's text only if that fails. */
  if (res->canonname && res->answer_packet &&
      dns_canonname_from_packet(res->answer_packet, (size_t)res->answer_len, b->canon, sizeof b->canon) > 0) {
    if (strcasecmp(b->canon, qname) != 0) a->canonname = b->canon;
  } else if (res->canonname && strcasecmp(res->canonname, res->qname) != 0) {
    size_t l = strlen(res->canonname);
    if (l > 1 && res->canonname[l - 1] == '.') res->canonname[l - 1] = '\0';
    for (char *p = res->canonname; *p; p++) *p = (char)tolower((unsigned char)*p);
    a->canonname = res->canonname;
  }
  if (res->bogus) {
    a->dnssec = DNSSEC_BOGUS;
    a->outcome = DNS_ERROR;
    a->reason = res->why_bogus ? res->why_bogus : "bogus";
  } else if (res->rcode != 0 && res->rcode != 3) {
    a->dnssec = DNSSEC_INDETERMINATE;
    a->outcome = DNS_ERROR;
    static const char *names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
    if (res->rcode == 2 && sockfail) a->reason = "SERVFAIL (" NOT_SENT ")";
    else if (res->rcode < 6) a->reason = names[res->rcode];
    else { snprintf(b->rcbuf, sizeof b->rcbuf, "rcode %d", res->rcode); a->reason = b->rcbuf; }
  } else {
    answer_extras(res, a, b->rname, sizeof b->rname);
    a->dnssec = res->secure ? DNSSEC_SECURE : DNSSEC_INSECURE;
    if (res->nxdomain) a->outcome = DNS_NXDOMAIN;
    else if (res->havedata) a->outcome = DNS_DATA;
    else a->outcome = DNS_NODATA;
    if (a->outcome == DNS_DATA) {
      size_t n = 0;
      while (res->data[n]) n++;
      a->count = n;
      a->data = (uint8_t **)res->data;
      a->len = res->len;
    }
  }
}

