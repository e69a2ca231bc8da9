#!/usr/bin/env python3
"""Hostile DNS answers and input lines (issue 13, faults 5, 6, 7 and mx_truncated).

usage: test_dns.py --mxsurvey PATH [--keep]

Needs root: re-executes itself in a private network and mount namespace
(world.run_in_namespace), where only loopback exists. A world of its own, small so that it
starts in seconds: NSD serves a signed root, a signed TLD "t." and a signed zone "n.t.";
the TLD delegates the unsigned zone "h.t." to hostile_dns.py (127.0.54.1), which serves
what NSD will not (wire-form names with any bytes, answers near 64 KiB, the record that
matters last in a long RRset); a validating Unbound (world.py's configuration, without
round-robin so that answers keep the server's order) is mxsurvey's --resolver. MX hosts
point at 127.0.3.x, where nothing listens: every probe ends at once with "refused".

Cases (the exact fields of each record are asserted):
  long.h.t     MX targets of 253 and 244 characters: both scanned; the TLSA name of the
               first would be longer than 253 octets (not queried, an error), the second's
               is exactly 253 (queried: NXDOMAIN)
  ds.n.t       the same 253-character target in a signed zone: DANE cannot be had
  cn*.h.t/n.t  MX hosts that are aliases of a 253-character name and of one with a
               byte that needs \\DDD: the record's cname is that name (libunbound's own text
               of it is cut at 253 characters and has '?' for such bytes), unsigned and signed
  PTR          reverse names (our server) of 253 characters: kept whole; with a \\001
               byte, 256 characters once escaped: refused by c-ares, recorded as such
  esc.h.t      a target whose label needs \\DDD escapes (256 characters escaped) and one
               with a space: listed with an error naming why, beside a usable MX
  txt.h.t      41 TXT records at _mta-sts and _smtp._tls, the valid one last
  bigtxt.h.t   230 TXT records of 250 bytes (a 60 KiB answer), the valid ones last
  two.h.t      two v=STSv1 records, 36 records apart: "multiple STSv1 records"
  dupmx.h.t    50 MX records naming one host: one host, not truncated
  manymx.h.t   24 records of one host and 16 of others: 16 hosts, truncated
  <250 chars>  a domain too long for _mta-sts/_smtp._tls names: "none", said why
  input        "ok2.h.t<NUL>junk" then "ok2.h.t": two records; two 300-byte invalid lines
               that differ in their last byte: two records; --resume skips exactly what
               the file records
Prints one line per failed check and "N passed, N failed"."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "world"))
import world as W  # noqa: E402
import run_tests as R  # noqa: E402

NS_ENV = "MXSURVEY_HOSTILE_DNS_NETNS"
HOSTILE_NS = "127.0.54.1"
ABSENT = R.ABSENT
T_A, T_CNAME, T_MX, T_TXT = 1, 5, 15, 16


def label_name(total, suffix):
    """A name of exactly 'total' characters ending in '.'+suffix, labels of 63 or fewer."""
    left = total - len(suffix) - 1
    labels = []
    while left > 63:
        labels.append(chr(ord("a") + len(labels)) * 63)
        left -= 64
    if left == 0:                  # the last dot had nothing after it: split one label
        labels[-1] = labels[-1][:62]
        left = 1
    labels.append(chr(ord("a") + len(labels)) * left)
    name = ".".join(labels) + "." + suffix
    assert len(name) == total, (len(name), total)
    return name


L253 = label_name(253, "h.t")
L244 = label_name(244, "h.t")
S253 = label_name(253, "n.t")
LONGDOM = label_name(250, "h.t")
ESC_LABEL = b"\x01" * 63
ESC_HOST = "\\001" * 63 + ".h.t"          # mxsurvey's presentation form (JSON-decoded)
SPACE_HOST = "a\\032b.esc.h.t"
FILLER = ["filler record %02d: v=spf1 -all" % i for i in range(40)]
BIG = ["x%03d" % i + "p" * 246 for i in range(230)]


def W_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\x00"


def txt_rdata(text):
    b = text.encode()
    out = b""
    while True:
        out += bytes([min(255, len(b))]) + b[:255]
        b = b[255:]
        if not b:
            return out


def mx_rdata(pref, target_wire):
    return pref.to_bytes(2, "big") + target_wire


def a_rdata(ip):
    return bytes(int(x) for x in ip.split("."))


def hostile_zone():
    recs = []

    def add(owner, rtype, rdata):
        recs.append([(owner if isinstance(owner, bytes) else W_name(owner)).hex(), rtype,
                     rdata.hex()])
    # fault 5: long and escaped MX targets
    add("long.h.t", T_MX, mx_rdata(10, W_name(L253)))
    add("long.h.t", T_MX, mx_rdata(20, W_name(L244)))
    add(L253, T_A, a_rdata("127.0.3.1"))
    add(L244, T_A, a_rdata("127.0.3.2"))
    esc_wire = bytes([63]) + ESC_LABEL + W_name("h.t")
    add("esc.h.t", T_MX, mx_rdata(10, esc_wire))
    add("esc.h.t", T_MX, mx_rdata(20, W_name("mx.esc.h.t")))
    add("esc.h.t", T_MX, mx_rdata(30, b"\x03a b" + W_name("esc.h.t")))
    add("mx.esc.h.t", T_A, a_rdata("127.0.3.3"))
    # CNAME targets libunbound's canonname would mangle ('&' at 253 characters, '?')
    add("cn.h.t", T_MX, mx_rdata(10, W_name("alias.cn.h.t")))
    add("alias.cn.h.t", T_CNAME, W_name(L253))
    add("cn2.h.t", T_MX, mx_rdata(10, W_name("alias.cn2.h.t")))
    add("alias.cn2.h.t", T_CNAME, b"\x04\x01odd" + W_name("h.t"))
    add(b"\x04\x01odd" + W_name("h.t"), T_A, a_rdata("127.0.3.9"))
    # fault 6: the TXT record that matters after many others
    for d, ip, txt in (("txt", "127.0.3.4", FILLER), ("bigtxt", "127.0.3.4", BIG)):
        add(d + ".h.t", T_MX, mx_rdata(10, W_name("mx.%s.h.t" % d)))
        add("mx.%s.h.t" % d, T_A, a_rdata(ip))
        for t in txt:
            add("_mta-sts.%s.h.t" % d, T_TXT, txt_rdata(t))
            add("_smtp._tls.%s.h.t" % d, T_TXT, txt_rdata(t))
        add("_mta-sts.%s.h.t" % d, T_TXT, txt_rdata("v=STSv1; id=%s2026;" % d))
        add("_smtp._tls.%s.h.t" % d, T_TXT, txt_rdata("v=TLSRPTv1; rua=mailto:r@%s.h.t" % d))
    add("two.h.t", T_MX, mx_rdata(10, W_name("mx.txt.h.t")))
    add("_mta-sts.two.h.t", T_TXT, txt_rdata("v=STSv1; id=first;"))
    for t in FILLER[:36]:
        add("_mta-sts.two.h.t", T_TXT, txt_rdata(t))
    add("_mta-sts.two.h.t", T_TXT, txt_rdata("v=STSv1; id=second;"))
    # mx_truncated: 50 records, one host; 24 of one host + 16 others
    for p in range(1, 51):
        add("dupmx.h.t", T_MX, mx_rdata(p, W_name("mx.dupmx.h.t")))
    add("mx.dupmx.h.t", T_A, a_rdata("127.0.3.5"))
    for p in range(1, 25):
        add("manymx.h.t", T_MX, mx_rdata(p, W_name("mx.manymx.h.t")))
    for i in range(16):
        add("manymx.h.t", T_MX, mx_rdata(30 + i, W_name("m%02d.manymx.h.t" % i)))
    add("mx.manymx.h.t", T_A, a_rdata("127.0.3.5"))
    # a domain too long for its _mta-sts and _smtp._tls names
    add(LONGDOM, T_MX, mx_rdata(10, W_name("mx1.h.t")))
    add("mx1.h.t", T_A, a_rdata("127.0.3.6"))
    # fault 7: the real domain behind the NUL line
    add("ok2.h.t", T_MX, mx_rdata(10, W_name("mx.ok2.h.t")))
    add("mx.ok2.h.t", T_A, a_rdata("127.0.3.7"))
    return {"origin": "h.t.", "records": recs}


T_PTR = 12
REVERSE = "3.0.127.in-addr.arpa."   # PTR names of the MX addresses, from our server too
PTRS = {"127.0.3.1": W_name(L253), "127.0.3.2": b"\x04\x01odd" + W_name("h.t"),
        "127.0.3.3": bytes([63]) + ESC_LABEL + W_name("h.t")}
PTR_TEXT = ("127.0.3.1", "127.0.3.2", "127.0.3.3")


def reverse_zone():
    return {"origin": REVERSE, "records": [
        [W_name("%s.%s" % (ip.split(".")[3], REVERSE)).hex(), T_PTR, target.hex()]
        for ip, target in PTRS.items()]}


def build(wd):
    zdir = os.path.join(wd, "dns")
    os.makedirs(zdir)
    os.makedirs(os.path.join(wd, "logs"))
    child = W.Zone("n.t.")
    child.add("ds", "MX", "10 %s." % S253)
    child.add(S253 + ".", "A", "127.0.3.8")
    child.add("cn", "MX", "10 alias.cn.n.t.")
    child.add("alias.cn", "CNAME", S253 + ".")
    child.add("cn2", "MX", "10 alias.cn2.n.t.")
    child.add("alias.cn2", "CNAME", "\\001odd.n.t.")
    child.add("\\001odd", "A", "127.0.3.9")
    tld = W.Zone("t.")
    tld.add("n.t.", "NS", "ns.root.")
    tld.add("h.t.", "NS", "ns.h.t.")
    tld.add("ns.h.t.", "A", HOSTILE_NS)
    root = W.Zone(".")
    root.add("ns.root.", "A", W.NSD_ADDR)
    root.add("t.", "NS", "ns.root.")

    tld.records.append(W.write_zone(zdir, child))
    root.records.append(W.write_zone(zdir, tld))
    with open(os.path.join(wd, "root.key"), "w") as f:
        f.write(W.write_zone(zdir, root) + "\n")
    W.write_nsd_conf(wd, zdir, (root, tld, child))
    with open(os.path.join(wd, "hostile-zone.json"), "w") as f:
        json.dump(hostile_zone(), f)
    with open(os.path.join(wd, "reverse-zone.json"), "w") as f:
        json.dump(reverse_zone(), f)


def start(w):
    w.state = {"pids": {}}
    w.build_unbound_conf()
    conf = w.p("unbound.conf")
    with open(conf) as f:
        text = f.read()
    # answers in the order the server gave them: the cases put the record that matters
    # last; 127.0.3.x's reverse names come from our server, not Unbound's local zone
    text = "".join(l for l in text.splitlines(True) if "local-data-ptr" not in l)
    text = text.replace("server:\n", "server:\n  rrset-roundrobin: no\n"
                        '  local-zone: "127.in-addr.arpa." nodefault\n'
                        '  domain-insecure: "%s"\n' % REVERSE, 1)
    with open(conf, "w") as f:
        f.write(text + 'stub-zone:\n  name: "%s"\n  stub-addr: %s\n' % (REVERSE, HOSTILE_NS))
    w.save()
    w.spawn_nsd()
    ready = w.p("hostile-dns.ready")
    w._spawn("hostile_dns", [sys.executable, os.path.join(HERE, "hostile_dns.py"), "--addr",
                             HOSTILE_NS, "--zone", w.p("hostile-zone.json"), "--zone",
                             w.p("reverse-zone.json"), "--ready", ready,
                             "--log", w.p("logs", "hostile-dns.log")], "hostile-dns.stdout")
    W.wait_listening([(W.NSD_ADDR, 53, "udp"), (W.NSD_ADDR, 53, "tcp"),
                      (HOSTILE_NS, 53, "udp"), (HOSTILE_NS, 53, "tcp")], "nsd, hostile_dns")
    w.spawn_unbound()
    W.wait_listening([(W.RESOLVER_ADDR, 53, "udp")], "unbound")
    return w


def scan(mx, wd, inp, what, C, extra=(), expect_rc=0):
    args = [mx, "scan", "--resolver", W.RESOLVER_ADDR, "--trust-anchor",
            os.path.join(wd, "root.key"), "--allow", "127.0.0.0/8", "--ehlo", "scanner.t",
            "--timeout-connect", "3", "--timeout-banner", "3", "--timeout-dns", "8",
            "--retries", "0"] + list(extra)
    if "-o" not in extra:
        args += ["-o", "-"]
    args.append(inp)
    t0 = time.time()
    r = subprocess.run(args, capture_output=True, timeout=120)
    with open(os.path.join(wd, "logs", "mxsurvey-%s.stderr" % what), "wb") as f:
        f.write(r.stderr)
    with open(os.path.join(wd, "logs", "mxsurvey-%s.stdout" % what), "wb") as f:
        f.write(r.stdout)
    print("[dns] %s: exit %d in %.1fs" % (what, r.returncode, time.time() - t0), flush=True)
    C.check(what, "exit status", expect_rc, r.returncode)
    if r.returncode != expect_rc:
        print("    stderr: " + r.stderr.decode("utf-8", "replace")[-1500:])
    recs = R.read_ndjson(r.stdout, what, C) if "-o" not in extra else []
    return recs, r.stderr.decode("utf-8", "replace"), r.stdout


def mx_view(rec):
    """The fields of mx[] the cases decide, in record order."""
    out = []
    for h in rec.get("mx", []):
        v = {"host": h.get("host"), "preference": h.get("preference")}
        if "error" in h:
            v["error"] = h["error"]
        if "tlsa" in h:
            v["tlsa"] = {k: h["tlsa"][k] for k in ("name", "result", "reason", "dnssec")
                         if k in h["tlsa"]}
        v["addresses"] = [(a["ip"], a["smtp"].get("connect")) for a in h.get("addresses", [])]
        out.append(v)
    return out


def refused(ip):
    return [(ip, "refused")]


def dns_cases(C, by):
    def rec(d):
        r = by.get(d)
        C.check(d, "has a record", True, r is not None)
        return r or {}

    r = rec("long.h.t")
    C.check("long.h.t", "status", "ok", r.get("status"))
    C.check("long.h.t", "mx[] (253 and 244 characters)", [
        {"host": L253, "preference": 10, "addresses": refused("127.0.3.1"),
         "tlsa": {"name": "_25._tcp." + L253, "result": "error", "dnssec": "indeterminate",
                  "reason": "TLSA name longer than 253 octets: not queried"}},
        {"host": L244, "preference": 20, "addresses": refused("127.0.3.2"),
         "tlsa": {"name": "_25._tcp." + L244, "result": "nxdomain", "dnssec": "insecure"}},
    ], mx_view(r))
    C.check("long.h.t", "summary.mx_hosts", 2, R.get(r, "summary.mx_hosts"))
    C.check("long.h.t", "mx.0.addresses.0.dane.status", "no-tlsa",
            R.get(r, "mx.0.addresses.0.dane.status"))
    C.check("long.h.t", "sender.dane", {"action": "defer"}, R.get(r, "sender.dane"))

    r = rec("ds.n.t")
    C.check("ds.n.t", "status/dnssec", ("ok", "secure"), (r.get("status"), r.get("dnssec")))
    C.check("ds.n.t", "mx[] (253 characters, signed)", [
        {"host": S253, "preference": 10, "addresses": refused("127.0.3.8"),
         "tlsa": {"name": "_25._tcp." + S253, "result": "error", "dnssec": "indeterminate",
                  "reason": "TLSA name longer than 253 octets: not queried"}}], mx_view(r))
    C.check("ds.n.t", "mx.0.addresses.0.dane.status", "dns-error",
            R.get(r, "mx.0.addresses.0.dane.status"))
    C.check("ds.n.t", "sender.dane", {"action": "defer", "result_type": "dnssec-invalid"},
            R.get(r, "sender.dane"))

    for d, cname in (("cn.h.t", L253), ("cn2.h.t", "\\001odd.h.t"), ("cn.n.t", S253),
                     ("cn2.n.t", "\\001odd.n.t")):
        r = rec(d)
        C.check(d, "mx.0.cname (not libunbound's lossy text)", cname, R.get(r, "mx.0.cname"))
    # signed: the expanded 253-character name is the TLSA base, and too long to query;
    # an expansion that is no host name is not a TLSA base: the MX name is
    for d, base, dnssec, result in (("cn.n.t", S253, "indeterminate", "error"),
                                    ("cn2.n.t", "alias.cn2.n.t", "secure", "nxdomain")):
        C.check(d, "mx.0.tlsa", {"name": "_25._tcp." + base, "dnssec": dnssec,
                                 "result": result}, R.get(by.get(d, {}), "mx.0.tlsa"))

    # PTR names at the limits (c-ares, our reverse zone): a 253-character name is kept
    # whole; c-ares 1.18 refuses a target that is no host name (escaped bytes) itself, and
    # the record says so (a guard: rdns.c's 253-character buffer never sees escapes)
    got = {}
    for r in by.values():
        for h in r.get("mx", []):
            for a in h.get("addresses", []):
                if a["ip"] in PTR_TEXT:
                    got[a["ip"]] = (a.get("ptr"), a.get("ptr_error"))
    C.check("ptr", "PTR names of 127.0.3.1-3",
            {"127.0.3.1": (L253, None), "127.0.3.2": (None, "Misformatted DNS reply"),
             "127.0.3.3": (None, "Misformatted DNS reply")}, got)

    r = rec("esc.h.t")
    C.check("esc.h.t", "mx[] (escaped targets listed with an error)", [
        {"host": ESC_HOST, "preference": 10, "addresses": [],
         "error": {"stage": "dns",
                   "reason": "MX target not usable as a host name: invalid character"}},
        {"host": "mx.esc.h.t", "preference": 20, "addresses": refused("127.0.3.3"),
         "tlsa": {"name": "_25._tcp.mx.esc.h.t", "result": "nxdomain", "dnssec": "insecure"}},
        {"host": SPACE_HOST, "preference": 30, "addresses": [],
         "error": {"stage": "dns",
                   "reason": "MX target not usable as a host name: invalid character"}},
    ], mx_view(r))
    C.check("esc.h.t", "summary.mx_hosts", 3, R.get(r, "summary.mx_hosts"))

    for d in ("txt", "bigtxt"):
        r = rec(d + ".h.t")
        C.check(d, "mta_sts", {"status": "fetch-error", "id": d + "2026",
                               "result_type": "sts-policy-fetch-error",
                               "reason": "cannot resolve mta-sts.%s.h.t: NXDOMAIN" % d},
                r.get("mta_sts"))
        C.check(d, "tls_rpt", {"status": "valid", "dnssec": "insecure",
                               "rua": ["mailto:r@%s.h.t" % d]}, r.get("tls_rpt"))
    r = rec("two.h.t")
    C.check("two", "mta_sts", {"status": "txt-invalid", "reason": "multiple STSv1 records"},
            r.get("mta_sts"))

    r = rec("dupmx.h.t")
    C.check("dupmx", "mx[] (50 records, one host)", [
        {"host": "mx.dupmx.h.t", "preference": 1, "addresses": refused("127.0.3.5"),
         "tlsa": {"name": "_25._tcp.mx.dupmx.h.t", "result": "nxdomain",
                  "dnssec": "insecure"}}], mx_view(r))
    C.check("dupmx", "mx_truncated", ABSENT, R.get(r, "mx_truncated"))
    r = rec("manymx.h.t")
    C.check("manymx", "mx[] hosts", [("mx.manymx.h.t", 1)] +
            [("m%02d.manymx.h.t" % i, 30 + i) for i in range(15)],
            [(h["host"], h["preference"]) for h in r.get("mx", [])])
    C.check("manymx", "mx_truncated", True, R.get(r, "mx_truncated"))
    C.check("manymx", "mx.1.error", {"stage": "dns", "reason": "NXDOMAIN"},
            R.get(r, "mx.1.error"))

    r = rec(LONGDOM)
    C.check("longdom", "status", "ok", r.get("status"))
    C.check("longdom", "mta_sts", {"status": "none",
            "reason": "_mta-sts.<domain> would be longer than 253 octets"}, r.get("mta_sts"))
    C.check("longdom", "tls_rpt", {"status": "none", "dnssec": "indeterminate",
            "reason": "_smtp._tls.<domain> would be longer than 253 octets"},
            r.get("tls_rpt"))
    C.check("longdom", "mx[]", [
        {"host": "mx1.h.t", "preference": 10, "addresses": refused("127.0.3.6"),
         "tlsa": {"name": "_25._tcp.mx1.h.t", "result": "nxdomain", "dnssec": "insecure"}}],
        mx_view(r))


NUL_LINE = b"ok2.h.t\x00junk"
LONG_A = b"x" * 299 + b"!"
LONG_B = b"x" * 299 + b"?"


def input_cases(mx, wd, C):
    inp = os.path.join(wd, "nul.txt")
    with open(inp, "wb") as f:
        f.write(NUL_LINE + b"\n" + b"ok2.h.t\n" + b"  " + NUL_LINE + b" \n" + LONG_A + b"\n" +
                LONG_B + b"\n" + LONG_A + b"\n")
    recs, err, raw = scan(mx, wd, inp, "nul", C)
    by = {r.get("domain"): r for r in recs}
    C.check("nul", "records", 4, len(recs))
    inv = by.get(NUL_LINE.decode(), {})
    C.check("nul", "invalid record of the NUL line", {
        "status": "invalid", "input": ABSENT,
        "error": {"stage": "input", "reason": "invalid character"}}, inv)
    C.check("nul", "the real ok2.h.t", "ok", by.get("ok2.h.t", {}).get("status"))
    for line in (LONG_A, LONG_B):
        C.check("nul", "300-byte line %r" % line[-1:], {"status": "invalid", "input": ABSENT},
                by.get(line.decode(), {}))
    C.check("nul", "duplicates counted", True, "; 2 duplicate input lines skipped" in err)
    # the NUL is in the record as \u0000
    C.check("nul", "domain written with \\u0000", True,
            b'{"domain":"ok2.h.t\\u0000junk"' in raw)

    # --resume: the file's records decide what is skipped, by the same identity
    out = os.path.join(wd, "nul.ndjson")
    full = [json.dumps(r, ensure_ascii=False) + "\n" for r in recs]
    only = {"invalid": [l for l in full if '"ok2.h.t"' not in l],
            "real": [l for l in full if '"ok2.h.t"' in l]}
    for what, lines, want in (("all", full, []),
                              ("invalid-only", only["invalid"], ["ok2.h.t"]),
                              ("real-only", only["real"],
                               sorted([NUL_LINE.decode(), LONG_A.decode(), LONG_B.decode()]))):
        with open(out, "w") as f:
            f.writelines(lines)
        _, err, _ = scan(mx, wd, inp, "resume-" + what, C, ["--resume", "-o", out])
        with open(out) as f:
            after = [json.loads(l) for l in f if l.strip()]
        new = sorted(r["domain"] for r in after[len(lines):])
        C.check("resume-" + what, "records appended", want, new)
        C.check("resume-" + what, "skipped as recorded", True,
                "; %d domains already in the output skipped" % (4 - len(want)) in err)


def in_namespace_main(a):
    def body(C, w, wd, procs):
        t0 = time.time()
        build(wd)
        start(w)
        print("[dns] world up in %.1fs" % (time.time() - t0), flush=True)
        mx = os.path.abspath(a.mxsurvey)
        inp = os.path.join(wd, "domains.txt")
        names = ["long.h.t", "ds.n.t", "cn.h.t", "cn2.h.t", "cn.n.t", "cn2.n.t", "esc.h.t",
                 "txt.h.t", "bigtxt.h.t", "two.h.t", "dupmx.h.t", "manymx.h.t", LONGDOM]
        with open(inp, "w") as f:
            f.write("\n".join(names) + "\n")
        recs, _, _ = scan(mx, wd, inp, "dns", C)
        C.check("dns", "one record per domain", len(names), len(recs))
        dns_cases(C, {r.get("domain"): r for r in recs})
        input_cases(mx, wd, C)
    return R.run_driver("mxsurvey-hostile-dns-", a.keep, body)


def main():
    return W.driver_main(__file__, NS_ENV, "DNS on 127.0.53.x and 127.0.54.1", in_namespace_main)


if __name__ == "__main__":
    sys.exit(main())
