#!/usr/bin/env python3
"""mxsurvey report against hand-built records (scan1.ndjson: the current scan; scan0-*:
the previous one, in two shards). Every expected figure was counted by hand from the
fixtures; see the comments. Usage: run_report_tests.py --mxsurvey PATH"""
import argparse, csv, io, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FAILS = []


def check(what, got, want):
    if got != want:
        FAILS.append(f"{what}: got {got!r}, want {want!r}")


def run(mx, *args, rc=0):
    p = subprocess.run([mx, "report", *args], capture_output=True, text=True, timeout=120)
    if p.returncode != rc:
        FAILS.append(f"report {' '.join(args)}: exit {p.returncode}, want {rc}\n{p.stderr}")
    return p


# figure key -> (count, denominator); None: a plain count without a share.
# scan1 has 18 records in the vocabulary before smtp.outcome (a.pt to q.pt: no outcome, no
# summary.inconclusive; an address with smtp.starttls counts as engaged, one without as
# "unknown") and 7 in the current one (r.pt to x.pt, after the blank line):
#   r.pt  mx1.bigmail.pt engaged, mx.spamwall.pt greets 421: all, inconclusive 1
#   s.pt  its only MX greets 554: refused
#   t.pt  connection refused: unreachable
#   u.pt  DANE at both MX hosts, the backup's address down: all, DANE valid, inconclusive 1
#   v.pt  dual-stack MX, the AAAA address not attempted (no IPv6 route): all, inconclusive 1
#   w.pt  mx1.bigmail.pt engaged, mx3.bigmail.pt closes after its greeting (lost)
#   x.pt  DANE published, its only MX greets 421: refused, DANE inconclusive (valid in scan0)
SCAN1 = {
    "population.records": (25, 25),            # 26 lines, one blank
    "population.status.ok": (20, 25),
    "population.status.nxdomain": (1, 25),     # j
    "population.status.no-mail": (1, 25),      # k
    "population.status.dns-error": (1, 25),    # l
    "population.status.invalid": (1, 25),
    "population.status.excluded": (1, 25),     # m: a status the report does not know
    # An MX address engaged: ok but h, t (unreachable), s, x (refused)
    "population.receives_mail": (16, 25),
    "population.mx_hosts_unique": (24, None),  # mx1.bigmail.pt serves r and w
    "population.addresses_unique": (24, None),
    # STARTTLS over the 16 domains with an engaged address; the other 4 ok domains apart
    "transport.starttls.all": (14, 16),        # 10 old ones, r, u, v, w
    "transport.starttls.some": (1, 16),        # q: second MX answers 454
    "transport.starttls.none": (1, 16),        # g
    "transport.no_engaged.refused": (2, 20),   # s, x
    "transport.no_engaged.unreachable": (2, 20),  # h, t
    "transport.some_inconclusive": (7, 20),    # r to x (the old records have no count)
    # per unique address: 13 old ones with smtp.starttls and 192.0.2.30, .43, .45
    "transport.address_outcome.engaged": (16, 24),
    "transport.address_outcome.refused": (3, 24),      # .31 (421), .41 (554), .46 (421)
    "transport.address_outcome.lost": (1, 24),         # .32
    "transport.address_outcome.unreachable": (2, 24),  # .42, .44
    "transport.address_outcome.not-attempted": (1, 24),  # 2001:db8::45
    "transport.address_outcome.unknown": (1, 24),      # h's, an old record without starttls
    "transport.domains_tls": (15, 20),
    "transport.domain_tls_worst.TLSv1.3": (9, 15),
    "transport.domain_tls_worst.TLSv1.2": (5, 15),  # c, f (weakest MX), p, q, v
    "transport.domain_tls_worst.TLSv1": (1, 15),    # d
    "transport.domain_cipher.TLS_AES_256_GCM_SHA384": (7, 15),
    "transport.domain_cipher.ECDHE-ECDSA-AES256-GCM-SHA384": (1, 15),  # f: its TLS 1.2 MX
    "transport.domain_fs_all": (13, 15),       # not d, q (static RSA)
    "transport.addresses_tls": (14, 24),
    "transport.address_tls_version.TLSv1.3": (8, 14),
    "transport.address_tls_version.TLSv1.2": (5, 14),
    "transport.address_tls_version.TLSv1": (1, 14),
    "transport.address_cipher.TLS_AES_256_GCM_SHA384": (5, 14),  # 192.0.2.1 once for a, b, n, o
    "transport.address_fs": (12, 14),
    "transport.address_key.EC-256": (7, 14),
    "transport.address_key.RSA-2048": (4, 14),
    "transport.address_key.RSA-1024": (1, 14),
    "certs.pkix_valid_all": (12, 15),          # not d (expired), i and n (name)
    "certs.expired": (1, 15),
    "certs.self_signed": (1, 15),
    "certs.wrong_name": (2, 15),
    "certs.expiring_30d": (1, 15),             # i: 10 days after its scan
    "dnssec.domain.secure": (10, 23),
    "dnssec.domain.insecure": (12, 23),
    "dnssec.domain.bogus": (1, 23),
    "dnssec.mx_host.secure": (11, 24),
    "dnssec.mx_host.insecure": (13, 24),
    # DANE adoption over the 16 domains with an engaged address
    "dane.summary.valid": (4, 16),             # a, b, o, u (its backup down)
    "dane.summary.partial": (1, 16),           # f
    "dane.summary.invalid": (3, 16),           # e (mismatch), n (usage 1 only), p (bogus TLSA)
    "dane.summary.none": (8, 16),              # c, d, g, i, q, r, v, w
    "dane.no_engaged.inconclusive": (1, 20),   # x
    "dane.no_engaged.invalid": (0, 20),
    "dane.no_engaged.none": (3, 20),           # h, s, t
    "dane.tlsa_mx.all": (6, 20),               # a, b, n, o, u, x
    "dane.tlsa_mx.some": (2, 20),              # e, f
    "dane.tlsa_mx.none": (12, 20),
    "dane.address.valid": (6, 28),
    "dane.address.mismatch": (1, 28),
    "dane.address.unusable": (1, 28),
    "dane.address.tlsa-bogus": (1, 28),
    "dane.address.no-tlsa": (17, 28),
    "dane.address.inconclusive": (2, 28),      # u's backup, x
    "dane.host_tlsa.secure": (8, 24),
    "dane.host_tlsa.bogus": (1, 24),
    "dane.host_tlsa.none": (15, 24),
    "dane.tlsa_combo.3 1 1": (7, 9),
    "dane.tlsa_combo.2 1 1": (1, 9),
    "dane.tlsa_combo.1 1 1": (1, 9),
    "mta_sts.txt_present": (6, 20),
    "mta_sts.status.valid": (3, 20),           # a, c, o
    "mta_sts.status.none": (13, 20),
    "mta_sts.status.fetch-error": (1, 20),
    "mta_sts.status.policy-invalid": (1, 20),
    "mta_sts.status.txt-invalid": (1, 20),
    "mta_sts.status.dns-error": (1, 20),
    "mta_sts.mode.enforce": (2, 3),
    "mta_sts.mode.testing": (1, 3),
    "mta_sts.mx_mismatch": (1, 3),             # o
    "mta_sts.error.fetch-error: HTTP status 404": (1, 20),
    "mta_sts.error.policy-invalid: no mx pattern": (1, 20),
    "tls_rpt.status.valid": (3, 20),
    "tls_rpt.status.invalid": (1, 20),
    "tls_rpt.status.dns-error": (1, 20),
    "tls_rpt.status.none": (15, 20),
    "sender.dane.action.deliver": (5, 23),
    "sender.dane.action.deliver-unauthenticated": (9, 23),
    "sender.dane.action.defer": (7, 23),       # 4 old ones, s, t, x
    "sender.dane.action.no-route": (2, 23),
    "sender.dane.defer_reason.dnssec-invalid": (2, 7),
    "sender.dane.defer_reason.certificate-not-trusted": (1, 7),
    "sender.dane.defer_reason.no MX host answered": (4, 7),
    "sender.mta_sts.action.deliver": (3, 23),
    "sender.mta_sts.action.deliver-unauthenticated": (11, 23),
    "sender.mta_sts.result_type.sts-policy-fetch-error": (1, 23),
}

