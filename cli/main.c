/* mxsurvey command line: parses options, checks every file and address before any probe
 * is sent, then hands over to the scan pipeline. */
#include "scan/scan.h"
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
"      --grace S            after SIGINT/SIGTERM/SIGHUP, seconds for domains in flight (default 10)\n"
"      --resume             the output FILE exists: keep its records, skip their domains,\n"
"                           drop a torn final frame or line, append the rest (a file\n"
"                           that is not mxsurvey output is refused, left as it is)\n"
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

/* Numbers are plain decimals: strtod would also take "0x10" (hex), "1e-9", "inf", "nan" and
 * leading blanks, and strtol a '+' and blanks. Seconds have millisecond precision (libuv
 * timers count milliseconds), so at most 3 decimals: 0.001 is the smallest non-zero value.
 * Returns 0 with the value in thousandths, or -1 for anything else. */
static int parse_milli(const char *v, unsigned long long *out) {
  unsigned long long ip = 0, frac = 0;
  size_t i = 0, nint = 0, nfrac = 0;
  for (; v[i] >= '0' && v[i] <= '9'; i++)
    if (++nint <= 12) ip = ip * 10 + (unsigned)(v[i] - '0');
  if (v[i] == '.') {
    for (i++; v[i] >= '0' && v[i] <= '9'; i++)
      if (++nfrac <= 3) frac = frac * 10 + (unsigned)(v[i] - '0');
    if (nfrac == 0) return -1;
  }
  if (v[i] != '\0' || nint == 0 || nint > 12 || nfrac > 3) return -1;
  for (size_t k = nfrac; k < 3; k++) frac *= 10;
  *out = ip * 1000 + frac;
  return 0;
}

static int parse_seconds(const char *opt, const char *v, double *out) {
  unsigned long long ms;
  if (parse_milli(v, &ms) != 0 || ms < 1 || ms > 3600 * 1000ull) {
    fprintf(stderr, "mxsurvey: %s expects seconds from 0.001 to 3600 (a decimal number, at most 3 decimals), got '%s'\n", opt, v);
    return -1;
  }
  *out = (double)ms / 1000;
  return 0;
}

static int parse_long(const char *opt, const char *v, long lo, long hi, long *out) {
  size_t i = 0;
  long n = 0;
  /* digits only; more than 10 of them is out of every range here (and would overflow) */
  for (; v[i] >= '0' && v[i] <= '9' && i < 11; i++) n = n * 10 + (v[i] - '0');
  if (i == 0 || i > 10 || v[i] != '\0' || n < lo || n > hi) {
    fprintf(stderr, "mxsurvey: %s expects a number from %ld to %ld, got '%s'\n", opt, lo, hi, v);
    return -1;
  }
  *out = n;
  return 0;
}

enum { O_RESOLVER = 256, O_TA, O_CA, O_PORT, O_EHLO, O_ALLOW, O_CONC, O_TCONN, O_TBANNER,
       O_TSMTP, O_TTLS, O_TDNS, O_FLUSH, O_GRACE, O_RESUME, O_EXCLUDE,
       O_NOSHARE, O_SHARECACHE, O_INFER,
       /* politeness, rate limits, progress (polite/sched.h, scan/progress.h) */
       O_RATE, O_PERIP, O_IPINT, O_PERPFX, O_MAXPROBES, O_RETRIES, O_RETRYDELAY, O_DNSRATE,
       O_DNSCACHE, O_PROGRESS };

/* A number of seconds or a rate that may be 0 (same syntax as parse_seconds). */
static int parse_nonneg(const char *opt, const char *v, double max, double *out) {
  unsigned long long ms;
  if (parse_milli(v, &ms) != 0 || (double)ms > max * 1000) {
    fprintf(stderr, "mxsurvey: %s expects a number from 0 to %.0f (a decimal number, at most 3 decimals), got '%s'\n", opt, max, v);
    return -1;
  }
  *out = (double)ms / 1000;
  return 0;
}

/* Files named by options that a library reads by name (libunbound the trust anchor,
 * OpenSSL and libcurl the CA file, libcurl again at its first fetch) must be regular files
 * of bounded size: /dev/zero would be read forever, a FIFO would be empty the second
 * time. Opened without blocking (a FIFO without a writer). 0 ok, -1 with a message. */
