/* The scan subcommand's option table: every option of `mxsurvey scan`, with its help text,
 * default, bounds and where it goes in scan_config_t. The parse, the defaults, --help and
 * docs/options.md are all made from this table (cli/opt.h), so this is the one place to
 * add an option or change a default. Bounds that other modules own are their constants
 * (SMTP_RETRY_MAX, OBSERVE_INFER_MAX, OBSERVE_CACHE_DEFAULT). Help texts are plain text
 * that also reads as markdown (no '*', '_', '<' or backquote); "more" and "why" are for the
 * docs only. The politeness defaults' reasons are the "why" column of docs/options.md. */
#include "cli/cli.h"
#include "net/ubconf.h"

#include <string.h>
#include <unistd.h>

#define SCAN(member) OPT_AT(scan_cli_t, cfg.member)

static int add_resolver(void *p, const char *v) {
  scan_cli_t *c = p;
  if (c->nres == SCAN_RESOLVERS_MAX) {
    fprintf(stderr, "mxsurvey: too many --resolver\n");
    return -1;
  }
  c->resolvers[c->nres++] = v;
  return 0;
}

static void default_ehlo(void *p) {
  static char hostname[256];
  scan_cli_t *c = p;
  if (gethostname(hostname, sizeof hostname - 1) != 0 || !strchr(hostname, '.'))
    snprintf(hostname, sizeof hostname, "mxsurvey.invalid");
  c->cfg.smtp.ehlo = hostname;
}

static int set_ehlo(void *p, const char *v) {
  scan_cli_t *c = p;
  if (!*v || strlen(v) > 253 || strpbrk(v, " \t\r\n")) {
    fprintf(stderr, "mxsurvey: --ehlo expects a host name\n");
    return -1;
  }
  c->cfg.smtp.ehlo = v;
  return 0;
}

static int add_allow(void *p, const char *v) {
  scan_cli_t *c = p;
  char err[256];
  if (addrpolicy_allow(c->policy, v, err, sizeof err) != 0) {
    fprintf(stderr, "mxsurvey: --allow %s: %s\n", v, err);
    return -1;
  }
  return 0;
}

/* Loaded at once, before any query: a bad line is a usage error naming FILE:LINE. A
 * signal while it is read (a FIFO without a writer, a long list) is the error then, said
 * by cli_scan_main. */
static int add_exclude(void *p, const char *v) {
  scan_cli_t *c = p;
  char xerr[1024];
  if (!c->exclude && !(c->exclude = exclude_new())) {
    fprintf(stderr, "mxsurvey: out of memory\n");
    return -1;
  }
  c->reads[c->nreads++] = (named_file_t){"--exclude-file", v};
  if (exclude_load(c->exclude, v, xerr, sizeof xerr) != 0) {
    if (!*c->cfg.early_signal) fprintf(stderr, "mxsurvey: --exclude-file: %s\n", xerr);
    return -1;
  }
  return 0;
}

static int max_probes_set(void *p, const char *v) {
  (void)v;
  ((scan_cli_t *)p)->max_set = true;
  return 0;
}

static int operand(void *p, const char *arg) {
  scan_cli_t *c = p;
  if (c->noperands++ == 0) c->input = arg;
  return 0;
}

#define SECONDS(n, member, d, h, ...) \
  {.kind = OPT_SECONDS, .name = n, .arg = "S", .help = h, .def = d, SCAN(member), .lo = 0.001, .hi = 3600, __VA_ARGS__}

static const char *const tls_profiles[] = {"off", "basic", "full", NULL};