# name, domains, engaged, STARTTLS all, DANE valid, MTA-STS valid, enforce, refused, lost.
# STARTTLS all and DANE valid are over the engaged domains; refused and lost say that an
# address of this operator's own MX hosts did so.
OPERATORS = [
    ("hoster.pt", 4, 4, 4, 3, 2, 2, 0, 0),     # a, b, n, o (old records: no outcome)
    ("bigmail.pt", 2, 2, 2, 0, 0, 0, 0, 1),    # r, w (mx3 lost); r's refusal is spamwall's
    ("spamwall.pt", 1, 1, 1, 0, 0, 0, 1, 0),   # r: engaged at bigmail, refused here
    ("s.pt", 1, 0, 0, 0, 0, 0, 1, 0),
    ("t.pt", 1, 0, 0, 0, 0, 0, 0, 0),
    ("u.pt", 1, 1, 1, 1, 0, 0, 0, 0),          # its unreachable backup is no refusal
    ("v.pt", 1, 1, 1, 0, 0, 0, 0, 0),
    ("x.pt", 1, 0, 0, 0, 0, 0, 1, 0),
    ("h.pt", 1, 0, 0, 0, 0, 0, 0, 0),          # old record, unreachable
    ("q.pt", 1, 1, 0, 0, 0, 0, 0, 0),          # STARTTLS some
]
OP_KEYS = ["domains", "engaged", "starttls_all", "dane_valid", "mta_sts_valid",
           "mta_sts_enforce", "refused", "lost"]


def figures_json(mx, *files, extra=()):
    p = run(mx, "--format", "json", "-q", *files, *extra)
    return json.loads(p.stdout) if p.returncode == 0 else None


def check_figures(name, doc, want):
    figs = doc["figures"]
    for k, (c, d) in want.items():
        f = figs.get(k)
        if f is None:
            FAILS.append(f"{name}: figure {k} missing")
            continue
        check(f"{name} {k} count", f["count"], c)
        check(f"{name} {k} denominator", f["denominator"], d)
        if d:
            check(f"{name} {k} share", round(f["share"], 6), round(100.0 * c / d, 6))


