#!/usr/bin/env python3
"""The trusted-resolver mode (issue 17 item 3) against the test world.

usage: test_trusted.py --mxsurvey PATH [--keep]

Scans the world's domains.txt twice, with the options of run_tests.py's run1: forwarding
to the world's validating Unbound and validating locally (--resolver 127.0.53.53), then
trusting its AD bit (--resolver 127.0.53.53 --resolver-validates, net/stub.c). The records
must be the same (scripts/record-diff.py --canonical-order) except for dnssec_reason where
both say bogus: libunbound writes its own why_bogus, the trusted mode the resolver's
Extended DNS Error; there the test asserts the trusted reason names an EDE ("EDE 6 (DNSSEC
Bogus): ..."). Every bogus of the forward scan must be bogus in the trusted one.

Then the refusals (exit 1, no record written):
  remote      --resolver 192.0.2.1 --resolver-validates: not on loopback, refused before any
              query (strace: no sendto/sendmsg/connect to 192.0.2.1)
  stripping   a resolver of this test's own on 127.0.53.99 answering everything NOERROR
              without the AD bit: "does not validate (no AD bit on . DNSKEY)"

Then a trusted resolver that fails half-way (badresolver.py on 127.0.0.1, in front of the
world's Unbound; net/blame.c says why every failure goes through the trust anchor checks):
  servfail-back  SERVFAIL without EDE to everything after 300 queries but ". DNSKEY" (as a
              resolver that lost its uplink, the root's key set still cached), back 8 s
              later: exit 0, the outage and its end said, every domain's verdicts as in the
              healthy trusted scan (none bogus or dns-error from the outage)
  ede9-back   the same with EDE 9 "DNSKEY Missing" (a resolver that lost its root key:
              every signed name would say bogus): the same checks
  refuse-gone REFUSED after 300 queries, never back: exit 1 with the stop message, some
              records kept, --resume through the world's Unbound completes the scan (every
              domain once, the healthy scan's verdicts)
And the stub's TCP fallback (RFC 7766):
  truncate    a resolver that sets TC on every UDP answer for MX, TXT and TLSA and answers
              them over TCP: the records equal the forward scan's (as above), and TC and
              TCP queries happened.
Prints the CPU seconds (user + system, /usr/bin/time -v) of both world scans.
Needs root; runs in private network and mount namespaces (world.py's run_in_namespace).
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import world as W  # noqa: E402
import run_tests as R  # noqa: E402
import test_resolvers as TR  # noqa: E402

NS_ENV = "MXSURVEY_TRUSTED_NETNS"
RECORD_DIFF = os.path.join(HERE, "..", "..", "scripts", "record-diff.py")
STRIP_ADDR = "127.0.53.99"


def timed_scan(mx, args, out):
    """Runs mxsurvey scan under /usr/bin/time -v: (exit status, stderr, CPU seconds)."""
    r = subprocess.run(["/usr/bin/time", "-v", mx, "scan"] + args + ["-o", out],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
    err = r.stderr.decode(errors="replace")
    u = re.search(r"User time \(seconds\): ([\d.]+)", err)
    s = re.search(r"System time \(seconds\): ([\d.]+)", err)
    cpu = float(u.group(1)) + float(s.group(1)) if u and s else -1.0
    return r.returncode, err, cpu


def load(path):
    out = subprocess.run(["zstd", "-dc", path], stdout=subprocess.PIPE, check=True).stdout
    return [json.loads(x) for x in out.decode().splitlines() if x.strip()]


def reason_of(o):
    return o.get("dnssec_reason", o.get("reason"))


def walk_bogus(a, b, where, found):
    """Lists (path, forward reason, trusted reason) of the objects of a and b (same path)
    that a calls bogus (their reason is dnssec_reason or reason); where b does not say
    bogus, the trusted reason is None and b's state is in the forward reason's place."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.get("dnssec") == "bogus":
            if b.get("dnssec") == "bogus":
                found.append((where, reason_of(a), reason_of(b)))
            else:
                found.append((where, b.get("dnssec"), None))
        for k in a:
            if k in b:
                walk_bogus(a[k], b[k], where + "." + k, found)
    elif isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            walk_bogus(x, y, "%s.%d" % (where, i), found)


def masked(rec, texts):
    """rec as JSON text with every bogus reason (either mode's) replaced by one mark: the
    reason also appears inside other fields (error.reason, dane.reason), and cut short at
    the end of the conformity checks' details (a prefix of 16 characters at least)."""
    t = json.dumps(rec, sort_keys=True)
    for x in sorted(texts, key=len, reverse=True):
        x = json.dumps(x)[1:-1]
        t = t.replace(x, "<bogus reason>")
        for k in range(len(x) - 1, 15, -1):
            t = t.replace(x[:k] + '"', '<bogus reason>"')
    return t


