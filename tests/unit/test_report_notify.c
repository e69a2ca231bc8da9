/* The pure parts of explain and --notify (issue 16), branch by branch: the SOA RNAME as a
 * mailbox (escapes, hostile input), the contact hint's choice, the --notify format by the
 * file name, and a record's findings (finding.c): severity order, which outlook verdicts
 * warn (only one valid now), the horizon, one warning per host with its earliest date, the
 * domain's DNSSEC expiry not repeated when an MX host's warning names it. */
#include <json-c/json.h>
#include <string.h>

#include "report/finding.h"
#include "report/contact.h"
#include "report/notify.h"
#include "tests/unit/testlib.h"

static const char *mbox(const char *rname) {
  static char buf[64];
  return contact_soa_mailbox(rname, buf, sizeof buf) == 0 ? buf : "(none)";
}

static void soa_mailbox(void) {
  CHECK_STR(mbox("hostmaster.example.pt"), "hostmaster@example.pt");
  CHECK_STR(mbox("hostmaster.example.pt."), "hostmaster@example.pt");
  CHECK_STR(mbox("host\\.master.example.pt"), "host.master@example.pt");
  CHECK_STR(mbox("a\\\\b.example.pt"), "a\\b@example.pt");
  CHECK_STR(mbox("first\\046last.example.pt"), "first.last@example.pt");
  CHECK_STR(mbox("x\\999.example.pt"), "(none)");         /* \DDD above 255 */
  CHECK_STR(mbox("hostmaster"), "(none)");                /* no domain part */
  CHECK_STR(mbox("hostmaster."), "(none)");
  CHECK_STR(mbox(".example.pt"), "(none)");               /* no local part */
  CHECK_STR(mbox("a..example.pt"), "(none)");
  CHECK_STR(mbox("a\\010b.example.pt"), "(none)");        /* a control character */
  CHECK_STR(mbox("a.exa mple.pt"), "(none)");
  CHECK_STR(mbox("a@b.example.pt"), "(none)");
  CHECK_STR(mbox("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.pt"), "(none)");
  CHECK_STR(mbox("trailing\\"), "(none)");
}

static const char *contact(const char *json, const char **src) {
  static char buf[128];
  json_object *r = json_tokener_parse(json);
  *src = contact_source_name[contact_hint(r, buf, sizeof buf)];
  json_object_put(r);
  return buf;
}

static void contacts(void) {
  const char *src;
  CHECK_STR(contact("{\"tls_rpt\":{\"rua\":[\"https://r.example/x\",\"MAILTO:a@b.pt\"]},"
                    "\"soa_rname\":\"h.b.pt\"}", &src), "a@b.pt");
  CHECK_STR(src, "tls-rpt");
  CHECK_STR(contact("{\"tls_rpt\":{\"rua\":[\"https://r.example/x\"]},\"soa_rname\":\"h.b.pt\"}",
                    &src), "https://r.example/x");
  CHECK_STR(src, "tls-rpt");
  CHECK_STR(contact("{\"tls_rpt\":{\"rua\":[\"mailto:\"]},\"soa_rname\":\"h.b.pt\"}", &src),
            "h@b.pt");
  CHECK_STR(src, "soa");
  CHECK_STR(contact("{\"tls_rpt\":{\"rua\":\"mailto:a@b.pt\"},\"soa_rname\":\"bad\"}", &src), "");
  CHECK_STR(src, "none");
  CHECK_STR(contact("{}", &src), "");
}

static void formats(void) {
  CHECK_INT(notify_format_of("list.csv"), NOTIFY_CSV);
  CHECK_INT(notify_format_of("LIST.CSV"), NOTIFY_CSV);
  CHECK_INT(notify_format_of("a/list.jsonl"), NOTIFY_JSONL);
  CHECK_INT(notify_format_of("list.ndjson"), NOTIFY_JSONL);
  CHECK_INT(notify_format_of(".csv"), -1);
  CHECK_INT(notify_format_of("list.csv.gz"), -1);
  CHECK_INT(notify_format_of("list.txt"), -1);
}

/* rec's findings as "id:kind:host:breaks" joined by spaces. */
static const char *found(const char *json) {
  static char out[2048];
  struct finding fs[FINDINGS_MAX];
  json_object *r = json_tokener_parse(json);
  int n = findings_of(r, fs, FINDINGS_MAX);
  out[0] = 0;
  for (int i = 0; i < n; i++) {
    size_t l = strlen(out);
    snprintf(out + l, sizeof out - l, "%s%s:%d:%s:%s", i ? " " : "", advice_id_name(fs[i].id),
             (int)fs[i].kind, fs[i].host, fs[i].breaks);
  }
  json_object_put(r);
  return out;
}

#define ADDR(pkix_now, dane, outlook) \
  "{\"smtp\":{\"tls\":{\"pkix\":{\"valid\":" pkix_now "}}},\"dane\":{\"status\":\"" dane "\"}," \
  "\"outlook\":" outlook "}"
