/* mxsurvey scan, from the command line to scan_run: parses the options by the scan table
 * (cli/scan_opts.c), then checks every file and address before any probe is sent (the
 * output is not a file the scan reads, the option files are bounded regular files, the
 * input opens and is no directory, the fd limit is enough), and hands over to the scan
 * pipeline. Exit statuses: 2 usage errors, 1 the rest, 3 a signal before the scan began.
 * The policy, the exclusions, the list of files read and the input are owned by
 * cli_scan_main and freed in one place (scan_cli_free). */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files named by options that a library reads by name (libunbound the trust anchor,
 * OpenSSL and libcurl the CA file, libcurl again at its first fetch) must be regular files
 * of bounded size: /dev/zero would be read forever, a FIFO would be empty the second
 * time. Opened without blocking (a FIFO without a writer). 0 ok, -1 with a message. */
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

static void catch_early_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_early_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
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

static void scan_cli_free(scan_cli_t *c) {
  if (c->cfg.input && c->cfg.input != stdin) fclose(c->cfg.input);
  addrpolicy_free(c->policy);
  exclude_free(c->exclude);
  free(c->reads);
}

/* The checks between the options and the files: 0 ok, 2 usage error, 3 a signal (each
 * with its message). bad: the parse already failed (its messages given). */
static int check_command_line(scan_cli_t *c, bool bad) {
  scan_config_t *cfg = &c->cfg;
  if (early_signal) {          /* while reading an exclude file: its error is the signal's */
    fprintf(stderr, "mxsurvey: %s while reading the options' files: nothing scanned, nothing written\n",
            strsignal(early_signal));
    return SCAN_EXIT_INTERRUPTED;
  }
  if (c->noperands > 1) { fprintf(stderr, "mxsurvey: one input file at most\n"); bad = true; }
  if (cfg->resume && (!cfg->output || strcmp(cfg->output, "-") == 0)) {
    fprintf(stderr, "mxsurvey: --resume needs -o FILE (the output to go on with)\n");
    bad = true;
  }
  if (cfg->share.infer_min > 0 && !cfg->share.share) {
    fprintf(stderr, "mxsurvey: --infer-sni needs sharing (drop --no-share)\n");
    bad = true;
  }
  if (!bad) {
    c->reads[c->nreads++] = (named_file_t){"input file", c->input};
    c->reads[c->nreads++] = (named_file_t){"--trust-anchor", cfg->dns.trust_anchor};
    if (cfg->ca_file) c->reads[c->nreads++] = (named_file_t){"--ca-file", cfg->ca_file};
    if (check_not_output(cfg->output, c->reads, c->nreads) != 0) bad = true;
  }
  if (bad) fprintf(stderr, "Try 'mxsurvey --help'.\n");
  return bad ? 2 : 0;
}

/* Opens the input (a FIFO may wait here for its writer): 0, or an exit status. */
static int open_input(scan_cli_t *c) {
  const char *in = c->input;
  if (strcmp(in, "-") == 0) c->cfg.input = stdin;
  else {
    int fd;
    do fd = open(in, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR && !early_signal);
    if (fd < 0 && early_signal) {
      fprintf(stderr, "mxsurvey: %s while waiting for a writer on %s: nothing scanned, nothing written\n",
              strsignal(early_signal), in);
      return SCAN_EXIT_INTERRUPTED;
    }
    if (fd < 0 || !(c->cfg.input = fdopen(fd, "r"))) {
      fprintf(stderr, "mxsurvey: cannot open %s: %s\n", in, strerror(errno));
      if (fd >= 0) close(fd);
      return 2;
    }
  }
  if (size_to_fd_limit(&c->cfg, c->max_set) != 0) return 1;
  /* A directory opens for reading and fails only at the first read, after the output was
   * created or truncated: refuse it before anything is opened for writing. */
  struct stat ist;
  if (fstat(fileno(c->cfg.input), &ist) == 0 && S_ISDIR(ist.st_mode)) {
    fprintf(stderr, "mxsurvey: cannot read %s: %s\n", strcmp(in, "-") == 0 ? "the standard input" : in,
            strerror(EISDIR));
    return 2;
  }
  return 0;
}

static int scan_with(scan_cli_t *c, int argc, char **argv) {
  scan_config_t *cfg = &c->cfg;
  int r = opt_parse(&scan_spec, argc, argv, c);
  if (r == OPT_R_HELP) { opt_usage(&scan_spec, stdout); return 0; }
  if (r == OPT_R_VERSION) { printf("mxsurvey %s\n", MXS_VERSION); return 0; }
  if (!c->input) c->input = "-";
  int rc = check_command_line(c, r != OPT_R_OK);
  if (rc != 0) return rc;
  if (check_option_file("--trust-anchor", "trust anchor", cfg->dns.trust_anchor, TRUST_ANCHOR_MIB << 20) != 0 ||
      (cfg->ca_file && check_option_file("--ca-file", "CA file", cfg->ca_file, (unsigned long)CA_FILE_MIB << 20) != 0))
    return 1;
  if ((rc = open_input(c)) != 0) return rc;
  cfg->policy = c->policy;
  cfg->exclude = c->exclude;
  cfg->dns.resolvers = c->resolvers;
  cfg->dns.nresolvers = c->nres;
  cfg->dns.mode = c->nres == 0 ? DNS_MODE_RECURSIVE
                  : c->resolver_validates ? DNS_MODE_TRUSTED : DNS_MODE_FORWARD;
  return scan_run(cfg);
}

int cli_scan_main(int argc, char **argv) {
  /* From here on a signal ends the run as an interrupted one (see on_early_signal): an
   * --exclude-file or input FIFO without a writer, a long exclude list being read. */
  catch_early_signals();
  scan_cli_t c;
  memset(&c, 0, sizeof c);
  opt_defaults(&scan_spec, &c);
  c.cfg.https_port = 443;      /* no option: the MTA-STS policy host's port (RFC 8461) */
  c.cfg.early_signal = &early_signal;
  c.policy = addrpolicy_new();
  if (!c.policy) { fprintf(stderr, "mxsurvey: out of memory\n"); return 1; }
  /* The files read before the scan, for check_not_output: input, trust anchor, CA file
   * and every --exclude-file (at most one per argument). */
  c.reads = calloc((size_t)argc + 3, sizeof *c.reads);
  if (!c.reads) { fprintf(stderr, "mxsurvey: out of memory\n"); scan_cli_free(&c); return 1; }
  int rc = scan_with(&c, argc, argv);
  scan_cli_free(&c);
  return rc;
}