#define TRUST_ANCHOR_MAX (1u << 20)     /* a root.key is 2 KB */
#define CA_FILE_MAX (64u << 20)         /* the system bundle is 200 KB */

static int check_option_file(const char *opt, const char *what, const char *path, unsigned long max) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    fprintf(stderr, "mxsurvey: cannot read %s %s: %s\n", what, path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  if (!S_ISREG(st.st_mode)) {
    fprintf(stderr, "mxsurvey: %s %s is not a regular file (it is read by name, and more than once)\n", opt, path);
    return -1;
  }
  if ((unsigned long long)st.st_size > max) {
    fprintf(stderr, "mxsurvey: %s %s has %lld bytes, more than the %lu MiB such a file may have\n",
            opt, path, (long long)st.st_size, max >> 20);
    return -1;
  }
  return 0;
}

/* The output must not be a file the scan reads: -o LIST LIST would truncate the list
 * before a line of it is read (and --resume append records to it). Compared by device and
 * inode, so a symlink or a hard link is the same file; only regular files are at risk
 * (writing /dev/null read as an empty list harms nothing). 0 ok, -1 with a message. */
typedef struct named_file { const char *what, *path; } named_file_t;

static int check_not_output(const char *output, const named_file_t *files, size_t n) {
  struct stat out;
  bool to_stdout = !output || strcmp(output, "-") == 0;
  if ((to_stdout ? fstat(STDOUT_FILENO, &out) : stat(output, &out)) != 0 || !S_ISREG(out.st_mode))
    return 0;                  /* a new file, or no regular file: nothing read can be it */
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    bool from_stdin = strcmp(files[i].path, "-") == 0;
    if ((from_stdin ? fstat(STDIN_FILENO, &st) : stat(files[i].path, &st)) != 0) continue;
    if (st.st_dev == out.st_dev && st.st_ino == out.st_ino) {
      fprintf(stderr, "mxsurvey: the output %s is the %s %s: refusing to write over what is read\n",
              to_stdout ? "(standard output)" : output, files[i].what,
              from_stdin ? "(standard input)" : files[i].path);
      return -1;
    }
  }
  return 0;
}

/* Opening a FIFO blocks until a writer comes, before the loop (and its signal handlers)
 * exist. A handler without SA_RESTART makes that open() return EINTR on SIGINT, SIGTERM
 * or SIGHUP, so the scan ends as an interrupted one, in our words, with nothing written.
 * A signal that comes after the open is passed on to the scan (scan_config_t.early_signal). */
static volatile sig_atomic_t early_signal;
static void on_early_signal(int sig) {
  if (early_signal) {          /* a second one: exit now, as the scan's handler would */
    signal(sig, SIG_DFL);
    raise(sig);
  }
  early_signal = sig;
}

/* Raises the fd limit and derives the defaults that depend on it; clamps what the user
 * asked for to what fits, with one warning each. -1 (message given) when the limit is too
 * low to run at all: said in our words before libevent or libuv fail on it. */