#define H "\"at\":\"2026-12-31T00:00:00Z\""

static void findings(void) {
  /* order: fail, warn, advisory, not-tested, pass (not-applicable last) */
  CHECK_STR(found("{\"conformity\":{\"cncs\":{\"checks\":["
                  "{\"id\":\"tls-rpt\",\"result\":\"fail\"},{\"id\":\"starttls\",\"result\":\"pass\"},"
                  "{\"id\":\"dane\",\"result\":\"not-applicable\"},{\"id\":\"tlsa\",\"result\":\"fail\"},"
                  "{\"id\":\"tls-cipher\",\"result\":\"not-tested\"},{\"id\":\"nonsense\",\"result\":\"fail\"},"
                  "{\"id\":\"cert-name\"}]}}}"),
            "tlsa:0:: tls-rpt:2:: tls-cipher:3:: starttls:4:: dane:5::");
  /* PKIX valid now, not at the horizon: warns; invalid already: no warning (it fails) */
  CHECK_STR(found("{\"mx\":[{\"host\":\"m\",\"addresses\":[" ADDR("true", "mismatch",
                  "{" H ",\"pkix_valid\":false,\"breaks\":\"2026-12-10T00:00:00Z\"}") "," ADDR("false",
                  "mismatch", "{" H ",\"pkix_valid\":false,\"breaks\":\"2026-12-05T00:00:00Z\"}") "]}]}"),
            "outlook-pkix:1:m:2026-12-10T00:00:00Z");
  /* two addresses of a host: one warning, the earliest date; DANE only when valid now */
  CHECK_STR(found("{\"mx\":[{\"host\":\"m\",\"addresses\":[" ADDR("true", "valid",
                  "{" H ",\"pkix_valid\":true,\"dane_valid\":false,\"breaks\":\"2026-12-20T00:00:00Z\"}")
                  "," ADDR("true", "valid",
                  "{" H ",\"pkix_valid\":true,\"dane_valid\":false,\"breaks\":\"2026-12-08T00:00:00Z\"}")
                  "]},{\"host\":\"n\",\"addresses\":[" ADDR("true", "mismatch",
                  "{" H ",\"pkix_valid\":true,\"dane_valid\":false,\"breaks\":\"2026-12-01T00:00:00Z\"}")
                  "]}]}"),
            "outlook-dane:1:m:2026-12-08T00:00:00Z");
  /* DNSSEC: before the horizon warns, after does not; the domain's expiry that an MX
   * host's warning names is not repeated, another one is */
  CHECK_STR(found("{\"dnssec_expires\":\"2026-12-03T00:00:00Z\",\"dnssec_expires_rrset\":\"TLSA x\","
                  "\"mx\":[{\"host\":\"m\",\"dnssec_expires\":\"2026-12-03T00:00:00Z\","
                  "\"dnssec_expires_rrset\":\"TLSA x\",\"addresses\":[" ADDR("true", "valid",
                  "{" H ",\"pkix_valid\":true}") "]},{\"host\":\"n\",\"dnssec_expires\":"
                  "\"2027-02-01T00:00:00Z\",\"addresses\":[]}]}"),
            "outlook-dnssec:1:m:2026-12-03T00:00:00Z");
  CHECK_STR(found("{\"dnssec_expires\":\"2026-12-02T00:00:00Z\",\"dnssec_expires_rrset\":\"DNSKEY d\","
                  "\"mx\":[{\"host\":\"m\",\"dnssec_expires\":\"2026-12-03T00:00:00Z\","
                  "\"dnssec_expires_rrset\":\"TLSA x\",\"addresses\":[" ADDR("true", "valid",
                  "{" H ",\"pkix_valid\":true}") "]}]}"),
            "outlook-dnssec:1::2026-12-02T00:00:00Z outlook-dnssec:1:m:2026-12-03T00:00:00Z");
  /* no address outlook: the summary's outlook_breaks is the horizon, itself included */
  CHECK_STR(found("{\"dnssec_expires\":\"2026-12-04T00:00:00Z\",\"summary\":{\"outlook\":\"warn\","
                  "\"outlook_breaks\":\"2026-12-04T00:00:00Z\"}}"),
            "outlook-dnssec:1::2026-12-04T00:00:00Z");
  CHECK_STR(found("{\"dnssec_expires\":\"2026-12-04T00:00:00Z\",\"summary\":{\"outlook\":\"ok\"}}"),
            "");
  /* hostile shapes: wrong types everywhere give nothing, never a crash */
  CHECK_STR(found("{\"conformity\":[],\"mx\":{},\"summary\":3,\"dnssec_expires\":7}"), "");
  CHECK_STR(found("{\"mx\":[1,{\"host\":5},{\"host\":\"m\",\"addresses\":[{\"outlook\":[]}]}]}"), "");
}

int main(void) {
  soa_mailbox();
  contacts();
  formats();
  findings();
  TEST_MAIN_END();
}
