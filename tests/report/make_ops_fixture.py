#!/usr/bin/env python3
"""Writes the hand-built records of issue 16's report tests (ops_report_test.py counts every
figure from them by hand; the files are committed, this script is how they were made):

  ops1.ndjson   one scan (2026-12-02T08:00:00Z, horizon 30 days) with conformity.cncs,
                mx[].tlsa.rollover, addresses[].outlook, summary.outlook*, dnssec_expires
  cmp0.ndjson   a previous scan (2026-11-25) and
  cmp1.ndjson   the next one (2026-12-02): a DANE break of every cause, MTA-STS policies
                changed with and without a new id

In the compact form the scanner writes (the report's line prefilter relies on it).
Usage: make_ops_fixture.py [DIR]"""
import json, os, sys
from datetime import datetime, timedelta, timezone

SCAN = "2026-12-02T08:00:00Z"
AT = "2027-01-01T08:00:00Z"          # SCAN + 30 days: every address's outlook.at
IDS = ["starttls", "tls-version", "tls-cipher", "cert-name", "cert-chain", "dnssec-domain",
       "dnssec-mx", "tlsa", "dane", "tlsa-rollover", "mta-sts-enforce", "tls-rpt",
       "mta-sts-testing-tls-rpt"]
ADVISORY = set(IDS[10:])
R = {"P": "pass", "F": "fail", "NT": "not-tested", "NA": "not-applicable"}


def cncs(results, passed, complete, extra=()):
    checks = []
    for i, r in zip(IDS, results.split()):
        c = {"id": i, "result": R[r], "pass": r == "P"}
        if i in ADVISORY:
            c["advisory"] = True
        checks.append(c)
    checks.extend(extra)
    return {"cncs": {"pass": passed, "complete": complete, "checks": checks}}


def tlsa(host, records=(), secure=True, rollover=None, dnssec=None):
    t = {"name": "_25._tcp." + host, "dnssec": dnssec or ("secure" if secure else "insecure"),
         "result": "records" if records else "nodata",
         "records": [{"usage": u, "selector": s, "mtype": m, "data": d, "usable": True}
                     for (u, s, m, d) in records]}
    if rollover:
        t["rollover"] = rollover
    return t


def address(ip, pkix=True, spki="00", dane="valid", outlook=None):
    spki = (spki * 64)[:64]          # a SHA-256 in hex, named by its first digits
    a = {"ip": ip, "family": 4, "dnssec": "secure",
         "smtp": {"outcome": "engaged", "connect": "ok", "connect_ms": 3, "banner_code": 220,
                  "banner": "220 mx ESMTP", "ehlo_code": 250, "starttls": "offered",
                  "tls": {"version": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384",
                          "group": "X25519", "chain_len": 2,
                          "cert": {"subject": "CN=mx", "issuer": "CN=CA", "san": ["*"],
                                   "not_before": "2026-06-01T00:00:00Z",
                                   "not_after": "2027-06-01T00:00:00Z", "key_type": "EC",
                                   "key_bits": 256, "sig_alg": "ecdsa-with-SHA256",
                                   "sha256": "ab" * 32, "spki_sha256": spki,
                                   "self_signed": False},
                          "pkix": {"valid": pkix}}},
         "dane": {"status": dane}}
    if outlook is not None:
        a["outlook"] = outlook
    return a


def mx(host, addrs, t=None, **extra):
    m = {"host": host, "preference": 10, "implicit": False, "dnssec": "secure",
         "tlsa": t or tlsa(host, secure=False)}
    m.update(extra)
    m["addresses"] = addrs
    return m