static const opt_t scan_opts[] = {
  {.kind = OPT_SECTION, .name = "Options"},
  {.kind = OPT_STRING, .name = "output", .short_name = 'o', .arg = "FILE", SCAN(output),
   .help = "where records go; a name ending in .zst is zstd-compressed; '-' is standard output",
   .def_doc = "standard output"},
  {.kind = OPT_HOOK, .name = "resolver", .arg = "IP[:PORT]", .repeat = 1, .hook = add_resolver,
   .help = "recursive resolver to forward queries to (IPv6 as [addr]:port); DNSSEC is "
           "validated locally unless --resolver-validates",
   .more = "At most " OPT_STR(SCAN_RESOLVERS_MAX) " of them.",
   .def_doc = "none: mxsurvey resolves from the root itself"},
  {.kind = OPT_STRING, .name = "root-hints", .arg = "FILE", SCAN(dns.root_hints),
   .help = "root name servers for the embedded recursive resolver (without --resolver)",
   .more = "A zone-file fragment of NS and A/AAAA records, as Unbound's root-hints.",
   .def_doc = "libunbound's built-in root servers"},
  {.kind = OPT_SET, .name = "resolver-validates", OPT_AT(scan_cli_t, resolver_validates),
   .help = "trust the AD bit of the --resolver (a validating resolver on loopback) instead of "
           "validating locally"},
  {.kind = OPT_SET, .name = "resolver-validates-remote", SCAN(dns.trust_remote),
   .help = "with --resolver-validates, accept a resolver that is not on loopback (its answers "
           "cross a network that can forge the AD bit)"},
  {.kind = OPT_UINT, .name = "dns-contexts", .arg = "N", SCAN(dns.contexts), .lo = 0, .hi = 64,
   .help = "libunbound contexts, each its own thread; names are spread over them by a hash of "
           "the name; 0 is one per core, at most " OPT_STR(UBCONF_AUTO_CONTEXTS) " (none with "
           "--resolver-validates)", .def = "0"},
  {.kind = OPT_STRING, .name = "trust-anchor", .arg = "FILE", SCAN(dns.trust_anchor),
   .help = "DNSSEC trust anchor (DS or DNSKEY records)", .def = "/usr/share/dns/root.key",
   .more = "A file without any is refused; a regular file of at most " OPT_STR(TRUST_ANCHOR_MIB) " MiB."},
  {.kind = OPT_STRING, .name = "ca-file", .arg = "FILE", SCAN(ca_file),
   .help = "PKIX trust store (PEM) for the MX certificates and the MTA-STS policy hosts; when "
           "given, the only one",
   .more = "A regular file of at most " OPT_STR(CA_FILE_MIB) " MiB (OpenSSL and libcurl read it by name).",
   .def_doc = "the system's"},
  {.kind = OPT_UINT, .name = "smtp-port", .arg = "N", SCAN(smtp.port), .lo = 1, .hi = 65535,
   .help = "port to probe", .def = "25"},
  {.kind = OPT_HOOK, .name = "ehlo", .arg = "NAME", .hook = set_ehlo, .init = default_ehlo,
   .help = "name sent in EHLO", .def_doc = "this host's name; mxsurvey.invalid when it has no dot"},
  {.kind = OPT_HOOK, .name = "allow", .arg = "CIDR", .repeat = 1, .hook = add_allow,
   .help = "permit connections into a special-purpose range, e.g. 127.0.0.0/8"},
  {.kind = OPT_SET, .name = "no-route-check", SCAN(no_route_check),
   .help = "attempt global addresses of a family this host has no route for (by default they "
           "are recorded as not attempted, smtp.outcome \"not-attempted\")",
   .more = "At start the kernel is asked for a route (no packet is sent) to a global address "
           "of each family; special-purpose addresses opened with --allow are always attempted. "
           "Without the check, a host without IPv6 would record every AAAA address as a dead "
           "MX (\"network unreachable\")."},
  {.kind = OPT_UINT, .name = "concurrency", .arg = "N", SCAN(concurrency), .lo = 1, .hi = 1000000,
   .help = "domains in flight at once", .def = "5000",
   .more = "The input is read as the window has room: two million lines are never in memory. "
           "Lowered to the fd limit, with a warning, when that is lower. The window grows by one "
           "domain for each probe waiting for a per-address or per-prefix limit (at most 4 N more, "
           "never beyond --max-probes), so that one congested prefix cannot starve the rest "
           "(docs/politeness.md)."},
  SECONDS("timeout-connect", smtp.t_connect, "10", "seconds to establish TCP"),
  SECONDS("timeout-banner", smtp.t_banner, "30", "seconds to wait for the greeting (tarpits, postscreen)"),
  SECONDS("timeout-smtp", smtp.t_smtp, "30", "seconds for each later SMTP reply (EHLO, STARTTLS, QUIT)"),
  SECONDS("timeout-tls", smtp.t_tls, "30", "seconds for the TLS handshake"),
  SECONDS("timeout-dns", dns.timeout, "15", "seconds per DNS query, from when it is sent"),
  SECONDS("flush-interval", flush_interval, "2", "seconds between output flushes (each ends a zstd frame)"),
  SECONDS("grace", grace, "10",
          "after SIGINT, SIGTERM or SIGHUP, seconds the domains in flight get to finish"),
  {.kind = OPT_SET, .name = "resume", SCAN(resume),
   .help = "the output FILE exists: keep its whole records, skip their domains, drop a torn "
           "final frame or line that follows a record, append the rest (a file that is not "
           "mxsurvey output is refused, left as it is); needs -o FILE",
   .more = "A FILE that does not exist yet, or is empty, starts a new scan."},
  {.kind = OPT_HOOK, .name = "exclude-file", .arg = "FILE", .repeat = 1, .hook = add_exclude,
   .help = "never query or connect to the domains (and their subdomains), addresses and CIDRs "
           "listed in FILE",
   .more = "At most 4096 bytes a line, 10 000 000 lines and 1 GiB; '#' starts a comment."},
  {.kind = OPT_CHOICE, .name = "tls-profile", .arg = "off|basic|full", SCAN(tls_profile),
   .choices = tls_profiles, .def = "basic",
   .help = "per distinct MX address that completed STARTTLS, learn which TLS versions it "
           "accepts and every certificate it presents (basic: SSLv3, TLS 1.0, 1.1, 1.2, 1.3, "
           "one hand-built ClientHello each, then one handshake each offering only RSA, "
           "ECDSA or EdDSA keys: eight more SMTP connections per address, shared by every "
           "domain on it); full: also which NCSC-NL classes of cipher suites it accepts, "
           "whether it imposes its own order, its DHE group size and ECDHE groups (about 10 "
           "to 40 more connections per address, at most 71: 16 hellos a class at most)",
   .more = "Recorded under addresses[].tls_profile (with its grade and findings) and "
           "summary.legacy_tls, summary.tls_grade; each certificate judged (PKIX, DANE) for "
           "each domain. Each connection is a polite SMTP dialogue through the same limits "
           "as every probe; only the certificates' handshakes complete. basic is the "
           "default because it answers the CNCS questions (which MX still accept TLS 1.0 or "
           "1.1; does every certificate match TLSA); off makes none of these connections."},
  {.kind = OPT_UINT, .name = "horizon", .arg = "DAYS", SCAN(horizon_days), .lo = 0, .hi = 3650,
   .help = "judge each address's chain also at scan time + DAYS (PKIX and DANE, "
           "addresses[].outlook) and warn in summary.outlook when a verdict valid now will "
           "not last until then", .def = "30",
   .more = "0 judges at scan time itself (no second verification). The default, a month, "
           "gives an operator warned today the time to renew a certificate or fix a signer; "
           "Let's Encrypt renews 30 days before expiry, so a certificate that expires within "
           "30 days is one whose renewal has already failed."},
  {.kind = OPT_UINT, .name = "horizon-dnssec", .arg = "DAYS", SCAN(horizon_dnssec_days), .lo = 0,
   .hi = 3650,
   .help = "warn in summary.outlook (and in the record) when an RRSIG the domain's DNSSEC "
           "or DANE verdicts rest on expires before scan time + DAYS", .def = "3",
   .more = "Shorter than --horizon on purpose: signers re-sign well before expiry, but not a "
           "month before (BIND's dnssec-policy default keeps signatures 14 days and refreshes "
           "5 days before expiry; Knot's refresh comes later still), so with 30 days nearly "
           "every signed zone would warn. A signature closer than 3 days to expiry is, for "
           "most signers' defaults, one whose refresh did not come; dnssec_expires is "
           "recorded whatever this value."},
  {.kind = OPT_CLEAR, .name = "no-share", SCAN(share.share),
   .help = "probe every (domain, MX host, address) itself instead of sharing one probe per "
           "(address, SNI name) between domains"},
  {.kind = OPT_UINT, .name = "share-cache", .arg = "N", SCAN(share.cache_max), .lo = 0, .hi = 100000000,
   .help = "finished observations kept for later domains (LRU), also the addresses remembered "
           "for --infer-sni; 0 keeps none (only probes in flight are shared)",
   .def = OPT_STR(OBSERVE_CACHE_DEFAULT)},
  {.kind = OPT_UINT, .name = "infer-sni", .arg = "N", SCAN(share.infer_min), .lo = 0, .hi = OBSERVE_INFER_MAX,
   .help = "reuse an address's observation for a new SNI name once N distinct names showed it "
           "the same leaf certificate (0: off; needs sharing)",
   .def = "0"},

  {.kind = OPT_SECTION, .name = "Politeness and rate limits"},
  {.kind = OPT_DECIMAL, .name = "rate", .arg = "R", SCAN(sched.rate), .lo = 0, .hi = 1e6,
   .help = "new SMTP connections per second, all addresses together; 0 unlimited", .def = "1000",
   .more = "A token bucket whose depth (burst) is 10, or R rounded down when R < 10 (at least 1).",
   .why = "protects our own uplink and NAT/firewall state tables; a scan of ~2 million domains "
          "still starts every probe within minutes"},
  {.kind = OPT_UINT, .name = "per-ip", .arg = "N", SCAN(sched.per_ip), .lo = 1, .hi = 1000,
   .help = "connections in flight to one address", .def = "1",
   .why = "politeness: a mail server sees one scanner connection at a time, as from one ordinary "
          "MTA; Postfix's anvil, postscreen and fail2ban-style rules are triggered by parallel "
          "connections from one client, and a blocked scanner records refusals instead of the "
          "server's real configuration"},
  {.kind = OPT_DECIMAL, .name = "ip-interval", .arg = "S", SCAN(sched.ip_interval), .lo = 0, .hi = 3600,
   .help = "minimum seconds between connection starts to one address", .def = "0.25",
   .why = "with one connection at a time a server already sees at most one per probe duration; "
          "the interval matters when probes end at once (refused, 421, 554) and keeps such a "
          "server from seeing a burst of reconnects (at most 4 a second)"},
  {.kind = OPT_UINT, .name = "per-prefix", .arg = "N", SCAN(sched.per_prefix), .lo = 1, .hi = 100000,
   .help = "connections in flight to one IPv4 /24 or IPv6 /48", .def = "8",
   .why = "a hosting provider's mail cluster usually sits in one /24 (or /48): several addresses "
          "of one operator are probed in parallel, but not all of its front ends at once"},
  {.kind = OPT_UINT, .name = "max-probes", .arg = "N", SCAN(sched.max_probes), .lo = 1, .hi = 1000000,
   .hook = max_probes_set, .help = "connections in flight overall", .def_doc = "from the fd limit",
   .more = "A value that does not fit in the fd limit is lowered, with a warning.",
   .why = "each probe holds one socket; more than fit would fail with \"too many open files\""},
  {.kind = OPT_UINT, .name = "retries", .arg = "N", SCAN(sched.retries), .lo = 0, .hi = SMTP_RETRY_MAX,
   .help = "further attempts after a 4xx greeting (421, 450) or a connection closed or reset "
           "before any greeting", .def = "2",
   .why = "such answers mean \"not now\", typically a per-client limit: recording them as the "
          "server's state would be wrong. A banner timeout (tarpit), a refused connection or a "
          "5xx greeting is final and never retried"},
  {.kind = OPT_DECIMAL, .name = "retry-delay", .arg = "S", SCAN(sched.retry_delay), .lo = 0, .hi = 3600,
   .help = "seconds before the first retry, doubled for each further one (60, 120, ...)", .def = "60",
   .why = "per-client connection limits and postscreen's penalties last tens of seconds; the last "
          "domains of a run wait at most 3 minutes for their retries"},
  {.kind = OPT_DECIMAL, .name = "dns-rate", .arg = "Q", SCAN(dns.rate), .lo = 0, .hi = 1e6,
   .help = "validating DNS queries per second sent to the resolvers; 0 unlimited", .def = "0",
   .more = "A token bucket with the burst rule of --rate. libunbound's own DS/DNSKEY fetches and "
           "the PTR lookups (c-ares) are not counted.",
   .why = "the window of --concurrency domains already bounds the queries in flight; set a rate "
          "when the resolver is shared or rate-limits clients"},
  {.kind = OPT_UINT, .name = "dns-cache-mb", .arg = "N", SCAN(dns.cache_mb), .lo = 4, .hi = 65536,
   .help = "libunbound's cache size in MiB", .def = "256",
   .more = "Half rrset cache, a quarter message cache, an eighth each key and negative cache.",
   .why = "keeps what domains share (MX hosts of providers, their addresses and TLSA records, the "
          "DNSKEYs of every zone on the way) for the whole run; per-domain answers may be evicted"},

  {.kind = OPT_SECTION, .name = "Progress and help"},
  SECONDS("progress-interval", progress_interval, "10",
          "seconds between progress lines when stderr is not a terminal (on a terminal one line "
          "is refreshed)"),
  {.kind = OPT_SET, .name = "quiet", .short_name = 'q', SCAN(quiet),
   .help = "no progress and no summary on stderr"},
  {.kind = OPT_HELP, .name = "help", .short_name = 'h', .help = "this text"},
  {.kind = OPT_VERSION, .name = "version", .short_name = 'V', .help = "the version"},
  {.kind = OPT_END},
};

const opt_spec_t scan_spec = {
  .prog = "mxsurvey",
  .style = OPT_GNU,
  .synopsis =
    "usage: mxsurvey scan [OPTIONS] [FILE|-]\n"
    "       mxsurvey report [OPTIONS] FILE... [--compare OLD...]   (see mxsurvey report --help)\n"
    "       mxsurvey --help | --version\n"
    "\n"
    "Scans the domains in FILE (one per line; '-' or none: standard input) and writes one\n"
    "JSON record per domain: MX, DNSSEC, TLSA, STARTTLS, TLS, certificate, PKIX and DANE.\n",
  .epilogue =
    "Numbers are plain decimals: N is digits only (no sign, blank or hex); S, R and Q are\n"
    "digits with at most 3 decimals (0.25; not 0x10, 1e-9, .5 or inf): timers count\n"
    "milliseconds.\n",
  .col = 27,
  .opts = scan_opts,
  .operand = operand,
};
