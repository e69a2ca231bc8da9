#!/usr/bin/env python3
"""Integration tests of mxsurvey against the real local mail world (world.py).

usage: run_tests.py --mxsurvey PATH [--keep] [--no-oracle] [--world-only] [--valgrind PATH]
                    [--compare-with OLD_MXSURVEY]

Needs root. Re-executes itself inside `unshare --net --mount` (private network and mount
namespaces: only loopback exists, ports 25/53 on 127.x are free, and the bind-mounted
/etc/resolv.conf is visible only there). Builds and starts the world in a temp dir, runs
  mxsurvey scan --resolver 127.0.53.53 --trust-anchor <tmp>/root.key --ca-file <tmp>/ca.pem
                --allow 127.0.0.0/8 --ehlo scanner.mxlab -o <tmp>/out.ndjson.zst <tmp>/domains.txt
(plus a run to stdout with -o -, a run reading stdin, and a run WITHOUT --allow for the
special-purpose address case), and checks every record against the record contract
(/work/notes/record-spec.md). posttls-finger is used as an oracle for the DANE cases and for the SMTP outcome
(refused, lost, unreachable, engaged) of the misbehaving servers.

Prints one line per failed assertion and a final line "N passed, N failed"; exits 1 on any
failure. The temp dir (logs, outputs) is kept on failure (or with --keep), else removed.

--compare-with OLD_MXSURVEY: at the end, the old binary scans the main and the hostile input
against the same world (same keys, certificates and signatures), and scripts/record-diff.py
prints how many records differ from the new binary's and at which fields. Informative: it adds
no assertion. Used to say what a change to the scan path changed in the records.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import world as W  # noqa: E402
sys.path.insert(0, os.path.dirname(HERE))
import record_schema  # noqa: E402  (tests/record_schema.py: docs/record.schema.json)

NS_ENV = "MXSURVEY_WORLD_NETNS"
TIMEOUT_OPTS = ["--timeout-connect", "3", "--timeout-banner", "3", "--timeout-smtp", "5",
                "--timeout-tls", "5", "--timeout-dns", "5"]
# The scheduler's retries of a 421 greeting or a close before it, as in production (2), but
# after 0.2 and 0.4 s instead of 60 and 120 (greet-421.mxlab, backup-421.mxlab).
RETRY_OPTS = ["--retries", "2", "--retry-delay", "0.2"]


# ---------------------------------------------------------------------------------------
# expectation helpers
# ---------------------------------------------------------------------------------------
class _Absent:
    def __repr__(self):
        return "<absent>"


ABSENT = _Absent()


class Present:
    def ok(self, v):
        return v is not ABSENT

    def __repr__(self):
        return "<present>"


class OneOf:
    """Several acceptable values; used only where the contract is ambiguous (noted)."""

    def __init__(self, *vals, note=None):
        self.vals = vals
        self.note = note

    def ok(self, v):
        return any(match(x, v) for x in self.vals)

    def __repr__(self):
        return "one of %r%s" % (list(self.vals), " (%s)" % self.note if self.note else "")


class StartsWith:
    def __init__(self, prefix):
        self.prefix = prefix

    def ok(self, v):
        return isinstance(v, str) and v.startswith(self.prefix)

    def __repr__(self):
        return "starts with %r" % self.prefix


class IEq:
    """Case-insensitive string equality (hex digests, OpenSSL error texts)."""

    def __init__(self, s):
        self.s = s

    def ok(self, v):
        return isinstance(v, str) and v.lower() == self.s.lower()

    def __repr__(self):
        return "%r (any case)" % self.s


class Len:
    def __init__(self, n):
        self.n = n

    def ok(self, v):
        return isinstance(v, list) and len(v) == self.n

    def __repr__(self):
        return "a list of length %d" % self.n


class Contains:
    def __init__(self, item):
        self.item = item

    def ok(self, v):
        return isinstance(v, list) and self.item in v

    def __repr__(self):
        return "a list containing %r" % self.item


class Regex:
    def __init__(self, rx):
        self.rx = re.compile(rx)

    def ok(self, v):
        return isinstance(v, str) and bool(self.rx.fullmatch(v))

    def __repr__(self):
        return "matching /%s/" % self.rx.pattern


def match(exp, v):
    if hasattr(exp, "ok"):
        return exp.ok(v)
    if exp is ABSENT:
        return v is ABSENT
    if isinstance(exp, bool) or isinstance(v, bool):
        return type(exp) is type(v) and exp == v
    if isinstance(exp, dict):
        if not isinstance(v, dict):
            return False
        return all(match(ev, v.get(k, ABSENT)) for k, ev in exp.items())
    return exp == v


def get(obj, path):
    """path: "mx.0.addresses.0.smtp.tls.version"."""
    cur = obj
    if path == "":
        return cur
    for part in path.split("."):
        if isinstance(cur, list):
            try:
                cur = cur[int(part)]
            except (ValueError, IndexError):
                return ABSENT
        elif isinstance(cur, dict):
            if part not in cur:
                return ABSENT
            cur = cur[part]
        else:
            return ABSENT
    return cur


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, what, path, expected, actual):
        if match(expected, actual):
            self.passed += 1
            return True
        self.failed += 1
        msg = "FAIL %s: %s\n    expected: %r\n    actual:   %s" % (
            what, path or "(record)", expected,
            "<absent>" if actual is ABSENT else json.dumps(actual, ensure_ascii=False)[:300])
        self.failures.append(msg)
        print(msg, flush=True)
        return False



# ---------------------------------------------------------------------------------------
# the cases: input line -> {path: expected}
# ---------------------------------------------------------------------------------------
A0 = "mx.0.addresses.0."


def single_mx(domain, host, ip, pref=10, dnssec="secure"):
    return {"status": "ok", "domain": domain, "input": ABSENT, "dnssec": dnssec,
            "scanned_at": Regex(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"),
            "mx": Len(1), "mx.0.host": host, "mx.0.preference": pref, "mx.0.implicit": False,
            "mx.0.dnssec": dnssec, A0 + "ip": ip, A0 + "family": 4, A0 + "dnssec": dnssec,
            "summary.mx_hosts": 1, "summary.addresses": 1, "error": ABSENT}


def tls_ok(version="TLSv1.3", pkix_valid=True, pkix_error=ABSENT):
    return {A0 + "smtp.outcome": "engaged", A0 + "smtp.connect": "ok",
            A0 + "smtp.connect_ms": Present(), A0 + "smtp.banner_code": 220,
            A0 + "smtp.banner": StartsWith("220 "),
            A0 + "smtp.ehlo_code": 250, A0 + "smtp.starttls": "offered",
            A0 + "smtp.starttls_reply": StartsWith("220"), A0 + "smtp.injected_bytes": ABSENT,
            A0 + "smtp.tls.version": version, A0 + "smtp.tls.pkix.valid": pkix_valid,
            A0 + "smtp.tls.pkix.error": pkix_error, A0 + "smtp.ehlo_tls_code": 250,
            A0 + "smtp.error": ABSENT, A0 + "smtp.attempts": ABSENT, "summary.starttls": "all",
            "summary.inconclusive": 0, "summary.tls_best": version, "summary.tls_worst": version}


def tlsa_rec(u, s, m, data, usable=True):
    r = {"usage": u, "selector": s, "mtype": m, "data": IEq(data), "usable": usable}
    r["unusable_reason"] = ABSENT if usable else Present()
    return r


def dane_valid(u, s, m, data, depth):
    return {A0 + "dane.status": "valid",
            A0 + "dane.matched": {"usage": u, "selector": s, "mtype": m, "data": IEq(data)},
            A0 + "dane.depth": depth, "summary.dane": "valid"}


def tlsa_found(name, rec):
    return {"mx.0.tlsa.name": name, "mx.0.tlsa.dnssec": "secure", "mx.0.tlsa.result": "records",
            "mx.0.tlsa.records": Len(1), "mx.0.tlsa.records.0": rec}


def no_tlsa(name, summary="none"):
    return {"mx.0.tlsa.name": name, "mx.0.tlsa.dnssec": "secure",
            "mx.0.tlsa.result": "nxdomain", "mx.0.tlsa.records": OneOf(ABSENT, []),
            A0 + "dane.status": "no-tlsa", A0 + "dane.matched": ABSENT, "summary.dane": summary}


def merge(*ds):
    out = {}
    for d in ds:
        out.update(d)
    return out


def expectations(st):
    spki = st["spki_sha256"]
    S = lambda k: spki[k]  # noqa: E731
    tl = lambda h: "_25._tcp." + h  # noqa: E731
    E = {}
    E["dane-ok.mxlab"] = merge(
        single_mx("dane-ok.mxlab", "mx.dane-ok.mxlab", W.PF_TLS13), tls_ok(),
        tlsa_found(tl("mx.dane-ok.mxlab"), tlsa_rec(3, 1, 1, S("main"))),
        dane_valid(3, 1, 1, S("main"), 0),
        {A0 + "ptr": "mx.tls13.mxlab", A0 + "ptr_error": ABSENT,
         A0 + "smtp.tls.chain_len": 1, A0 + "smtp.tls.cert.subject": "CN=mx.dane-ok.mxlab",
         A0 + "smtp.tls.cert.issuer": "CN=mxsurvey test CA",
         A0 + "smtp.tls.cert.san": Contains("mx.dane-ok.mxlab"),
         A0 + "smtp.tls.cert.key_type": "EC", A0 + "smtp.tls.cert.key_bits": 256,
         A0 + "smtp.tls.cert.curve": "prime256v1", A0 + "smtp.tls.cert.self_signed": False,
         A0 + "smtp.tls.cert.spki_sha256": IEq(S("main")),
         A0 + "smtp.tls.cert.not_after": Regex(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"),
         A0 + "smtp.tls.cipher": Present(), A0 + "smtp.tls.version": "TLSv1.3"})
    E["dane-mismatch.mxlab"] = merge(
        single_mx("dane-mismatch.mxlab", "mx.dane-mismatch.mxlab", W.PF_TLS13), tls_ok(),
        {"mx.0.tlsa.name": tl("mx.dane-mismatch.mxlab"), "mx.0.tlsa.dnssec": "secure",
         "mx.0.tlsa.result": "records", "mx.0.tlsa.records.0.usable": True,
         A0 + "dane.status": "mismatch", A0 + "dane.matched": ABSENT,
         A0 + "dane.reason": Present(), "summary.dane": "invalid"})
    E["dane-ta.mxlab"] = merge(
        single_mx("dane-ta.mxlab", "mx.dane-ta.mxlab", W.PF_CHAIN), tls_ok(),
        tlsa_found(tl("mx.dane-ta.mxlab"), tlsa_rec(2, 1, 1, S("ca"))),
        dane_valid(2, 1, 1, S("ca"), 1), {A0 + "smtp.tls.chain_len": 2})
    E["dane-usage1.mxlab"] = merge(
        single_mx("dane-usage1.mxlab", "mx.dane-usage1.mxlab", W.PF_TLS13), tls_ok(),
        tlsa_found(tl("mx.dane-usage1.mxlab"), tlsa_rec(1, 1, 1, S("main"), usable=False)),
        {A0 + "dane.status": "unusable", A0 + "dane.matched": ABSENT, "summary.dane": "invalid"})
    E["tlsa-unsigned.mxlab"] = merge(
        single_mx("tlsa-unsigned.mxlab", "mx.tlsa-unsigned.mxlab", W.PF_TLS13, dnssec="insecure"),
        tls_ok(),
        # RFC 7672 2.2: the address RRset is insecure, so a TLSA lookup is not required at
        # all; if one is made it must come back insecure.
        {"mx.0.tlsa.dnssec": OneOf(ABSENT, "insecure", note="TLSA lookup optional"),
         A0 + "dane.status": "no-tlsa", A0 + "dane.matched": ABSENT, "summary.dane": "none"})
    E["tlsa-bogus.mxlab"] = merge(
        single_mx("tlsa-bogus.mxlab", "mx.tlsa-bogus.mxlab", W.PF_TLS13),
        {A0 + "smtp.outcome": "engaged", "summary.inconclusive": 0,
         "mx.0.tlsa.name": tl("mx.tlsa-bogus.mxlab"), "mx.0.tlsa.dnssec": "bogus",
         "mx.0.tlsa.result": "error", "mx.0.tlsa.reason": Present(),
         A0 + "dane.status": "tlsa-bogus", A0 + "dane.matched": ABSENT,
         # contract: "invalid" needs "secure usable-or-not TLSA"; a bogus TLSA is not secure,
         # "none" says "no MX has secure TLSA". Either reading is defensible.
         "summary.dane": OneOf("invalid", "none", note="contract ambiguous for bogus TLSA")})
    E["mx-bogus.mxlab"] = {"status": "dns-error", "dnssec": "bogus", "dnssec_reason": Present(),
                           "error.stage": "dns", "error.reason": Present(), "mx": [],
                           "summary": ABSENT}
    no_tls = lambda: {A0 + "smtp.outcome": "engaged",  # noqa: E731
                      A0 + "smtp.connect": "ok", A0 + "smtp.banner_code": 220,
                      A0 + "smtp.ehlo_code": 250, A0 + "smtp.starttls": "not-offered",
                      A0 + "smtp.starttls_reply": ABSENT, A0 + "smtp.tls": ABSENT,
                      A0 + "smtp.error": {"stage": "starttls", "reason": "not offered"},
                      "summary.starttls": "none", "summary.inconclusive": 0,
                      "summary.tls_best": ABSENT, "summary.tls_worst": ABSENT}
    E["no-starttls.mxlab"] = merge(
        single_mx("no-starttls.mxlab", "mx.no-starttls.mxlab", W.PF_NOTLS), no_tls(),
        no_tlsa(tl("mx.no-starttls.mxlab")))
    E["dane-no-starttls.mxlab"] = merge(
        single_mx("dane-no-starttls.mxlab", "mx.dane-no-starttls.mxlab", W.PF_NOTLS), no_tls(),
        tlsa_found(tl("mx.dane-no-starttls.mxlab"), tlsa_rec(3, 1, 1, S("main"))),
        {A0 + "dane.status": "no-starttls", A0 + "dane.matched": ABSENT,
         "summary.dane": "invalid"})
    E["starttls-454.mxlab"] = merge(
        single_mx("starttls-454.mxlab", "mx.starttls-454.mxlab", W.MB_454),
        no_tlsa(tl("mx.starttls-454.mxlab")),
        {A0 + "smtp.connect": "ok", A0 + "smtp.banner_code": 220, A0 + "smtp.ehlo_code": 250,
         A0 + "smtp.starttls": "offered",
         A0 + "smtp.starttls_reply": "454 4.7.0 TLS not available due to local problem",
         A0 + "smtp.tls": ABSENT, A0 + "smtp.error.stage": "starttls",
         A0 + "smtp.error.reason": StartsWith("454 4.7.0 TLS not available"),
         # EHLO was answered and STARTTLS offered, then failed: a server that said so
         A0 + "smtp.outcome": "engaged", "summary.inconclusive": 0,
         "summary.starttls": "none", "summary.tls_best": ABSENT})
    E["tls12.mxlab"] = merge(
        single_mx("tls12.mxlab", "mx.tls12.mxlab", W.PF_TLS12), tls_ok("TLSv1.2"),
        tlsa_found(tl("mx.tls12.mxlab"), tlsa_rec(3, 1, 1, S("tls12"))),
        dane_valid(3, 1, 1, S("tls12"), 0),
        {A0 + "smtp.tls.cert.key_type": "RSA", A0 + "smtp.tls.cert.key_bits": 2048})
    E["tls13.mxlab"] = merge(
        single_mx("tls13.mxlab", "mx.tls13.mxlab", W.PF_TLS13), tls_ok(),
        no_tlsa(tl("mx.tls13.mxlab")))
    E["cert-expired.mxlab"] = merge(
        single_mx("cert-expired.mxlab", "mx.cert-expired.mxlab", W.PF_EXPIRED),
        tls_ok(pkix_valid=False, pkix_error=IEq("certificate has expired")),
        tlsa_found(tl("mx.cert-expired.mxlab"), tlsa_rec(3, 1, 1, S("expired"))),
        dane_valid(3, 1, 1, S("expired"), 0))
    E["cert-wrongname.mxlab"] = merge(
        single_mx("cert-wrongname.mxlab", "mx.cert-wrongname.mxlab", W.PF_WRONGNAME),
        tls_ok(pkix_valid=False, pkix_error=IEq("hostname mismatch")),
        tlsa_found(tl("mx.cert-wrongname.mxlab"), tlsa_rec(3, 1, 1, S("wrongname"))),
        dane_valid(3, 1, 1, S("wrongname"), 0))
    E["cert-selfsigned.mxlab"] = merge(
        single_mx("cert-selfsigned.mxlab", "mx.cert-selfsigned.mxlab", W.PF_SELFSIGNED),
        tls_ok(pkix_valid=False, pkix_error=OneOf(IEq("self-signed certificate"),
                                                  IEq("self signed certificate"),
                                                  note="OpenSSL 3.0 vs 1.1 wording")),
        tlsa_found(tl("mx.cert-selfsigned.mxlab"), tlsa_rec(3, 1, 1, S("selfsigned"))),
        dane_valid(3, 1, 1, S("selfsigned"), 0),
        {A0 + "smtp.tls.cert.self_signed": True})
    E["null-mx.mxlab"] = {"status": "no-mail", "dnssec": "secure", "null_mx": True,
                          "error": {"stage": "dns", "reason": "null MX (RFC 7505)"}, "mx": [],
                          "summary": ABSENT}
    E["implicit-mx.mxlab"] = merge(
        single_mx("implicit-mx.mxlab", "implicit-mx.mxlab", W.PF_TLS13, pref=0), tls_ok(),
        no_tlsa(tl("implicit-mx.mxlab")), {"mx.0.implicit": True, "null_mx": ABSENT})
    E["does-not-exist.mxlab"] = {"status": "nxdomain", "dnssec": "secure", "mx": [],
                                 "summary": ABSENT}
    E["mx-cname.mxlab"] = merge(
        single_mx("mx-cname.mxlab", "alias.mx-cname.mxlab", W.PF_TLS13), tls_ok(),
        # RFC 7672 2.2.3: the expansion is secure, so the TLSA base is the target name
        tlsa_found(tl("mx.dane-ok.mxlab"), tlsa_rec(3, 1, 1, S("main"))),
        dane_valid(3, 1, 1, S("main"), 0), {"mx.0.cname": "mx.dane-ok.mxlab", "cname": ABSENT})
    A1 = "mx.1.addresses.0."
    E["partial-dane.mxlab"] = {
        "status": "ok", "dnssec": "secure", "mx": Len(2),
        "mx.0.host": "mx1.partial-dane.mxlab", "mx.0.preference": 10,
        "mx.1.host": "mx2.partial-dane.mxlab", "mx.1.preference": 20,
        A0 + "ip": W.PF_TLS13, A1 + "ip": W.PF_TLS12,
        A0 + "smtp.outcome": "engaged", A1 + "smtp.outcome": "engaged",
        # both servers engaged, one without TLSA: partial DANE (the missing part answered)
        "summary.inconclusive": 0,
        A0 + "smtp.tls.version": "TLSv1.3", A1 + "smtp.tls.version": "TLSv1.2",
        A0 + "dane.status": "valid", A1 + "dane.status": "no-tlsa",
        "mx.0.tlsa.result": "records", "mx.1.tlsa.result": "nxdomain",
        "summary.dane": "partial", "summary.starttls": "all",
        "summary.tls_best": "TLSv1.3", "summary.tls_worst": "TLSv1.2",
        "summary.mx_hosts": 2, "summary.addresses": 2}
    unreachable = lambda: {A0 + "smtp.banner": ABSENT, A0 + "smtp.banner_code": ABSENT,  # noqa
                           A0 + "smtp.starttls": ABSENT, A0 + "smtp.tls": ABSENT,
                           A0 + "smtp.outcome": "unreachable", A0 + "smtp.attempts": ABSENT,
                           "summary.starttls": "unreachable", "summary.inconclusive": 1,
                           "summary.tls_best": ABSENT}
    E["closed-port.mxlab"] = merge(
        single_mx("closed-port.mxlab", "mx.closed-port.mxlab", W.CLOSED), unreachable(),
        no_tlsa(tl("mx.closed-port.mxlab")),
        {A0 + "smtp.connect": "refused", A0 + "smtp.error": {"stage": "connect",
                                                              "reason": "refused"}})
    E["no-banner.mxlab"] = merge(
        single_mx("no-banner.mxlab", "mx.no-banner.mxlab", W.MB_SILENT), unreachable(),
        no_tlsa(tl("mx.no-banner.mxlab")),
        {A0 + "smtp.connect": "ok", A0 + "smtp.error": {"stage": "banner", "reason": "timeout"}})
    E["garbage-banner.mxlab"] = merge(
        single_mx("garbage-banner.mxlab", "mx.garbage-banner.mxlab", W.MB_GARBAGE),
        no_tlsa(tl("mx.garbage-banner.mxlab")),
        {A0 + "smtp.connect": "ok", A0 + "smtp.error.stage": "banner",
         A0 + "smtp.error.reason": StartsWith("malformed reply"), A0 + "smtp.tls": ABSENT,
         A0 + "smtp.starttls": ABSENT,
         # bytes that are no SMTP reply (an SSH banner): no SMTP service, so unreachable
         # (was OneOf(unreachable, none) before issue 19 defined it)
         A0 + "smtp.outcome": "unreachable", "summary.starttls": "unreachable",
         "summary.inconclusive": 1})
    E["banner-554.mxlab"] = merge(
        single_mx("banner-554.mxlab", "mx.banner-554.mxlab", W.MB_554),
        {A0 + "ptr": ABSENT, A0 + "ptr_error": ABSENT},
        no_tlsa(tl("mx.banner-554.mxlab")),
        {A0 + "smtp.connect": "ok", A0 + "smtp.banner_code": 554,
         A0 + "smtp.banner": StartsWith("554 "), A0 + "smtp.error.stage": "banner",
         A0 + "smtp.error.reason": StartsWith("554"), A0 + "smtp.starttls": ABSENT,
         # a 5xx greeting is final (no retry) and says nothing of STARTTLS: refused, not
         # "none" (issue 19; before it, this domain counted as one without STARTTLS)
         A0 + "smtp.attempts": ABSENT, A0 + "smtp.outcome": "refused",
         A0 + "smtp.tls": ABSENT, "summary.starttls": "refused", "summary.inconclusive": 1,
         "summary.dane": "none"})
    inconclusive_expectations(E, S, tl)
    E["inject.mxlab"] = merge(
        single_mx("inject.mxlab", "mx.inject.mxlab", W.MB_INJECT), tls_ok(),
        no_tlsa(tl("mx.inject.mxlab")),
        {A0 + "smtp.injected_bytes": len(b"250-INJECTED\r\n"),
         A0 + "smtp.starttls_reply": "220 2.0.0 Ready to start TLS"})
    E["tls10.mxlab"] = merge(
        single_mx("tls10.mxlab", "mx.tls10.mxlab", W.MB_TLS10),
        tls_ok(OneOf("TLSv1", "TLSv1.0", note="OpenSSL names it TLSv1")),
        no_tlsa(tl("mx.tls10.mxlab")),
        {"summary.tls_best": OneOf("TLSv1", "TLSv1.0"),
         "summary.tls_worst": OneOf("TLSv1", "TLSv1.0")})
    E["servfail.mxlab"] = {"status": "dns-error", "dnssec": "indeterminate",
                           "error.stage": "dns", "error.reason": Present(), "mx": [],
                           "summary": ABSENT}
    idn = W.IDN_ALABEL + ".mxlab"
    E[W.IDN_ULABEL + ".mxlab"] = merge(
        single_mx(idn, "mx.%s" % idn, W.PF_TLS13), tls_ok(),
        tlsa_found(tl("mx." + idn), tlsa_rec(3, 1, 1, S("main"))),
        dane_valid(3, 1, 1, S("main"), 0), {"input": W.IDN_ULABEL + ".mxlab"})
    E["not a domain!"] = {"status": "invalid", "domain": "not a domain!", "input": ABSENT,
                          "dnssec": ABSENT, "error.stage": "input", "error.reason": Present(),
                          "summary": ABSENT}
    E["TLS13.Mxlab."] = merge(
        single_mx("tls13.mxlab", "mx.tls13.mxlab", W.PF_TLS13), tls_ok(),
        no_tlsa(tl("mx.tls13.mxlab")), {"input": "TLS13.Mxlab."})
    sts_ordinary(E)
    # TLS-RPT (RFC 8460): see world.py for the records published.
    def rpt(status, rua=ABSENT, reason=ABSENT, dnssec="secure"):
        return {"tls_rpt.status": status, "tls_rpt.rua": rua, "tls_rpt.reason": reason,
                "tls_rpt.dnssec": dnssec}
    tls13_rpt = rpt("valid", ["mailto:a@tls13.mxlab", "https://report.tls13.mxlab/v1"])
    RPT = {
        "dane-ok.mxlab": rpt("valid", ["mailto:tlsrpt@dane-ok.mxlab"]),
        "tls13.mxlab": tls13_rpt,
        "TLS13.Mxlab.": tls13_rpt,
        "tls12.mxlab": rpt("invalid", reason="missing rua"),
        "dane-mismatch.mxlab": rpt("invalid", reason="rua URI must be mailto: or https:"),
        "cert-expired.mxlab": rpt("invalid", reason="multiple TLSRPTv1 records"),
        "partial-dane.mxlab": rpt("none"),
        "tlsa-unsigned.mxlab": rpt("valid", ["mailto:r@tlsa-unsigned.mxlab"], dnssec="insecure"),
    }
    for k, exp in E.items():
        if k in RPT:
            exp.update(RPT[k])
        elif exp.get("status") == "ok":
            exp.update(rpt("none"))
        elif exp.get("status") in ("invalid", "nxdomain", "dns-error"):
            exp["tls_rpt"] = ABSENT
    mta_sts_expectations(E)
    sender_expectations(E)
    # Canonical order (issue 14): the zone lists them in another order (world.py).
    order = sorted([(3, 1, 1, "0" * 64), (2, 1, 1, S("ca")), (3, 1, 1, S("main"))],
                   key=lambda t: (t[0], t[1], t[2], bytes.fromhex(t[3])))
    wrong = hashlib.sha256(b"this key is not used by any server").hexdigest()
    order = [(u, s_, m, wrong if d == "0" * 64 else d) for u, s_, m, d in order]
    order.sort(key=lambda t: (t[0], t[1], t[2], bytes.fromhex(t[3])))
    E["rrset-order.mxlab"] = {"status": "ok", "mx.0.host": "mx.rrset-order.mxlab",
                              # nothing listens on the third address: all, 1 inconclusive
                              "summary.starttls": "all", "summary.inconclusive": 1,
                              "summary.addresses": 3}
    for k, (ip, outcome) in enumerate([(W.PF_TLS13, "engaged"), (W.PF_TLS12, "engaged"),
                                       (W.CLOSED, "unreachable")]):
        E["rrset-order.mxlab"]["mx.0.addresses.%d.ip" % k] = ip
        E["rrset-order.mxlab"]["mx.0.addresses.%d.smtp.outcome" % k] = outcome
    for k, (u, s_, m, d) in enumerate(order):
        E["rrset-order.mxlab"]["mx.0.tlsa.records.%d.data" % k] = d
        E["rrset-order.mxlab"]["mx.0.tlsa.records.%d.usage" % k] = u
    return E


def inconclusive_expectations(E, S, tl):
    """Issue 19: servers that refused, throttled, dropped or never answered the scanner say
    nothing about STARTTLS or DANE. Each case's outcome (after the retries of RETRY_OPTS),
    and a domain's summary over the addresses that engaged only (world.py, MB_421...)."""
    A1 = "mx.1.addresses.0."
    gone = {A0 + "smtp.connect": "ok", A0 + "smtp.starttls": ABSENT, A0 + "smtp.tls": ABSENT,
            A0 + "smtp.ehlo_tls_code": ABSENT, "summary.inconclusive": 1,
            "summary.tls_best": ABSENT, "summary.tls_worst": ABSENT, "summary.dane": "none"}
    line421 = "421 4.7.0 too many connections"

    def one(name, ip, **kw):
        exp = merge(single_mx(name + ".mxlab", "mx.%s.mxlab" % name, ip),
                    no_tlsa(tl("mx.%s.mxlab" % name)), gone)
        exp.update({A0 + k.replace("__", "."): v for k, v in kw.items()})
        E[name + ".mxlab"] = exp
        return exp
    # "421 too many connections" on every attempt: retried twice, then refused
    one("greet-421", W.MB_421, smtp__outcome="refused", smtp__banner_code=421,
        smtp__banner=line421, smtp__ehlo_code=ABSENT,
        smtp__error={"stage": "banner", "reason": line421},
        smtp__attempts=3, smtp__retry_reasons=[line421, line421])["summary.starttls"] = "refused"
    # greeted, then dropped before EHLO was answered: lost (a close after the greeting is
    # not retried: the server spoke); the sender cannot deliver there, so defer
    one("close-banner", W.MB_CLOSE_BANNER, smtp__outcome="lost", smtp__banner_code=220,
        smtp__ehlo_code=ABSENT, smtp__attempts=ABSENT,
        smtp__error={"stage": "ehlo", "reason": "connection closed by server"}
        )["summary.starttls"] = "unreachable"
    one("reset-ehlo", W.MB_RESET_EHLO, smtp__outcome="lost", smtp__banner_code=220,
        smtp__ehlo_code=ABSENT, smtp__attempts=ABSENT,
        smtp__error={"stage": "ehlo", "reason": "connection reset by peer"}
        )["summary.starttls"] = "unreachable"
    # a 5xx reply to EHLO: refused, like a 5xx greeting
    one("ehlo-554", W.MB_EHLO_554, smtp__outcome="refused", smtp__banner_code=220,
        smtp__ehlo_code=554, smtp__attempts=ABSENT, smtp__error__stage="ehlo",
        smtp__error__reason=StartsWith("554 5.7.1 go away"))["summary.starttls"] = "refused"
    # The most preferred MX throttles (421, retried), the backup is DANE-valid: the domain
    # is all / valid with one inconclusive address, and the senders deliver via mx2.
    two = {"status": "ok", "dnssec": "secure", "mx": Len(2), "summary.mx_hosts": 2,
           "summary.addresses": 2, "summary.inconclusive": 1, "summary.starttls": "all",
           "summary.dane": "valid", "summary.tls_best": "TLSv1.3",
           "summary.tls_worst": "TLSv1.3", "mx.0.preference": 10, "mx.1.preference": 20,
           A1 + "ip": W.PF_TLS13, A1 + "smtp.outcome": "engaged",
           A1 + "smtp.tls.version": "TLSv1.3", A1 + "smtp.tls.pkix.valid": True,
           A1 + "dane.status": "valid", "mx.1.tlsa.result": "records",
           A0 + "smtp.starttls": ABSENT, A0 + "smtp.tls": ABSENT}
    E["backup-421.mxlab"] = merge(two, {
        "mx.0.host": "mx1.backup-421.mxlab", "mx.1.host": "mx2.backup-421.mxlab",
        A0 + "ip": W.MB_421, A0 + "smtp.outcome": "refused", A0 + "smtp.banner_code": 421,
        A0 + "smtp.attempts": 3, A0 + "smtp.retry_reasons": [line421, line421],
        # mx1 publishes no TLSA: DANE does not apply to it, whatever it answered
        "mx.0.tlsa.result": "nxdomain", A0 + "dane.status": "no-tlsa"})
    # Both MX hosts publish the matching TLSA; nothing listens on the most preferred: DANE
    # valid at every MX host that accepts connections (was "partial" before issue 19).
    E["dane-backup-down.mxlab"] = merge(two, {
        "mx.0.host": "mx1.dane-backup-down.mxlab", "mx.1.host": "mx2.dane-backup-down.mxlab",
        A0 + "ip": W.CLOSED, A0 + "smtp.outcome": "unreachable", A0 + "smtp.connect": "refused",
        A0 + "smtp.error": {"stage": "connect", "reason": "refused"},
        A0 + "smtp.attempts": ABSENT, "mx.0.tlsa.result": "records",
        "mx.0.tlsa.records.0": tlsa_rec(3, 1, 1, S("main")),
        A0 + "dane.status": "inconclusive", A0 + "dane.reason": "refused",
        A0 + "dane.matched": ABSENT})
    # DANE applies, the only MX is down: no server could tell, so inconclusive, not invalid
    E["dane-down.mxlab"] = merge(
        single_mx("dane-down.mxlab", "mx.dane-down.mxlab", W.CLOSED),
        tlsa_found(tl("mx.dane-down.mxlab"), tlsa_rec(3, 1, 1, S("main"))),
        {A0 + "smtp.outcome": "unreachable", A0 + "smtp.connect": "refused",
         A0 + "dane.status": "inconclusive", A0 + "dane.reason": "refused",
         A0 + "dane.matched": ABSENT, "summary.dane": "inconclusive",
         "summary.starttls": "unreachable", "summary.inconclusive": 1})