def record(domain, mxs, dane="valid", outlook=None, breaks=None, reason=None, conf=None,
           scanned=SCAN, sts=None, **extra):
    r = {"domain": domain, "status": "ok", "dnssec": "secure", "scanned_at": scanned}
    r.update(extra)
    r["tls_rpt"] = {"status": "none", "dnssec": "secure"}
    r["mta_sts"] = sts or {"status": "none"}
    r["mx"] = mxs
    r["sender"] = {"dane": {"action": "deliver", "mx": mxs[0]["host"]},
                   "mta_sts": {"action": "deliver-unauthenticated", "mx": mxs[0]["host"]}}
    s = {"starttls": "all", "dane": dane, "mx_hosts": len(mxs), "addresses": 1, "inconclusive": 0}
    if outlook:
        s["outlook"] = outlook
    if breaks:
        s["outlook_breaks"] = breaks
    if reason:
        s["outlook_reason"] = reason
    r["summary"] = s
    if conf:
        r["conformity"] = conf
    return r


def ol(pkix=True, dane=None, breaks=None, reasons=()):
    o = {"at": AT, "pkix_valid": pkix}
    if dane is not None:
        o["dane_valid"] = dane
    if breaks:
        o["breaks"] = breaks
    if reasons:
        o["reasons"] = list(reasons)
    return o


ONE = "one TLSA record: a key change leaves none matching"
READY_TA = {"ready": True, "scheme": "3 1 1 + 2 1 1", "reason": "a record for the issuing CA"}
OPA1 = ("mx1.opa.pt", [(3, 1, 1, "a1"), (2, 1, 1, "ca")])


