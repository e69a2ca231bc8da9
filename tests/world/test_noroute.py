#!/usr/bin/env python3
"""A dual-stack MX scanned from a host with IPv4 but no IPv6 route (issue 19).

usage: test_noroute.py --mxsurvey PATH [--keep]

A scanner without IPv6 used to try every AAAA address, fail each with "network
unreachable" and publish a DANE-valid dual-stack domain as "partial". mxsurvey now asks the
kernel at start for a route to a global address of each family (a UDP connect, nothing
sent) and records the global addresses of a family without one as not attempted.

Needs root; re-executes itself in private network and mount namespaces (world.py's
run_in_namespace), where only lo exists. There it gives lo a global IPv4 address
(11.0.0.25/32) and an IPv4 default route through lo, and no IPv6 route but ::1's: nothing
can leave the namespace (it has no other interface), and the kernel's route lookup says
IPv4 yes, IPv6 no. A small world: NSD with a signed root zone (nrtest. names), the
validating Unbound of world.py, tests/hostile/more_smtp.py (ESMTP with STARTTLS) on
11.0.0.25:25 and [::1]:25. Cases:

  dual.nrtest    mx A 11.0.0.25 and AAAA 2a01:4f8::25 (global unicast, never contacted),
                 TLSA 3 1 1 of the server's key: the IPv4 address engaged and DANE-valid,
                 the IPv6 one not-attempted ("no IPv6 route from this host"), dane.status
                 inconclusive; summary all / valid / inconclusive 1; the sender delivers
  v6only.nrtest  mx AAAA 2a01:4f8::26 only, TLSA too: not-attempted, summary unreachable,
                 summary.dane inconclusive, the sender defers
  loop6.nrtest   mx AAAA ::1 (special-purpose, allowed with --allow ::1/128): attempted
                 whatever the route check says, engaged

  run default          as above; stderr says at start, once, that there is no IPv6 route,
                       and the end summary counts the 2 addresses not attempted
  run no-route-check   --no-route-check: the IPv6 addresses are tried; the kernel refuses
                       (connect "unreachable", outcome unreachable); the summaries are the
                       same, the stderr lines about routes are gone
Prints one line per failed check and "N passed, N failed"; exits 1 on any failure.
"""
import errno
import json
import os
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import world as W  # noqa: E402
import run_tests as R  # noqa: E402

NS_ENV = "MXSURVEY_NOROUTE_NETNS"
TLD = "nrtest"
V4 = "11.0.0.25"              # global (not special-purpose): needs the IPv4 route
V6 = "2a01:4f8::25"           # global unicast; no IPv6 route here, so never contacted
V6_ONLY = "2a01:4f8::26"
LOOP6 = "::1"
# the route check's own probe addresses (polite/route.c): a.root-servers.net
PROBE_V4, PROBE_V6 = "198.41.0.4", "2001:503:ba3e::2:30"
NO_V6 = "no IPv6 route from this host"
START_MSG = "mxsurvey: no route to global IPv6 addresses from this host"
SUMMARY_MSG = ("mxsurvey: summary: no IPv6 route from this host: 2 addresses not attempted "
               "(--no-route-check tries them)")
A0, A1 = "mx.0.addresses.0.", "mx.0.addresses.1."


def dom(n):
    return "%s.%s" % (n, TLD)


def has_route(family, addr):
    """The route check's question, asked by the test: a UDP connect (nothing is sent)."""
    s = socket.socket(family, socket.SOCK_DGRAM)
    try:
        s.connect((addr, 25))
        return True
    except OSError as e:
        return e.errno
    finally:
        s.close()


def network(C):
    """lo: a global IPv4 address and an IPv4 default route; IPv6 has only ::1."""
    W.run(["ip", "addr", "add", V4 + "/32", "dev", "lo"])
    W.run(["ip", "route", "add", "default", "dev", "lo"])
    C.check("namespace", "IPv6 default route", "",
            W.run(["ip", "-6", "route", "show", "default"]).stdout.strip())
    C.check("namespace", "route to %s" % PROBE_V4, True, has_route(socket.AF_INET, PROBE_V4))
    C.check("namespace", "route to %s" % PROBE_V6, errno.ENETUNREACH,
            has_route(socket.AF_INET6, PROBE_V6))


def build(w):
    os.makedirs(w.p("logs"), exist_ok=True)
    pki = W.PKI(w.p("pki"))
    names = ["mx.%s" % dom(n) for n in ("dual", "v6only", "loop6")]
    cert, key = pki.leaf("smtp", names, "ec")
    spki = W.PKI.spki_sha256(cert)
    zdir = w.p("dns")
    os.makedirs(zdir, exist_ok=True)
    z = W.Zone(".")
    z.add("ns.root.", "A", W.NSD_ADDR)
    for n, addrs in (("dual", [("A", V4), ("AAAA", V6)]), ("v6only", [("AAAA", V6_ONLY)]),
                     ("loop6", [("AAAA", LOOP6)])):
        d = dom(n) + "."
        z.add(d, "MX", "10 mx.%s" % d)
        for rtype, ip in addrs:
            z.add("mx." + d, rtype, ip)
        z.add("_25._tcp.mx." + d, "TLSA", "3 1 1 %s" % spki)
    w.serve_root_zone(zdir, z)
    w.state.update({"pids": {}, "cert": cert, "key": key, "spki": spki,
                    "trust_anchor": w.p("root.key"), "ca_file": pki.ca_pem})
    w.save()


def start(w):
    w.start_dns()
    ready = w.p("smtp.ready")
    w._spawn("smtp", [sys.executable, os.path.join(HERE, "..", "hostile", "more_smtp.py"),
                      "--cert", w.state["cert"], "--key", w.state["key"],
                      "--log", w.p("logs", "smtp.log"), "--ready", ready, V4, LOOP6],
             "smtp.stdout")
    W.wait_ready(ready, "more_smtp.py", w.p("logs", "smtp.stdout"))


