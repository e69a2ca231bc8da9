#!/usr/bin/env python3
"""Writes records.ndjson: hand-built scan records for the explain and --notify golden tests
(tests/report/explain_test.py). Each domain is one case:

  fail.pt    fails CNCS (TLS 1.0/1.1 accepted, certificate name, DNSSEC, TLSA, DANE), a
             certificate that expires before the horizon, a TLS-RPT rua (mailto: after an
             https: one: mailto is preferred); hostile detail strings (comma, quote,
             newline, an ESC) for CSV quoting and terminal cleaning
  soa.pt     fails CNCS (STARTTLS on one address), no TLS-RPT: the SOA RNAME with an
             escaped dot is the contact; two MX hosts of two operators (one row each)
  nearly.pt  passes every CNCS check but rollover (one current and one stale record, the
             stale one named); a TLSA signature that expires in 3
             days (outlook-dnssec), a DANE-TA chain that expires (outlook-dane), MTA-STS
             in testing (advisory), the cipher check not tested
  good.pt    passes everything
  gone.pt    status dns-error: no conformity

Run it again after changing a case, then regenerate the golden files (explain_test.py
--regen) and read their diff."""
import json
import os

HORIZON = "2026-12-31T09:00:00Z"
ALL = ["starttls", "tls-version", "tls-cipher", "cert-name", "cert-chain", "dnssec-domain",
       "dnssec-mx", "tlsa", "dane", "tlsa-rollover", "mta-sts-enforce", "tls-rpt",
       "mta-sts-testing-tls-rpt"]
ADVISORY = ALL[10:]


def cncs(results, details):
    checks = []
    for cid in ALL:
        res = results.get(cid, "pass")
        c = {"id": cid, "result": res, "pass": res == "pass"}
        if cid in ADVISORY:
            c["advisory"] = True
        if cid in details:
            c["detail"] = details[cid]
        checks.append(c)
    fails = [c for c in checks if c["result"] == "fail" and not c.get("advisory")]
    untested = [c for c in checks if c["result"] == "not-tested" and not c.get("advisory")]
    return {"cncs": {"pass": not fails, "complete": not untested, "checks": checks}}


def address(ip, dnssec="secure", starttls="offered", pkix=True, dane="valid", outlook=None):
    a = {"ip": ip, "family": 6 if ":" in ip else 4, "dnssec": dnssec}
    a["smtp"] = {"outcome": "engaged", "connect": "ok", "connect_ms": 3, "banner_code": 220,
                 "banner": "mx ESMTP", "ehlo_code": 250, "starttls": starttls}
    if starttls == "offered":
        a["smtp"]["tls"] = {
            "version": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384", "group": "X25519",
            "chain_len": 2,
            "cert": {"subject": "CN=mx", "issuer": "CN=CA", "san": ["mx"],
                     "not_before": "2026-09-01T00:00:00Z", "not_after": "2027-06-01T00:00:00Z",
                     "key_type": "EC", "key_bits": 256, "sig_alg": "ecdsa-with-SHA256",
                     "sha256": "ab" * 32, "spki_sha256": "cd" * 32, "self_signed": False},
            "pkix": {"valid": pkix}}
    a["dane"] = {"status": dane or "no-tlsa"}
    if outlook:
        a["outlook"] = outlook
    return a


def mx(host, addrs, dnssec="secure", tlsa=None, expires=None, rrset=None):
    m = {"host": host, "preference": 10, "implicit": False, "dnssec": dnssec}
    if tlsa is not None:
        m["tlsa"] = tlsa
    if expires:
        m["dnssec_expires"] = expires
        m["dnssec_expires_rrset"] = rrset
    m["addresses"] = addrs
    return m


def tlsa_records(host, recs, rollover=None):
    t = {"name": "_25._tcp." + host, "dnssec": "secure", "result": "records",
         "records": [{"usage": u, "selector": s, "mtype": m, "data": "aa", "usable": True}
                     for (u, s, m) in recs]}
    if rollover:
        t["rollover"] = rollover
    return t


def record(domain, **kw):
    r = {"domain": domain, "status": kw.pop("status", "ok"), "dnssec": kw.pop("dnssec", "secure"),
         "scanned_at": "2026-12-01T09:00:00Z"}
    r.update(kw)
    if r["status"] == "ok":
        r["summary"].setdefault("inconclusive", 0)
        r["tls_rpt"].setdefault("dnssec", r["dnssec"])
        sts = r["mta_sts"]
        if sts["status"] == "valid":
            sts.update({"http_status": 200, "max_age": 86400,
                        "mx": [m["host"] for m in r["mx"]],
                        "hosts": [{"host": m["host"], "policy_match": True, "cert_ok": True}
                                  for m in r["mx"]]})
        r["sender"] = {"dane": {"action": "deliver", "mx": r["mx"][0]["host"]},
                       "mta_sts": {"action": "deliver", "mx": r["mx"][0]["host"]}}
    return r


ok_outlook = {"at": HORIZON, "pkix_valid": True, "dane_valid": True}