def ops1():
    recs = []
    # d1: conform, incomplete (tls-cipher not tested); outlook ok
    recs.append(record("d1.pt", [mx("mx1.opa.pt", [address("192.0.2.1", outlook=ol(dane=True))],
                                   tlsa(*OPA1, rollover=READY_TA),
                                   dnssec_expires="2027-02-01T00:00:00Z")],
                       outlook="ok",
                       conf=cncs("P P NT P P P P P P P F P NA", True, False)))
    # d2: DANE and rollover fail; its certificate on mx2 expires in 3 days (pkix)
    recs.append(record("d2.pt", [
        mx("mx1.opa.pt", [address("192.0.2.1", outlook=ol(dane=True))], tlsa(*OPA1, rollover=READY_TA)),
        mx("mx2.opa.pt", [address("192.0.2.2", dane="mismatch",
                                  outlook=ol(pkix=False, dane=False, breaks="2026-12-05T08:00:00Z",
                                             reasons=["leaf certificate expires 2026-12-05T08:00:00Z"]))],
           tlsa("mx2.opa.pt", [(3, 1, 1, "b2")],
                rollover={"ready": False, "scheme": "3 1 1", "reason": ONE}))],
        dane="partial", outlook="warn", breaks="2026-12-05T08:00:00Z",
        reason="leaf certificate of mx2.opa.pt expires 2026-12-05T08:00:00Z",
        conf=cncs("P P NT P P P P P F F F F F", False, False)))
    # d3: no DNSSEC, no DANE; its zone's signatures expire in 14 days (dnssec)
    recs.append(record("d3.pt", [mx("mx.opb.pt", [address("192.0.2.3", dane="no-tlsa", outlook=ol())])],
                       dane="none", outlook="warn", breaks="2026-12-16T08:00:00Z",
                       reason="RRSIG of MX d3.pt expires 2026-12-16T08:00:00Z",
                       dnssec_expires="2026-12-16T08:00:00Z", dnssec_expires_rrset="MX d3.pt",
                       conf=cncs("P F F P P F F F NA NA P P NA", False, True)))
    # d4: DANE-TA: PKIX and DANE both break a second before 7 days; single TLSA record
    recs.append(record("d4.pt", [mx("mx.d4.pt", [address("192.0.2.4", outlook=ol(
        pkix=False, dane=False, breaks="2026-12-09T07:59:59Z",
        reasons=["intermediate certificate expires 2026-12-09T07:59:59Z"]))],
        tlsa("mx.d4.pt", [(2, 1, 1, "d4")], rollover={"ready": False, "scheme": "3 1 1", "reason": ONE}),
        dnssec_expires="2027-03-01T00:00:00Z")],
        outlook="warn", breaks="2026-12-09T07:59:59Z",
        reason="intermediate certificate of mx.d4.pt expires 2026-12-09T07:59:59Z",
        conf=cncs("P P P P P P P P P F F F NA", False, True)))
    # d5: a record written before conformity existed; next key pre-published (unmatched)
    recs.append(record("d5.pt", [mx("mx.d5.pt", [address("192.0.2.5", outlook=ol(dane=True))],
                                   tlsa("mx.d5.pt", [(3, 1, 1, "e5"), (3, 1, 1, "f5")], rollover={
                                       "ready": True, "scheme": "3 1 1 + 3 1 1",
                                       "reason": "a second key pre-published",
                                       "unmatched": ["3 1 1 f5"]}))],
                       outlook="ok"))
    # d6: an unknown check id and a repeated "starttls" (the first counts); it says that
    # mx1.opa.pt is not ready, d1 and d2 that it is (ready is kept); a warning without a date
    recs.append(record("d6.pt", [mx("mx1.opa.pt", [address("192.0.2.1", outlook=ol(dane=True))],
                                   tlsa(*OPA1, rollover={"ready": False, "scheme": "3 1 1",
                                                         "reason": ONE}))],
                       outlook="warn", reason="something the report cannot date",
                       conf=cncs("P P P P P P P P P P P P NA", True, True, extra=[
                           {"id": "future-check", "result": "pass", "pass": True},
                           {"id": "starttls", "result": "fail", "pass": False}])))
    # d7: not ok
    recs.append({"domain": "d7.pt", "status": "nxdomain", "dnssec": "secure", "scanned_at": SCAN,
                 "mx": [], "sender": {"dane": {"action": "no-route"},
                                      "mta_sts": {"action": "no-route"}}})
    # b01..b22 at one host: certificates expiring 23 days + i hours after the scan (week 4),
    # written in reverse order (the soonest list must not depend on it)
    t0 = datetime(2026, 12, 25, 8, tzinfo=timezone.utc)
    for i in range(22, 0, -1):
        b = (t0 + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        recs.append(record(f"b{i:02d}.pt", [mx("mx.bulk.pt", [address("192.0.2.200", dane="no-tlsa",
                                                                      outlook=ol(pkix=False, breaks=b))])],
                           dane="none", outlook="warn", breaks=b,
                           reason=f"leaf certificate of mx.bulk.pt expires {b}"))
    return recs


PREV = "2026-11-25T08:00:00Z"
H = "0" * 64


def dane_rec(domain, scanned, host, records, spki, status, summary, tlsa_dnssec="secure",
             **mxextra):
    t = tlsa(host, records, dnssec=tlsa_dnssec) if records else tlsa(host, secure=False)
    return record(domain, [mx(host, [address("198.51.100.%d" % (sum(map(ord, domain)) % 250),
                                             spki=spki, dane=status)], t, **mxextra)],
                  dane=summary, scanned=scanned)


def sts(i, sha, host):
    s = {"status": "valid", "id": i, "http_status": 200, "mode": "enforce", "max_age": 86400,
         "mx": [host], "hosts": [{"host": host, "policy_match": True, "cert_ok": True}]}
    if sha:
        s["policy_sha256"] = sha
    return s


def cmp_pair():
    old, new = [], []
    A = [(3, 1, 1, "aa11")]
    # k1: the server's key changed, the TLSA set did not: the rollover failure
    old.append(dane_rec("k1.pt", PREV, "mx.k1.pt", A, "aa11", "valid", "valid"))
    new.append(dane_rec("k1.pt", SCAN, "mx.k1.pt", A, "bb22", "mismatch", "invalid"))
    # k2: the TLSA set changed and matches nothing (same key)
    old.append(dane_rec("k2.pt", PREV, "mx.k2.pt", [(3, 1, 1, "cc33")], "cc33", "valid", "valid"))
    new.append(dane_rec("k2.pt", SCAN, "mx.k2.pt", [(3, 1, 1, "dd44")], "cc33", "mismatch", "invalid"))
    # k3: the TLSA set went bogus
    old.append(dane_rec("k3.pt", PREV, "mx.k3.pt", A, "aa11", "valid", "valid"))
    new.append(dane_rec("k3.pt", SCAN, "mx.k3.pt", A, "aa11", "tlsa-bogus", "invalid",
                        tlsa_dnssec="bogus"))
    # k4: the MX host's signatures expired before the scan (dnssec_expires)
    old.append(dane_rec("k4.pt", PREV, "mx.k4.pt", A, "aa11", "valid", "valid",
                        dnssec_expires="2026-12-01T00:00:00Z"))
    new.append(dane_rec("k4.pt", SCAN, "mx.k4.pt", A, "aa11", "unusable", "invalid",
                        dnssec_expires="2026-12-01T00:00:00Z"))
    # k5: the MX moved to a host without TLSA
    old.append(dane_rec("k5.pt", PREV, "mx.k5.pt", A, "aa11", "valid", "valid"))
    new.append(dane_rec("k5.pt", SCAN, "mx.elsewhere.pt", [], "aa11", "no-tlsa", "none"))
    # k6: partial -> invalid: the DANE-valid address's key changed (an address newly failing)
    k6 = lambda scanned, spki1, st1, summary: record("k6.pt", [
        mx("mx1.k6.pt", [address("198.51.100.61", spki=spki1, dane=st1)], tlsa("mx1.k6.pt", A)),
        mx("mx2.k6.pt", [address("198.51.100.62", spki="ee55", dane="mismatch")], tlsa("mx2.k6.pt", A))],
        dane=summary, scanned=scanned)
    old.append(k6(PREV, "aa11", "valid", "partial"))
    new.append(k6(SCAN, "ff66", "mismatch", "invalid"))
    # k7: broke with the same hosts, TLSA set and key
    old.append(dane_rec("k7.pt", PREV, "mx.k7.pt", A, "aa11", "valid", "valid"))
    new.append(dane_rec("k7.pt", SCAN, "mx.k7.pt", A, "aa11", "unusable", "invalid"))
    # k8: valid -> inconclusive: no break
    old.append(dane_rec("k8.pt", PREV, "mx.k8.pt", A, "aa11", "valid", "valid"))
    new.append(dane_rec("k8.pt", SCAN, "mx.k8.pt", A, "aa11", "inconclusive", "inconclusive"))
    # k9: a rollover done right (new key, new TLSA, still valid): no break
    old.append(dane_rec("k9.pt", PREV, "mx.k9.pt", A, "aa11", "valid", "valid"))
    new.append(dane_rec("k9.pt", SCAN, "mx.k9.pt", [(3, 1, 1, "bb22")], "bb22", "valid", "valid"))
    # s1: the policy changed, its id did not; s2: both changed; s3: neither; s4: no digest before
    for d, (i0, h0), (i1, h1) in (("s1.pt", ("20260101", "a" * 64), ("20260101", "b" * 64)),
                                  ("s2.pt", ("20260101", "a" * 64), ("20261201", "b" * 64)),
                                  ("s3.pt", ("20260101", "a" * 64), ("20260101", "a" * 64)),
                                  ("s4.pt", ("20260101", None), ("20260101", "b" * 64))):
        for lst, scanned, i, h in ((old, PREV, i0, h0), (new, SCAN, i1, h1)):
            lst.append(record(d, [mx("mx." + d, [address("198.51.100.9", dane="no-tlsa")])],
                              dane="none", scanned=scanned, sts=sts(i, h, "mx." + d)))
    return old, new


def write(path, recs):
    with open(path, "w") as f:
        for r in recs:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(d, "ops1.ndjson"), ops1())
    old, new = cmp_pair()
    write(os.path.join(d, "cmp0.ndjson"), old)
    write(os.path.join(d, "cmp1.ndjson"), new)


if __name__ == "__main__":
    main()