def test_scan1(mx, tmp):
    s1 = os.path.join(HERE, "scan1.ndjson")
    doc = figures_json(mx, s1)
    if not doc:
        return
    check_figures("scan1", doc, SCAN1)
    check("scan1 records", doc["scan"]["inputs"][0]["records"], 25)
    check("scan1 first scan", doc["scan"]["first_scanned_at"], "2026-11-20T10:00:00Z")
    check("scan1 last scan", doc["scan"]["last_scanned_at"], "2026-11-20T10:00:24Z")
    ops = {o["operator"]: o for o in doc["operators"]}
    for name, *v in OPERATORS:
        o = ops.get(name)
        if not o:
            FAILS.append(f"operator {name} missing")
            continue
        check(f"operator {name}", [o[k] for k in OP_KEYS], v)
    check("operators first", [o["operator"] for o in doc["operators"][:2]],
          ["hoster.pt", "bigmail.pt"])
    # The Public Suffix List: com.pt is a public suffix, so shop.com.pt is the operator.
    check("operator under com.pt", "shop.com.pt" in ops, True)
    check("operators total", doc["operators_total"], 17)
    check("no compare section", "changed_domains" in doc, False)

    # One threads' worth or two, one file or shards (plain + zstd): the same figures.
    lines = open(s1).read().splitlines(keepends=True)
    a, b = os.path.join(tmp, "s1a.ndjson"), os.path.join(tmp, "s1b.ndjson")
    open(a, "w").writelines(lines[:7])
    open(b, "w").writelines(lines[7:])
    subprocess.run(["zstd", "-q", "-f", "--rm", b, "-o", b + ".zst"], check=True)
    for extra, files in ((("--threads", "1"), (s1,)), ((), (a, b + ".zst"))):
        d2 = figures_json(mx, *files, extra=extra)
        if d2:
            strip = lambda d: {k: (v["count"], v["denominator"]) for k, v in d["figures"].items()}
            check(f"same figures with {extra} {len(files)} file(s)", strip(d2), strip(doc))

    # Markdown (default) carries the same numbers.
    md = run(mx, "-q", s1).stdout
    for line in ("| Domains scanned (records) | 25 | 25 | 100.0% |",
                 "| STARTTLS on the engaged MX addresses: all | 14 | 16 | 87.5% |",
                 "| No MX address engaged: refused | 2 | 20 | 10.0% |",
                 "| SMTP outcome (per unique address): unknown | 1 | 24 | 4.2% |",
                 "| DANE (domains with an engaged MX address): partial | 1 | 16 | 6.2% |",
                 "| DANE where no MX address engaged: inconclusive | 1 | 20 | 5.0% |",
                 "| TLSA usage selector type (secure, unique hosts): 3 1 1 | 7 | 9 | 77.8% |",
                 "| Status: excluded | 1 | 25 | 4.0% |",
                 "| operator | domains | engaged | STARTTLS all | DANE valid | MTA-STS valid "
                 "| MTA-STS enforce | refused | lost |",
                 "| hoster.pt | 4 | 4 (100.0%) | 4 (100.0%) | 3 (75.0%) | 2 (50.0%) | 2 (50.0%) "
                 "| 0 (0.0%) | 0 (0.0%) |",
                 "| bigmail.pt | 2 | 2 (100.0%) | 2 (100.0%) | 0 (0.0%) | 0 (0.0%) | 0 (0.0%) "
                 "| 0 (0.0%) | 1 (50.0%) |",
                 # no share over no engaged domain
                 "| s.pt | 1 | 0 (0.0%) | 0 | 0 | 0 (0.0%) | 0 (0.0%) | 1 (100.0%) | 0 (0.0%) |"):
        check(f"markdown line {line!r}", line in md.splitlines(), True)
    # CSV: same rows.
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(run(mx, "-q", "--format", "csv", s1).stdout))}
    for k, (c, d) in SCAN1.items():
        r = rows.get(k)
        check(f"csv {k}", (r["count"], r["denominator"]) if r else None, (str(c), str(d) if d else ""))
    for key, want in (("operators.hoster.pt.dane_valid", ("3", "4")),   # over engaged
                      ("operators.spamwall.pt.refused", ("1", "1")),    # over domains
                      ("operators.bigmail.pt.lost", ("1", "2")),
                      ("operators.x.pt.engaged", ("0", "1")),
                      ("operators.x.pt.starttls_all", ("0", "0")),
                      ("operators.x.pt.domains", ("1", "20"))):         # over population.ok
        r = rows.get(key, {})
        check(f"csv {key}", (r.get("count"), r.get("denominator")), want)



PREV = {  # previous values (scan0: 10 records in two shards, all engaged)
    "population.records": (10, 10),
    "population.receives_mail": (10, 10),
    "dane.summary.valid": (4, 10),             # b, e, o, x
    "mta_sts.status.valid": (2, 10),           # d, o
    "transport.address_cipher.DES-CBC3-SHA": (1, 7),
}
CHANGES = {
    # u.pt is new in this scan ("-": no previous state), as a new valid domain always was
    "dane.adopted": [("a.pt", "none -> valid"), ("u.pt", "- -> valid")],
    "dane.broken": [("e.pt", "valid -> invalid"), ("n.pt", "none -> invalid")],
    # x.pt's only MX throttled the scanner: not broken, newly inconclusive
    "dane.inconclusive": [("x.pt", "valid -> inconclusive")],
    "mta_sts.adopted": [("a.pt", "none -> valid:enforce"), ("c.pt", "none -> valid:testing")],
    "mta_sts.broken": [("d.pt", "valid:enforce -> fetch-error")],
}