def stripping_resolver():
    """Answers every query NOERROR, no records, AD clear (a DNSSEC-stripping forwarder)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((STRIP_ADDR, 53))

    def serve():
        while True:
            try:
                q, peer = s.recvfrom(4096)
            except OSError:
                return
            if len(q) < 12:
                continue
            qend = 12
            while qend < len(q) and q[qend] != 0:
                qend += 1 + q[qend]
            qend += 5
            # id, QR|RD, RA (no AD), 1 question, nothing else
            s.sendto(q[:2] + bytes([0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]) + q[12:qend], peer)
    threading.Thread(target=serve, daemon=True).start()
    return s


def compare(C, wd, fwd_path, tru_path):
    fwd = {r["domain"]: r for r in load(fwd_path)}
    tru = {r["domain"]: r for r in load(tru_path)}
    C.check("compare", "domains", sorted(fwd), sorted(tru))
    found = []
    for d in fwd:
        if d in tru:
            f = []
            walk_bogus(fwd[d], tru[d], d, f)
            found.extend((d,) + x for x in f)
    texts = {d: [] for d in fwd}
    for d, where, fr, tr in found:
        if tr is None:
            C.check("bogus " + where, "trusted state", "bogus", fr)
            continue
        C.check("bogus " + where, "trusted reason names an EDE", True,
                bool(tr) and re.match(r"EDE (\d+) \([A-Za-z ]+\)", tr) is not None)
        texts[d].extend(x for x in (fr, tr) if x)
    print("[trusted] %d bogus objects, e.g. %s" % (len(found), found[:2]), flush=True)
    C.check("compare", "the forward scan has bogus objects", True, len(found) > 0)
    for name, recs in (("fwd", fwd), ("tru", tru)):
        with open(os.path.join(wd, "norm-%s.ndjson" % name), "w") as f:
            for d in sorted(recs):
                f.write(masked(recs[d], texts.get(d, [])) + "\n")
    r = subprocess.run([sys.executable, RECORD_DIFF, "--canonical-order", "--show", "40",
                        os.path.join(wd, "norm-fwd.ndjson"), os.path.join(wd, "norm-tru.ndjson")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    print(r.stdout.decode(errors="replace"), flush=True)
    C.check("compare", "record-diff exit (0: same records)", 0, r.returncode)


def refusals(C, mx, st, wd):
    base = R.drop_option(R.scan_base(st, allow=False), "--resolver")
    out = os.path.join(wd, "refused.ndjson.zst")
    trace = os.path.join(wd, "remote.strace")
    r = subprocess.run(["strace", "-f", "-qq", "-o", trace, "-e", "trace=sendto,sendmsg,sendmmsg,connect",
                        mx, "scan", "--resolver", "192.0.2.1", "--resolver-validates"] + base +
                       ["-o", out, st["domains"]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=120)
    err = r.stderr.decode(errors="replace")
    C.check("remote", "exit status", 1, r.returncode)
    C.check("remote", "says why", True, "not on loopback" in err and "AD bit" in err)
    with open(trace) as f:
        C.check("remote", "no packet to 192.0.2.1", [], [x for x in f if "192.0.2.1" in x])
    C.check("remote", "no output", False, os.path.exists(out))
    srv = stripping_resolver()
    try:
        r = subprocess.run([mx, "scan", "--resolver", STRIP_ADDR, "--resolver-validates"] + base +
                           ["-o", out, st["domains"]], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=120)
    finally:
        srv.close()
    err = r.stderr.decode(errors="replace")
    print("[trusted] stripping: %s" % err.strip()[:300], flush=True)
    C.check("stripping", "exit status", 1, r.returncode)
    C.check("stripping", "says why", True,
            "the resolver at %s does not validate (no AD bit on . DNSKEY" % STRIP_ADDR in err)
    C.check("stripping", "no output", False, os.path.exists(out))


def with_resolver(base, addr, extra=()):
    args = R.drop_option(R.drop_option(base, "--resolver"), "--timeout-dns")
    return args + ["--resolver", addr, "--resolver-validates", "--timeout-dns", "2"] + list(extra)


HALFWAY = {  # name: (badresolver mode, port, its options)
    "servfail-back": ("servfail", 5311, ["--back", "8", "--keep-root-dnskey"]),
    "ede9-back": ("servfail", 5314, ["--back", "8", "--keep-root-dnskey", "--ede", "9"]),
    "refuse-gone": ("refuse", 5312, []),
}


def case_fails_halfway(C, mx, st, wd, base, healthy, procs, name):
    mode, port, opts = HALFWAY[name]
    back = "--back" in opts
    addr = TR.start_bad(wd, procs, mode, port, ["--after", "300"] + opts)
    out = os.path.join(wd, "%s.ndjson" % name)
    t0 = time.time()
    rc, err = TR.scan(mx, with_resolver(base, addr) + ["-o", out, st["domains"]],
                      os.path.join(wd, "%s.err" % name), timeout=300)
    print("[trusted] %s: exit %d in %.1f s: %s" % (name, rc, time.time() - t0,
                                                   err.strip()[-600:]), flush=True)
    C.check(name, "the outage is said", True, "no longer validates through " + addr in err)
    want = {r["domain"]: TR.verdicts(r) for r in load(healthy)}
    recs = TR.records(out, name, C)
    if back:
        C.check(name, "exit status", 0, rc)
        C.check(name, "the end of the outage is said", True, "validates again" in err)
        C.check(name, "records", len(want), len(recs))
    else:
        C.check(name, "exit status", 1, rc)
        C.check(name, "the stop is said", True, "has not validated through " + addr in err)
        C.check(name, "some records kept, not all", True, 0 < len(recs) < len(want))
        rc2, _ = TR.scan(mx, base + ["--resolver-validates", "--resume", "-o", out, st["domains"]],
                         os.path.join(wd, "%s-resume.err" % name))
        C.check(name, "--resume exit status", 0, rc2)
        recs = TR.records(out, name + " resumed", C)
    for d, rs in sorted(TR.by_domain(recs).items()):
        C.check("%s %s" % (name, d), "one record", 1, len(rs))
        C.check("%s %s" % (name, d), "verdicts as in the healthy scan", want.get(d), TR.verdicts(rs[0]))
        C.check("%s %s" % (name, d), "nothing from the outage", False,
                "the resolver failed" in json.dumps(rs[0]))
    C.check(name, "every domain recorded", sorted(want), sorted(TR.by_domain(recs)))


def case_truncate(C, mx, st, wd, base, fwd_path, procs):
    addr = TR.start_bad(wd, procs, "truncate", 5313)
    out = os.path.join(wd, "truncate.ndjson.zst")
    rc, err, _ = timed_scan(mx, with_resolver(base, addr) + [st["domains"]], out)
    C.check("truncate", "exit status", 0, rc)
    if rc != 0:
        print(err[-2000:], flush=True)
    with open(os.path.join(wd, "logs", "bad-truncate-5313.log")) as f:
        log = f.read().split("\n")
    tc = {x.split(" ", 2)[2] for x in log if x.startswith("[badresolver] tc ")}
    tcp = {x.split(" ", 2)[2] for x in log if x.startswith("[badresolver] tcp ")}
    print("[trusted] truncate: %d questions truncated over UDP, %d asked over TCP, e.g. %s"
          % (len(tc), len(tcp), sorted(tc)[:3]), flush=True)
    C.check("truncate", "questions truncated", True, len(tc) > 20)
    C.check("truncate", "truncated questions not asked again over TCP", [], sorted(tc - tcp))
    compare(C, wd, fwd_path, out)


def in_namespace_main(a):
    def body(C, world, wd, procs):
        st = R.start_world(world, wd)
        base = R.scan_base(st, allow=True)
        cpu = {}
        paths = {}
        for mode, extra in (("forward", []), ("trusted", ["--resolver-validates"])):
            paths[mode] = os.path.join(wd, "%s.ndjson.zst" % mode)
            rc, err, cpu[mode] = timed_scan(a.mxsurvey, base + extra + [st["domains"]], paths[mode])
            C.check("scan " + mode, "exit status", 0, rc)
            if rc != 0:
                print(err[-2000:], flush=True)
        print("[trusted] CPU-s of mxsurvey over domains.txt: forward %.2f, trusted %.2f"
              % (cpu["forward"], cpu["trusted"]), flush=True)
        compare(C, wd, paths["forward"], paths["trusted"])
        refusals(C, a.mxsurvey, st, wd)
        case_truncate(C, a.mxsurvey, st, wd, base, paths["forward"], procs)
        case_fails_halfway(C, a.mxsurvey, st, wd, base, paths["trusted"], procs, "servfail-back")
        case_fails_halfway(C, a.mxsurvey, st, wd, base, paths["trusted"], procs, "ede9-back")
        case_fails_halfway(C, a.mxsurvey, st, wd, base, paths["trusted"], procs, "refuse-gone")
    return R.run_driver("mxsurvey-trusted-", a.keep, body)


def main():
    return W.driver_main(__file__, NS_ENV, "ports 25/53", in_namespace_main, doc=__doc__)


if __name__ == "__main__":
    sys.exit(main())