static int size_to_fd_limit(scan_config_t *cfg, bool max_set) {
  size_t nofile = sched_raise_nofile(), probes, outgoing;
  if (nofile < SCHED_NOFILE_MIN) {
    fprintf(stderr, "mxsurvey: the fd limit (%zu) is too low: at least %d descriptors are needed\n",
            nofile, SCHED_NOFILE_MIN);
    return -1;
  }
  sched_fd_split(nofile, &probes, &outgoing);
  cfg->dns.outgoing = outgoing;
  /* Half of libunbound's sockets for our queries, half for its own DS/DNSKEY fetches: a
   * query that finds them all busy would wait inside libunbound with its deadline running. */
  cfg->dns.max_inflight = outgoing / 2;
  if (!max_set) cfg->sched.max_probes = probes;
  else if (cfg->sched.max_probes > probes) {
    fprintf(stderr, "mxsurvey: --max-probes %zu does not fit in the fd limit %zu: using %zu\n",
            cfg->sched.max_probes, nofile, probes);
    cfg->sched.max_probes = probes;
  }
  /* A domain in flight may hold a descriptor of its own (its MTA-STS policy fetch): never
   * more domains in flight than descriptors. */
  if (cfg->concurrency > nofile) {
    fprintf(stderr, "mxsurvey: the fd limit (%zu) is low: --concurrency %zu lowered to %zu; "
            "%zu DNS queries and %zu probes in flight at once, the others wait (their "
            "deadlines start when they are sent)\n", nofile, cfg->concurrency, nofile,
            cfg->dns.max_inflight, cfg->sched.max_probes);
    cfg->concurrency = nofile;
  }
  /* libunbound drops queries beyond this: a domain has up to six in flight at once (MX,
   * then A, AAAA, TLSA per host, _mta-sts and _smtp._tls TXT). */
  size_t q = cfg->concurrency * 8;
  cfg->dns.max_queries = q < 8192 ? 8192 : q > 262144 ? 262144 : q;
  return 0;
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
  /* From here on a signal ends the run as an interrupted one (see on_early_signal): an
   * --exclude-file or input FIFO without a writer, a long exclude list being read. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_early_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);

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
  /* The files read before the scan, for check_not_output: input, trust anchor, CA file
   * and every --exclude-file (at most one per argument). */
  named_file_t *reads = calloc((size_t)argc + 3, sizeof *reads);
  size_t nreads = 0;
  if (!reads) { fprintf(stderr, "mxsurvey: out of memory\n"); addrpolicy_free(policy); return 1; }

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
      reads[nreads++] = (named_file_t){"--exclude-file", optarg};
      if (exclude_load(exclude, optarg, xerr, sizeof xerr) != 0) {
        if (!early_signal) fprintf(stderr, "mxsurvey: --exclude-file: %s\n", xerr);  /* else EINTR */
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
    case 'h': usage(stdout); addrpolicy_free(policy); exclude_free(exclude); free(reads); return 0;
    case 'V': printf("mxsurvey %s\n", MXS_VERSION); addrpolicy_free(policy); exclude_free(exclude); free(reads); return 0;
    default: bad = 1; break;
    }
  }
  if (early_signal) {          /* while reading an exclude file: its error is the signal's */
    fprintf(stderr, "mxsurvey: %s while reading the options' files: nothing scanned, nothing written\n",
            strsignal(early_signal));
    addrpolicy_free(policy);
    exclude_free(exclude);
    free(reads);
    return SCAN_EXIT_INTERRUPTED;
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
  const char *in = optind < argc ? argv[optind] : "-";
  if (!bad) {
    reads[nreads++] = (named_file_t){"input file", in};
    reads[nreads++] = (named_file_t){"--trust-anchor", cfg.dns.trust_anchor};
    if (cfg.ca_file) reads[nreads++] = (named_file_t){"--ca-file", cfg.ca_file};
    if (check_not_output(cfg.output, reads, nreads) != 0) bad = 1;
  }
  free(reads);
  if (bad) { fprintf(stderr, "Try 'mxsurvey --help'.\n"); addrpolicy_free(policy); exclude_free(exclude); return 2; }
  if (check_option_file("--trust-anchor", "trust anchor", cfg.dns.trust_anchor, TRUST_ANCHOR_MAX) != 0 ||
      (cfg.ca_file && check_option_file("--ca-file", "CA file", cfg.ca_file, CA_FILE_MAX) != 0)) {
    addrpolicy_free(policy);
    exclude_free(exclude);
    return 1;
  }

  cfg.early_signal = &early_signal;
  if (strcmp(in, "-") == 0) cfg.input = stdin;
  else {
    int fd;
    do fd = open(in, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR && !early_signal);
    if (fd < 0 && early_signal) {
      fprintf(stderr, "mxsurvey: %s while waiting for a writer on %s: nothing scanned, nothing written\n",
              strsignal(early_signal), in);
      addrpolicy_free(policy);
      exclude_free(exclude);
      return SCAN_EXIT_INTERRUPTED;
    }
    if (fd < 0 || !(cfg.input = fdopen(fd, "r"))) {
      fprintf(stderr, "mxsurvey: cannot open %s: %s\n", in, strerror(errno));
      if (fd >= 0) close(fd);
      addrpolicy_free(policy);
      exclude_free(exclude);
      return 2;
    }
  }
  if (size_to_fd_limit(&cfg, max_set) != 0) {
    if (cfg.input != stdin) fclose(cfg.input);
    addrpolicy_free(policy);
    exclude_free(exclude);
    return 1;
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
  cfg.dns.resolvers = resolvers;
  cfg.dns.nresolvers = nres;
  int rc = scan_run(&cfg);
  if (cfg.input != stdin) fclose(cfg.input);
  addrpolicy_free(policy);
  exclude_free(exclude);
  return rc;
}
