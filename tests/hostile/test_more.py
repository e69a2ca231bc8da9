#!/usr/bin/env python3
"""A second hostile pass (issue 13, topic "more"): large TLSA RRsets, signals and pipes,
bad input paths. Every case asserts the exact record fields or exit status.

usage: test_more.py --mxsurvey PATH [--keep]

Needs root; re-executes itself in private network and mount namespaces (world.py's
run_in_namespace). A small world of its own: one signed root zone (NSD 127.0.53.1), the
validating Unbound of world.py (127.0.53.53), and more_smtp.py, an ESMTP server with STARTTLS on 127.0.5.1:25. Cases:

  tlsa40     mx.tlsa40.mrtest publishes 40 secure TLSA records: 39 "3 0 1" that match
             nothing and the "3 1 1" of the server's key. DANE is valid, the sender
             delivers; records[] lists 32 of them, records_truncated, records_total 40.
  tlsa1000   the same with 999 wrong records (a 17 KB answer), twice (tlsa1000b): valid,
             and the record line stays small (32 records listed). libunbound rotates an
             RRset by a random offset, so the matching record is beyond the first 32 in
             20 % (tlsa40) and 97 % (each tlsa1000) of runs: the unfixed code fails this
             test in more than 99.9 % of runs.
  tlsabad    40 records, none matching: mismatch (the test can fail both ways).
  sighup     SIGHUP (the operator's ssh session drops) while the input pipe is open: the
             record already made is flushed, "N records written (interrupted", exit 3.
  sigpipe    -o - into a pipe whose reader has gone: a message naming the write, exit 1,
             not a death by SIGPIPE.
  errpipe    stderr a pipe whose reader has gone, -o FILE: the scan completes, exit 0,
             every record written.
  pool       libuv's thread pool cannot start (UV_THREADPOOL_SIZE=1024 under a 1 GiB
             RLIMIT_AS): exit 1 with a message, the output untouched (skipped under ASan).
  ubthread   libunbound's resolver thread cannot start (RLIMIT_STACK 2 GiB, RLIMIT_AS 1 GiB):
             exit 1 with our message (skipped under ASan).
  ubinit     RLIMIT_AS 90 and 86 MB, where libunbound's thread starts but fails to set
             itself up: exit 1 with our message within 30 s (skipped under ASan).
  lowmem     20 000 domains, --concurrency 100000, --dns-contexts 2, RLIMIT_AS from 400
             down to 110 MB (--lowmem-mb for others): every run ends by itself with status
             0 and every record, or status 1, "out of memory" (or a set-up message before
             any query) and only whole records (skipped under ASan).
  indir      the input is a directory (named, or as the standard input): exit 2 with
             "cannot read DIR: Is a directory" before the output is touched (an existing
             -o file keeps its bytes).

Before the fix tlsa40 and tlsa1000 recorded "mismatch" (the matching record was cut off at
32), sighup and sigpipe died by their signal (no record, no message), errpipe died by
SIGPIPE, indir truncated the output first, and pool died by SIGABRT (libuv's abort())
after truncating the output, ubthread died by SIGABRT (libunbound's fatal_exit) with
only libunbound's log line, ubinit hung (no query answered, then ub_ctx_delete waiting
for the thread that was gone); lowmem with one context passed before the fix too (a
guard), with two it died by SIGSEGV at 200 MB (net/anchor.c). Prints one line per failed check and
"N passed, N failed"; exits 1 on any failure.
"""
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORLD = os.path.join(os.path.dirname(HERE), "world")
sys.path.insert(0, WORLD)
sys.path.insert(0, HERE)
import world as W  # noqa: E402
import run_tests as R  # noqa: E402
from test_callbacks import records  # noqa: E402

NS_ENV = "MXSURVEY_HOSTILE_MORE_NETNS"
TLD = "mrtest"
SMTP_ADDR = "127.0.5.1"
# case: (wrong records, whether the right one follows); the wrong ones of the 1000-record
# sets are "3 0 0" with 2 bytes of data (a 17 KB answer), the others "3 0 1" with 32.
TLSA_CASES = {"tlsa40": (39, True), "tlsa1000": (999, True), "tlsa1000b": (999, True),
              "tlsabad": (40, False)}