def test_compare(mx, tmp):
    s1 = os.path.join(HERE, "scan1.ndjson")
    p2 = os.path.join(tmp, "scan0-part2.ndjson.zst")
    subprocess.run(["zstd", "-q", "-f", os.path.join(HERE, "scan0-part2.ndjson"), "-o", p2], check=True)
    doc = figures_json(mx, s1, extra=("--compare", os.path.join(HERE, "scan0-part1.ndjson"), p2))
    if not doc:
        return
    check_figures("compare now", doc, SCAN1)
    figs = doc["figures"]
    for k, (c, d) in PREV.items():
        p = figs.get(k, {}).get("previous", {})
        check(f"previous {k}", (p.get("count"), p.get("denominator")), (c, d))
    ch = figs["dane.summary.valid"]["change"]
    check("change count dane valid", ch["count"], 0)
    check("change pp dane valid", round(ch["share_pp"], 4), round(100 * 4 / 16 - 100 * 4 / 10, 4))
    # A value only the old scan had is shown with 0 now.
    check("old-only value now", figs["transport.address_cipher.DES-CBC3-SHA"]["count"], 0)
    check("changes.domains_new", figs["changes.domains_new"]["count"], 16)
    check("changes.domains_gone", figs["changes.domains_gone"]["count"], 1)   # z.pt
    for kind, want in CHANGES.items():
        check(f"changes.{kind}", figs[f"changes.{kind}"]["count"], len(want))
        got = [(c["domain"], c["change"]) for c in doc["changed_domains"][kind]]
        check(f"changed_domains {kind}", got, want)
    check("previous inputs", [i["records"] for i in doc["previous_scan"]["inputs"]], [5, 5])
    md = run(mx, "-q", s1, "--compare", os.path.join(HERE, "scan0-part1.ndjson"), p2).stdout
    for line in ("| DANE (domains with an engaged MX address): valid | 4 | 16 | 25.0% "
                 "| 4 / 10 (40.0%) | +0 (-15.0 pp) |",
                 "- d.pt: valid:enforce -> fetch-error", "### DANE newly broken (2)",
                 "### DANE newly inconclusive (1)", "- x.pt: valid -> inconclusive",
                 "| DANE newly inconclusive | 1 | 25 | 4.0% | | |"):
        check(f"compare markdown {line!r}", line in md.splitlines(), True)


