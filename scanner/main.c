/* mxsurvey command line: parses options, checks every file and address before any probe
 * is sent, then hands over to the scan pipeline. */
#include "scanner/scan.h"
#include "report/report.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f) {
  fprintf(f,
"usage: mxsurvey scan [OPTIONS] [FILE|-]\n"
"       mxsurvey report [OPTIONS] FILE... [--compare OLD...]   (see mxsurvey report --help)\n"
"       mxsurvey --help | --version\n"
"\n"
"Scans the domains in FILE (one per line; '-' or none: standard input) and writes one\n"
"JSON record per domain: MX, DNSSEC, TLSA, STARTTLS, TLS, certificate, PKIX and DANE.\n"
"\n"
"Options:\n"
"  -o, --output FILE        where records go; *.zst is zstd-compressed; '-' stdout (default)\n"
"      --resolver IP[:PORT] recursive resolver to forward to (repeatable; IPv6 as [addr]:port);\n"
"                           default: the nameservers of /etc/resolv.conf. DNSSEC is always\n"
"                           validated locally.\n"
"      --trust-anchor FILE  DNSSEC trust anchor (DS or DNSKEY records);\n"
"                           default /usr/share/dns/root.key\n"
"      --ca-file FILE       PKIX trust store (PEM); default: the system's\n"
"      --smtp-port N        port to probe (default 25)\n"
"      --ehlo NAME          name sent in EHLO (default: this host's name)\n"
"      --allow CIDR         permit connections to a special-purpose range (repeatable)\n"
"      --concurrency N      domains in flight at once (default 1000)\n"
"      --timeout-connect S  seconds to connect (default 10)\n"
"      --timeout-banner S   seconds for the greeting (default 30)\n"
"      --timeout-smtp S     seconds for each later SMTP reply (default 30)\n"
"      --timeout-tls S      seconds for the TLS handshake (default 30)\n"
"      --timeout-dns S      seconds per DNS query (default 15)\n"
"      --flush-interval S   seconds between output flushes (default 2)\n"
"      --grace S            after SIGINT/SIGTERM, seconds for domains in flight (default 10)\n"
"  -q, --quiet              no summary on stderr\n"
"  -h, --help               this text\n"
"  -V, --version            the version\n");
}

static int parse_seconds(const char *opt, const char *v, double *out) {
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (errno || *v == '\0' || *end != '\0' || !(d > 0) || d > 3600) {
    fprintf(stderr, "mxsurvey: %s expects seconds between 0 and 3600, got '%s'\n", opt, v);
    return -1;
  }
  *out = d;
  return 0;
}

static int parse_long(const char *opt, const char *v, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (errno || *v == '\0' || *end != '\0' || n < lo || n > hi) {
    fprintf(stderr, "mxsurvey: %s expects a number from %ld to %ld, got '%s'\n", opt, lo, hi, v);
    return -1;
  }
  *out = n;
  return 0;
}

enum { O_RESOLVER = 256, O_TA, O_CA, O_PORT, O_EHLO, O_ALLOW, O_CONC, O_TCONN, O_TBANNER,
       O_TSMTP, O_TTLS, O_TDNS, O_FLUSH, O_GRACE };

