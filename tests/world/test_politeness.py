#!/usr/bin/env python3
"""Politeness and rate limits of mxsurvey, judged by what the servers saw.

usage: test_politeness.py --mxsurvey PATH [--keep]

Needs root; re-executes itself in private network and mount namespaces like run_tests.py,
builds and starts the test world (world.py, whose politeness block has the pol-* zones)
and countsmtp.py, which logs every connection (address dialled, accept and close times).
Every assertion is on that log and on the records, never on mxsurvey's own clock:

  run A  --per-ip 1 --per-prefix 2 --retries 2 --retry-delay 0.5 --timeout-banner 1.5
         never two connections at once to 127.0.5.1; never more than 2 in 127.0.6.0/24;
         after a 421 exactly one more connection, not before the retry delay, and the
         record says attempts 2 with the 421 line; the same after a close before the
         greeting; a silent server holds the per-ip slot until the banner timeout and not
         much longer (the second domain on it connects after about the timeout); the end
         summary counts the probes, connections and retries
  run B  the controls, which show the log can see a violation: --per-ip 3 gives overlap on
         127.0.5.1, --per-prefix 10 more than 2 at once in the /24, no interval gives gaps
         under 0.3 s; --retries 0: one connection to the 421 address, no attempts field
  run C  --per-ip 4 --ip-interval 0.3: connection starts to one address >= 0.3 s apart
  run D  --rate 5 (burst 5): no 1-second window holds more than 10 connection starts, and
         30 starts take at least 4.5 s; --dns-rate 20: Unbound's query log shows no second
         with more than 30 (burst + rate) of mxsurvey's queries, spread over enough seconds,
         and every domain still resolved
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import world as W  # noqa: E402
import run_tests as R  # noqa: E402

NS_ENV = "MXSURVEY_POLITENESS_NETNS"
TOL = 0.03          # clock granularity between two accept() calls in the server


def max_overlap(conns):
    ev = []
    for c in conns:
        ev.append((c["accept"], 1))
        ev.append((c["close"], -1))
    ev.sort(key=lambda e: (e[0], e[1]))   # a close before an accept at the same instant
    cur = best = 0
    for _, d in ev:
        cur += d
        best = max(best, cur)
    return best


def start_gaps(conns):
    t = sorted(c["accept"] for c in conns)
    return [b - a for a, b in zip(t, t[1:])]


def max_in_window(conns, width):
    t = sorted(c["accept"] for c in conns)
    best, j = 0, 0
    for i in range(len(t)):
        while t[i] - t[j] >= width:
            j += 1
        best = max(best, i - j + 1)
    return best


class Log:
    def __init__(self, path):
        self.path = path
        self.pos = 0

    def mark(self):
        self.pos = os.path.getsize(self.path) if os.path.exists(self.path) else 0

    def since_mark(self):
        time.sleep(0.5)   # the server logs a connection when it has let go of it
        with open(self.path) as f:
            f.seek(self.pos)
            return [json.loads(l) for l in f.read().splitlines() if l.strip()]


def on(conns, *addrs):
    return [c for c in conns if c["addr"] in addrs]


def scan(C, wd, mx, base, log, what, domains, opts):
    inp = os.path.join(wd, what + ".txt")
    with open(inp, "w") as f:
        f.write("".join(d + ".mxlab\n" for d in domains))
    out = os.path.join(wd, what + ".ndjson")
    log.mark()
    r, _ = R.run_scan(mx, base + opts + ["-o", out, inp], what, C, wd)
    conns = log.since_mark()
    recs = {}
    if os.path.exists(out):
        for l in open(out).read().splitlines():
            if l.strip():
                rec = json.loads(l)
                recs[rec["domain"][:-len(".mxlab")]] = rec
    C.check(what, "one record per domain", sorted(domains), sorted(recs))
    return conns, recs, (r.stderr.decode("utf-8", "replace") if r else "")


def in_namespace_main(a):
    C = R.Checker()
    wd = tempfile.mkdtemp(prefix="mxsurvey-politeness-")
    world = W.World(wd, die_with_parent=True)
    srv = None

    def on_signal(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    ok = False
    try:
        world.build()
        # Unbound logs every query it receives (with the second it arrived): the DNS rate
        # is judged from there.
        uconf = world.p("unbound.conf")
        with open(uconf) as f:
            text = f.read()
        with open(uconf, "w") as f:
            f.write(text.replace("server:\n", "server:\n  log-queries: yes\n", 1))
        world.start()
        st = world.state
        logpath = os.path.join(wd, "countsmtp.log")
        ready = os.path.join(wd, "countsmtp.ready")
        srv = subprocess.Popen([sys.executable, os.path.join(HERE, "countsmtp.py"), "--log", logpath,
                                "--ready", ready] + ["%s=%s" % kv for kv in W.POL_MODES.items()],
                               stdout=open(os.path.join(wd, "logs", "countsmtp.stdout"), "wb"),
                               stderr=subprocess.STDOUT, preexec_fn=W._pdeathsig)
        t0 = time.time()
        while not os.path.exists(ready):
            if time.time() - t0 > 15 or srv.poll() is not None:
                raise RuntimeError("countsmtp.py did not start")
            time.sleep(0.05)
        log = Log(logpath)
        mx = os.path.abspath(a.mxsurvey)
        base = ["--resolver", W.RESOLVER_ADDR, "--trust-anchor", st["trust_anchor"],
                "--ca-file", st["ca_file"], "--ehlo", "scanner.mxlab", "--allow", "127.0.0.0/8",
                "--timeout-connect", "3", "--timeout-smtp", "5", "--timeout-tls", "5",
                "--timeout-dns", "5"]
        same = sorted(d for d, ip in W.POL_DOMAINS.items() if ip == W.POL_SAME)
        pfx = sorted(d for d, ip in W.POL_DOMAINS.items() if ip in W.POL_PFX)
        tarpit = ["pol-tarpit-1", "pol-tarpit-2"]

        # ---- run A: the limits -----------------------------------------------------------
        what = "politeness-A"
        conns, recs, err = scan(C, wd, mx, base, log, what, same + pfx + ["pol-421", "pol-reset"] + tarpit,
                                ["--per-ip", "1", "--ip-interval", "0", "--per-prefix", "2",
                                 "--rate", "0", "--retries", "2", "--retry-delay", "0.5",
                                 "--timeout-banner", "1.5", "--progress-interval", "0.5"])
        c = on(conns, W.POL_SAME)
        C.check(what, "connections to %s" % W.POL_SAME, 20, len(c))
        C.check(what, "most connections at once to %s (--per-ip 1)" % W.POL_SAME, 1, max_overlap(c))
        c = on(conns, *W.POL_PFX)
        C.check(what, "connections into 127.0.6.0/24", 10, len(c))
        C.check(what, "most connections at once in 127.0.6.0/24 (--per-prefix 2) <= 2", True,
                max_overlap(c) <= 2)
        for addr, dom, reason in ((W.POL_421, "pol-421", "421 4.7.0 Too busy, try later"),
                                  (W.POL_RESET, "pol-reset", R.OneOf("connection closed by server",
                                                                     "connection reset by peer"))):
            c = sorted(on(conns, addr), key=lambda x: x["accept"])
            C.check(what, "connections to %s (one retry)" % addr, 2, len(c))
            if len(c) == 2:
                C.check(what, "%s: retry not before --retry-delay 0.5 s after the first ended" % addr,
                        True, c[1]["accept"] - c[0]["close"] >= 0.5 - TOL)
            rec = recs.get(dom, {})
            C.check(what + " " + dom, "mx.0.addresses.0.smtp.attempts", 2,
                    R.get(rec, "mx.0.addresses.0.smtp.attempts"))
            C.check(what + " " + dom, "mx.0.addresses.0.smtp.retry_reasons", R.Len(1),
                    R.get(rec, "mx.0.addresses.0.smtp.retry_reasons"))
            C.check(what + " " + dom, "mx.0.addresses.0.smtp.retry_reasons.0", reason,
                    R.get(rec, "mx.0.addresses.0.smtp.retry_reasons.0"))
            C.check(what + " " + dom, "mx.0.addresses.0.smtp.banner_code", 220,
                    R.get(rec, "mx.0.addresses.0.smtp.banner_code"))
        c = sorted(on(conns, W.POL_TARPIT), key=lambda x: x["accept"])
        C.check(what, "connections to the silent %s (a timeout is not retried)" % W.POL_TARPIT, 2, len(c))
        if len(c) == 2:
            gap = c[1]["accept"] - c[0]["accept"]
            C.check(what, "second connection to the tarpit only after the 1.5 s banner timeout "
                    "(gap %.2f s)" % gap, True, gap >= 1.5 - TOL)
            C.check(what, "... and not held much past it (gap %.2f s < 3.5 s)" % gap, True, gap < 3.5)
        for d in tarpit:
            C.check(what + " " + d, "mx.0.addresses.0.smtp.error", {"stage": "banner", "reason": "timeout"},
                    R.get(recs.get(d, {}), "mx.0.addresses.0.smtp.error"))
            C.check(what + " " + d, "mx.0.addresses.0.smtp.attempts", R.ABSENT,
                    R.get(recs.get(d, {}), "mx.0.addresses.0.smtp.attempts"))
        C.check(what, "summary on stderr", True,
                "mxsurvey: summary: 34 probes, 36 connections (2 retries)" in err)
        C.check(what, "failures by stage in the summary", True,
                "failures by stage: banner 2" in err)
        C.check(what, "periodic progress lines (stderr is no terminal)", True,
                "mxsurvey: progress: " in err)
        C.check(what, "records line", True, "mxsurvey: 34 records written; SMTP probes: " in err)

        # ---- run B: controls -------------------------------------------------------------
        what = "politeness-B"
        conns, recs, err = scan(C, wd, mx, base, log, what, same + pfx + ["pol-421", "pol-reset"],
                                ["--per-ip", "3", "--ip-interval", "0", "--per-prefix", "10",
                                 "--rate", "0", "--retries", "0", "--timeout-banner", "1.5", "-q"])
        c = on(conns, W.POL_SAME)
        C.check(what, "control: --per-ip 3 shows overlap on %s" % W.POL_SAME, True, max_overlap(c) >= 2)
        C.check(what, "control: without an interval some starts are < 0.3 s apart", True,
                min(start_gaps(c) or [1]) < 0.3)
        C.check(what, "control: --per-prefix 10 shows more than 2 at once in the /24", True,
                max_overlap(on(conns, *W.POL_PFX)) > 2)
        for addr, dom in ((W.POL_421, "pol-421"), (W.POL_RESET, "pol-reset")):
            C.check(what, "--retries 0: connections to %s" % addr, 1, len(on(conns, addr)))
            C.check(what + " " + dom, "mx.0.addresses.0.smtp.attempts", R.ABSENT,
                    R.get(recs.get(dom, {}), "mx.0.addresses.0.smtp.attempts"))
        C.check(what + " pol-421", "mx.0.addresses.0.smtp.banner_code", 421,
                R.get(recs.get("pol-421", {}), "mx.0.addresses.0.smtp.banner_code"))
        C.check(what, "-q: nothing on stderr", "", err)

        # ---- run C: minimum interval per address -----------------------------------------
        what = "politeness-C"
        conns, recs, err = scan(C, wd, mx, base, log, what, same,
                                ["--per-ip", "4", "--ip-interval", "0.3", "--per-prefix", "8",
                                 "--rate", "0", "-q"])
        c = on(conns, W.POL_SAME)
        C.check(what, "connections", 20, len(c))
        g = start_gaps(c)
        # One accept() delayed in the server (a busy machine) shortens the next gap by as
        # much as it lengthens its own: single gaps get a wide tolerance, the mean a small one.
        C.check(what, "smallest gap between starts to one address >= 0.3 s - 0.1 (got %.3f)" %
                min(g or [0]), True, bool(g) and min(g) >= 0.2)
        C.check(what, "mean gap between starts to one address >= 0.3 s - %.2f (got %.3f)" %
                (TOL / 3, sum(g) / len(g) if g else 0), True, bool(g) and sum(g) / len(g) >= 0.3 - TOL / 3)

        # ---- run D: rate -----------------------------------------------------------------
        what = "politeness-D"
        ulog = world.p("logs", "unbound.log")
        upos = os.path.getsize(ulog)
        conns, recs, err = scan(C, wd, mx, base, log, what, same + pfx,
                                ["--per-ip", "50", "--ip-interval", "0", "--per-prefix", "50",
                                 "--rate", "5", "--dns-rate", "20", "-q"])
        with open(ulog, errors="replace") as f:
            f.seek(upos)
            ulines = f.read().splitlines()
        # mxsurvey's own lookups (libunbound's DS/DNSKEY fetches for validation and c-ares'
        # PTR lookups are not counted by --dns-rate)
        per_sec = {}
        for l in ulines:
            parts = l.split()
            if len(parts) >= 9 and parts[4] == "info:" and ".pol-" in "." + parts[6] and \
                    parts[7] in ("MX", "A", "AAAA", "TLSA", "TXT"):
                per_sec[parts[2]] = per_sec.get(parts[2], 0) + 1
        nq = sum(per_sec.values())
        C.check(what, "queries logged by Unbound (%d)" % nq, True, nq >= 150)
        C.check(what, "most queries in one second <= burst 10 + rate 20 (got %d)" %
                max(per_sec.values() or [0]), True, max(per_sec.values() or [0]) <= 30)
        secs = sorted(sum(int(x) * m for x, m in zip(k.split(":"), (3600, 60, 1))) for k in per_sec)
        span = secs[-1] - secs[0] + 1 if secs else 0
        C.check(what, "%d queries at 20/s after a burst of 10 take >= %d s (took %d)" %
                (nq, (nq - 10) // 20, span), True, span >= (nq - 10) // 20)
        c = on(conns, W.POL_SAME, *W.POL_PFX)
        C.check(what, "connections", 30, len(c))
        # --dns-rate 20 holds most of the ~200 queries back: each still gets its answer
        C.check(what, "every domain resolved and probed under --dns-rate",
                {d: ["ok", 220] for d in same + pfx},
                {d: [r.get("status"), R.get(r, "mx.0.addresses.0.smtp.banner_code")]
                 for d, r in recs.items()})
        C.check(what, "most starts in any 1 s window <= burst 5 + rate 5 (got %d)" % max_in_window(c, 1.0),
                True, max_in_window(c, 1.0) <= 10)
        span = max(x["accept"] for x in c) - min(x["accept"] for x in c) if c else 0
        C.check(what, "30 starts at 5/s after a burst of 5 take >= 4.5 s (took %.2f)" % span, True,
                span >= 4.5)
        ok = C.failed == 0
    except BaseException as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        C.check("driver", "no exception", None, repr(e))
        ok = False
    finally:
        if srv:
            srv.terminate()
            try:
                srv.wait(5)
            except subprocess.TimeoutExpired:
                srv.kill()
        R.finish_world(world, wd, ok, a.keep, C)
    return ok


def main():
    return W.driver_main(__file__, NS_ENV, "port 25", in_namespace_main, doc=__doc__)


if __name__ == "__main__":
    sys.exit(main())