def dom(c):
    return "%s.%s" % (c, TLD)


def build(w):
    """PKI, the signed root zone, NSD's and Unbound's configurations."""
    os.makedirs(w.p("logs"), exist_ok=True)
    pki = W.PKI(w.p("pki"))
    cert, key = pki.leaf("smtp", ["mx.%s" % dom(c) for c in TLSA_CASES], "ec")
    spki = W.PKI.spki_sha256(cert)
    zdir = w.p("dns")
    os.makedirs(zdir, exist_ok=True)
    z = W.Zone(".")
    z.add("ns.root.", "A", W.NSD_ADDR)
    z.add(dom("plain") + ".", "MX", "10 mx.%s." % dom("plain"))
    for i in range(1, 6):
        z.add("p%d.%s." % (i, TLD), "MX", "10 mx.p%d.%s." % (i, TLD))
    for c, (nwrong, right) in TLSA_CASES.items():
        d = dom(c) + "."
        z.add(d, "MX", "10 mx.%s" % d)
        z.add("mx." + d, "A", SMTP_ADDR)
        for i in range(nwrong):
            z.add("_25._tcp.mx." + d, "TLSA", ("3 0 0 %04x" if nwrong > 100 else "3 0 1 %064x") % (i + 1))
        if right:
            z.add("_25._tcp.mx." + d, "TLSA", "3 1 1 %s" % spki)
    w.serve_root_zone(zdir, z)
    w.state.update({"pids": {}, "cert": cert, "key": key, "spki": spki,
                    "trust_anchor": w.p("root.key")})
    w.save()


def start(w):
    w.start_dns()
    ready = w.p("smtp.ready")
    w._spawn("smtp", [sys.executable, os.path.join(HERE, "more_smtp.py"),
                      "--cert", w.state["cert"], "--key", w.state["key"],
                      "--log", w.p("logs", "smtp.log"), "--ready", ready, SMTP_ADDR],
             "smtp.stdout")
    W.wait_listening([(SMTP_ADDR, 25, "tcp")], "smtp")


def write_input(w, what, domains):
    inp = w.p(what + ".txt")
    with open(inp, "w") as f:
        f.write("".join(d + "\n" for d in domains))
    return inp


# ---- TLSA ------------------------------------------------------------------------------
def scan_tlsa(C, w, mx, base):
    what = "more-tlsa"
    inp = write_input(w, what, [dom(c) for c in TLSA_CASES])
    out = w.p(what + ".ndjson")
    r, _ = R.run_scan(mx, base + ["-o", out, inp], what, C, w.d, timeout=90)
    C.check(what, "exit status", 0, r.returncode if r else None)
    recs = records(out, C, what)
    lines = {json.loads(l)["domain"]: len(l) for l in open(out, encoding="utf-8") if l.strip()} \
        if os.path.exists(out) else {}
    spki = w.state["spki"]
    for c, (nwrong, right) in TLSA_CASES.items():
        d = dom(c)
        rec = recs.get(d, {})
        total = nwrong + (1 if right else 0)
        C.check(what, d + ": status", "ok", rec.get("status"))
        C.check(what, d + ": tlsa.dnssec", "secure", R.get(rec, "mx.0.tlsa.dnssec"))
        C.check(what, d + ": tlsa.records listed", 32, len(R.get(rec, "mx.0.tlsa.records") or []))
        C.check(what, d + ": tlsa.records_truncated", True, R.get(rec, "mx.0.tlsa.records_truncated"))
        C.check(what, d + ": tlsa.records_total", total, R.get(rec, "mx.0.tlsa.records_total"))
        C.check(what, d + ": TLS", "TLSv1.3", R.get(rec, "mx.0.addresses.0.smtp.tls.version"))
        if right:
            C.check(what, d + ": dane.status", "valid", R.get(rec, "mx.0.addresses.0.dane.status"))
            C.check(what, d + ": dane.matched", {"usage": 3, "selector": 1, "mtype": 1,
                                                 "data": R.IEq(spki)},
                    R.get(rec, "mx.0.addresses.0.dane.matched"))
            C.check(what, d + ": summary.dane", "valid", R.get(rec, "summary.dane"))
            C.check(what, d + ": sender.dane", {"action": "deliver", "mx": "mx." + d},
                    R.get(rec, "sender.dane"))
        else:
            C.check(what, d + ": dane.status", "mismatch", R.get(rec, "mx.0.addresses.0.dane.status"))
            C.check(what, d + ": summary.dane", "invalid", R.get(rec, "summary.dane"))
            C.check(what, d + ": sender.dane.action", "defer", R.get(rec, "sender.dane.action"))
        # bounded: 1000 records give the size of 40 (32 listed; conformity, outlook and
        # rollover of issue 16 add about 2 KB)
        C.check(what, d + ": record line under 12 KB", True, lines.get(d, 1 << 30) < 12288)


