#!/usr/bin/env python3
"""An MTA-STS policy fetch as the LAST pending operation of a scan (issue 13, fault 1 and
three lesser ones): the scan must end cleanly, with every record, whatever the fetch's
outcome, also when a signal arrives while the fetch is in flight.

usage: test_callbacks.py --mxsurvey PATH [--keep]

Needs root; re-executes itself in private network and mount namespaces (world.py's
run_in_namespace). A small world of its own: one signed root zone (NSD 127.0.53.1), the
validating Unbound of world.py (127.0.53.53), and callbacks_https.py, hostile policy
hosts on 127.0.4.X:443. Every case domain <c>.cbtest has MX mx.<c>.cbtest (a name without
addresses: no SMTP probe, no PTR lookup), _mta-sts TXT and mta-sts.<c>.cbtest A: after the
MX, TXT and A answers nothing is left but the policy fetch. Each scan reads plain.cbtest
(no MTA-STS, recorded early) and one case domain:

  slow      the policy comes 2 s after the request: valid, http_status 200
  refused   nothing listens at the policy host: fetch-error (connection refused)
  hang      the host never answers, --timeout-tls 1: fetch-error (timeout)
  bighdr    one 10 MB header line: fetch-error "HTTP response header larger than 64 KiB"
  manyhdr   10 MB of header in 1 KiB lines: the same
  cut       200 whose body is cut (Content-Length 1000, 100 bytes sent): http_status 200
  toolarge  200 with a 70 000-byte body: "policy larger than 64 KiB", http_status 200
  sigterm   SIGTERM while the slow fetch is in flight (it ends within --grace): exit 3,
            both records, "2 records written (interrupted"
  sigtwice  SIGTERM twice while the slow fetch is in flight: exit 3 at once, the record
            of plain.cbtest kept, and the final "1 records written (interrupted" line
  siggrace  SIGTERM while the hanging fetch is in flight, --grace 0.5: exit 3 when the
            grace period ends, the record of plain.cbtest kept (and, in the sanitizer
            build, no leak report: the transfer given up is freed)
  sigptr    the same while the PTR lookup of ptr.cbtest's MX address hangs (its reverse
            zone is delegated to a DNS server that never answers): the lookup given up
            is freed

Before the fix the first seven and "sigterm" died with SIGSEGV (or an ASan report) and
lost their records, and "sigtwice" printed no final line. Prints one line per failed
check and "N passed, N failed"; exits 1 on any failure.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORLD = os.path.join(os.path.dirname(HERE), "world")
sys.path.insert(0, WORLD)
import world as W  # noqa: E402
import run_tests as R  # noqa: E402

NS_ENV = "MXSURVEY_HOSTILE_CALLBACKS_NETNS"
TLD = "cbtest"
REFUSED_ADDR = "127.0.3.1"          # nothing listens there
PTR_MX_ADDR = "127.0.3.2"           # ptr.cbtest's MX: nothing listens, its PTR lookup hangs
SILENT_DNS = "127.0.53.9"           # 3.0.127.in-addr.arpa is delegated there: never answers
HOSTS = {"slow": "127.0.4.1", "hang": "127.0.4.2", "bighdr": "127.0.4.3",
         "manyhdr": "127.0.4.4", "cut": "127.0.4.5", "toolarge": "127.0.4.6"}
CASES = list(HOSTS) + ["refused"]
DELAY = 2.0


def dom(c):
    return "%s.%s" % (c, TLD)


def build(w):
    """PKI, the signed root zone, NSD's and Unbound's configurations."""
    os.makedirs(w.p("logs"), exist_ok=True)
    pki = W.PKI(w.p("pki"))
    cert, key = pki.leaf("sts", ["mta-sts." + dom(c) for c in CASES], "ec")
    zdir = w.p("dns")
    os.makedirs(zdir, exist_ok=True)
    z = W.Zone(".")
    z.add("ns.root.", "A", W.NSD_ADDR)
    z.add(dom("plain") + ".", "MX", "10 mx.%s." % dom("plain"))
    z.add(dom("ptr") + ".", "MX", "10 mx.%s." % dom("ptr"))
    z.add("mx.%s." % dom("ptr"), "A", PTR_MX_ADDR)
    z.add("3.0.127.in-addr.arpa.", "NS", "ns.silent.%s." % TLD)
    z.add("ns.silent.%s." % TLD, "A", SILENT_DNS)
    for c in CASES:
        d = dom(c) + "."
        z.add(d, "MX", "10 mx.%s" % d)
        z.add("_mta-sts." + d, "TXT", '"v=STSv1; id=%s2026;"' % c)
        z.add("mta-sts." + d, "A", HOSTS.get(c, REFUSED_ADDR))
    w.serve_root_zone(zdir, z)
    with open(w.p("unbound.conf")) as f:
        text = f.read()
    with open(w.p("unbound.conf"), "w") as f:   # 127.x reverse names asked, not answered locally
        f.write(text.replace("server:\n", 'server:\n  local-zone: "127.in-addr.arpa." nodefault\n', 1))
    w.state.update({"pids": {}, "cert": cert, "key": key, "ca_file": pki.ca_pem,
                    "trust_anchor": w.p("root.key")})
    w.save()


def start(w):
    w.start_dns()
    ready = w.p("https.ready")
    w._spawn("https", [sys.executable, os.path.join(HERE, "callbacks_https.py"),
                       "--cert", w.state["cert"], "--key", w.state["key"],
                       "--log", w.p("logs", "https.log"), "--ready", ready,
                       "--delay", str(DELAY), "--silent-dns", SILENT_DNS] +
             ["%s=%s" % (a, c) for c, a in HOSTS.items()],
             "https.stdout")
    W.wait_ready(ready, "callbacks_https.py", w.p("logs", "https.stdout"))


def requests(w, behaviour):
    try:
        with open(w.p("logs", "https.log")) as f:
            return sum(1 for l in f if l.split()[2:3] == [behaviour])
    except OSError:
        return 0


def records(path, C=None, what=None):
    """The records of path by domain; with C, each checked against docs/record.schema.json."""
    recs = {}
    if os.path.exists(path):
        for l in open(path, encoding="utf-8").read().splitlines():
            if l.strip():
                rec = json.loads(l)
                recs[rec["domain"]] = rec
    if C is not None:
        R.check_schema(list(recs.values()), what, C)
    return recs


def expected_sts(c):
    """The exact mta_sts object of a case domain (matchers where libcurl words it)."""
    base = {"id": c + "2026"}
    url = "https://mta-sts.%s: " % dom(c)
    fail = dict(base, status="fetch-error", result_type="sts-policy-fetch-error")
    if c in ("slow", "sigterm"):
        d = dom("slow")
        return {"status": "valid", "id": "slow2026", "http_status": 200, "mode": "enforce",
                "policy_sha256": R.Regex("[0-9a-f]{64}"),
                "max_age": 86400, "mx": ["mx." + d],
                "hosts": [{"host": "mx." + d, "policy_match": True, "cert_ok": False}]}
    if c == "refused":
        return dict(fail, reason=R.Regex(re.escape(url + "Failed to connect to mta-sts.%s port 443 after "
                                                   % dom(c)) + r"\d+ ms: Couldn't connect to server"))
    if c == "hang":
        return dict(fail, reason=R.Regex(re.escape(url + "Operation timed out after ") +
                                         r"\d+ milliseconds with 0 bytes received"))
    if c in ("bighdr", "manyhdr"):
        return dict(fail, reason=url + "HTTP response header larger than 64 KiB", http_status=200)
    if c == "cut":
        return dict(fail, reason=url + "transfer closed with 900 bytes remaining to read",
                    http_status=200)
    if c == "toolarge":
        return dict(fail, reason="policy larger than 64 KiB", http_status=200)
    raise KeyError(c)


def check_sts(C, what, exp, got):
    C.check(what, "mta_sts fields", sorted(exp), sorted(got) if isinstance(got, dict) else got)
    for k, v in exp.items():
        C.check(what, "mta_sts." + k, v, got.get(k, R.ABSENT) if isinstance(got, dict) else R.ABSENT)


def check_plain(C, what, recs):
    p = recs.get(dom("plain"), {})
    C.check(what, "plain.cbtest: status", "ok", p.get("status"))
    C.check(what, "plain.cbtest: mta_sts", {"status": "none"}, p.get("mta_sts"))
    C.check(what, "plain.cbtest: mx[0].error", {"stage": "dns", "reason": "NXDOMAIN"},
            R.get(p, "mx.0.error"))


def check_case(C, what, c, recs):
    d = dom("slow" if c == "sigterm" else c)
    r = recs.get(d, {})
    C.check(what, d + ": status", "ok", r.get("status"))
    C.check(what, d + ": mx[0]", {"host": "mx." + d, "error": {"stage": "dns", "reason": "NXDOMAIN"}},
            R.get(r, "mx.0"))
    check_sts(C, what, expected_sts(c), r.get("mta_sts", R.ABSENT))


def scan_case(C, w, mx, base, c):
    what = "callbacks-" + c
    inp = w.p(what + ".txt")
    with open(inp, "w") as f:
        f.write(dom("plain") + "\n" + dom(c) + "\n")
    out = w.p(what + ".ndjson")
    opts = ["--timeout-tls", "1" if c == "hang" else "10"]
    r, _ = R.run_scan(mx, base + opts + ["-o", out, inp], what, C, w.d, timeout=60)
    recs = records(out, C, what)
    C.check(what, "domains recorded", sorted([dom("plain"), dom(c)]), sorted(recs))
    check_plain(C, what, recs)
    check_case(C, what, c, recs)
    if r is not None:
        err = r.stderr.decode("utf-8", "replace")
        C.check(what, "final line", True, "mxsurvey: 2 records written; SMTP probes:" in err)


def scan_signal(C, w, mx, base, mode):
    """SIGTERM while a policy fetch is in flight: the slow one, which ends within --grace
    (mode "sigterm"), or before the second signal ("sigtwice"); the hanging one, which
    outlives a --grace of 0.5 s ("siggrace"); or while ptr.cbtest's PTR lookup hangs
    ("sigptr", --grace 0.5)."""
    what = "callbacks-" + mode
    twice = mode == "sigtwice"
    cut = mode in ("siggrace", "sigptr")        # the grace period ends first
    case = {"sigterm": "slow", "sigtwice": "slow", "siggrace": "hang", "sigptr": "ptr"}[mode]
    waitfor = "silentdns" if mode == "sigptr" else case
    inp = w.p(what + ".txt")
    with open(inp, "w") as f:
        f.write(dom("plain") + "\n" + dom(case) + "\n")
    out = w.p(what + ".ndjson")
    before = requests(w, waitfor)
    cmd = [mx, "scan"] + base + ["--timeout-tls", "10", "--grace", "0.5" if cut else "10",
                                 "-o", out, inp]
    print("[run] %s" % " ".join(cmd), flush=True)
    errf = open(w.p("logs", "mxsurvey-%s.stderr" % what), "w+b")
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf)
    t0 = time.time()
    while requests(w, waitfor) == before and p.poll() is None and time.time() - t0 < 20:
        time.sleep(0.02)
    C.check(what, "%s request in flight before the signal" % waitfor, True, p.poll() is None and
            requests(w, waitfor) > before)
    p.send_signal(signal.SIGTERM)
    if twice:
        time.sleep(0.3)
        p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    t = time.time() - t0
    errf.seek(0)
    err = errf.read().decode("utf-8", "replace")
    print("[run] %s: exit %d in %.1fs" % (what, rc, t), flush=True)
    if rc != 3:
        print("    stderr: %s" % err[-2000:])
    C.check(what, "exit status", 3, rc)
    recs = records(out, C, what)
    if cut:
        C.check(what, "domains recorded", [dom("plain")], sorted(recs))
        check_plain(C, what, recs)
        C.check(what, "grace message", True,
                "mxsurvey: grace period over, 1 domains in flight not recorded" in err)
        C.check(what, "final line", True, "mxsurvey: 1 records written (interrupted" in err)
    elif twice:
        C.check(what, "ended at once (before the policy came)", True, t < DELAY)
        C.check(what, "domains recorded", [dom("plain")], sorted(recs))
        check_plain(C, what, recs)
        C.check(what, "second signal message", True, "mxsurvey: second signal, aborting" in err)
        C.check(what, "final line", True,
                "mxsurvey: 1 records written (interrupted: run again with --resume for the "
                "remaining domains)" in err)
    else:
        C.check(what, "domains recorded", sorted([dom("plain"), dom("slow")]), sorted(recs))
        check_plain(C, what, recs)
        check_case(C, what, "sigterm", recs)
        C.check(what, "final line", True, "mxsurvey: 2 records written (interrupted" in err)


def in_namespace_main(a):
    def body(C, w, wd, procs):
        build(w)
        start(w)
        mx = os.path.abspath(a.mxsurvey)
        base = ["--resolver", W.RESOLVER_ADDR, "--trust-anchor", w.state["trust_anchor"],
                "--ca-file", w.state["ca_file"], "--allow", "127.0.0.0/8",
                "--timeout-dns", "5", "--progress-interval", "60"]
        for c in CASES:
            scan_case(C, w, mx, base, c)
        for mode in ("sigterm", "sigtwice", "siggrace", "sigptr"):
            scan_signal(C, w, mx, base, mode)
    return R.run_driver("mxsurvey-callbacks-", a.keep, body)


def main():
    return W.driver_main(__file__, NS_ENV, "ports 53 and 443 on 127.x", in_namespace_main)


if __name__ == "__main__":
    sys.exit(main())