# profile.ndjson (--tls-profile, issue 15): 9 domains, 8 unique addresses, six profiled
# (tests/report/make_profile_fixture.py writes it and says what each address is):
#   .1 basic: TLS 1.0 to 1.3, phase-out, secure renegotiation, RSA (DANE valid) + EC (DANE
#      mismatch): DANE fails some senders. p1.pt (TLSA) and p2.pt (no TLSA, shared: the same
#      address counted once, with the observation that has DANE)
#   .2 full: TLS 1.2 and 1.3, sufficient, good + sufficient suites, server order, DHE 3072
#      (sufficient), X25519 secp256r1 secp384r1, one EC certificate DANE valid. p3.pt
#   .3 full: TLS 1.0 and 1.2, insufficient, every class, no server order, DHE 1024
#      (insufficient), secp256r1, insecure renegotiation, RSA + EC, no DANE. p4.pt, p5.pt
#   .4 basic, partial (421 after three hellos): TLS 1.2 and 1.3, good, no certificates. p6.pt
#   .5 no profile (p6.pt's second MX); .7 no STARTTLS, no profile (p7.pt: not profiled)
#   .6 full: TLS 1.3 only, good, good suites only, no DHE (bits 0), X25519, no server
#      order learnt, ED25519 + RSA both DANE valid. p5.pt, p8.pt
#   .8 a profile from before mode and grade (versions only). p9.pt, no tls_grade
PROFILE = {
    "population.addresses_unique": (8, None),
    "tls_profile.addresses": (6, 8),
    "tls_profile.mode.basic": (2, 6), "tls_profile.mode.full": (3, 6),
    "tls_profile.mode.(none)": (1, 6),                     # .8
    "tls_profile.accepts.SSLv3": (0, 6), "tls_profile.accepts.TLSv1": (2, 6),
    "tls_profile.accepts.TLSv1.1": (1, 6), "tls_profile.accepts.TLSv1.2": (5, 6),
    "tls_profile.accepts.TLSv1.3": (5, 6),
    "tls_profile.grade.good": (2, 6), "tls_profile.grade.sufficient": (1, 6),
    "tls_profile.grade.phase-out": (1, 6), "tls_profile.grade.insufficient": (1, 6),
    "tls_profile.grade.(none)": (1, 6),
    "tls_profile.renegotiation_tested": (3, 6),            # .1 .2 .3
    "tls_profile.secure_renegotiation": (2, 3),
    "tls_profile.addresses_full": (3, 6),
    "tls_profile.cipher_class.good": (3, 3), "tls_profile.cipher_class.sufficient": (2, 3),
    "tls_profile.cipher_class.phase-out": (1, 3), "tls_profile.cipher_class.insufficient": (1, 3),
    "tls_profile.server_order": (1, 3),
    "tls_profile.dhe.good": (0, 3), "tls_profile.dhe.sufficient": (1, 3),
    "tls_profile.dhe.phase-out": (0, 3), "tls_profile.dhe.insufficient": (1, 3),
    "tls_profile.dhe.none": (1, 3),
    "tls_profile.dhe_bits.1024": (1, 3), "tls_profile.dhe_bits.3072": (1, 3),
    "tls_profile.ecdhe.X25519": (2, 3), "tls_profile.ecdhe.secp256r1": (2, 3),
    "tls_profile.ecdhe.secp384r1": (1, 3), "tls_profile.ecdhe.secp521r1": (0, 3),
    "tls_profile.addresses_certs": (4, 6),                 # .1 .2 .3 .6
    "tls_profile.multi_cert": (3, 4),
    "tls_profile.certs": (7, None),
    "tls_profile.cert_key.RSA": (3, 7), "tls_profile.cert_key.EC": (3, 7),
    "tls_profile.cert_key.ED25519": (1, 7),
    "tls_profile.dane_addresses": (3, 4),                  # .1 (from p1.pt) .2 .6
    "tls_profile.dane_match.all": (2, 3), "tls_profile.dane_match.some": (1, 3),
    "tls_profile.dane_match.none": (0, 3),
    "tls_profile.dane_certs": (5, None),
    "tls_profile.dane_valid.RSA": (2, 2), "tls_profile.dane_valid.EC": (1, 2),
    "tls_profile.dane_valid.ED25519": (1, 1),
    # per domain: p7 has no profiled address
    "tls_profile.domains": (8, 9),
    "tls_profile.domain_accepts.SSLv3": (0, 8), "tls_profile.domain_accepts.TLSv1": (4, 8),
    "tls_profile.domain_accepts.TLSv1.1": (2, 8), "tls_profile.domain_accepts.TLSv1.2": (7, 8),
    "tls_profile.domain_accepts.TLSv1.3": (7, 8),
    "tls_profile.legacy_domains": (4, 8),                  # p1 p2 p4 p5
    "tls_profile.domain_grade.good": (2, 8), "tls_profile.domain_grade.sufficient": (1, 8),
    "tls_profile.domain_grade.phase-out": (2, 8), "tls_profile.domain_grade.insufficient": (2, 8),
    "tls_profile.domain_grade.(none)": (1, 8),             # p9
    "tls_profile.domains_full": (4, 8),                    # p3 p4 p5 p8
    "tls_profile.domain_cipher_class.good": (4, 4),
    "tls_profile.domain_cipher_class.sufficient": (3, 4),
    "tls_profile.domain_cipher_class.phase-out": (2, 4),
    "tls_profile.domain_cipher_class.insufficient": (2, 4),
    "tls_profile.domains_dane": (4, 8),                    # p1 p3 p5 p8 (not p2)
    "tls_profile.domain_dane_some": (1, 4),                # p1
}
# The operator table's profile columns: (domains, profiled, legacy TLS, TLS insufficient),
# each counted by this operator's own MX hosts' addresses.
PROFILE_OPS = {
    "hostco.pt": (4, 4, 3, 2),   # p1 p3 p4 p5; legacy .1 .3 (p1 p4 p5); insufficient .3
    "p2.pt": (1, 1, 1, 0),       # .1 under another name
    "p5.pt": (1, 1, 0, 0),       # .6: p5's legacy TLS is hostco's
    "p7.pt": (1, 0, 0, 0),
}
PROFILE_OP_KEYS = ["domains", "tls_profiled", "legacy_tls", "tls_insufficient"]
PROFILE_CHANGES = {  # profile0.ndjson: the previous grades
    "tls_grade.worse": [("p3.pt", "good -> sufficient")],
    "tls_grade.better": [("p1.pt", "insufficient -> phase-out"), ("p8.pt", "phase-out -> good")],
}