fail = record(
    "fail.pt", dnssec="insecure",
    soa_rname="hostmaster.fail.pt",
    tls_rpt={"status": "valid", "rua": ["https://reports.example.net/tlsrpt",
                                         "mailto:tls-reports@fail.pt"]},
    mta_sts={"status": "none"},
    mx=[mx("mx1.hoster.pt", [address("192.0.2.10", dnssec="insecure", dane=None,
                                      outlook={"at": HORIZON, "pkix_valid": False,
                                               "breaks": "2026-12-06T10:00:00Z",
                                               "reasons": ["leaf certificate expires 2026-12-06T10:00:00Z"]})],
           dnssec="insecure")],
    summary={"starttls": "all", "dane": "none", "mx_hosts": 1, "addresses": 1,
             "outlook": "warn", "outlook_breaks": "2026-12-06T10:00:00Z",
             "outlook_reason": "mx1.hoster.pt: leaf certificate expires 2026-12-06T10:00:00Z"},
    conformity=cncs({"tls-version": "fail", "cert-name": "fail", "dnssec-domain": "fail",
                     "dnssec-mx": "fail", "tlsa": "fail", "dane": "fail",
                     "tlsa-rollover": "not-applicable", "mta-sts-enforce": "fail",
                     "tls-rpt": "pass", "mta-sts-testing-tls-rpt": "not-applicable"},
                    {"tls-version": "192.0.2.10: TLSv1, TLSv1.1 accepted",
                     "cert-name": "mx1.hoster.pt: SAN \"mail.other.pt\" only,\nnot the MX \x1b[31mname",
                     "dnssec-domain": "fail.pt: insecure",
                     "dnssec-mx": "mx1.hoster.pt: insecure",
                     "tlsa": "mx1.hoster.pt: no secure TLSA",
                     "dane": "192.0.2.10: DANE does not apply"}))

soa = record(
    "soa.pt", dnssec="insecure",
    soa_rname="host\\.master.soa.pt",
    tls_rpt={"status": "none"},
    mta_sts={"status": "none"},
    mx=[mx("mx.mail-a.pt", [address("192.0.2.20", dnssec="insecure", dane=None,
                                     outlook=ok_outlook)], dnssec="insecure"),
        mx("mx.mail-b.com", [address("198.51.100.21", dnssec="insecure", starttls="not-offered",
                                      dane=None)], dnssec="insecure")],
    summary={"starttls": "some", "dane": "none", "mx_hosts": 2, "addresses": 2, "outlook": "ok"},
    conformity=cncs({"starttls": "fail", "dnssec-domain": "fail", "dnssec-mx": "fail",
                     "tlsa": "fail", "dane": "fail", "tlsa-rollover": "not-applicable",
                     "tls-version": "pass", "mta-sts-enforce": "fail", "tls-rpt": "fail",
                     "mta-sts-testing-tls-rpt": "not-applicable"},
                    {"starttls": "198.51.100.21: STARTTLS not offered"}))

nearly_tlsa = tlsa_records("mx.nearly.pt", [(3, 1, 1), (3, 1, 1)],
                           {"ready": False, "scheme": "3 1 1",
                            "reason": "one record matches; the other matches no certificate",
                            "unmatched": ["3 1 1 9f86d081884c7d65"]})
nearly = record(
    "nearly.pt",
    soa_rname="dns.nearly.pt",
    dnssec_expires="2026-12-04T09:00:00Z", dnssec_expires_rrset="TLSA _25._tcp.mx.nearly.pt",
    tls_rpt={"status": "valid", "rua": ["mailto:tlsrpt@nearly.pt"]},
    mta_sts={"status": "valid", "id": "2026", "mode": "testing"},
    mx=[mx("mx.nearly.pt", [address("192.0.2.30", outlook={
                "at": HORIZON, "pkix_valid": True, "dane_valid": False,
                "breaks": "2026-12-20T00:00:00Z",
                "reasons": ["DANE-TA: intermediate certificate expires 2026-12-20T00:00:00Z"]})],
           tlsa=nearly_tlsa, expires="2026-12-04T09:00:00Z", rrset="TLSA _25._tcp.mx.nearly.pt")],
    summary={"starttls": "all", "dane": "valid", "mx_hosts": 1, "addresses": 1,
             "outlook": "warn", "outlook_breaks": "2026-12-04T09:00:00Z",
             "outlook_reason": "TLSA _25._tcp.mx.nearly.pt: RRSIG expires 2026-12-04T09:00:00Z"},
    conformity=cncs({"tls-cipher": "not-tested", "tlsa-rollover": "fail",
                     "mta-sts-enforce": "fail", "mta-sts-testing-tls-rpt": "pass"},
                    {"tls-cipher": "the full TLS profile did not run (--tls-profile basic)",
                     "tlsa-rollover": "mx.nearly.pt: 3 1 1 only",
                     "mta-sts-enforce": "mode testing"}))

good_tlsa = tlsa_records("mx.good.pt", [(3, 1, 1), (2, 1, 1)],
                         {"ready": True, "scheme": "3 1 1 + 2 1 1", "reason": "the issuing CA"})
good = record(
    "good.pt",
    soa_rname="hostmaster.good.pt",
    dnssec_expires="2027-01-20T00:00:00Z", dnssec_expires_rrset="DNSKEY good.pt",
    tls_rpt={"status": "valid", "rua": ["mailto:tlsrpt@good.pt"]},
    mta_sts={"status": "valid", "id": "1", "mode": "enforce"},
    mx=[mx("mx.good.pt", [address("192.0.2.40", outlook=ok_outlook),
                          address("2001:db8::40", outlook=ok_outlook)],
           tlsa=good_tlsa, expires="2027-01-20T00:00:00Z", rrset="DNSKEY good.pt")],
    summary={"starttls": "all", "dane": "valid", "mx_hosts": 1, "addresses": 2, "outlook": "ok"},
    conformity=cncs({"mta-sts-testing-tls-rpt": "not-applicable"}, {}))

gone = {"domain": "gone.pt", "status": "dns-error", "dnssec": "indeterminate",
        "scanned_at": "2026-12-01T09:00:00Z", "mx": [],
        "error": {"stage": "dns", "reason": "MX lookup: SERVFAIL"},
        "sender": {"dane": {"action": "defer"}, "mta_sts": {"action": "defer"}}}

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "records.ndjson"), "w") as f:
    for r in (fail, soa, nearly, good, gone):
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
