#!/usr/bin/env python3
"""The scanner's own resolver, never blamed on a domain (issue 17), against the real local
mail world (world.py) and misbehaving resolvers of ours (badresolver.py, on loopback in the
namespace, in front of the world's Unbound).

usage: test_resolvers.py --mxsurvey PATH [--keep]

Cases:
  recursive  no --resolver, --root-hints of the world: libunbound iterates from the fake
             root itself; the records equal those of forward mode (--resolver, the world's
             Unbound) except the fields named in RECURSIVE_IGNORE (see there why).
  strip      a resolver that strips DNSSEC (DO bit cleared, an empty NOERROR to ". DNSKEY"):
             exit 1, the trust anchor message, no record.
  refuse     a resolver that answers REFUSED to everything: the same.
  back       a resolver that goes silent after a few hundred queries and comes back 8 s
             later: exit 0, the outage said and its end, and every domain's verdicts as in
             forward mode (none bogus or dns-error from the outage).
  gone       the same resolver that never comes back: exit 1 with the message, the records
             written kept, and --resume through the world's resolver completes the scan
             with every domain exactly once and the forward mode's verdicts.
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import world as W  # noqa: E402
import run_tests as R  # noqa: E402

NS_ENV = "MXSURVEY_RESOLVERS_NETNS"
ANCHOR_MSG = "cannot validate the trust anchor's DNSKEY set for . through"
# mx[].addresses[].ptr: the world's PTR names exist only as local data of its Unbound
# (world.py build_unbound_conf, local-data-ptr), not in a zone the fake root delegates, so
# the embedded resolver finds no PTR for 127.0.1.1 (libunbound's default 127.in-addr.arpa
# zone answers NXDOMAIN). The texts of a validation failure name the servers the bogus
# answer came from: "from 127.0.53.53" (the world's Unbound) in forward mode, "from
# 127.0.53.1 and 127.0.53.1" in recursive mode (libunbound asks the authoritative server
# again before it gives up): REASONS are compared with that list masked (masked_reasons).
RECURSIVE_IGNORE = ["mx.addresses.ptr"]
REASONS = ["dnssec_reason", "error.reason", "mx.addresses.dane.reason", "mx.tlsa.reason"]


def valid_list(src, dst):
    """The domains of src without its invalid line: a line that needs no DNS is recorded
    before the trust anchor check, which only the first query starts."""
    with open(src) as f, open(dst, "w") as g:
        for line in f:
            t = line.strip()
            if t and not t.startswith("#") and t != "not a domain!":
                g.write(t + "\n")


def scan(mx, args, err_path, timeout=600):
    with open(err_path, "wb") as ef:
        r = subprocess.run([mx, "scan"] + args, stdout=subprocess.DEVNULL, stderr=ef, timeout=timeout)
    with open(err_path, errors="replace") as f:
        return r.returncode, f.read()


def records(path, what, C):
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        return R.read_ndjson(f.read(), what, C)


def verdicts(rec):
    out = {k: rec.get(k) for k in ("domain", "status", "dnssec", "summary", "sender")}
    out["mx"] = [[(a.get("ip"), R.get(a, "dane.status"), R.get(a, "smtp.tls.pkix.valid"))
                  for a in m.get("addresses", [])] for m in rec.get("mx", [])]
    return json.dumps(out, sort_keys=True, default=repr)


def by_domain(recs):
    by = {}
    for r in recs:
        by.setdefault(r.get("domain"), []).append(r)
    return by


def start_bad(wd, procs, mode, port, extra=()):
    ready = os.path.join(wd, "bad-%s.ready" % mode)
    log = open(os.path.join(wd, "logs", "bad-%s-%d.log" % (mode, port)), "wb")
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "badresolver.py"), mode,
                          "127.0.0.1:%d" % port, W.RESOLVER_ADDR, "--ready", ready] + list(extra),
                         stdout=log, stderr=subprocess.STDOUT)
    procs.append(p)
    W.wait_ready(ready, "badresolver " + mode, log.name)
    return "127.0.0.1:%d" % port


def record_diff(old, new, ignore, C, what):
    cmd = [sys.executable, os.path.join(ROOT, "scripts", "record-diff.py"), "--show", "40"]
    for k in ignore:
        cmd += ["--ignore", k]
    r = subprocess.run(cmd + [old, new], capture_output=True, text=True)
    print("[resolvers] %s: record-diff:\n%s" % (what, r.stdout[-3000:]), flush=True)
    C.check(what, "record-diff exit status (records identical but %s)" % ignore, 0, r.returncode)


def case_recursive(C, mx, st, wd, base, fwd_out):
    nores = R.drop_option(base, "--resolver")
    hints = os.path.join(wd, "unbound", "root.hints")
    out = os.path.join(wd, "recursive.ndjson")
    rc, err = scan(mx, nores + ["--root-hints", hints, "-o", out, st["domains"]],
                   os.path.join(wd, "recursive.err"))
    C.check("recursive", "exit status", 0, rc)
    recs = records(out, "recursive", C)
    C.check("recursive", "records", len(records(fwd_out, "forward", C)), len(recs))
    record_diff(fwd_out, out, RECURSIVE_IGNORE + REASONS, C, "recursive")
    # PTR lookups went through libunbound (no c-ares, no /etc/resolv.conf): each finished.
    addrs = [x for r in recs for m in r.get("mx", []) for x in m.get("addresses", [])]
    C.check("recursive", "addresses probed", True, len(addrs) > 20)
    C.check("recursive", "PTR errors", [], [(x.get("ip"), x.get("ptr_error")) for x in addrs
                                            if x.get("ptr_error")])
    # The reasons, with the server addresses masked, are the same too.
    fwd = {r["domain"]: masked_reasons(r) for r in records(fwd_out, "forward", C)}
    for r in recs:
        C.check("recursive %s" % r.get("domain"), "dnssec reasons (addresses masked)",
                fwd.get(r.get("domain")), masked_reasons(r))


def masked_reasons(rec):
    import re
    found = []

    def walk(x, path):
        if isinstance(x, dict):
            for k, v in sorted(x.items()):
                walk(v, path + "." + k)
        elif isinstance(x, list):
            for v in x:
                walk(v, path)
        elif "reason" in path.rsplit(".", 1)[-1] and isinstance(x, str):
            ip = r"\d+\.\d+\.\d+\.\d+"
            found.append((path, re.sub(r"from %s( and %s)*" % (ip, ip), "from SERVERS", x)))
    walk(rec, "")
    return found


def case_refused_start(C, mx, wd, base, valid, mode, port, procs):
    addr = start_bad(wd, procs, mode, port)
    args = R.drop_option(base, "--resolver") + ["--resolver", addr]
    out = os.path.join(wd, "%s.ndjson" % mode)
    t0 = time.time()
    rc, err = scan(mx, args + ["-o", out, valid], os.path.join(wd, "%s.err" % mode), timeout=120)
    print("[resolvers] %s: exit %d in %.1f s: %s" % (mode, rc, time.time() - t0, err.strip()[-400:]), flush=True)
    C.check(mode, "exit status", 1, rc)
    C.check(mode, "the trust anchor message names the resolver", True, (ANCHOR_MSG + " " + addr) in err)
    C.check(mode, "records written", 0, len(records(out, mode, C)))


def case_silent(C, mx, st, wd, base, fwd_out, procs, back):
    name = "back" if back else "gone"
    extra = ["--after", "300"] + (["--back", "8"] if back else [])
    addr = start_bad(wd, procs, "silent", 5303 if back else 5304, extra)
    args = R.drop_option(R.drop_option(base, "--resolver"), "--timeout-dns")
    args += ["--resolver", addr, "--timeout-dns", "2"]
    out = os.path.join(wd, "%s.ndjson" % name)
    t0 = time.time()
    rc, err = scan(mx, args + ["-o", out, st["domains"]], os.path.join(wd, "%s.err" % name), timeout=300)
    print("[resolvers] %s: exit %d in %.1f s" % (name, rc, time.time() - t0), flush=True)
    C.check(name, "the outage is said", True, "no longer validates through " + addr in err)
    fwd = {r["domain"]: verdicts(r) for r in records(fwd_out, "forward", C)}
    recs = records(out, name, C)
    if back:
        C.check(name, "exit status", 0, rc)
        C.check(name, "the end of the outage is said", True, "validates again" in err)
        C.check(name, "records", len(fwd), len(recs))
    else:
        C.check(name, "exit status", 1, rc)
        C.check(name, "the stop is said", True, "has not validated through " + addr in err)
        C.check(name, "some records kept, not all", True, 0 < len(recs) < len(fwd))
        rc2, err2 = scan(mx, base + ["--resume", "-o", out, st["domains"]],
                         os.path.join(wd, "%s-resume.err" % name))
        C.check(name, "--resume exit status", 0, rc2)
        recs = records(out, name + " resumed", C)
    for d, rs in sorted(by_domain(recs).items()):
        C.check("%s %s" % (name, d), "one record", 1, len(rs))
        C.check("%s %s" % (name, d), "verdicts as in forward mode", fwd.get(d), verdicts(rs[0]))
        C.check("%s %s" % (name, d), "nothing from the outage", False,
                "the resolver failed" in json.dumps(rs[0]))
    C.check(name, "every domain recorded", sorted(fwd), sorted(by_domain(recs)))


def in_namespace_main(a):
    def body(C, world, wd, procs):
        st = R.start_world(world, wd)
        base = R.scan_base(st)
        mx = a.mxsurvey
        fwd_out = os.path.join(wd, "forward.ndjson")
        rc, _ = scan(mx, base + ["-o", fwd_out, st["domains"]], os.path.join(wd, "forward.err"))
        C.check("forward", "exit status", 0, rc)
        valid = os.path.join(wd, "valid.txt")
        valid_list(st["domains"], valid)
        case_recursive(C, mx, st, wd, base, fwd_out)
        case_refused_start(C, mx, wd, base, valid, "strip", 5301, procs)
        case_refused_start(C, mx, wd, base, valid, "refuse", 5302, procs)
        case_silent(C, mx, st, wd, base, fwd_out, procs, True)
        case_silent(C, mx, st, wd, base, fwd_out, procs, False)
    return R.run_driver("mxsurvey-resolvers-", a.keep, body)


def main():
    return W.driver_main(__file__, NS_ENV, "ports 25/53", in_namespace_main, doc=__doc__)


if __name__ == "__main__":
    sys.exit(main())