def sts_ordinary(E):
    """The sts-* domains (world.STS_CASES): everything but `mta_sts` is like tls13.mxlab."""
    for n in W.STS_CASES:
        d = n + ".mxlab"
        host = W.sts_mxhost(n)
        E[d] = merge(single_mx(d, host, W.PF_TLS13), tls_ok(),
                     no_tlsa("_25._tcp." + host))


# ---- MTA-STS (RFC 8461), record section `mta_sts` ----------------------------------------
def has(word):
    """A string containing `word` (case-insensitive)."""
    return Regex(r"(?is).*%s.*" % re.escape(word))


def sender_expectations(E):
    """What a DANE-enforcing and an MTA-STS-enforcing sender would do (docs/verdicts.md, "The sender verdicts")."""
    D, U, F, N = "deliver", "deliver-unauthenticated", "defer", "no-route"
    table = {  # domain: (dane action, dane result_type, sts action, sts result_type)
        "dane-ok.mxlab": (D, ABSENT, D, ABSENT),
        "dane-ta.mxlab": (D, ABSENT, D, ABSENT),
        "cert-expired.mxlab": (D, ABSENT, D, ABSENT),
        "partial-dane.mxlab": (D, ABSENT, D, ABSENT),
        "dane-mismatch.mxlab": (F, "certificate-not-trusted", F, "certificate-not-trusted"),
        "dane-no-starttls.mxlab": (F, "starttls-not-supported", F, "starttls-not-supported"),
        "dane-usage1.mxlab": (U, "tlsa-invalid", U, "tlsa-invalid"),
        "tlsa-bogus.mxlab": (F, "dnssec-invalid", F, "dnssec-invalid"),
        "mx-bogus.mxlab": (F, "dnssec-invalid", F, "dnssec-invalid"),
        "servfail.mxlab": (F, "dnssec-invalid", F, "dnssec-invalid"),
        "no-starttls.mxlab": (U, ABSENT, U, ABSENT),
        "tlsa-unsigned.mxlab": (U, ABSENT, U, ABSENT),
        "closed-port.mxlab": (F, ABSENT, F, ABSENT),
        "no-banner.mxlab": (F, ABSENT, F, ABSENT),
        # issue 19: an address that did not engage cannot take the message (rule 2)
        "banner-554.mxlab": (F, ABSENT, F, ABSENT),
        "greet-421.mxlab": (F, ABSENT, F, ABSENT),
        "close-banner.mxlab": (F, ABSENT, F, ABSENT),   # was deliver-unauthenticated
        "reset-ehlo.mxlab": (F, ABSENT, F, ABSENT),     # was deliver-unauthenticated
        "ehlo-554.mxlab": (F, ABSENT, F, ABSENT),
        "dane-down.mxlab": (F, ABSENT, F, ABSENT),
        "backup-421.mxlab": (D, ABSENT, D, ABSENT),
        "dane-backup-down.mxlab": (D, ABSENT, D, ABSENT),
        "null-mx.mxlab": (N, ABSENT, N, ABSENT),
        "does-not-exist.mxlab": (N, ABSENT, N, ABSENT),
        "sts-enforce.mxlab": (U, ABSENT, D, ABSENT),
        "sts-lf.mxlab": (U, ABSENT, D, ABSENT),
        "sts-testing.mxlab": (U, ABSENT, U, ABSENT),
        "sts-nomatch.mxlab": (U, ABSENT, F, "validation-failure"),
        "sts-wild2.mxlab": (U, ABSENT, F, "validation-failure"),
        "sts-404.mxlab": (U, ABSENT, U, "sts-policy-fetch-error"),
        "sts-maxage.mxlab": (U, ABSENT, U, "sts-policy-invalid"),
        "sts-badcert.mxlab": (U, ABSENT, U, "sts-webpki-invalid"),
        "sts-sysca.mxlab": (U, ABSENT, U, "sts-webpki-invalid"),
    }
    for dom, (da, dr, sa, sr) in table.items():
        E[dom].update({"sender.dane.action": da, "sender.dane.result_type": dr,
                       "sender.mta_sts.action": sa, "sender.mta_sts.result_type": sr})
    E["partial-dane.mxlab"]["sender.dane.mx"] = "mx1.partial-dane.mxlab"
    for dom in ("backup-421.mxlab", "dane-backup-down.mxlab"):   # past the first MX
        E[dom]["sender.dane.mx"] = E[dom]["sender.mta_sts.mx"] = E[dom]["mx.1.host"]
    E["not a domain!"]["sender"] = ABSENT


