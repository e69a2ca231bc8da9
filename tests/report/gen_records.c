/* Synthetic scan records for the report benchmark (scripts/bench-report.sh): N records in
 * the format of docs/record.md, with a realistic mix of statuses, MX operators
 * (a few large hosters and a long tail of self-hosted MX), TLS versions, certificates
 * with long SAN lists, DANE, MTA-STS, TLS-RPT and sender verdicts. Deterministic.
 * Usage: gen_records N > records.ndjson */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t st = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) {
  st ^= st << 13;
  st ^= st >> 7;
  st ^= st << 17;
  return st;
}
static int pct(int p) { return (int)(rnd() % 100) < p; }

static const char *const hosters[] = {
  "mail.protection.outlook.com", "google.com", "ptisp.pt", "amen.pt", "dominios.pt",
  "sapo.pt", "webhs.pt", "ovh.net", "hostinger.com", "zoho.eu", "mailgun.org",
  "mail.ovh.net", "cloudflare.net", "mimecast.com", "ionos.pt", "claranet.pt"};
#define NHOSTERS (sizeof hosters / sizeof hosters[0])

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000;
  for (long i = 0; i < n; i++) {
    char dom[64];
    snprintf(dom, sizeof dom, "d%ld-%x.pt", i, (unsigned)(rnd() & 0xffff));
    int r = (int)(rnd() % 1000);
    const char *status = r < 870 ? "ok" : r < 930 ? "nxdomain" : r < 960 ? "no-mail"
                         : r < 998 ? "dns-error" : "invalid";
    int secure = pct(12);
    printf("{\"domain\":\"%s\",\"status\":\"%s\",\"dnssec\":\"%s\","
           "\"scanned_at\":\"2026-11-%02dT%02d:%02d:%02dZ\"", dom, status,
           secure ? "secure" : "insecure", 20 + (int)(i % 3), (int)(rnd() % 24),
           (int)(rnd() % 60), (int)(rnd() % 60));
    if (status[0] != 'o') {
      if (status[0] == 'd')
        printf(",\"error\":{\"stage\":\"dns\",\"reason\":\"timeout\"},\"mx\":[],"
               "\"sender\":{\"dane\":{\"action\":\"defer\",\"result_type\":\"dnssec-invalid\"},"
               "\"mta_sts\":{\"action\":\"defer\",\"result_type\":\"dnssec-invalid\"}}}\n");
      else
        printf(",\"mx\":[],\"sender\":{\"dane\":{\"action\":\"no-route\"},"
               "\"mta_sts\":{\"action\":\"no-route\"}}}\n");
      continue;
    }
    /* Zipf-like: hoster k gets about 1/(k+1) of the hosted share; 35% self-hosted. */
    char op[96];
    if (pct(35)) snprintf(op, sizeof op, "%s", dom);
    else if (pct(20)) snprintf(op, sizeof op, "host%u.pt", (unsigned)(rnd() % 3000));
    else {
      unsigned k = 0;
      while (k + 1 < NHOSTERS && pct(55)) k++;
      snprintf(op, sizeof op, "%s", hosters[k]);
    }
    int sts = pct(4), sts_valid = sts && pct(70), rpt = pct(6);
    printf(",\"tls_rpt\":{\"status\":\"%s\",\"dnssec\":\"%s\"%s}", rpt ? "valid" : "none",
           secure ? "secure" : "insecure",
           rpt ? ",\"rua\":[\"mailto:tlsrpt@example.pt\"]" : "");
    if (sts_valid)
      printf(",\"mta_sts\":{\"status\":\"valid\",\"id\":\"2026\",\"http_status\":200,"
             "\"mode\":\"%s\",\"max_age\":604800,\"mx\":[\"*.%s\"],\"hosts\":[{\"host\":"
             "\"mx1.%s\",\"policy_match\":true,\"cert_ok\":true}]}",
             pct(60) ? "enforce" : "testing", op, op);
    else if (sts)
      printf(",\"mta_sts\":{\"status\":\"fetch-error\",\"reason\":\"HTTP status 404\","
             "\"result_type\":\"sts-policy-fetch-error\",\"http_status\":404}");
    else
      printf(",\"mta_sts\":{\"status\":\"none\"}");
    int nmx = pct(60) ? 2 : 1, dane = secure && pct(40);
    int tlsv = (int)(rnd() % 100);
    const char *ver = tlsv < 55 ? "TLSv1.3" : tlsv < 93 ? "TLSv1.2" : tlsv < 96 ? "TLSv1" : "none";
    const char *cipher = ver[6] == '3' ? "TLS_AES_256_GCM_SHA384"
                         : ver[6] == '2' ? "ECDHE-RSA-AES256-GCM-SHA384" : "AES256-SHA";
    const char *group = ver[6] == '3' || ver[6] == '2' ? "X25519" : "RSA";
    int rsa = pct(70);
    int pkix = pct(70), sans = 10 + (int)(rnd() % 60);
    printf(",\"mx\":[");
    for (int m = 0; m < nmx; m++) {
      unsigned ip = (unsigned)(rnd() % 200000);
      printf("%s{\"host\":\"mx%d.%s\",\"preference\":%d,\"implicit\":false,\"dnssec\":\"%s\","
             "\"tlsa\":{\"name\":\"_25._tcp.mx%d.%s\",\"dnssec\":\"%s\",\"result\":\"%s\","
             "\"records\":[%s]},\"addresses\":[{\"ip\":\"192.0.%u.%u\",\"family\":4,"
             "\"dnssec\":\"%s\",\"ptr\":\"mx%d.%s\",\"smtp\":{\"outcome\":\"engaged\",\"connect\":\"ok\","
             "\"connect_ms\":%d,\"banner\":\"220 mx%d.%s ESMTP Postfix\",\"banner_code\":220,"
             "\"ehlo_code\":250,\"starttls\":\"%s\"",
             m ? "," : "", m + 1, op, 10 * (m + 1), secure ? "secure" : "insecure", m + 1, op,
             secure ? "secure" : "insecure", dane ? "records" : "nxdomain",
             dane ? "{\"usage\":3,\"selector\":1,\"mtype\":1,\"data\":\"8be6c871b08ef7d81459a02a"
                    "6a59b11fa50fd65ef38fe3fce1c4ab79549cc84c\",\"usable\":true}" : "",
             ip >> 8, ip & 255, secure ? "secure" : "insecure", m + 1, op, (int)(rnd() % 300),
             m + 1, op, ver[0] == 'n' ? "not-offered" : "offered");
      if (ver[0] != 'n') {
        printf(",\"starttls_reply\":\"220 2.0.0 Ready to start TLS\",\"tls\":{\"version\":\"%s\","
               "\"cipher\":\"%s\",\"group\":\"%s\",\"chain_len\":2,\"cert\":{\"subject\":"
               "\"CN=mx%d.%s\",\"issuer\":\"CN=R3,O=Let's Encrypt,C=US\",\"san\":[",
               ver, cipher, group, m + 1, op);
        for (int s = 0; s < sans; s++) printf("%s\"www.customer%d-%d.%s\"", s ? "," : "", s, m, op);
        printf("],\"not_before\":\"2026-09-01T00:00:00Z\",\"not_after\":\"%s\",\"key_type\":\"%s\","
               "\"key_bits\":%d,\"sig_alg\":\"sha256WithRSAEncryption\",\"sha256\":\"53e43e0f34455"
               "68dae27c912d19e6f0b09455170e55cbba6250d00fd4caaa36d\",\"spki_sha256\":\"8be6c871b0"
               "8ef7d81459a02a6a59b11fa50fd65ef38fe3fce1c4ab79549cc84c\",\"self_signed\":%s},"
               "\"pkix\":{\"valid\":%s%s}},\"ehlo_tls_code\":250",
               pct(5) ? "2026-11-01T00:00:00Z" : "2027-02-01T00:00:00Z",
               rsa ? "RSA" : "EC", rsa ? 2048 : 256, pkix ? "false" : (pct(30) ? "true" : "false"),
               pkix ? "true" : "false", pkix ? "" : ",\"error\":\"self-signed certificate\"");
      }
      printf("},\"dane\":{\"status\":\"%s\"}}]}", dane ? (ver[0] == 'n' ? "no-starttls" : "valid") : "no-tlsa");
    }
    printf("],\"sender\":{\"dane\":{\"action\":\"%s\",\"mx\":\"mx1.%s\"},\"mta_sts\":{\"action\":\"%s\","
           "\"mx\":\"mx1.%s\"}},\"summary\":{\"starttls\":\"%s\",\"dane\":\"%s\",\"tls_best\":\"%s\","
           "\"tls_worst\":\"%s\",\"mx_hosts\":%d,\"addresses\":%d,\"inconclusive\":0}}\n",
           dane ? "deliver" : "deliver-unauthenticated", op,
           sts_valid ? "deliver" : "deliver-unauthenticated", op,
           ver[0] == 'n' ? "none" : "all", dane ? "valid" : "none", ver, ver, nmx, nmx);
  }
  return 0;
}
