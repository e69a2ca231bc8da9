#!/usr/bin/env python3
"""Issue 16 (warn before mail breaks) against the test world's real servers: TLSA rollover
readiness, the outlook at --horizon, RRSIG expiry, soa_rname, CNCS conformity, and the
report's --compare causes and --notify rows.

usage: test_ops.py --mxsurvey PATH [--keep]

Needs root: re-executes itself inside `unshare --net --mount` (only loopback), starts the
world (tests/world/world.py; the cases are in tests/world/opsworld.py, domains ops-*.mxlab
in ops.txt only) and scans:
  scan 1   ops.txt plus existing domains that fail a CNCS check (CNCS_CASES), --horizon 20
           (the world's ordinary RRSIGs expire after ldns-signzone's 4 weeks, after the
           horizon; the 3-day, 5-day and 10-day cases before it) and --horizon-dnssec 12
           (the 3-day TLSA and the 10-day DNSKEY RRSIGs both before it)
  full     --tls-profile full on two servers of fullprofile.py (tls-cipher fails and passes)
  change   opsworld.change: ops-rollfail's server gets another key (the TLSA stays), the
           MTA-STS policy of ops-sts-change another body (the id stays)
  scan 2   ops.txt again at the default --horizon-dnssec (3 days): the 3-day RRSIG warns,
           the 10-day one is recorded but does not; `mxsurvey report --compare` of scan 2
           against scan 1
Every expectation is computed from the files the world generated (keys, certificates,
signed zones, policy bodies) or is a fixed property of a case (opsworld.py's table).
Prints "N passed, N failed"."""
import csv
import datetime
import hashlib
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import world as W  # noqa: E402
import opsworld as OPS  # noqa: E402

NS_ENV = "MXS_OPS_TEST_NS"
FAILS, PASSED, NOTES = [], [0], []
HORIZON = 20
HORIZON_DNSSEC = 12   # scan 1; scan 2 runs at the default, 3 days
# CNCS: each check id -> (a domain where it passes, one where it fails); the domains with
# "full" are judged from the --tls-profile full scan
CNCS_CASES = {
    "starttls": ("ops-ro-ta", "no-starttls"),
    "tls-version": ("ops-ro-ta", "tls13"),          # Debian's Postfix defaults accept TLS 1.0
    "tls-cipher": ("full:tls13-only", "full:null-suite"),
    "cert-name": ("ops-ro-ta", "cert-wrongname"),
    "cert-chain": ("ops-ro-ta", "ops-nochain"),     # intermediate not sent
    "dnssec-domain": ("ops-ro-ta", "tlsa-unsigned"),
    "dnssec-mx": ("ops-ro-ta", "ops-mxoff"),        # MX in an unsigned zone
    "tlsa": ("ops-ro-ta", "tls13"),                 # no TLSA
    "dane": ("ops-ro-ta", "dane-mismatch"),
    "tlsa-rollover": ("ops-ro-next", "ops-ro-single"),
    "mta-sts-enforce": ("ops-sts-change", "sts-testing"),
    "tls-rpt": ("ops-ro-ta", "ops-ro-samekey"),
    "mta-sts-testing-tls-rpt": ("ops-sts-rpt", "sts-testing"),
}
ADVISORY = {"mta-sts-enforce", "tls-rpt", "mta-sts-testing-tls-rpt"}


def check(what, got, want):
    if got != want:
        FAILS.append("%s: got %r, want %r" % (what, got, want))
    else:
        PASSED[0] += 1