# ---- signals and pipes -----------------------------------------------------------------
def scan_sighup(C, w, mx, base):
    """SIGHUP with one record made but not yet flushed (--flush-interval 60)."""
    what = "more-sighup"
    out = w.p(what + ".ndjson")
    cmd = [mx, "scan"] + base + ["--flush-interval", "60", "--grace", "5", "-o", out, "-"]
    print("[run] %s" % " ".join(cmd), flush=True)
    errf = open(w.p("logs", "mxsurvey-%s.stderr" % what), "w+b")
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errf)
    p.stdin.write((dom("plain") + "\n").encode())
    p.stdin.flush()
    time.sleep(1.5)              # plain.mrtest needs two lookups in the world: milliseconds
    p.send_signal(signal.SIGHUP)
    try:
        rc = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    p.stdin.close()
    errf.seek(0)
    err = errf.read().decode("utf-8", "replace")
    print("[run] %s: exit %d" % (what, rc), flush=True)
    C.check(what, "exit status", 3, rc)
    C.check(what, "domains recorded", [dom("plain")], sorted(records(out, C, what)))
    C.check(what, "signal message", True, "mxsurvey: Hangup: finishing 0 domains in flight" in err)
    C.check(what, "final line", True, "mxsurvey: 1 records written (interrupted" in err)


def run_broken_pipe(what, cmd, which):
    """Runs cmd with stdout or stderr a pipe whose read end is closed before it starts."""
    rfd, wfd = os.pipe()
    os.close(rfd)
    print("[run] %s (%s: a pipe without reader)" % (" ".join(cmd), which), flush=True)
    kw = {"stdout": wfd} if which == "stdout" else {"stderr": wfd, "stdout": subprocess.DEVNULL}
    errr, errw = (None, None)
    if which == "stdout":
        errr, errw = os.pipe()
        kw["stderr"] = errw
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, **kw)
    os.close(wfd)
    err = b""
    if errw is not None:
        os.close(errw)
        with os.fdopen(errr, "rb") as f:
            err = f.read()
    try:
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    print("[run] %s: exit %d" % (what, rc), flush=True)
    return rc, err.decode("utf-8", "replace")


def scan_sigpipe(C, w, mx, base):
    what = "more-sigpipe"
    inp = write_input(w, what, [dom("plain")] + ["p%d.%s" % (i, TLD) for i in range(1, 6)])
    rc, err = run_broken_pipe(what, [mx, "scan"] + base + ["-o", "-", inp], "stdout")
    C.check(what, "exit status", 1, rc)
    C.check(what, "message", True, "mxsurvey: write <stdout>: Broken pipe\n" in err)
    C.check(what, "final line", True, "records written (scan failed: the output is incomplete)" in err)


def scan_errpipe(C, w, mx, base):
    what = "more-errpipe"
    doms = [dom("plain")] + ["p%d.%s" % (i, TLD) for i in range(1, 6)]
    inp = write_input(w, what, doms)
    out = w.p(what + ".ndjson")
    rc, _ = run_broken_pipe(what, [mx, "scan"] + base + ["--progress-interval", "0.2", "-o", out, inp],
                            "stderr")
    C.check(what, "exit status", 0, rc)
    C.check(what, "domains recorded", sorted(doms), sorted(records(out, C, what)))