def mta_sts_expectations(E):
    def sts(status, **kw):
        out = {"mta_sts.status": status}
        out.update({"mta_sts." + k.replace("__", "."): v for k, v in kw.items()})
        return out

    def valid(n, mode, mx, match, cert_ok=True, max_age=86400):
        return sts("valid", id=W.sts_id(n), reason=ABSENT, result_type=ABSENT, mode=mode,
                   max_age=max_age, mx=mx, hosts__0__host=W.sts_mxhost(n),
                   hosts__0__policy_match=match, hosts__0__cert_ok=cert_ok)

    def failed(n, status, result_type, reason=Present(), **kw):
        return sts(status, id=W.sts_id(n), reason=reason, result_type=result_type, **kw)

    FETCH, INVALID, WEBPKI = "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid"
    STS = {
        "sts-enforce": valid("sts-enforce", "enforce", ["mx.sts-enforce.mxlab"], True),
        "sts-testing": valid("sts-testing", "testing", ["*.sts-testing.mxlab"], True),
        "sts-none": valid("sts-none", "none", [], OneOf(ABSENT, False, note="no patterns"),
                          cert_ok=OneOf(True, ABSENT, note="mode none")),
        "sts-lf": valid("sts-lf", "enforce", ["mx.sts-lf.mxlab"], True),
        # RFC 8461 4.1: "*" matches exactly one label; a.b.sts-wild2 is not covered
        "sts-wild2": valid("sts-wild2", "enforce", ["*.sts-wild2.mxlab"], False),
        "sts-nomatch": valid("sts-nomatch", "enforce", ["mx.elsewhere.mxlab"], False),
        "sts-404": failed("sts-404", "fetch-error", FETCH, http_status=404),
        # the 301 must not be followed (RFC 8461 3.3)
        "sts-redirect": failed("sts-redirect", "fetch-error", FETCH, http_status=301),
        "sts-ctype": failed("sts-ctype", "fetch-error", FETCH, reason=has("text/html")),
        # a 200 whose body is over the cap: the status is recorded all the same
        "sts-big": failed("sts-big", "fetch-error", FETCH, reason=has("64 KiB"), http_status=200),
        "sts-maxage": failed("sts-maxage", "policy-invalid", INVALID,
                             reason=OneOf(has("max_age out of range"),
                                          has("max_age must be 1-10 digits"))),
        "sts-nomx": failed("sts-nomx", "policy-invalid", INVALID, reason=has("no mx pattern")),
        "sts-badcert": failed("sts-badcert", "fetch-error", WEBPKI),
        # signed by a CA in the system's store but not in --ca-file: --ca-file is the only
        # trust store (Debian's libcurl also reads /etc/ssl/certs unless told not to)
        "sts-sysca": failed("sts-sysca", "fetch-error", WEBPKI),
        "sts-wrongname": failed("sts-wrongname", "fetch-error", WEBPKI),
        "sts-twotxt": sts("txt-invalid", id=ABSENT, reason=has("multiple STSv1 records")),
    }
    assert set(STS) == set(W.STS_CASES), "MTA-STS table and world.STS_CASES differ"
    for k, exp in E.items():
        n = k[:-len(".mxlab")] if k.endswith(".mxlab") else None
        if n in STS:
            exp.update(STS[n])
        elif exp.get("status") == "ok":  # no _mta-sts TXT anywhere else
            exp.update(sts("none", id=ABSENT, reason=ABSENT, result_type=ABSENT, mode=ABSENT))
        elif exp.get("status") == "invalid":
            exp["mta_sts"] = ABSENT


