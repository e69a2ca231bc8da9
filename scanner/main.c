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
#include <sys/stat.h>

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
"      --concurrency N      domains in flight at once (default 5000)\n"
"      --timeout-connect S  seconds to connect (default 10)\n"
"      --timeout-banner S   seconds for the greeting (default 30)\n"
"      --timeout-smtp S     seconds for each later SMTP reply (default 30)\n"
"      --timeout-tls S      seconds for the TLS handshake (default 30)\n"
"      --timeout-dns S      seconds per DNS query (default 15)\n"
"      --flush-interval S   seconds between output flushes (default 2)\n"
"      --grace S            after SIGINT/SIGTERM, seconds for domains in flight (default 10)\n"
"      --resume             the output FILE exists: keep its records, skip their domains,\n"
"                           drop a torn final frame or line, append the rest\n"
"      --exclude-file FILE  never query or connect to the domains (and their subdomains),\n"
"                           addresses and CIDRs listed in FILE (repeatable)\n"
"      --no-share           probe every (domain, host, address) itself instead of sharing\n"
"                           one probe per (address, SNI name) between domains\n"
"      --share-cache N      finished observations kept for later domains (default 16384)\n"
"      --infer-sni N        reuse an address's observation for a new SNI name once N\n"
"                           names showed it the same certificate (default 0: off)\n"
"\n"
"Politeness, rate limits and progress:\n"
"      --rate R             new SMTP connections per second (default 1000; 0 unlimited)\n"
"      --per-ip N           connections in flight to one address (default 1)\n"
"      --ip-interval S      seconds between connection starts to one address (default 0.25)\n"
"      --per-prefix N       connections in flight to one /24 or /48 (default 8)\n"
"      --max-probes N       connections in flight overall (default: from the fd limit)\n"
"      --retries N          retries after a 4xx greeting or an early close (default 2, max 10)\n"
"      --retry-delay S      seconds before the first retry, doubled for each next (default 60)\n"
"      --dns-rate Q         DNS queries per second (default 0: unlimited)\n"
"      --dns-cache-mb N     libunbound cache size in MiB (default 256)\n"
"      --progress-interval S  seconds between progress lines when stderr is no terminal\n"
"                           (default 10; on a terminal one line is refreshed)\n"
"  -q, --quiet              no progress and no summary on stderr\n"
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
       O_TSMTP, O_TTLS, O_TDNS, O_FLUSH, O_GRACE, O_RESUME, O_EXCLUDE,
       O_NOSHARE, O_SHARECACHE, O_INFER,
       /* politeness, rate limits, progress (scanner/sched.h, scanner/progress.h) */
       O_RATE, O_PERIP, O_IPINT, O_PERPFX, O_MAXPROBES, O_RETRIES, O_RETRYDELAY, O_DNSRATE,
       O_DNSCACHE, O_PROGRESS };

/* A number of seconds or a rate that may be 0. */
static int parse_nonneg(const char *opt, const char *v, double max, double *out) {
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (errno || *v == '\0' || *end != '\0' || !(d >= 0) || d > max) {
    fprintf(stderr, "mxsurvey: %s expects a number from 0 to %g, got '%s'\n", opt, max, v);
    return -1;
  }
  *out = d;
  return 0;
}

/* Raises the fd limit and derives the defaults that depend on it; clamps what the user
 * asked for to what fits, with a warning. */