# ---- bad paths -------------------------------------------------------------------------
def scan_indir(C, w, mx, base):
    what = "more-indir"
    d = w.p("indir.d")
    os.makedirs(d, exist_ok=True)
    out = w.p(what + ".ndjson")
    keep = b'{"keep":"these bytes"}\n'
    with open(out, "wb") as f:
        f.write(keep)
    r = subprocess.run([mx, "scan"] + base + ["-o", out, d], capture_output=True, timeout=30)
    err = r.stderr.decode("utf-8", "replace")
    print("[run] %s: exit %d: %s" % (what, r.returncode, err.strip()[:200]), flush=True)
    C.check(what, "exit status", 2, r.returncode)
    C.check(what, "message", "mxsurvey: cannot read %s: Is a directory\n" % d, err)
    with open(out, "rb") as f:
        C.check(what, "output untouched", keep.decode(), f.read().decode("utf-8", "replace"))
    fd = os.open(d, os.O_RDONLY)          # the same as the standard input ("< DIR")
    r = subprocess.run([mx, "scan"] + base + ["-o", out], stdin=fd, capture_output=True, timeout=30)
    os.close(fd)
    err = r.stderr.decode("utf-8", "replace")
    print("[run] %s (stdin): exit %d: %s" % (what, r.returncode, err.strip()[:200]), flush=True)
    C.check(what, "stdin: exit status", 2, r.returncode)
    C.check(what, "stdin: message", "mxsurvey: cannot read the standard input: Is a directory\n", err)
    with open(out, "rb") as f:
        C.check(what, "stdin: output untouched", keep.decode(), f.read().decode("utf-8", "replace"))


# ---- low memory -----------------------------------------------------------------------
def sanitized(mx):
    """RLIMIT_AS and AddressSanitizer's shadow memory do not mix: those cases are skipped."""
    with open(mx, "rb") as f:
        return b"__asan_init" in f.read()


def limited(mb):
    lim = mb << 20
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (lim, lim))


def scan_pool(C, w, mx, base):
    """libuv's thread pool cannot start (1024 threads of 8 MiB under a 1 GiB RLIMIT_AS):
    before the fix libuv abort()ed at the first input read, silently, after the output was
    truncated."""
    what = "more-pool"
    if sanitized(mx):
        print("[skip] %s: a sanitizer build" % what, flush=True)
        return
    refused_at_start(C, w, mx, base, what, limited(1024),
                     "mxsurvey: cannot start libuv's thread pool (1024 threads): Resource "
                     "temporarily unavailable (a memory limit such as ulimit -v?)\n",
                     env=dict(os.environ, UV_THREADPOOL_SIZE="1024"))


def refused_at_start(C, w, mx, base, what, preexec, message, env=None):
    """A scan that must stop at start-up (status 1, message) under the limits preexec sets,
    leaving an existing output byte for byte as it was."""
    inp = write_input(w, what, [dom("plain")])
    out = w.p(what + ".ndjson")
    keep = '{"keep":"these bytes"}\n'
    with open(out, "w") as f:
        f.write(keep)
    r = subprocess.run([mx, "scan"] + base + ["-o", out, inp], capture_output=True, timeout=60,
                       preexec_fn=preexec, env=env)
    err = r.stderr.decode("utf-8", "replace")
    print("[run] %s: exit %d: %s" % (what, r.returncode, err.strip()[:200]), flush=True)
    # The line that says how many libunbound contexts were made (once they were) comes first.
    err = re.sub(r"^mxsurvey: DNS: [0-9]+ libunbound contexts? \(--dns-contexts\)\n", "", err)
    C.check(what, "exit status", 1, r.returncode)
    C.check(what, "message", message, err)
    with open(out) as f:
        C.check(what, "output untouched", keep, f.read())