# ---- hostile and broken peers (issue 5; servers and zones in hostile.py) ---------------
def hostile_expectations():
    H = W.hostile
    A = lambda beh: H.ADDR_OF[beh]  # noqa: E731
    E = {}

    def peer(beh, error=ABSENT, outcome="engaged", **kw):
        exp = merge(single_mx("hb-%s.mxlab" % beh, "mx.hb-%s.mxlab" % beh, A(beh)),
                    {A0 + "smtp.connect": "ok", A0 + "smtp.error": error,
                     A0 + "smtp.outcome": outcome,
                     "summary.inconclusive": 0 if outcome == "engaged" else 1})
        if outcome != "engaged":   # issue 19: said nothing of STARTTLS; nobody to deliver to
            exp.update({"summary.starttls": "unreachable", "sender.dane.action": "defer",
                        "sender.mta_sts.action": "defer"})
        exp.update({A0 + "smtp." + k.replace("__", "."): v for k, v in kw.items()})
        E["hb-%s.mxlab" % beh] = exp

    def err(stage, reason):
        return {"stage": stage, "reason": reason}
    # a greeting that is no SMTP reply: unreachable; an EHLO reply that never came whole
    # (malformed, closed): lost
    peer("longline", err("banner", "malformed reply: line too long"), "unreachable",
         banner=ABSENT)
    peer("endless", err("ehlo", "malformed reply: too many lines"), "lost",
         banner="220 mx.endless.mxlab ESMTP hostile", starttls=ABSENT)
    # NUL and invalid UTF-8 reach the record escaped (\u0000, U+FFFD per invalid byte)
    peer("nul", err("starttls", "454 4.7.0 \x00\ufffd\ufffd\ufffd\ufffd bad"),
         banner="220 mx.nul.mxlab \x00NUL \ufffd\ufffd\ufffd( ESMTP", starttls="offered",
         tls=ABSENT)
    E["hb-nul.mxlab"]["summary.starttls"] = "none"   # it engaged, and refused STARTTLS
    peer("slowloris", err("banner", "timeout"), "unreachable", banner=ABSENT)
    peer("close-ehlo", err("ehlo", "connection closed by server"), "lost", ehlo_code=ABSENT)
    peer("close-tls", err("tls", "unexpected eof while reading"), tls=ABSENT)
    peer("tls-garbage", err("tls", "packet length too long"), tls=ABSENT,
         injected_bytes=ABSENT)
    # plaintext in a later segment than the 220: counted, skipped, then TLS goes on
    peer("inject-late", injected_bytes=len(b"250-INJECTED\r\n"), tls__version="TLSv1.3",
         ehlo_tls_code=250)
    # plaintext instead of TLS: bounded (4096 bytes after the 220's segment), then an error
    peer("inject-flood", err("tls", "no TLS record after STARTTLS: more than 4096 bytes of "
                                    "plaintext"), tls=ABSENT, injected_bytes=Present())
    peer("chain50", tls__version="TLSv1.3", tls__chain_len=51, tls__pkix__valid=True,
         ehlo_tls_code=250)
    peer("bigcert", tls__chain_len=1, tls__cert__san=Len(64), tls__cert__san_truncated=True,
         tls__cert__san__0="mx.hb-bigcert.mxlab", tls__pkix__valid=True, ehlo_tls_code=250)
    # over OpenSSL's default 100 KiB certificate list
    peer("hugecert", err("tls", "excessive message size"), tls=ABSENT)
    # 300 MX, preferences 1000..701 in zone order: the 16 most preferred are scanned
    E["many-mx.mxlab"] = {"status": "ok", "mx": Len(16), "mx_truncated": True,
                          "mx.0.preference": 701, "mx.0.host": "mx299.many-mx-hosts.mxlab",
                          "mx.15.preference": 716, "mx.15.host": "mx284.many-mx-hosts.mxlab",
                          "summary.mx_hosts": 16, "error": ABSENT}
    too_long = "TXT record longer than 4096 bytes"
    E["huge-txt.mxlab"] = {"status": "ok", "mta_sts.status": "txt-invalid",
                           "mta_sts.reason": too_long, "tls_rpt.status": "invalid",
                           "tls_rpt.reason": too_long}
    E["mx-self.mxlab"] = merge(single_mx("mx-self.mxlab", "mx-self.mxlab", W.PF_TLS13),
                               {A0 + "smtp.tls.version": "TLSv1.3", A0 + "smtp.error": ABSENT})
    for dom, host in (("cname-loop.mxlab", "a.cname-loop.mxlab"),
                      ("cname-chain.mxlab", "c00.cname-chain.mxlab")):
        E[dom] = {"status": "ok", "mx": Len(1), "mx.0.host": host, "mx.0.addresses": [],
                  "mx.0.dnssec": "indeterminate",
                  "mx.0.error": {"stage": "dns", "reason": "SERVFAIL"},
                  "summary.starttls": "unreachable"}
    assert set(E) == set(H.HOSTILE_INPUT), "hostile table and input list differ"
    return E


