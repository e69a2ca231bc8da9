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


# figure key -> (count, denominator); None: a plain count without a share
SCAN1 = {
    "population.records": (18, 18),            # 19 lines, one blank
    "population.status.ok": (13, 18),
    "population.status.nxdomain": (1, 18),     # j
    "population.status.no-mail": (1, 18),      # k
    "population.status.dns-error": (1, 18),    # l
    "population.status.invalid": (1, 18),
    "population.status.excluded": (1, 18),     # m: a status the report does not know
    "population.receives_mail": (12, 18),      # ok but h (unreachable)
    "population.mx_hosts_unique": (15, None),
    "population.addresses_unique": (14, None),
    "transport.starttls.all": (10, 13),
    "transport.starttls.some": (1, 13),        # q: second MX answers 454
    "transport.starttls.none": (1, 13),        # g
    "transport.starttls.unreachable": (1, 13), # h
    "transport.domains_tls": (11, 13),
    "transport.domain_tls_worst.TLSv1.3": (6, 11),
    "transport.domain_tls_worst.TLSv1.2": (4, 11),  # c, f (weakest MX), p, q
    "transport.domain_tls_worst.TLSv1": (1, 11),    # d
    "transport.domain_cipher.TLS_AES_256_GCM_SHA384": (4, 11),
    "transport.domain_cipher.ECDHE-ECDSA-AES256-GCM-SHA384": (1, 11),  # f: its TLS 1.2 MX
    "transport.domain_fs_all": (9, 11),        # not d, q (static RSA)
    "transport.addresses_tls": (11, 14),
    "transport.address_tls_version.TLSv1.3": (6, 11),
    "transport.address_tls_version.TLSv1.2": (4, 11),
    "transport.address_tls_version.TLSv1": (1, 11),
    "transport.address_cipher.TLS_AES_256_GCM_SHA384": (3, 11),  # 192.0.2.1 once for a, b, n, o
    "transport.address_fs": (9, 11),
    "transport.address_key.EC-256": (5, 11),
    "transport.address_key.RSA-2048": (3, 11),
    "transport.address_key.RSA-1024": (1, 11),
    "certs.pkix_valid_all": (8, 11),           # not d (expired), i and n (name)
    "certs.expired": (1, 11),
    "certs.self_signed": (1, 11),
    "certs.wrong_name": (2, 11),
    "certs.expiring_30d": (1, 11),             # i: 10 days after its scan
    "dnssec.domain.secure": (8, 16),
    "dnssec.domain.insecure": (7, 16),
    "dnssec.domain.bogus": (1, 16),
    "dnssec.mx_host.secure": (8, 15),
    "dnssec.mx_host.insecure": (7, 15),
    "dane.summary.valid": (3, 13),             # a, b, o
    "dane.summary.partial": (1, 13),           # f
    "dane.summary.invalid": (3, 13),           # e (mismatch), n (usage 1 only), p (bogus TLSA)
    "dane.summary.none": (6, 13),
    "dane.tlsa_mx.all": (4, 13),               # a, b, n, o
    "dane.tlsa_mx.some": (2, 13),              # e, f
    "dane.tlsa_mx.none": (7, 13),
    "dane.address.valid": (5, 17),
    "dane.address.mismatch": (1, 17),
    "dane.address.unusable": (1, 17),
    "dane.address.tlsa-bogus": (1, 17),
    "dane.address.no-tlsa": (9, 17),
    "dane.host_tlsa.secure": (5, 15),
    "dane.host_tlsa.bogus": (1, 15),
    "dane.host_tlsa.none": (9, 15),
    "dane.tlsa_combo.3 1 1": (4, 6),
    "dane.tlsa_combo.2 1 1": (1, 6),
    "dane.tlsa_combo.1 1 1": (1, 6),
    "mta_sts.txt_present": (6, 13),
    "mta_sts.status.valid": (3, 13),           # a, c, o
    "mta_sts.status.none": (6, 13),
    "mta_sts.status.fetch-error": (1, 13),
    "mta_sts.status.policy-invalid": (1, 13),
    "mta_sts.status.txt-invalid": (1, 13),
    "mta_sts.status.dns-error": (1, 13),
    "mta_sts.mode.enforce": (2, 3),
    "mta_sts.mode.testing": (1, 3),
    "mta_sts.mx_mismatch": (1, 3),             # o
    "mta_sts.error.fetch-error: HTTP status 404": (1, 13),
    "mta_sts.error.policy-invalid: no mx pattern": (1, 13),
    "tls_rpt.status.valid": (3, 13),
    "tls_rpt.status.invalid": (1, 13),
    "tls_rpt.status.dns-error": (1, 13),
    "tls_rpt.status.none": (8, 13),
    "sender.dane.action.deliver": (4, 16),
    "sender.dane.action.deliver-unauthenticated": (6, 16),
    "sender.dane.action.defer": (4, 16),
    "sender.dane.action.no-route": (2, 16),
    "sender.dane.defer_reason.dnssec-invalid": (2, 4),
    "sender.dane.defer_reason.certificate-not-trusted": (1, 4),
    "sender.dane.defer_reason.no MX host answered": (1, 4),
    "sender.mta_sts.action.deliver": (3, 16),
    "sender.mta_sts.action.deliver-unauthenticated": (7, 16),
    "sender.mta_sts.result_type.sts-policy-fetch-error": (1, 16),
}