def scan_resolver_thread(C, w, mx, base):
    """libunbound's resolver thread cannot start (threads of default attributes get the
    2 GiB RLIMIT_STACK as their stack, over a 1 GiB RLIMIT_AS): before the fix libunbound
    abort()ed with only a line in its log."""
    what = "more-ubthread"
    if sanitized(mx):
        print("[skip] %s: a sanitizer build" % what, flush=True)
        return

    def pre():
        limited(1024)()
        resource.setrlimit(resource.RLIMIT_STACK, (2048 << 20, resource.RLIM_INFINITY))
    refused_at_start(C, w, mx, base, what, pre,
                     "mxsurvey: cannot start the resolver's thread: Resource temporarily "
                     "unavailable (a memory limit such as ulimit -v?)\n")


def scan_ubinit(C, w, mx, base):
    """Near 90 MB of address space libunbound's thread starts but cannot set itself up
    ("bg worker init failed" in its log) and exits: before the fix no query was ever
    answered (recorded as timeouts) and the exit hung in ub_ctx_delete. Where exactly each
    thread fails moves by a few MB: any of our three start-up messages is right."""
    what = "more-ubinit"
    if sanitized(mx):
        print("[skip] %s: a sanitizer build" % what, flush=True)
        return
    inp = write_input(w, what, [dom("plain")])
    msgs = ("mxsurvey: libunbound's resolver thread did not start (out of memory?)\n",
            "mxsurvey: cannot start the resolver's thread: ", "mxsurvey: cannot start libuv's thread pool (4 threads): ")
    for mb in (90, 86):
        out = w.p("%s-%d.ndjson" % (what, mb))
        try:
            r = subprocess.run([mx, "scan"] + base + ["-o", out, inp], capture_output=True, timeout=30,
                               preexec_fn=limited(mb))
        except subprocess.TimeoutExpired:
            print("[run] %s %d MB: still running after 30 s" % (what, mb), flush=True)
            C.check(what, "%d MB: ended within 30 s" % mb, True, False)
            continue
        err = r.stderr.decode("utf-8", "replace")
        print("[run] %s %d MB: exit %d: %s" % (what, mb, r.returncode, err.strip()[-200:]), flush=True)
        C.check(what, "%d MB: exit status" % mb, 1, r.returncode)
        C.check(what, "%d MB: our message" % mb, True, any(m in err for m in msgs))
        C.check(what, "%d MB: no output" % mb, False, os.path.exists(out))


LOWMEM_MB = (400, 200, 145, 125, 110)
# Set-up failures that end the scan before any query, each with its message (exit 1).
BEFORE_ANY_QUERY = ("mxsurvey: cannot start libuv's thread pool (4 threads):",
                    "mxsurvey: cannot start the resolver's thread:",
                    "mxsurvey: libunbound's resolver thread did not start (out of memory?)",
                    "mxsurvey: cannot start the trust anchor check:")