VALGRIND = ["valgrind", "--leak-check=full", "--error-exitcode=9",
            "--errors-for-leak-kinds=definite,indirect", "--show-leak-kinds=definite,indirect",
            "--track-fds=no", "--num-callers=30"]


def run_hostile(mx, base, allow, wd, st, C, valgrind):
    """run6: every hostile case gives its precise error, a valid record, no crash or hang.
    With valgrind: the same scan plus a few ordinary domains under valgrind (memcheck),
    failing on any error or definitely/indirectly lost block."""
    E = hostile_expectations()
    keys = list(E)
    out6 = os.path.join(wd, "out6.ndjson")
    t0 = time.time()
    run_scan(mx, base + allow + ["-o", out6, st["hostile_domains"]], "run6-hostile", C, wd,
             timeout=60)
    raw = open(out6, "rb").read() if os.path.exists(out6) else b""
    by6 = index_records(read_ndjson(raw, "run6-hostile", C), keys, "run6-hostile", C)
    assert_cases(by6, E, "run6", C)
    C.check("run6-hostile", "NUL escaped as \\u0000 in the raw record", True,
            b"220 mx.nul.mxlab \\u0000NUL" in raw)
    # the slowest case is the banner timeout (slowloris); nothing waits on a peer for longer
    C.check("run6-hostile", "scan took less than 20 s", True, time.time() - t0 < 20)
    if not valgrind:
        return
    vin = os.path.join(wd, "valgrind-domains.txt")
    with open(vin, "w") as f:
        f.write("\n".join(W.hostile.HOSTILE_INPUT + ["dane-ok.mxlab", "tls13.mxlab",
                                                     "sts-enforce.mxlab", "ação.mxlab",
                                                     "servfail.mxlab", "closed-port.mxlab"]) + "\n")
    vlog = os.path.join(wd, "logs", "valgrind.log")
    out7 = os.path.join(wd, "out7.ndjson.zst")
    cmd = VALGRIND + ["--log-file=" + vlog, valgrind, "scan"] + base + allow + ["-o", out7, vin]
    print("[run] %s" % " ".join(cmd), flush=True)
    t0 = time.time()
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=300)
        rc = r.returncode
    except subprocess.TimeoutExpired:
        rc = "timeout"
    print("[run] run7-valgrind: exit %s in %.1fs" % (rc, time.time() - t0), flush=True)
    summary = ""
    if os.path.exists(vlog):
        text = open(vlog, errors="replace").read()
        summary = " | ".join(l.split("== ", 1)[-1].strip() for l in text.splitlines()
                             if any(k in l for k in ("ERROR SUMMARY", "in use at exit",
                                                     "definitely lost", "indirectly lost",
                                                     "possibly lost", "All heap blocks")))
        print("[valgrind] %s" % summary, flush=True)
    C.check("run7-valgrind", "exit status (9 = valgrind found errors or leaks; see %s)" % vlog,
            0, rc)
    C.check("run7-valgrind", "ERROR SUMMARY", True, "ERROR SUMMARY: 0 errors" in summary)
    recs = read_ndjson(open(out7, "rb").read(), "run7-valgrind", C) \
        if os.path.exists(out7) else []
    C.check("run7-valgrind", "number of records", 6 + len(W.hostile.HOSTILE_INPUT), len(recs))