def ts(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(s):
    try:
        return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


def scan(a, wd, tag, names, extra):
    inp = os.path.join(wd, "ops-%s.txt" % tag)
    with open(inp, "w") as f:
        f.write("\n".join(names) + "\n")
    out = os.path.join(wd, "ops-%s.ndjson" % tag)
    base = [a.mxsurvey, "scan", "--resolver", W.RESOLVER_ADDR, "--trust-anchor",
            os.path.join(wd, "root.key"), "--ca-file", os.path.join(wd, "ca.pem"),
            "--allow", "127.0.0.0/8", "--ehlo", "scanner.mxlab", "--timeout-banner", "3",
            "--timeout-smtp", "5", "--timeout-tls", "5", "--retries", "1",
            "--retry-delay", "0.2", "-q", "-o", out, inp]
    p = subprocess.run(base + ["--horizon", str(HORIZON)] + extra, capture_output=True,
                       text=True, timeout=600)
    check("scan %s --horizon %d exit status" % (tag, HORIZON), p.returncode, 0)
    if p.returncode:
        print(p.stderr[-2000:])
        # without --horizon (not on this branch yet): the other assertions still run
        p = subprocess.run(base + extra, capture_output=True, text=True, timeout=600)
        check("scan %s without --horizon exit status" % tag, p.returncode, 0)
    with open(out) as f:
        recs = {r["domain"]: r for r in (json.loads(l) for l in f if l.strip())}
    return out, recs


def report(a, args):
    p = subprocess.run([a.mxsurvey, "report", "-q"] + args, capture_output=True, text=True,
                       timeout=120)
    check("report %s exit status" % " ".join(os.path.basename(x) for x in args),
          p.returncode, 0)
    if p.returncode:
        print(p.stderr[-2000:])
    return p


def mx0(r):
    return (r or {}).get("mx", [{}])[0] if (r or {}).get("mx") else {}


def addr0(r):
    m = mx0(r)
    return m.get("addresses", [{}])[0] if m.get("addresses") else {}


def signed_expiry(wd, zone, rrsets):
    """The earliest RRSIG expiration (RFC 3339) over rrsets ((type, owner) pairs) in the
    signed zone file the world serves: the oracle for dnssec_expires."""
    best = None
    with open(os.path.join(wd, "dns", zone + ".zone.signed")) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 5 and p[3] == "RRSIG":
                f5 = p[4].split()
                if (f5[0], p[0]) in rrsets:
                    e = datetime.datetime.strptime(f5[4], "%Y%m%d%H%M%S").replace(
                        tzinfo=datetime.timezone.utc)
                    best = e if best is None or e < best else best
    return ts(best) if best else None


def check_rollover(recs, st):
    sp, o = st["spki_sha256"], st["ops_spki"]
    ro = lambda d: mx0(recs.get(d + ".mxlab")).get("tlsa", {}).get("rollover", {})  # noqa
    r = ro("ops-ro-next")
    check("ops-ro-next rollover ready", r.get("ready"), True)
    check("ops-ro-next rollover scheme", r.get("scheme"), "3 1 1 + 3 1 1")
    check("ops-ro-next the next key is unmatched", r.get("unmatched"),
          ["3 1 1 " + o["ops-next"][:16]])
    r = ro("ops-ro-ta")
    check("ops-ro-ta rollover ready", r.get("ready"), True)
    check("ops-ro-ta rollover scheme", r.get("scheme"), "3 1 1 + 2 1 1")
    check("ops-ro-ta nothing unmatched (the CA is in the chain)", r.get("unmatched", []), [])
    for d in ("ops-ro-single", "ops-ro-samekey"):
        r = ro(d)
        check("%s rollover ready" % d, r.get("ready"), False)
        check("%s rollover reason given" % d, bool(r.get("reason")), True)
        check("%s nothing unmatched" % d, r.get("unmatched", []), [])
    r = ro("ops-ro-stale")
    rec = recs.get("ops-ro-stale.mxlab", {})
    check("ops-ro-stale DANE still valid", addr0(rec).get("dane", {}).get("status"), "valid")
    check("ops-ro-stale summary.dane", rec.get("summary", {}).get("dane"), "valid")
    check("ops-ro-stale the stale record is unmatched", r.get("unmatched"),
          ["3 1 1 " + o["ops-old"][:16]])
    # a stale record and a pre-published next key look the same from outside: ready
    check("ops-ro-stale rollover (as ops-ro-next: indistinguishable)",
          (r.get("ready"), r.get("scheme")), (True, "3 1 1 + 3 1 1"))
    # the server shows the key the TLSA of ops-ro-* names
    check("ops-ro-ta leaf key is ops.pem's",
          addr0(recs.get("ops-ro-ta.mxlab")).get("smtp", {}).get("tls", {}).get("cert", {})
          .get("spki_sha256"), sp["ops"])


def check_outlook(recs, st):
    na = st["ops_not_after"]["ops-exp5"]
    for d, dane in (("ops-exp-ee", True), ("ops-exp-ta", False)):
        r = recs.get(d + ".mxlab", {})
        ol = addr0(r).get("outlook", {})
        check("%s DANE valid now" % d, addr0(r).get("dane", {}).get("status"), "valid")
        check("%s outlook.pkix_valid" % d, ol.get("pkix_valid"), False)
        check("%s outlook.dane_valid" % d, ol.get("dane_valid"), dane)
        check("%s outlook.breaks = the leaf's not_after" % d, ol.get("breaks"), na)
        check("%s a reason names the leaf's expiry" % d,
              any(na[:10] in x for x in ol.get("reasons", [])), True)
        check("%s summary.outlook" % d, r.get("summary", {}).get("outlook"), "warn")
        check("%s summary.outlook_breaks" % d, r.get("summary", {}).get("outlook_breaks"), na)
        at, t0 = parse_ts(ol.get("at")), parse_ts(r.get("scanned_at"))
        # the horizon from the scan's start; the record's time is within the scan (< 1 h)
        ok = at is not None and t0 is not None and \
            abs((at - t0) - datetime.timedelta(days=HORIZON)) < datetime.timedelta(hours=1)
        check("%s outlook.at = scanned_at + %d days (+- 1 h): %s vs %s" % (
            d, HORIZON, ol.get("at"), r.get("scanned_at")), ok, True)
    r = recs.get("ops-ro-ta.mxlab", {})
    ol = addr0(r).get("outlook", {})
    check("ops-ro-ta outlook valid at the horizon",
          (ol.get("pkix_valid"), ol.get("dane_valid"), ol.get("breaks")), (True, True, None))
    check("ops-ro-ta summary.outlook", r.get("summary", {}).get("outlook"), "ok")


def check_rrsig(recs, st, wd):
    exp = st["ops_sig_expires"]
    for d, rrset in (("ops-sig-tlsa", "TLSA _25._tcp.mx.ops-sig-tlsa.mxlab"),
                     ("ops-sig-dnskey", "DNSKEY ops-sig-dnskey.mxlab")):
        r = recs.get(d + ".mxlab", {})
        z = d + ".mxlab."
        oracle = signed_expiry(wd, d + ".mxlab", {("MX", z), ("A", "mx." + z), ("DNSKEY", z),
                                                 ("TLSA", "_25._tcp.mx." + z)})
        check("%s the signed zone's earliest RRSIG is the spliced one" % d, oracle, exp[d])
        check("%s dnssec_expires" % d, r.get("dnssec_expires"), exp[d])
        check("%s dnssec_expires_rrset" % d, r.get("dnssec_expires_rrset"), rrset)
        check("%s mx[0].dnssec_expires" % d, mx0(r).get("dnssec_expires"), exp[d])
        check("%s mx[0].dnssec_expires_rrset" % d, mx0(r).get("dnssec_expires_rrset"), rrset)
        check("%s summary.outlook" % d, r.get("summary", {}).get("outlook"), "warn")
        check("%s summary.outlook_breaks" % d, r.get("summary", {}).get("outlook_breaks"),
              exp[d])
        check("%s dnssec_warn (--horizon-dnssec %d)" % (d, HORIZON_DNSSEC),
              (r.get("dnssec_warn"), mx0(r).get("dnssec_warn")), (True, True))
    # an ordinary zone: ldns-signzone's default expiry, after the horizon
    r = recs.get("ops-ro-ta.mxlab", {})
    z = "ops-ro-ta.mxlab."
    check("ops-ro-ta dnssec_expires (from the signed zone)", r.get("dnssec_expires"),
          signed_expiry(wd, "ops-ro-ta.mxlab", {("MX", z), ("A", "mx." + z), ("DNSKEY", z),
                                                ("TLSA", "_25._tcp.mx." + z)}))


def check_rrsig_default(recs, st):
    """Scan 2, at the default --horizon-dnssec of 3 days: the TLSA RRSIG (3 days, minus the
    minutes since the world signed it) still warns; the DNSKEY one (10 days) is recorded
    but is a healthy re-signing window, not a warning."""
    exp = st["ops_sig_expires"]
    r = recs.get("ops-sig-tlsa.mxlab", {})
    check("default horizon: ops-sig-tlsa dnssec_warn",
          (r.get("dnssec_warn"), mx0(r).get("dnssec_warn")), (True, True))
    check("default horizon: ops-sig-tlsa summary.outlook",
          (r.get("summary", {}).get("outlook"), r.get("summary", {}).get("outlook_breaks")),
          ("warn", exp["ops-sig-tlsa"]))
    r = recs.get("ops-sig-dnskey.mxlab", {})
    check("default horizon: ops-sig-dnskey dnssec_expires still recorded",
          r.get("dnssec_expires"), exp["ops-sig-dnskey"])
    check("default horizon: ops-sig-dnskey no dnssec_warn",
          (r.get("dnssec_warn"), mx0(r).get("dnssec_warn")), (None, None))
    check("default horizon: ops-sig-dnskey summary.outlook",
          (r.get("summary", {}).get("outlook"), r.get("summary", {}).get("outlook_breaks")),
          ("ok", None))


def check_soa(recs):
    for d, want in (("ops-soa", "postmaster.ops-soa.mxlab"),
                    ("sub.ops-soa", "postmaster.ops-soa.mxlab"),   # NODATA: authority SOA
                    ("ops-ro-samekey", "dnsadmin.ops-ro-samekey.mxlab"),
                    ("ops-ro-ta", "rname.ops-ro-ta.mxlab")):
        check("%s soa_rname" % d, recs.get(d + ".mxlab", {}).get("soa_rname"), want)


def cncs_of(r):
    return {c.get("id"): c for c in r.get("conformity", {}).get("cncs", {}).get("checks", [])}


def check_cncs(recs, full):
    for cid, pair in CNCS_CASES.items():
        for d, want in zip(pair, ("pass", "fail")):
            src = full if d.startswith("full:") else recs
            name = d.split(":")[-1] + ".mxlab"
            c = cncs_of(src.get(name, {})).get(cid, {})
            check("cncs %s %s on %s" % (cid, want, name), (c.get("result"), c.get("pass")),
                  (want, want == "pass"))
            check("cncs %s advisory flag" % cid, c.get("advisory"),
                  True if cid in ADVISORY else None)
    ta = recs.get("ops-ro-ta.mxlab", {}).get("conformity", {}).get("cncs", {})
    check("ops-ro-ta conforms (pass)", ta.get("pass"), True)
    check("ops-ro-ta not complete (tls-cipher not-tested without --tls-profile full)",
          (ta.get("complete"), cncs_of(recs.get("ops-ro-ta.mxlab", {})).get(
              "tls-cipher", {}).get("result")), (False, "not-tested"))
    check("ops-ro-ta the 13 checks, in order", [c.get("id") for c in ta.get("checks", [])],
          list(CNCS_CASES))
    ns = recs.get("no-starttls.mxlab", {}).get("conformity", {}).get("cncs", {})
    check("no-starttls does not conform", ns.get("pass"), False)


def check_sts(r1, r2):
    b1 = OPS.STS["ops-sts-change"]["policy"].encode()
    b2 = OPS.STS["ops-sts-change"]["policy2"].encode()
    s1 = r1.get("ops-sts-change.mxlab", {}).get("mta_sts", {})
    s2 = r2.get("ops-sts-change.mxlab", {}).get("mta_sts", {})
    check("ops-sts-change scan 1 policy_sha256", s1.get("policy_sha256"),
          hashlib.sha256(b1).hexdigest())
    check("ops-sts-change scan 2 policy_sha256", s2.get("policy_sha256"),
          hashlib.sha256(b2).hexdigest())
    check("ops-sts-change the id stays", (s1.get("id"), s2.get("id")),
          (OPS.sts_id("ops-sts-change"),) * 2)


def changed(rep_json, domain):
    """Every entry of the report's changed_domains that names domain: (kind, entry)."""
    out = []
    for kind, rows in rep_json.get("changed_domains", {}).items():
        for e in rows if isinstance(rows, list) else []:
            if isinstance(e, dict) and e.get("domain") == domain:
                out.append((kind, e))
    return out


def check_compare(a, f1, f2, r1, r2, st):
    roll = r2.get("ops-rollfail.mxlab", {})
    check("ops-rollfail scan 1 DANE valid", r1.get("ops-rollfail.mxlab", {}).get(
        "summary", {}).get("dane"), "valid")
    check("ops-rollfail scan 2 DANE invalid (the key changed)", roll.get("summary", {}).get(
        "dane"), "invalid")
    check("ops-rollfail scan 2 shows ops-roll-b's key",
          addr0(roll).get("smtp", {}).get("tls", {}).get("cert", {}).get("spki_sha256"),
          st["spki_sha256"]["ops-roll-b"])
    check("ops-rollfail the TLSA is unchanged",
          mx0(roll).get("tlsa", {}).get("records"),
          mx0(r1.get("ops-rollfail.mxlab", {})).get("tlsa", {}).get("records"))
    p = report(a, ["--format", "json", f2, "--compare", f1])
    rep = json.loads(p.stdout) if p.returncode == 0 else {}
    # the kinds are report/compare.c's change_kind_key: a DANE break, and its cause
    check("compare: ops-rollfail broke, cause: the key changed, the TLSA set did not",
          sorted(k for k, _ in changed(rep, "ops-rollfail.mxlab")),
          ["dane.broken", "dane_broke.key_changed"])
    check("compare: ops-sts-change's policy changed under the same id",
          sorted(k for k, _ in changed(rep, "ops-sts-change.mxlab")),
          ["mta_sts.changed_same_id"])
    others = sorted(d for rows in rep.get("changed_domains", {}).values()
                    if isinstance(rows, list) for d in [e.get("domain") for e in rows]
                    if d not in ("ops-rollfail.mxlab", "ops-sts-change.mxlab"))
    check("compare: no other domain changed", others, [])


def check_notify(a, wd, f1, st):
    """--notify FILE.csv: one row per (operator, domain, check); the columns by the header
    (operator, domain, check, kind, finding, detail, change, reference, breaks, contact,
    contact_source: report/notify.c)."""
    path = os.path.join(wd, "notify.csv")
    report(a, ["--notify", path, f1])
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError:
        rows = []
    check("notify: rows", len(rows) > 0, True)
    jpath = os.path.join(wd, "notify.jsonl")
    report(a, ["--notify", jpath, f1])
    try:
        with open(jpath) as f:
            jrows = [json.loads(l) for l in f if l.strip()]
    except (OSError, ValueError):
        jrows = []
    check("notify: the JSON lines file has the CSV's rows", jrows, [dict(r) for r in rows])

    def rows_for(domain, cid):
        return [r for r in rows if r.get("domain") == domain and r.get("check") == cid]

    def contact(domain, cid):
        return sorted((r.get("kind"), r.get("contact"), r.get("contact_source"))
                      for r in rows_for(domain, cid))

    check("notify: ops-ro-single tlsa-rollover, the TLS-RPT rua (mailto: cut) as contact",
          contact("ops-ro-single.mxlab", "tlsa-rollover"),
          [("fail", "tlsrpt@ops-ro-single.mxlab", "tls-rpt")])
    check("notify: ops-ro-samekey tlsa-rollover, the SOA RNAME as a mailbox (no TLS-RPT)",
          contact("ops-ro-samekey.mxlab", "tlsa-rollover"),
          [("fail", "dnsadmin@ops-ro-samekey.mxlab", "soa")])
    check("notify: the conforming ops-ro-ta has no row",
          [r.get("check") for r in rows if r.get("domain") == "ops-ro-ta.mxlab"], [])
    # warnings before the horizon (report/advice.h's outlook-* ids), with the date
    na = st["ops_not_after"]["ops-exp5"]
    exp = st["ops_sig_expires"]
    warn = lambda d, cid: sorted((r.get("kind"), r.get("breaks"))  # noqa: E731
                                 for r in rows_for(d, cid))
    check("notify: ops-exp-ee outlook-pkix", warn("ops-exp-ee.mxlab", "outlook-pkix"),
          [("warn", na)])
    check("notify: ops-exp-ee no outlook-dane (DANE-EE ignores dates)",
          warn("ops-exp-ee.mxlab", "outlook-dane"), [])
    check("notify: ops-exp-ta outlook-dane", warn("ops-exp-ta.mxlab", "outlook-dane"),
          [("warn", na)])
    for d in ("ops-sig-tlsa", "ops-sig-dnskey"):
        check("notify: %s outlook-dnssec" % d, warn(d + ".mxlab", "outlook-dnssec"),
              [("warn", exp[d])])


def oracle_key(wd, ip, name):
    """The SPKI SHA-256 of the leaf `openssl s_client -starttls smtp` gets from ip:25."""
    p = subprocess.run(["openssl", "s_client", "-starttls", "smtp", "-connect", "%s:25" % ip,
                        "-servername", name], input="", capture_output=True, text=True,
                       timeout=60)
    pub = subprocess.run(["openssl", "x509", "-noout", "-pubkey"], input=p.stdout.encode(),
                         capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub,
                         capture_output=True).stdout
    return hashlib.sha256(der).hexdigest() if der else None


def body(a, wd):
    wpy = os.path.join(HERE, "world.py")
    subprocess.run([sys.executable, wpy, "start", wd], check=True, stdout=subprocess.DEVNULL)
    t0 = time.time()
    try:
        st = json.load(open(os.path.join(wd, "world.json")))
        ops = [d + ".mxlab" for d in OPS.INPUT]
        existing = sorted({d + ".mxlab" for pair in CNCS_CASES.values() for d in pair
                           if not d.startswith("full:") and not d.startswith("ops-")})
        f1, r1 = scan(a, wd, "1", ops + existing, ["--horizon-dnssec", str(HORIZON_DNSSEC)])
        _, full = scan(a, wd, "full", ["tls13-only.mxlab", "null-suite.mxlab"],
                       ["--tls-profile", "full"])
        OPS.change(W.World(wd))
        sp = st["spki_sha256"]
        for _ in range(50):  # Postfix's reload: until the new smtpd serves the new key
            if oracle_key(wd, OPS.PF_ROLL, "mx.ops-rollfail.mxlab") == sp["ops-roll-b"]:
                break
            time.sleep(0.2)
        check("s_client: PF_ROLL now serves ops-roll-b",
              oracle_key(wd, OPS.PF_ROLL, "mx.ops-rollfail.mxlab"), sp["ops-roll-b"])
        f2, r2 = scan(a, wd, "2", ops, [])
    finally:
        subprocess.run([sys.executable, wpy, "stop", wd])
    NOTES.append("world started and scanned in %.0f s" % (time.time() - t0))
    sys.path.insert(0, os.path.dirname(HERE))
    from record_schema import record_errors  # noqa: E402
    for d, r in sorted(list(r1.items()) + list(full.items())):
        check("%s matches docs/record.schema.json" % d, record_errors(r), [])
    check("scan 1 has every domain", sorted(r1), sorted(ops + existing))
    check_rollover(r1, st)
    check_outlook(r1, st)
    check_rrsig(r1, st, wd)
    check_rrsig_default(r2, st)
    check_soa(r1)
    check_cncs(r1, full)
    check_sts(r1, r2)
    check_compare(a, f1, f2, r1, r2, st)
    check_notify(a, wd, f1, st)


def main():
    def run(a):
        a.mxsurvey = os.path.abspath(a.mxsurvey)
        return W.checked_run("mxsurvey-ops-", a.keep, lambda wd: body(a, wd), FAILS, PASSED,
                             NOTES)
    return W.driver_main(__file__, NS_ENV, "ports 25/53/443", run, __doc__)


if __name__ == "__main__":
    sys.exit(main())