def test_profile(mx, tmp):
    pf = os.path.join(HERE, "profile.ndjson")
    doc = figures_json(mx, pf)
    if not doc:
        return
    check_figures("profile", doc, PROFILE)
    sec = [s for s in doc["sections"] if s["id"] == "tls_profile"]
    check("profile section", len(sec), 1)
    if sec:
        got = [k for k in sec[0]["figures"] if k in PROFILE]
        check("profile section has every figure", sorted(got), sorted(k for k in PROFILE
                                                                       if k.startswith("tls_profile.")))
    # A scan without profiles has no such section (scan1 has none).
    d1 = figures_json(mx, os.path.join(HERE, "scan1.ndjson"))
    if d1:
        check("no profile section without profiles",
              [k for k in d1["figures"] if k.startswith("tls_profile.")], [])
    # One thread or two, one file or shards: .1 and .3 are in both halves, each worker keeps
    # its own observation and the merge keeps the same one.
    lines = open(pf).read().splitlines(keepends=True)
    a, b = os.path.join(tmp, "pa.ndjson"), os.path.join(tmp, "pb.ndjson")
    open(a, "w").writelines(lines[1::2])
    open(b, "w").writelines(lines[0::2])
    strip = lambda d: {k: (v["count"], v["denominator"]) for k, v in d["figures"].items()}
    for extra, files in ((("--threads", "1"), (pf,)), ((), (a, b)), (("--threads", "1"), (a, b))):
        d2 = figures_json(mx, *files, extra=extra)
        if d2:
            check(f"profile: same figures with {extra} {len(files)} file(s)", strip(d2), strip(doc))
    ops = {o["operator"]: o for o in doc["operators"]}
    for name, want in PROFILE_OPS.items():
        check(f"profile operator {name}", [ops.get(name, {}).get(k) for k in PROFILE_OP_KEYS],
              list(want))
    if d1:   # without profiles, no profile columns
        check("no profile operator columns", [k for o in d1["operators"] for k in o
                                              if k in PROFILE_OP_KEYS[1:]], [])
    md = run(mx, "-q", pf).stdout.splitlines()
    for line in ("## TLS profile: what each MX address accepts (--tls-profile)",
                 "| operator | domains | engaged | STARTTLS all | DANE valid | MTA-STS valid "
                 "| MTA-STS enforce | refused | lost | TLS profiled | legacy TLS | TLS insufficient |",
                 "| hostco.pt | 4 | 4 (100.0%) | 4 (100.0%) | 2 (50.0%) | 0 (0.0%) | 0 (0.0%) "
                 "| 0 (0.0%) | 0 (0.0%) | 4 (100.0%) | 3 (75.0%) | 2 (50.0%) |",
                 "| p7.pt | 1 | 1 (100.0%) | 0 (0.0%) | 0 (0.0%) | 0 (0.0%) | 0 (0.0%) | 0 (0.0%) "
                 "| 0 (0.0%) | 0 (0.0%) | 0 | 0 |",
                 "| Unique addresses profiled | 6 | 8 | 75.0% |",
                 "| Accepts (per profiled address): TLSv1 | 2 | 6 | 33.3% |",
                 "| Accepts a cipher suite of class (full mode): insufficient | 1 | 3 | 33.3% |",
                 "| DHE group class (full mode): none | 1 | 3 | 33.3% |",
                 "| Accepts ECDHE group (full mode): secp521r1 | 0 | 3 | 0.0% |",
                 "| More than one certificate | 3 | 4 | 75.0% |",
                 "| Certificates (distinct per address) | 7 |  |  |",
                 "| DANE-valid certificates of the address (some: DANE fails some senders): some "
                 "| 1 | 3 | 33.3% |",
                 "| DANE-valid EC certificates (of those DANE was judged for) | 1 | 2 | 50.0% |",
                 "| Domains with an MX that accepts: TLSv1.1 | 2 | 8 | 25.0% |",
                 "| Domain grade (summary.tls_grade): insufficient | 2 | 8 | 25.0% |",
                 "| Domains with an MX whose certificates match TLSA only in part (DANE fails "
                 "some senders) | 1 | 4 | 25.0% |"):
        check(f"profile markdown {line!r}", line in md, True)
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(run(mx, "-q", "--format", "csv", pf).stdout))}
    for k, (c, d) in PROFILE.items():
        r = rows.get(k)
        check(f"profile csv {k}", (r["count"], r["denominator"], r["section"]) if r else None,
              (str(c), str(d) if d else "", "tls_profile" if k.startswith("tls_profile.") else "population"))
    for key, want in (("operators.hostco.pt.legacy_tls", ("3", "4")),      # over profiled
                      ("operators.hostco.pt.tls_profiled", ("4", "4")),    # over domains
                      ("operators.p5.pt.tls_insufficient", ("0", "1"))):
        r = rows.get(key, {})
        check(f"profile csv {key}", (r.get("count"), r.get("denominator")), want)
    html = os.path.join(tmp, "profile.html")
    run(mx, "-q", "--html", html, pf)
    page = open(html).read() if os.path.exists(html) else ""
    check("profile html headline", '<div class="card"><div class="big">50.0%</div><div>an MX '
          'accepts SSLv3, TLS 1.0 or 1.1</div><div class="small">4 of 8</div></div>' in page, True)
    check("profile html operator columns", "<th>lost</th><th>TLS profiled</th><th>legacy TLS</th>"
          "<th>TLS insufficient</th></tr>" in page, True)
    check("profile html operator row", "<tr><td>hostco.pt</td><td>4</td>" in page and
          "<td>4 (100.0%)</td><td>3 (75.0%)</td><td>2 (50.0%)</td></tr>" in page, True)
    check("profile html section", '<h2 id="tls_profile">TLS profile: what each MX address accepts '
          '(--tls-profile)</h2>' in page, True)
    for k, (c, d) in PROFILE.items():
        if k not in doc["figures"]:
            continue                       # reported missing by check_figures
        label = doc["figures"][k]["label"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        cell = f"<tr><td>{label}</td><td>{c}</td><td>{d if d else ''}</td><td>"
        if d:
            cell += "%.1f%%" % (100.0 * c / d)
        check(f"profile html row {k}", cell + "</td></tr>" in page, True)

    # Nor grade changes when neither scan made profiles.
    d0 = figures_json(mx, os.path.join(HERE, "scan1.ndjson"),
                      extra=("--compare", os.path.join(HERE, "scan0-part1.ndjson")))
    if d0:
        check("no grade changes without profiles",
              ([k for k in d0["figures"] if k.startswith("changes.tls_grade")],
               [k for k in d0["changed_domains"] if k.startswith("tls_grade")]), ([], []))
    plain = os.path.join(tmp, "scan1.html")
    run(mx, "-q", "--html", plain, os.path.join(HERE, "scan1.ndjson"))
    page = open(plain).read() if os.path.exists(plain) else "TLS profiled"
    check("no profile section or columns in html without profiles",
          ("TLS profiled" in page, 'id="tls_profile"' in page), (False, False))

    # --compare: the domains whose grade changed; no grade on one side is no change (p6.pt,
    # p9.pt), nor is the same grade (p4.pt).
    cmp_ = figures_json(mx, pf, extra=("--compare", os.path.join(HERE, "profile0.ndjson")))
    if not cmp_:
        return
    figs = cmp_["figures"]
    for kind, want in PROFILE_CHANGES.items():
        check(f"changes.{kind}", figs.get(f"changes.{kind}", {}).get("count"), len(want))
        got = [(c["domain"], c["change"]) for c in cmp_["changed_domains"].get(kind, [])]
        check(f"changed_domains {kind}", got, want)
    p = figs.get("tls_profile.domain_grade.insufficient", {}).get("previous", {})
    check("previous domain grade insufficient", (p.get("count"), p.get("denominator")), (2, 4))
    md = run(mx, "-q", pf, "--compare", os.path.join(HERE, "profile0.ndjson")).stdout.splitlines()
    for line in ("### TLS profile grade worse (1)", "- p3.pt: good -> sufficient",
                 "### TLS profile grade better (2)", "- p8.pt: phase-out -> good",
                 "| TLS profile grade better | 2 | 9 | 22.2% | | |"):
        check(f"profile compare markdown {line!r}", line in md, True)
    rows = list(csv.reader(io.StringIO(run(mx, "-q", "--format", "csv", pf, "--compare",
                                           os.path.join(HERE, "profile0.ndjson")).stdout)))
    got = sorted((r[1], r[2]) for r in rows if r and r[0] == "changed_domains"
                 and r[1].startswith("tls_grade."))
    check("profile compare csv", got, sorted((k, d) for k, v in PROFILE_CHANGES.items() for d, _ in v))
    html = os.path.join(tmp, "profile-cmp.html")
    run(mx, "-q", "--html", html, pf, "--compare", os.path.join(HERE, "profile0.ndjson"))
    page = open(html).read() if os.path.exists(html) else ""
    check("profile compare html", "<tr><td>tls_grade.worse</td><td>p3.pt</td><td>good -&gt; "
          "sufficient</td></tr>" in page, True)


def test_profile_hostile(mx, tmp):
    """Profiles a hostile or broken writer could produce: wrong types are no profile or no
    value, strings are cut to 40 bytes without separators, lists to 8 entries."""
    def rec(domain, ip, tp, grade="good"):
        return {"domain": domain, "status": "ok", "scanned_at": "2026-12-01T10:00:00Z",
                "summary": {"starttls": "all", "dane": "none", "legacy_tls": False, "tls_grade": grade},
                "mx": [{"host": "mx." + domain, "addresses": [
                    {"ip": ip, "smtp": {"outcome": "engaged", "starttls": "offered"}, "tls_profile": tp}]}]}
    weird = {"mode": "full", "versions": {"TLSv1.3": "accepted"}, "grade": "x" * 300,
             "ciphers": {"good": {"accepted": "yes"}, "insufficient": {"accepted": True}, "bogus": 1},
             "kex": {"dhe": {"bits": "many", "class": "phase-out"}, "ecdhe": [1, "a,b:c\u001e", None] * 4},
             "certs": [{"key_type": "R,S:A\u001f\u001e", "dane": {"status": "valid"}}] * 20 + ["x"],
             "server_order": "yes", "renegotiation": {"secure": 1}}
    recs = [rec("h1.pt", "203.0.113.1", "not an object"),
            rec("h2.pt", "203.0.113.2", {"versions": ["TLSv1"], "mode": "full"}),
            rec("h3.pt", "203.0.113.3", weird, grade="bad\u001fgrade")]
    path = os.path.join(tmp, "hostile.ndjson")
    with open(path, "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")
    doc = figures_json(mx, path)
    if not doc:
        return
    want = {
        "tls_profile.addresses": (1, 3),                      # h3 only
        "tls_profile.grade." + "x" * 40: (1, 1),
        "tls_profile.addresses_full": (1, 1),
        "tls_profile.cipher_class.good": (0, 1),             # "yes" is not true
        "tls_profile.cipher_class.insufficient": (1, 1),
        "tls_profile.server_order": (0, 1),
        "tls_profile.renegotiation_tested": (0, 1),
        "tls_profile.dhe.phase-out": (1, 1),
        "tls_profile.ecdhe.?": (1, 1),                       # 1 and None; once an address
        "tls_profile.ecdhe.a?b?c?": (1, 1),
        "tls_profile.certs": (8, None),
        "tls_profile.cert_key.R?S?A??": (8, 8),
        "tls_profile.dane_valid.R?S?A??": (8, 8),
        "tls_profile.dane_match.all": (1, 1),
        "tls_profile.domains": (3, 3),
        "tls_profile.domain_grade.bad?grade": (1, 3),
    }
    check_figures("hostile profile", doc, want)
    check("hostile profile: no DHE size", [k for k in doc["figures"] if k.startswith("tls_profile.dhe_bits.")], [])
    ops = {o["operator"]: o.get("tls_profiled") for o in doc["operators"]}
    check("hostile profile: operators profiled", ops, {"h1.pt": 0, "h2.pt": 0, "h3.pt": 1})
    # the same file as the previous scan: a grade with a separator in it is no grade
    doc = figures_json(mx, path, extra=("--compare", path))
    if doc:
        check("hostile profile compare",
              doc["figures"].get("changes.tls_grade.worse", {}).get("count"), 0)
    # A comparable state longer than its buffer once lost its separator (a NULL dereference
    # in --compare for a 150-byte summary.dane): each part is now cut to 60 bytes.
    long = os.path.join(tmp, "long.ndjson")
    r = rec("l.pt", "203.0.113.9", None)
    r["summary"]["dane"] = "x" * 150
    with open(long, "w") as f:
        f.write(json.dumps(r) + "\n")
    figures_json(mx, long, extra=("--compare", long))


def test_errors(mx, tmp):
    s1 = os.path.join(HERE, "scan1.ndjson")
    bad = os.path.join(tmp, "bad.ndjson")
    lines = open(s1).read().splitlines(keepends=True)
    open(bad, "w").writelines(lines[:4] + ["this is not json\n"] + lines[4:])
    p = run(mx, "-q", bad, rc=1)
    check("non-JSON line message", f"{bad}:5: not JSON" in p.stderr, True)
    arr = os.path.join(tmp, "arr.ndjson")
    open(arr, "w").write(lines[0] + "[1,2]\n")
    check("array line", f"{arr}:2: not a JSON object" in run(mx, "-q", arr, rc=1).stderr, True)
    two = os.path.join(tmp, "two.ndjson")
    open(two, "w").write(lines[0].rstrip("\n") + " {}\n")
    check("two values on a line", f"{two}:1: not JSON" in run(mx, "-q", two, rc=1).stderr, True)
    missing = os.path.join(tmp, "missing.ndjson")
    check("missing file", f"{missing}: No such file" in run(mx, "-q", missing, rc=1).stderr, True)
    # Corrupt zstd: a valid frame, then garbage inside the second frame.
    z = os.path.join(tmp, "corrupt.ndjson.zst")
    f1 = subprocess.run(["zstd", "-q", "-c", s1], capture_output=True, check=True).stdout
    f2 = bytearray(subprocess.run(["zstd", "-q", "-c", "--no-check", s1], capture_output=True,
                                  check=True).stdout)
    for i in range(12, len(f2) - 4):
        f2[i] ^= 0x5a
    open(z, "wb").write(f1 + bytes(f2))
    p = run(mx, "-q", z, rc=1)
    check("corrupt zstd message", f"{z}:" in p.stderr and "corrupt zstd data" in p.stderr, True)
    # A torn last frame (an unfinished scan): the complete records count, with a warning.
    torn = os.path.join(tmp, "torn.ndjson.zst")
    def frame(text):
        return subprocess.run(["zstd", "-q", "-c"], input=text.encode(), capture_output=True,
                              check=True).stdout
    f3, f4 = frame("".join(lines[:6])), frame("".join(lines[6:12]))
    open(torn, "wb").write(f1 + f3 + f4[: len(f4) // 2])
    p = run(mx, "--format", "json", torn)
    check("torn frame warning", "last zstd frame is incomplete" in p.stderr, True)
    if p.returncode == 0:
        doc = json.loads(p.stdout)
        check("torn frame: whole frames read", doc["figures"]["population.records"]["count"], 25 + 6)
        check("torn frame warnings counted", doc["warnings"], 1)
    # An unterminated last line that is cut: warning, not error.
    cut = os.path.join(tmp, "cut.ndjson")
    open(cut, "w").write("".join(lines[:3]) + lines[3][:100])
    p = run(mx, "--format", "json", cut)
    check("cut last line warning", f"{cut}:4: incomplete last record ignored" in p.stderr, True)
    if p.returncode == 0:
        check("cut last line records", json.loads(p.stdout)["figures"]["population.records"]["count"], 3)
    run(mx, "--format", "xml", s1, rc=2)
    run(mx, rc=2)
    run(mx, s1, "--compare", rc=2)
    run(mx, "--bogus", s1, rc=2)
    check("--help", "--compare OLD" in run(mx, "--help").stdout, True)
    check("no psl", "cannot load" in run(mx, "--psl", missing, s1, rc=1).stderr, True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mxsurvey", required=True)
    mx = ap.parse_args().mxsurvey
    with tempfile.TemporaryDirectory() as tmp:
        test_scan1(mx, tmp)
        test_compare(mx, tmp)
        test_profile(mx, tmp)
        test_profile_hostile(mx, tmp)
        test_errors(mx, tmp)
    for f in FAILS:
        print("FAIL:", f)
    n = len(SCAN1) + len(PREV) + len(CHANGES) + len(PROFILE) + len(PROFILE_CHANGES)
    print(f"report tests: {len(FAILS)} failure(s); {n} expected figures checked")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