def special_expectations():
    return {"special.mxlab": {
        "status": "ok", "domain": "special.mxlab", "mx.0.host": "mx.special.mxlab",
        A0 + "ip": W.MB_SPECIAL, A0 + "smtp.connect": "not-attempted",
        A0 + "smtp.error": {"stage": "connect", "reason": "special-purpose address"},
        A0 + "smtp.banner": ABSENT, A0 + "smtp.tls": ABSENT, A0 + "smtp.outcome": "not-attempted",
        "summary.starttls": "unreachable", "summary.inconclusive": 1}}


# ---------------------------------------------------------------------------------------
# posttls-finger oracle
# ---------------------------------------------------------------------------------------
# Mapping of posttls-finger's verdict (run with -v -l dane, an EMPTY CApath so PKIX can never
# make it say Verified/Trusted) to mxsurvey's dane.status:
#   "TLSA lookup error"                                      -> tlsa-bogus | dns-error
#                          (posttls-finger sees SERVFAIL only; it cannot tell bogus apart)
#   "Destination address lookup failed"                      -> (domain-level dns error)
#   "Verified TLS connection" + "Matched DANE ... certificate" -> valid
#   "num=65:no matching DANE TLSA records" (Untrusted)       -> mismatch
#   TLSA answer seen + no "> STARTTLS" sent, or "STARTTLS rejected"  -> no-starttls
#   TLSA answer seen + "unsupported TLSA certificate usage" + not Verified -> unusable
#   anything else (no TLSA, insecure zone: "Untrusted"/"Anonymous") -> no-tlsa
ORACLE_MAP = {"valid": ("valid",), "mismatch": ("mismatch",), "no-starttls": ("no-starttls",),
              "unusable": ("unusable",), "tlsa-error": ("tlsa-bogus", "dns-error"),
              "no-tlsa": ("no-tlsa",), "dns-error": ()}

# (target for posttls-finger, input line of the record, mx index, expected oracle verdict)
ORACLE_CASES = [
    ("dane-ok.mxlab", "dane-ok.mxlab", 0, "valid"),
    ("dane-mismatch.mxlab", "dane-mismatch.mxlab", 0, "mismatch"),
    ("dane-ta.mxlab", "dane-ta.mxlab", 0, "valid"),
    ("dane-usage1.mxlab", "dane-usage1.mxlab", 0, "unusable"),
    ("tlsa-unsigned.mxlab", "tlsa-unsigned.mxlab", 0, "no-tlsa"),
    ("tlsa-bogus.mxlab", "tlsa-bogus.mxlab", 0, "tlsa-error"),
    ("dane-no-starttls.mxlab", "dane-no-starttls.mxlab", 0, "no-starttls"),
    ("no-starttls.mxlab", "no-starttls.mxlab", 0, "no-tlsa"),
    ("tls12.mxlab", "tls12.mxlab", 0, "valid"),
    ("tls13.mxlab", "tls13.mxlab", 0, "no-tlsa"),
    ("cert-expired.mxlab", "cert-expired.mxlab", 0, "valid"),
    ("cert-wrongname.mxlab", "cert-wrongname.mxlab", 0, "valid"),
    ("cert-selfsigned.mxlab", "cert-selfsigned.mxlab", 0, "valid"),
    ("mx-cname.mxlab", "mx-cname.mxlab", 0, "valid"),
    ("[mx1.partial-dane.mxlab]", "partial-dane.mxlab", 0, "valid"),
    ("[mx2.partial-dane.mxlab]", "partial-dane.mxlab", 1, "no-tlsa"),
    (W.IDN_ALABEL + ".mxlab", W.IDN_ULABEL + ".mxlab", 0, "valid"),
]


# The SMTP outcome (issue 19) against the same oracle: posttls-finger, pointed at one
# address ("[ip]": no DNS, no DANE), names how the dialogue ended:
#   "SMTP service not available: 4xx/5xx ..." or "EHLO rejected: 4xx/5xx"   -> refused
#   "lost connection while ..."                                         -> lost
#   "timeout while reading server greeting", "Connection refused",
#   "SMTP service not available: 0 ..." (a greeting that is no reply)     -> unreachable
#   "< 250" to its EHLO                                                  -> engaged
# (target, input line of the record, mx index, expected oracle outcome)
OUTCOME_ORACLE_CASES = [
    ("[%s]" % W.MB_421, "greet-421.mxlab", 0, "refused"),
    ("[%s]" % W.MB_554, "banner-554.mxlab", 0, "refused"),
    ("[%s]" % W.MB_EHLO_554, "ehlo-554.mxlab", 0, "refused"),
    ("[%s]" % W.MB_CLOSE_BANNER, "close-banner.mxlab", 0, "lost"),
    ("[%s]" % W.MB_RESET_EHLO, "reset-ehlo.mxlab", 0, "lost"),
    ("[%s]" % W.MB_SILENT, "no-banner.mxlab", 0, "unreachable"),
    ("[%s]" % W.MB_GARBAGE, "garbage-banner.mxlab", 0, "unreachable"),
    ("[%s]" % W.CLOSED, "closed-port.mxlab", 0, "unreachable"),
    ("[%s]" % W.PF_TLS13, "tls13.mxlab", 0, "engaged"),
    ("[%s]" % W.PF_NOTLS, "no-starttls.mxlab", 0, "engaged"),
    ("[%s]" % W.MB_454, "starttls-454.mxlab", 0, "engaged"),
]


def oracle_outcome(out):
    if re.search(r"SMTP service not available: [45]\d\d", out) or \
            re.search(r"EHLO rejected: [45]\d\d", out):
        return "refused"
    if "lost connection while" in out:
        return "lost"
    if re.search(r"> EHLO .*\n.*< 250[ -]", out):
        return "engaged"
    if "timeout while reading server greeting" in out or "Connection refused" in out or \
            re.search(r"SMTP service not available: 0 ", out):
        return "unreachable"
    return "unknown"


def posttls_finger(wd, target):
    empty = os.path.join(wd, "empty-capath")
    os.makedirs(empty, exist_ok=True)
    inner = "mount --bind %s /etc/resolv.conf && exec posttls-finger -v -t10 -T10 -l dane -P %s '%s'" % (
        os.path.join(wd, "resolv.conf"), empty, target)
    env = dict(os.environ, MAIL_CONFIG=os.path.join(wd, "postfix"))
    r = subprocess.run(["unshare", "-m", "sh", "-c", inner], env=env, capture_output=True,
                       text=True, timeout=60)
    out = r.stdout + r.stderr
    with open(os.path.join(wd, "logs", "posttls-finger.log"), "a") as f:
        f.write("===== %s\n%s\n" % (target, out))
    return out


def oracle_verdict(out):
    if "TLSA lookup error" in out:
        return "tlsa-error"
    if "Destination address lookup failed" in out:
        return "dns-error"
    if "Verified TLS connection" in out and re.search(r"Matched DANE (EE|TA) certificate", out):
        return "valid"
    if "no matching DANE TLSA records" in out:
        return "mismatch"
    tlsa_seen = re.search(r"dns_get_answer: type TLSA for _25\._tcp\.", out) is not None
    if tlsa_seen and ("STARTTLS rejected" in out or "> STARTTLS" not in out):
        return "no-starttls"
    if tlsa_seen and "unsupported TLSA certificate usage" in out:
        return "unusable"
    return "no-tlsa"


# ---------------------------------------------------------------------------------------
# running mxsurvey
# ---------------------------------------------------------------------------------------
def read_ndjson(data, what, C):
    if data[:4] == b"\x28\xb5\x2f\xfd":
        data = subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True).stdout
    recs = []
    for i, line in enumerate(data.decode("utf-8", "replace").split("\n")):
        if not line.strip():
            continue
        try:
            recs.append(json.loads(line))
        except ValueError as e:
            C.check(what, "line %d is JSON" % (i + 1), True, "%s: %r" % (e, line[:200]))
    check_schema(recs, what, C)
    check_canonical(recs, what, C)
    return recs