int main(int argc, char **argv) {
  if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
    printf("mxsurvey %s\n", MXS_VERSION);
    return 0;
  }
  if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    usage(stdout);
    return 0;
  }
  if (argc >= 2 && strcmp(argv[1], "report") == 0) return report_main(argc - 1, argv + 1);
  if (argc < 2 || strcmp(argv[1], "scan") != 0) {
    usage(stderr);
    return 2;
  }
  argc--;
  argv++;

  static const struct option longopts[] = {
    {"output", required_argument, 0, 'o'}, {"resolver", required_argument, 0, O_RESOLVER},
    {"trust-anchor", required_argument, 0, O_TA}, {"ca-file", required_argument, 0, O_CA},
    {"smtp-port", required_argument, 0, O_PORT}, {"ehlo", required_argument, 0, O_EHLO},
    {"allow", required_argument, 0, O_ALLOW}, {"concurrency", required_argument, 0, O_CONC},
    {"timeout-connect", required_argument, 0, O_TCONN}, {"timeout-banner", required_argument, 0, O_TBANNER},
    {"timeout-smtp", required_argument, 0, O_TSMTP}, {"timeout-tls", required_argument, 0, O_TTLS},
    {"timeout-dns", required_argument, 0, O_TDNS}, {"flush-interval", required_argument, 0, O_FLUSH},
    {"grace", required_argument, 0, O_GRACE},
    {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'},
    {0, 0, 0, 0}};

  static char hostname[256];
  if (gethostname(hostname, sizeof hostname - 1) != 0 || !strchr(hostname, '.'))
    snprintf(hostname, sizeof hostname, "mxsurvey.invalid");

  const char *resolvers[16];
  size_t nres = 0;
  scan_config_t cfg = {0};
  cfg.dns.trust_anchor = "/usr/share/dns/root.key";
  cfg.dns.timeout = 15;
  cfg.smtp.port = 25;
  cfg.smtp.ehlo = hostname;
  cfg.smtp.t_connect = 10;
  cfg.smtp.t_banner = 30;
  cfg.smtp.t_smtp = 30;
  cfg.smtp.t_tls = 30;
  cfg.concurrency = 1000;
  cfg.flush_interval = 2;
  cfg.grace = 10;
  cfg.https_port = 443;
  addrpolicy_t *policy = addrpolicy_new();
  if (!policy) { fprintf(stderr, "mxsurvey: out of memory\n"); return 1; }
  cfg.policy = policy;

  int c, bad = 0;
  long n;
  char err[256];
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:qhV", longopts, NULL)) != -1) {
    switch (c) {
    case 'o': cfg.output = optarg; break;
    case O_RESOLVER:
      if (nres == sizeof resolvers / sizeof *resolvers) { fprintf(stderr, "mxsurvey: too many --resolver\n"); bad = 1; }
      else resolvers[nres++] = optarg;
      break;
    case O_TA: cfg.dns.trust_anchor = optarg; break;
    case O_CA: cfg.ca_file = optarg; break;
    case O_PORT: if (parse_long("--smtp-port", optarg, 1, 65535, &n)) bad = 1; else cfg.smtp.port = (int)n; break;
    case O_EHLO:
      if (!*optarg || strlen(optarg) > 253 || strpbrk(optarg, " \t\r\n")) {
        fprintf(stderr, "mxsurvey: --ehlo expects a host name\n");
        bad = 1;
      } else cfg.smtp.ehlo = optarg;
      break;
    case O_ALLOW:
      if (addrpolicy_allow(policy, optarg, err, sizeof err) != 0) {
        fprintf(stderr, "mxsurvey: --allow %s: %s\n", optarg, err);
        bad = 1;
      }
      break;
    case O_CONC: if (parse_long("--concurrency", optarg, 1, 1000000, &n)) bad = 1; else cfg.concurrency = (size_t)n; break;
    case O_TCONN: if (parse_seconds("--timeout-connect", optarg, &cfg.smtp.t_connect)) bad = 1; break;
    case O_TBANNER: if (parse_seconds("--timeout-banner", optarg, &cfg.smtp.t_banner)) bad = 1; break;
    case O_TSMTP: if (parse_seconds("--timeout-smtp", optarg, &cfg.smtp.t_smtp)) bad = 1; break;
    case O_TTLS: if (parse_seconds("--timeout-tls", optarg, &cfg.smtp.t_tls)) bad = 1; break;
    case O_TDNS: if (parse_seconds("--timeout-dns", optarg, &cfg.dns.timeout)) bad = 1; break;
    case O_FLUSH: if (parse_seconds("--flush-interval", optarg, &cfg.flush_interval)) bad = 1; break;
    case O_GRACE: if (parse_seconds("--grace", optarg, &cfg.grace)) bad = 1; break;
    case 'q': cfg.quiet = 1; break;
    case 'h': usage(stdout); addrpolicy_free(policy); return 0;
    case 'V': printf("mxsurvey %s\n", MXS_VERSION); addrpolicy_free(policy); return 0;
    default: bad = 1; break;
    }
  }
  if (optind < argc - 1) { fprintf(stderr, "mxsurvey: one input file at most\n"); bad = 1; }
  if (bad) { fprintf(stderr, "Try 'mxsurvey --help'.\n"); addrpolicy_free(policy); return 2; }

  const char *in = optind < argc ? argv[optind] : "-";
  if (strcmp(in, "-") == 0) cfg.input = stdin;
  else if (!(cfg.input = fopen(in, "r"))) {
    fprintf(stderr, "mxsurvey: cannot open %s: %s\n", in, strerror(errno));
    addrpolicy_free(policy);
    return 2;
  }
  cfg.dns.resolvers = resolvers;
  cfg.dns.nresolvers = nres;
  int rc = scan_run(&cfg);
  if (cfg.input != stdin) fclose(cfg.input);
  addrpolicy_free(policy);
  return rc;
}