static void size_to_fd_limit(scan_config_t *cfg, bool max_set) {
  size_t nofile = sched_raise_nofile(), probes, outgoing;
  sched_fd_split(nofile, &probes, &outgoing);
  cfg->dns.outgoing = outgoing;
  if (!max_set) cfg->sched.max_probes = probes;
  else if (cfg->sched.max_probes > probes) {
    fprintf(stderr, "mxsurvey: --max-probes %zu does not fit in the fd limit %zu: using %zu\n",
            cfg->sched.max_probes, nofile, probes);
    cfg->sched.max_probes = probes;
  }
  /* libunbound drops queries beyond this: a domain has up to six in flight at once (MX,
   * then A, AAAA, TLSA per host, _mta-sts and _smtp._tls TXT). */
  size_t q = cfg->concurrency * 8;
  cfg->dns.max_queries = q < 8192 ? 8192 : q > 262144 ? 262144 : q;
}

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
    {"resume", no_argument, 0, O_RESUME}, {"exclude-file", required_argument, 0, O_EXCLUDE},
    {"no-share", no_argument, 0, O_NOSHARE}, {"share-cache", required_argument, 0, O_SHARECACHE},
    {"infer-sni", required_argument, 0, O_INFER},
    {"rate", required_argument, 0, O_RATE}, {"per-ip", required_argument, 0, O_PERIP},
    {"ip-interval", required_argument, 0, O_IPINT}, {"per-prefix", required_argument, 0, O_PERPFX},
    {"max-probes", required_argument, 0, O_MAXPROBES}, {"retries", required_argument, 0, O_RETRIES},
    {"retry-delay", required_argument, 0, O_RETRYDELAY}, {"dns-rate", required_argument, 0, O_DNSRATE},
    {"dns-cache-mb", required_argument, 0, O_DNSCACHE},
    {"progress-interval", required_argument, 0, O_PROGRESS},
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
  cfg.concurrency = 5000;
  /* Politeness defaults: see README "Politeness and rate limits". */
  cfg.sched.rate = 1000;
  cfg.sched.per_ip = 1;
  cfg.sched.ip_interval = 0.25;
  cfg.sched.per_prefix = 8;
  cfg.sched.retries = 2;
  cfg.sched.retry_delay = 60;
  cfg.dns.cache_mb = 256;
  cfg.progress_interval = 10;
  bool max_set = false;
  cfg.flush_interval = 2;
  cfg.grace = 10;
  cfg.https_port = 443;
  cfg.share.share = true;
  cfg.share.cache_max = OBSERVE_CACHE_DEFAULT;
  addrpolicy_t *policy = addrpolicy_new();
  if (!policy) { fprintf(stderr, "mxsurvey: out of memory\n"); return 1; }
  cfg.policy = policy;
  exclude_t *exclude = NULL;       /* --exclude-file, loaded before any query */

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
    case O_RESUME: cfg.resume = 1; break;
    case O_EXCLUDE: {
      char xerr[1024];
      if (!exclude && !(exclude = exclude_new())) { fprintf(stderr, "mxsurvey: out of memory\n"); bad = 1; break; }
      if (exclude_load(exclude, optarg, xerr, sizeof xerr) != 0) {
        fprintf(stderr, "mxsurvey: --exclude-file: %s\n", xerr);
        bad = 1;
      }
      break;
    }
    case O_NOSHARE: cfg.share.share = false; break;
    case O_SHARECACHE: if (parse_long("--share-cache", optarg, 0, 100000000, &n)) bad = 1; else cfg.share.cache_max = (size_t)n; break;
    case O_INFER: if (parse_long("--infer-sni", optarg, 0, OBSERVE_INFER_MAX, &n)) bad = 1; else cfg.share.infer_min = (int)n; break;
    case O_RATE: if (parse_nonneg("--rate", optarg, 1e6, &cfg.sched.rate)) bad = 1; break;
    case O_PERIP: if (parse_long("--per-ip", optarg, 1, 1000, &n)) bad = 1; else cfg.sched.per_ip = (unsigned)n; break;
    case O_IPINT: if (parse_nonneg("--ip-interval", optarg, 3600, &cfg.sched.ip_interval)) bad = 1; break;
    case O_PERPFX: if (parse_long("--per-prefix", optarg, 1, 100000, &n)) bad = 1; else cfg.sched.per_prefix = (unsigned)n; break;
    case O_MAXPROBES:
      if (parse_long("--max-probes", optarg, 1, 1000000, &n)) bad = 1;
      else { cfg.sched.max_probes = (size_t)n; max_set = true; }
      break;
    case O_RETRIES: if (parse_long("--retries", optarg, 0, SMTP_RETRY_MAX, &n)) bad = 1; else cfg.sched.retries = (unsigned)n; break;
    case O_RETRYDELAY: if (parse_nonneg("--retry-delay", optarg, 3600, &cfg.sched.retry_delay)) bad = 1; break;
    case O_DNSRATE: if (parse_nonneg("--dns-rate", optarg, 1e6, &cfg.dns.rate)) bad = 1; break;
    case O_DNSCACHE: if (parse_long("--dns-cache-mb", optarg, 4, 65536, &n)) bad = 1; else cfg.dns.cache_mb = (size_t)n; break;
    case O_PROGRESS: if (parse_seconds("--progress-interval", optarg, &cfg.progress_interval)) bad = 1; break;
    case 'q': cfg.quiet = 1; break;
    case 'h': usage(stdout); addrpolicy_free(policy); exclude_free(exclude); return 0;
    case 'V': printf("mxsurvey %s\n", MXS_VERSION); addrpolicy_free(policy); exclude_free(exclude); return 0;
    default: bad = 1; break;
    }
  }
  if (optind < argc - 1) { fprintf(stderr, "mxsurvey: one input file at most\n"); bad = 1; }
  if (cfg.resume && (!cfg.output || strcmp(cfg.output, "-") == 0)) {
    fprintf(stderr, "mxsurvey: --resume needs -o FILE (the output to go on with)\n");
    bad = 1;
  }
  if (cfg.share.infer_min > 0 && !cfg.share.share) {
    fprintf(stderr, "mxsurvey: --infer-sni needs sharing (drop --no-share)\n");
    bad = 1;
  }
  cfg.exclude = exclude;
  if (bad) { fprintf(stderr, "Try 'mxsurvey --help'.\n"); addrpolicy_free(policy); exclude_free(exclude); return 2; }

  const char *in = optind < argc ? argv[optind] : "-";
  if (strcmp(in, "-") == 0) cfg.input = stdin;
  else if (!(cfg.input = fopen(in, "r"))) {
    fprintf(stderr, "mxsurvey: cannot open %s: %s\n", in, strerror(errno));
    addrpolicy_free(policy);
    exclude_free(exclude);
    return 2;
  }
  /* A directory opens for reading and fails only at the first read, after the output was
   * created or truncated: refuse it before anything is opened for writing. */
  struct stat ist;
  if (fstat(fileno(cfg.input), &ist) == 0 && S_ISDIR(ist.st_mode)) {
    fprintf(stderr, "mxsurvey: cannot read %s: %s\n", strcmp(in, "-") == 0 ? "the standard input" : in,
            strerror(EISDIR));
    if (cfg.input != stdin) fclose(cfg.input);
    addrpolicy_free(policy);
    exclude_free(exclude);
    return 2;
  }
  size_to_fd_limit(&cfg, max_set);
  cfg.dns.resolvers = resolvers;
  cfg.dns.nresolvers = nres;
  int rc = scan_run(&cfg);
  if (cfg.input != stdin) fclose(cfg.input);
  addrpolicy_free(policy);
  exclude_free(exclude);
  return rc;
}