def canonical_problems(rec):
    """Lists that come from DNS RRsets must be in canonical order (issue 14), so that two
    scans of an unchanged domain give the same record: an MX host's addresses by family,
    then address bytes; its TLSA records by usage, selector, matching type, data."""
    bad = []
    for i, h in enumerate(rec.get("mx") or []):
        ips = [(a.get("family"), socket.inet_pton(socket.AF_INET if a.get("family") == 4
                                                  else socket.AF_INET6, a.get("ip")))
               for a in h.get("addresses") or []]
        if ips != sorted(ips):
            bad.append("%s mx[%d] addresses %s" % (rec.get("domain"), i,
                                                   [a.get("ip") for a in h["addresses"]]))
        t = [(r["usage"], r["selector"], r["mtype"], bytes.fromhex(r["data"]))
             for r in (h.get("tlsa") or {}).get("records") or []]
        if t != sorted(t):
            bad.append("%s mx[%d] tlsa records not in canonical order" % (rec.get("domain"), i))
    return bad


def check_canonical(recs, what, C):
    bad = [m for r in recs for m in canonical_problems(r)]
    C.check(what, "lists of %d records in canonical order" % len(recs), [], bad)


def check_schema(recs, what, C):
    """Every record a test reads matches docs/record.schema.json (the record's
    specification); a failure names the record's domain and the error paths."""
    bad = record_schema.failures(recs)
    for m in bad:
        print("SCHEMA %s" % m, flush=True)
    C.check(what, "%d records match docs/record.schema.json" % len(recs), [], bad)


def run_scan(mx, args, what, C, wd, stdin=None, timeout=240):
    cmd = [mx, "scan"] + args
    print("[run] %s" % " ".join(cmd), flush=True)
    t0 = time.time()
    try:
        r = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        C.check(what, "mxsurvey finished within %ds" % timeout, True, False)
        return None, e.stdout or b""
    with open(os.path.join(wd, "logs", "mxsurvey-%s.stderr" % what), "wb") as f:
        f.write(r.stderr)
    print("[run] %s: exit %d in %.1fs" % (what, r.returncode, time.time() - t0), flush=True)
    if r.returncode != 0:
        print("    stderr: %s" % r.stderr.decode("utf-8", "replace")[-2000:])
    C.check(what, "mxsurvey exit status", 0, r.returncode)
    return r, r.stdout


def https_status(st, name, capath=None):
    """GET https://mta-sts.<name>.mxlab/.well-known/mta-sts.txt from nginx (SNI; the test
    CA, or only the CA directory capath): the HTTP status, or the certificate verification
    failure's reason."""
    import http.client
    import ssl
    host = "mta-sts.%s.mxlab" % name
    ctx = ssl.create_default_context(cafile=None if capath else st["ca_file"], capath=capath)
    try:
        conn = http.client.HTTPSConnection(W.STS_ADDR, 443, timeout=5, context=ctx)
        conn.sock = ctx.wrap_socket(__import__("socket").create_connection(
            (W.STS_ADDR, 443), timeout=5), server_hostname=host)
        conn.request("GET", "/.well-known/mta-sts.txt", headers={"Host": host})
        return conn.getresponse().status
    except ssl.SSLCertVerificationError as e:
        return e.reason
    except OSError as e:
        return repr(e)


def key_of(rec):
    return rec.get("input", rec.get("domain"))


def index_records(recs, expected_keys, what, C):
    by = {}
    for r in recs:
        k = key_of(r)
        if k in by:
            C.check(what, "exactly one record for %r" % k, 1, "duplicate")
        by[k] = r
    C.check(what, "number of records", len(expected_keys), len(recs))
    for k in expected_keys:
        C.check(what, "record present for input %r" % k, True, k in by)
    for k in by:
        if k not in expected_keys:
            C.check(what, "no unexpected record", ABSENT, k)
    return by


def assert_cases(by, E, what, C):
    for key, exp in E.items():
        rec = by.get(key)
        if rec is None:
            continue
        for path, want in exp.items():
            C.check("%s %s" % (what, key), path, want, get(rec, path))


def normalise(rec, parent=None):
    """Drops fields that legitimately differ between two runs (outlook.at: the horizon is
    the judging time + --horizon days, a time as scanned_at is)."""
    if isinstance(rec, dict):
        return {k: normalise(v, k) for k, v in rec.items()
                if k != "scanned_at" and not k.endswith("_ms")
                and not (parent == "outlook" and k == "at")
                and k not in ("shared", "inferred", "inferred_from")}  # which request probed
    if isinstance(rec, list):
        return [normalise(v) for v in rec]
    return rec


def input_keys(lines):
    keys = []
    for l in lines:
        t = l.strip()
        if not t or t.startswith("#"):
            continue
        keys.append(t)
    return keys


def misbehave_connections(path, addr):
    try:
        with open(path) as f:
            return [l for l in f if l.split(" ")[1:2] == [addr] and l.rstrip().endswith("connect")]
    except OSError:
        return []


# ---------------------------------------------------------------------------------------
def start_world(world, wd):
    """Builds and starts the world, then pins this namespace's libc resolver to it: from
    here on any lookup (posttls-finger's too) stays on loopback."""
    world.build()
    world.start()
    subprocess.run(["mount", "--bind", os.path.join(wd, "resolv.conf"), "/etc/resolv.conf"],
                   check=True)
    return world.state


def scan_base(st, allow=True):
    """The options every scan of the world needs: its resolver and trust anchor, its CA,
    short timeouts and retry delays, and (allow) loopback as a permitted destination."""
    return (["--resolver", W.RESOLVER_ADDR, "--trust-anchor", st["trust_anchor"],
             "--ca-file", st["ca_file"], "--ehlo", "scanner.mxlab"] +
            (["--allow", "127.0.0.0/8"] if allow else []) + TIMEOUT_OPTS + RETRY_OPTS)


def drop_option(args, name):
    """args (option, value pairs, as scan_base makes them) without option name."""
    pairs = zip(args[0::2], args[1::2])
    return [x for opt, val in pairs if opt != name for x in (opt, val)]