def scan_lowmem(C, w, mx, base, limits=LOWMEM_MB):
    """20 000 domains, --concurrency 100000, under address-space limits around where the
    window's allocations start to fail: every run ends by itself, with status 0 and every
    record, or status 1, "out of memory" and only whole records; never a signal.
    With two libunbound contexts (forced: the default is one per core): the trust anchor
    check's context could not start its thread at 200 MB, and deleting it died by SIGSEGV
    in libunbound (pthread_kill of thread id 0; net/anchor.c)."""
    what = "more-lowmem"
    if sanitized(mx):
        print("[skip] %s: a sanitizer build" % what, flush=True)
        return
    doms = ["d%d.%s" % (i, TLD) for i in range(20000)]
    inp = write_input(w, what, doms)
    failed = 0
    # Below ~100 MB libunbound's resolver thread may fail to start (see docs/usage.md): not here.
    for mb in limits:
        out = w.p("%s-%d.ndjson" % (what, mb))
        try:
            r = subprocess.run([mx, "scan"] + base + ["--dns-contexts", "2", "--concurrency", "100000",
                                                      "-o", out, inp],
                               capture_output=True, timeout=60, preexec_fn=limited(mb))
        except subprocess.TimeoutExpired:
            C.check(what, "%d MB: ended within 60 s" % mb, True, False)
            continue
        err = r.stderr.decode("utf-8", "replace")
        with open(w.p("%s-%d.stderr" % (what, mb)), "w") as f:   # kept with --keep or a failure
            f.write(err)
        lines = open(out, "rb").read().split(b"\n") if os.path.exists(out) else []
        whole = 0
        statuses = {}
        for l in lines[:-1]:
            try:
                rec = json.loads(l)
                st = rec["status"]
                if rec.get("error"):
                    st += " (%s)" % rec["error"].get("reason", "")[:60]
            except (ValueError, KeyError, AttributeError):
                continue
            whole += 1
            statuses[st] = statuses.get(st, 0) + 1
        # Every domain is NXDOMAIN: a record of another status blames the domain for our
        # own failure (it was "dns-error (could not start MX query)" when a lookup could
        # not be allocated), and --resume would never redo it.
        last = " | ".join(l[:160] for l in err.strip().split("\n")[-4:]) if err.strip() else ""
        print("[run] %s %d MB: exit %d, %d records %s; stderr ends: %s" %
              (what, mb, r.returncode, whole, sorted(statuses.items()), last), flush=True)
        C.check(what, "%d MB: every record nxdomain" % mb, whole, statuses.get("nxdomain", 0))
        C.check(what, "%d MB: exit status" % mb, True, r.returncode in (0, 1))
        C.check(what, "%d MB: only whole records" % mb, [b""], lines[-1:] if lines else [b""])
        C.check(what, "%d MB: every line a record" % mb, len(lines) - 1 if lines else 0, whole)
        if r.returncode == 0:
            C.check(what, "%d MB: every domain" % mb, len(doms), whole)
            C.check(what, "%d MB: two contexts" % mb, True, "mxsurvey: DNS: 2 libunbound contexts" in err)
        elif any(m in err for m in BEFORE_ANY_QUERY):
            C.check(what, "%d MB: no record" % mb, 0, whole)
        else:
            failed += 1
            C.check(what, "%d MB: message" % mb, True, "mxsurvey: out of memory\n" in err)
        if whole:
            C.check(what, "%d MB: final line" % mb, True, "mxsurvey: %d records written" % whole in err)
    print("[run] %s: %d of %d limits made the scan fail part-way" % (what, failed, len(limits)), flush=True)


def in_namespace_main(a):
    def body(C, w, wd, procs):
        build(w)
        start(w)
        mx = os.path.abspath(a.mxsurvey)
        base = ["--resolver", W.RESOLVER_ADDR, "--trust-anchor", w.state["trust_anchor"],
                "--allow", "127.0.0.0/8", "--timeout-dns", "5", "--timeout-tls", "10",
                "--progress-interval", "60"] + (a.scan_arg or [])
        for step in (scan_tlsa, scan_sighup, scan_sigpipe, scan_errpipe, scan_indir, scan_pool,
                     scan_resolver_thread, scan_ubinit, scan_lowmem):
            if not a.only or step.__name__ in a.only:
                if step is scan_lowmem and a.lowmem_mb:
                    step(C, w, mx, base, a.lowmem_mb)
                else:
                    step(C, w, mx, base)
    return R.run_driver("mxsurvey-more-", a.keep, body)


def main():
    return W.driver_main(__file__, NS_ENV, "ports 53 and 25 on 127.x", in_namespace_main,
                         extra_args=extra_args)


def extra_args(ap):
    ap.add_argument("--only", action="append", help="run only this step (e.g. scan_tlsa)")
    ap.add_argument("--scan-arg", action="append", metavar="ARG",
                    help="one more argument for every scan (e.g. --scan-arg=--dns-rate --scan-arg=500; "
                         "scan_lowmem's --dns-contexts 2 comes after them)")
    ap.add_argument("--lowmem-mb", action="append", type=int, metavar="MB",
                    help="scan_lowmem's address-space limits instead of %s" % (LOWMEM_MB,))


if __name__ == "__main__":
    sys.exit(main())