def scan(C, w, mx, what, extra):
    inp = w.p("domains.txt")
    with open(inp, "w") as f:
        f.write("".join(dom(n) + "\n" for n in ("dual", "v6only", "loop6")))
    out = w.p(what + ".ndjson")
    base = ["--resolver", W.RESOLVER_ADDR, "--trust-anchor", w.state["trust_anchor"],
            "--ca-file", w.state["ca_file"], "--ehlo", "scanner.mxlab",
            "--allow", "127.0.0.0/8", "--allow", "::1/128"] + R.TIMEOUT_OPTS
    r, _ = R.run_scan(mx, base + extra + ["-o", out, inp], what, C, w.d, timeout=60)
    recs = R.read_ndjson(open(out, "rb").read() if os.path.exists(out) else b"", what, C)
    by = R.index_records(recs, [dom(n) for n in ("dual", "v6only", "loop6")], what, C)
    return by, (r.stderr.decode("utf-8", "replace") if r else "")


def expectations(spki, routed):
    """routed: --no-route-check (the IPv6 addresses are tried, and the kernel refuses)."""
    if routed:
        v6 = {"smtp.outcome": "unreachable", "smtp.connect": "unreachable",
              "smtp.error": {"stage": "connect", "reason": "unreachable"},
              "dane.reason": "unreachable"}
    else:
        v6 = {"smtp.outcome": "not-attempted", "smtp.connect": "not-attempted",
              "smtp.error": {"stage": "connect", "reason": NO_V6}, "dane.reason": NO_V6}
    v6.update({"smtp.banner": R.ABSENT, "smtp.tls": R.ABSENT, "dane.status": "inconclusive",
               "dane.matched": R.ABSENT, "dnssec": "secure"})
    engaged = {"smtp.outcome": "engaged", "smtp.connect": "ok", "smtp.starttls": "offered",
               "smtp.tls.version": "TLSv1.3", "smtp.error": R.ABSENT, "dane.status": "valid",
               "dane.matched.data": R.IEq(spki)}

    def at(prefix, d, **more):
        out = {prefix + k: v for k, v in d.items()}
        out.update(more)
        return out
    ok = {"status": "ok", "dnssec": "secure", "mx": R.Len(1), "mx.0.tlsa.result": "records"}
    E = {}
    # IPv4 engaged and DANE-valid, IPv6 not attempted: all / valid, one inconclusive
    # (before issue 19: "partial", the CNCS's warning category)
    E[dom("dual")] = R.merge(ok, at(A0, engaged, **{A0 + "ip": V4, A0 + "family": 4}),
                             at(A1, v6, **{A1 + "ip": V6, A1 + "family": 6}), {
        "mx.0.addresses": R.Len(2), "summary.addresses": 2, "summary.inconclusive": 1,
        "summary.starttls": "all", "summary.dane": "valid", "summary.tls_best": "TLSv1.3",
        "sender.dane.action": "deliver", "sender.dane.mx": "mx.dual.nrtest",
        "sender.mta_sts.action": "deliver"})
    # nothing engaged, TLSA published and secure: only the server could tell
    E[dom("v6only")] = R.merge(ok, at(A0, v6, **{A0 + "ip": V6_ONLY}), {
        "mx.0.addresses": R.Len(1), "summary.addresses": 1, "summary.inconclusive": 1,
        "summary.starttls": "unreachable", "summary.dane": "inconclusive",
        "summary.tls_best": R.ABSENT, "sender.dane.action": "defer",
        "sender.mta_sts.action": "defer"})
    # special-purpose and allowed: attempted whether or not the family has a global route
    E[dom("loop6")] = R.merge(ok, at(A0, engaged, **{A0 + "ip": LOOP6, A0 + "family": 6}), {
        "summary.inconclusive": 0, "summary.starttls": "all", "summary.dane": "valid",
        "sender.dane.action": "deliver"})
    return E


def smtp_peers(w):
    """The peers more_smtp.py saw connect (its log: time, local address, peer, ...)."""
    try:
        with open(w.p("logs", "smtp.log")) as f:
            return sorted({l.split(" ")[1] for l in f if l.rstrip().endswith(" connect")})
    except OSError:
        return []


def in_namespace_main(a):
    def body(C, w, wd, procs):
        network(C)
        build(w)
        start(w)
        mx = os.path.abspath(a.mxsurvey)
        for what, extra in (("default", []), ("no-route-check", ["--no-route-check"])):
            by, err = scan(C, w, mx, what, extra)
            routed = bool(extra)
            R.assert_cases(by, expectations(w.state["spki"], routed), what, C)
            C.check(what, "stderr: the start message about IPv6, once", 0 if routed else 1,
                    err.count(START_MSG))
            C.check(what, "stderr: no message about IPv4 routes", 0,
                    err.count("IPv4 route") + err.count("global IPv4"))
            C.check(what, "stderr: the end summary counts the addresses not attempted",
                    not routed, SUMMARY_MSG in err)
            if not routed:
                print("[noroute] stderr of the default run:\n" + err, flush=True)
        # the server saw the IPv4 address and ::1 only (2a01:4f8:: is not ours, and is
        # unreachable from here anyway)
        C.check("servers", "addresses more_smtp.py was connected on", sorted([V4, LOOP6]),
                smtp_peers(w))
    return R.run_driver("mxsurvey-noroute-", a.keep, body)


def main():
    return W.driver_main(__file__, NS_ENV, "a network namespace of its own",
                         in_namespace_main, doc=__doc__)


if __name__ == "__main__":
    sys.exit(main())