def run_driver(prefix, keep, body):
    """The test drivers' common frame: a temp dir (prefix) with a World in it, SIGTERM and
    SIGHUP turned into an exception (so the servers are stopped, not left behind), then
    body(C, world, wd, procs), where procs is a list of extra server processes (Popen) to
    end afterwards. An exception is a failed check. Ends with finish_world; returns True
    when every check passed."""
    C = Checker()
    wd = tempfile.mkdtemp(prefix=prefix)
    world = W.World(wd, die_with_parent=True)
    procs = []

    def on_signal(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    ok = False
    t_start = time.time()
    try:
        body(C, world, wd, procs)
        ok = C.failed == 0
    except BaseException as e:  # noqa: BLE001 (also KeyboardInterrupt / signals)
        import traceback
        traceback.print_exc()
        C.check("driver", "no exception", None, repr(e))
        ok = False
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
            p.wait()
        finish_world(world, wd, ok, keep, C, t_start)
    return ok


def finish_world(world, wd, ok, keep, C, t_start=None):
    """The drivers' common end: stop the world's servers, keep the directory when a check
    failed (or --keep), print the counts the ctest log shows."""
    for e in world.stop():
        print("[world] stop: " + e)
    if t_start is not None:
        print("[world] total %.1fs" % (time.time() - t_start))
    if ok and not keep:
        shutil.rmtree(wd, ignore_errors=True)
    else:
        print("[world] kept %s (logs in %s/logs)" % (wd, wd))
    print("%d passed, %d failed" % (C.passed, C.failed), flush=True)


def in_namespace_main(a):
    def body(C, world, wd, procs):
        st = start_world(world, wd)
        # ---- the world itself ---------------------------------------------------------
        print("[world] sanity checks with dig", flush=True)
        for name, rtype, want in [("dane-ok.mxlab", "MX", "ad"),
                                  ("_25._tcp.mx.dane-ok.mxlab", "TLSA", "ad"),
                                  ("tlsa-unsigned.mxlab", "MX", "noad"),
                                  ("_25._tcp.mx.tlsa-bogus.mxlab", "TLSA", "SERVFAIL"),
                                  ("mx-bogus.mxlab", "MX", "SERVFAIL"),
                                  ("servfail.mxlab", "MX", "SERVFAIL"),
                                  ("does-not-exist.mxlab", "MX", "NXDOMAIN")]:
            out = subprocess.run(["dig", "@" + W.RESOLVER_ADDR, "+dnssec", "+time=5", "+tries=1",
                                  name, rtype], capture_output=True, text=True).stdout
            status = out.split("status: ")[1].split(",")[0] if "status: " in out else "?"
            flags = next((l.split(";")[2] for l in out.split("\n") if l.startswith(";; flags:")), "")
            got = status if status != "NOERROR" else ("ad" if " ad" in flags else "noad")
            C.check("world dig", "%s %s" % (name, rtype), want, got)

        print("[world] MTA-STS policy hosts (nginx on %s:443)" % W.STS_ADDR, flush=True)
        for n, want in [("sts-enforce", 200), ("sts-404", 404), ("sts-redirect", 301),
                        ("sts-big", 200), ("sts-badcert", "CERTIFICATE_VERIFY_FAILED"),
                        ("sts-wrongname", "CERTIFICATE_VERIFY_FAILED"),
                        ("sts-sysca", "CERTIFICATE_VERIFY_FAILED")]:
            C.check("world https", "mta-sts.%s.mxlab" % n, want, https_status(st, n))
        # the trap is armed: the system's CA directory trusts the sysca policy host
        C.check("world https", "mta-sts.sts-sysca.mxlab with the system's CA directory", 200,
                https_status(st, "sts-sysca", capath="/etc/ssl/certs"))

        if not a.no_oracle:
            print("[oracle] posttls-finger", flush=True)
            oracle = {}
            for target, key, idx, want in ORACLE_CASES:
                v = oracle_verdict(posttls_finger(wd, target))
                oracle[(key, idx)] = v
                C.check("oracle posttls-finger %s" % target, "verdict", want, v)
            for target, key, idx, want in OUTCOME_ORACLE_CASES:
                v = oracle_outcome(posttls_finger(wd, target))
                oracle[("outcome", key, idx)] = v
                C.check("oracle posttls-finger %s" % target, "outcome", want, v)
        if a.world_only:
            return

        mx = os.path.abspath(a.mxsurvey)
        base = scan_base(st, allow=False)
        allow = ["--allow", "127.0.0.0/8"]
        E = expectations(st)
        keys = input_keys(W.MAIN_INPUT)
        assert set(keys) == set(E), "test table and input list differ"
        # "TLS13.Mxlab." repeats tls13.mxlab (case, trailing dot): scanned once, no record
        # of its own, counted as a duplicate in the summary.
        keys.remove("TLS13.Mxlab.")
        del E["TLS13.Mxlab."]

        # ---- run 1: file in, zstd file out ---------------------------------------------
        out1 = os.path.join(wd, "out.ndjson.zst")
        r1, _ = run_scan(mx, base + allow + ["-o", out1, st["domains"]], "run1-file", C, wd)
        C.check("run1-file", "duplicate counted in the summary", True,
                r1 is not None and b"1 duplicate input lines skipped" in r1.stderr)
        recs1 = []
        if os.path.exists(out1):
            z = subprocess.run(["zstd", "-dc", out1], capture_output=True)
            C.check("run1-file", "zstd -dc of the output", 0, z.returncode)
            recs1 = read_ndjson(z.stdout, "run1-file", C)
        else:
            C.check("run1-file", "output file written", True, False)
        by1 = index_records(recs1, keys, "run1-file", C)
        assert_cases(by1, E, "run1", C)

        # ---- run 2: stdout ---------------------------------------------------------------
        r, data = run_scan(mx, base + allow + ["-o", "-", st["domains"]], "run2-stdout", C, wd)
        with open(os.path.join(wd, "out2.ndjson"), "wb") as f:
            f.write(data or b"")
        by2 = index_records(read_ndjson(data or b"", "run2-stdout", C), keys, "run2-stdout", C)
        # ---- run 3: stdin ----------------------------------------------------------------
        out3 = os.path.join(wd, "out3.ndjson.zst")
        with open(st["domains"], "rb") as f:
            run_scan(mx, base + allow + ["-o", out3, "-"], "run3-stdin", C, wd, stdin=f.read())
        recs3 = []
        if os.path.exists(out3):
            recs3 = read_ndjson(open(out3, "rb").read(), "run3-stdin", C)
        by3 = index_records(recs3, keys, "run3-stdin", C)
        for what, by in (("run2-stdout", by2), ("run3-stdin", by3)):
            for k in keys:
                if k in by and k in by1:
                    C.check("%s %s" % (what, k), "record equal to run1's (minus times)",
                            json.dumps(normalise(by1[k]), sort_keys=True),
                            json.dumps(normalise(by[k]), sort_keys=True))

        # ---- run 4: WITHOUT --allow: the special-purpose address is never contacted -------
        out4 = os.path.join(wd, "out4.ndjson.zst")
        run_scan(mx, base + ["-o", out4, st["special_domains"]], "run4-noallow", C, wd)
        recs4 = read_ndjson(open(out4, "rb").read(), "run4-noallow", C) \
            if os.path.exists(out4) else []
        SE = special_expectations()
        by4 = index_records(recs4, list(SE), "run4-noallow", C)
        assert_cases(by4, SE, "run4", C)
        conns = misbehave_connections(st["misbehave_log"], W.MB_SPECIAL)
        C.check("run4-noallow", "connections logged on %s" % W.MB_SPECIAL, [], conns)

        # ---- run 8: WITHOUT --ca-file: the system's store (here only the second CA) --------
        if st.get("system_ca_installed"):
            _, out8 = run_scan(mx, drop_option(base, "--ca-file") + ["--allow", "127.0.0.0/8",
                                                                     "-o", "-"],
                                "run8-system-store", C, wd,
                                stdin=b"sts-sysca.mxlab\nsts-enforce.mxlab\n")
            by8 = {key_of(x): x for x in read_ndjson(out8, "run8-system-store", C)}
            C.check("run8-system-store", "sts-sysca.mxlab mta_sts.status (its CA is the system's)",
                    "valid", by8.get("sts-sysca.mxlab", {}).get("mta_sts", {}).get("status"))
            C.check("run8-system-store", "sts-enforce.mxlab mta_sts.result_type (test CA unknown)",
                    "sts-webpki-invalid",
                    by8.get("sts-enforce.mxlab", {}).get("mta_sts", {}).get("result_type"))
        else:
            C.check("run8-system-store", "the system CA case is armed (private mount namespace)",
                    True, False)

        # ---- run 6 (and 7 with --valgrind): hostile and broken peers --------------------
        run_hostile(mx, base, allow, wd, st, C, a.valgrind)

        # ---- run 5: SIGTERM, then SIGINT twice: stop cleanly, keep what was finished ------
        sig_in = os.path.join(wd, "signal-domains.txt")
        with open(sig_in, "w") as f:
            f.write("no-banner.mxlab\ndane-ok.mxlab\n")
        slow = drop_option(base, "--timeout-banner")
        for what, signals, grace in (("run5-sigterm", [signal.SIGTERM], "1"),
                                     ("run5-sigint-twice", [signal.SIGINT, signal.SIGINT], "60")):
            out5 = os.path.join(wd, what + ".ndjson.zst")
            # --tls-profile off: the timing above (dane-ok done within 2 s) is the probes';
            # a profile's interruption is unit.test_profile_loop's (profile_free in flight)
            cmd = [mx, "scan"] + slow + allow + ["--tls-profile", "off", "--timeout-banner", "120",
                                                 "--grace", grace, "-o", out5, sig_in]
            p5 = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(2.0)   # dane-ok finishes; no-banner waits for a greeting that never comes
            for sig in signals:
                p5.send_signal(sig)
                time.sleep(0.3)
            try:
                _, err5 = p5.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                p5.kill()
                _, err5 = p5.communicate()
            C.check(what, "exit status (interrupted)", 3, p5.returncode)
            z = subprocess.run(["zstd", "-dc", out5], capture_output=True)
            C.check(what, "zstd -dc of the interrupted output", 0, z.returncode)
            recs5 = [json.loads(l) for l in z.stdout.decode().splitlines() if l.strip()]
            check_schema(recs5, what, C)
            doms = sorted(r["domain"] for r in recs5)
            C.check(what, "records kept", ["dane-ok.mxlab"], doms)
            C.check(what, "message on stderr", True, b"finishing 1 domains in flight" in err5)

        # ---- oracle vs mxsurvey ----------------------------------------------------------
        if not a.no_oracle:
            for target, key, idx, want in ORACLE_CASES:
                rec = by1.get(key)
                if rec is None:
                    continue
                got = get(rec, "mx.%d.addresses.0.dane.status" % idx)
                v = oracle[(key, idx)]
                C.check("oracle-vs-mxsurvey %s" % target,
                        "mx.%d.addresses.0.dane.status (posttls-finger: %s)" % (idx, v),
                        OneOf(*ORACLE_MAP[v]) if len(ORACLE_MAP[v]) > 1 else
                        (ORACLE_MAP[v][0] if ORACLE_MAP[v] else ABSENT), got)
            for target, key, idx, want in OUTCOME_ORACLE_CASES:
                rec = by1.get(key)
                v = oracle[("outcome", key, idx)]
                C.check("oracle-vs-mxsurvey %s" % target,
                        "mx.%d.addresses.0.smtp.outcome (posttls-finger: %s)" % (idx, v), v,
                        get(rec, "mx.%d.addresses.0.smtp.outcome" % idx) if rec else None)
        if a.compare_with:
            compare_with(os.path.abspath(a.compare_with), base + allow, wd, st, out1)
    return run_driver("mxsurvey-world-", a.keep, body)


def compare_with(old, args, wd, st, out1):
    """The old binary's records of run 1 and run 6 on this world, diffed with the new's."""
    diff = os.path.join(HERE, "..", "..", "scripts", "record-diff.py")
    for what, inp, new in (("run1", st["domains"], out1),
                           ("run6-hostile", st["hostile_domains"],
                            os.path.join(wd, "out6.ndjson"))):
        old_out = os.path.join(wd, "old-%s.ndjson" % what)
        subprocess.run([old, "scan"] + args + ["-q", "-o", old_out, inp], capture_output=True,
                       timeout=240)
        r = subprocess.run([sys.executable, diff, old_out, new], capture_output=True, text=True)
        print("[compare] %s: old %s vs new\n%s%s" % (what, old, r.stdout, r.stderr), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mxsurvey", required=True, help="path to the mxsurvey binary")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir even on success")
    ap.add_argument("--no-oracle", action="store_true", help="skip the posttls-finger oracle")
    ap.add_argument("--valgrind", metavar="PATH", default=None,
                    help="also scan the hostile cases and a few ordinary domains under valgrind "
                         "with this binary (mxsurvey built without mimalloc, whose heap memcheck "
                         "does not see)")
    ap.add_argument("--world-only", action="store_true",
                    help="only build the world and run the dig/posttls-finger checks")
    ap.add_argument("--compare-with", metavar="OLD_MXSURVEY", default=None,
                    help="diff the records of this (older) binary on the same world with the "
                         "new one's (scripts/record-diff.py); adds no assertion")
    a = ap.parse_args()
    if not a.world_only and not os.access(a.mxsurvey, os.X_OK):
        print("mxsurvey binary not found or not executable: %s" % a.mxsurvey)
        print("0 passed, 1 failed")
        return 1
    return W.run_in_namespace(__file__, NS_ENV, "ports 25/53", lambda: in_namespace_main(a))


if __name__ == "__main__":
    sys.exit(main())