OPERATORS = [  # name, domains, STARTTLS all, DANE valid, MTA-STS valid, enforce
    ("hoster.pt", 4, 4, 3, 2, 2),                # a, b, n, o
]


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
    check("scan1 records", doc["scan"]["inputs"][0]["records"], 18)
    check("scan1 first scan", doc["scan"]["first_scanned_at"], "2026-11-20T10:00:00Z")
    check("scan1 last scan", doc["scan"]["last_scanned_at"], "2026-11-20T10:00:17Z")
    ops = {o["operator"]: o for o in doc["operators"]}
    for name, *v in OPERATORS:
        o = ops.get(name)
        if not o:
            FAILS.append(f"operator {name} missing")
            continue
        check(f"operator {name}", [o["domains"], o["starttls_all"], o["dane_valid"],
                                   o["mta_sts_valid"], o["mta_sts_enforce"]], v)
    check("operators first", doc["operators"][0]["operator"], "hoster.pt")
    # The Public Suffix List: com.pt is a public suffix, so shop.com.pt is the operator.
    check("operator under com.pt", "shop.com.pt" in ops, True)
    check("operators total", doc["operators_total"], 10)
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
    for line in ("| Domains scanned (records) | 18 | 18 | 100.0% |",
                 "| STARTTLS on the MX addresses that answered: all | 10 | 13 | 76.9% |",
                 "| DANE: partial | 1 | 13 | 7.7% |",
                 "| TLSA usage selector type (secure, unique hosts): 3 1 1 | 4 | 6 | 66.7% |",
                 "| Status: excluded | 1 | 18 | 5.6% |",
                 "| hoster.pt | 4 | 4 (100.0%) | 3 (75.0%) | 2 (50.0%) | 2 (50.0%) |"):
        check(f"markdown line {line!r}", line in md.splitlines(), True)
    # CSV: same rows.
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(run(mx, "-q", "--format", "csv", s1).stdout))}
    for k, (c, d) in SCAN1.items():
        r = rows.get(k)
        check(f"csv {k}", (r["count"], r["denominator"]) if r else None, (str(c), str(d) if d else ""))
    check("csv operator", rows.get("operators.hoster.pt.dane_valid", {}).get("count"), "3")


PREV = {  # previous values (scan0: 9 records in two shards)
    "population.records": (9, 9),
    "dane.summary.valid": (3, 9),              # b, e, o
    "mta_sts.status.valid": (2, 9),            # d, o
    "transport.address_cipher.DES-CBC3-SHA": (1, 6),
}
CHANGES = {
    "dane.adopted": [("a.pt", "none -> valid")],
    "dane.broken": [("e.pt", "valid -> invalid"), ("n.pt", "none -> invalid")],
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
    check("change pp dane valid", round(ch["share_pp"], 4), round(100 * 3 / 13 - 100 * 3 / 9, 4))
    # A value only the old scan had is shown with 0 now.
    check("old-only value now", figs["transport.address_cipher.DES-CBC3-SHA"]["count"], 0)
    check("changes.domains_new", figs["changes.domains_new"]["count"], 10)
    check("changes.domains_gone", figs["changes.domains_gone"]["count"], 1)   # z.pt
    for kind, want in CHANGES.items():
        check(f"changes.{kind}", figs[f"changes.{kind}"]["count"], len(want))
        got = [(c["domain"], c["change"]) for c in doc["changed_domains"][kind]]
        check(f"changed_domains {kind}", got, want)
    check("previous inputs", [i["records"] for i in doc["previous_scan"]["inputs"]], [5, 4])
    md = run(mx, "-q", s1, "--compare", os.path.join(HERE, "scan0-part1.ndjson"), p2).stdout
    for line in ("| DANE: valid | 3 | 13 | 23.1% | 3 / 9 (33.3%) | +0 (-10.3 pp) |",
                 "- d.pt: valid:enforce -> fetch-error", "### DANE newly broken (2)"):
        check(f"compare markdown {line!r}", line in md.splitlines(), True)


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
        check("torn frame: whole frames read", doc["figures"]["population.records"]["count"], 18 + 6)
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
        test_errors(mx, tmp)
    for f in FAILS:
        print("FAIL:", f)
    n = len(SCAN1) + len(PREV) + len(CHANGES)
    print(f"report tests: {len(FAILS)} failure(s); {n} expected figures checked")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
