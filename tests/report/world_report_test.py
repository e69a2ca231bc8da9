#!/usr/bin/env python3
"""mxsurvey report over a real scan of the demo world (tests/world/world.py).

usage: world_report_test.py --mxsurvey PATH --out DIR

Needs root: re-executes itself inside `unshare --net --mount` like tests/world/run_tests.py,
starts the world, scans its domain list with the demo's options, stops the world, then
checks the report's figures against an independent computation in Python from the same
records. The world's domain list grows as cases are added, so world totals are never
hard-coded; a few facts that hold for any version of the world are asserted by name
(dane-ok.mxlab is DANE-valid, ...). Keeps the records, report.md, report.json and
report.html in DIR (the README's excerpt comes from there)."""
import argparse, collections, json, os, shutil, subprocess, sys, tempfile

NS_ENV = "MXS_REPORT_WORLD_NS"
HERE = os.path.dirname(os.path.abspath(__file__))
WORLD = os.path.join(HERE, "..", "world", "world.py")
FAILS, PASSED = [], [0]


def check(what, got, want):
    if got != want:
        FAILS.append(f"{what}: got {got!r}, want {want!r}")
    else:
        PASSED[0] += 1


def scan(mx, out):
    wd = tempfile.mkdtemp(prefix="mxs-report-world.")
    try:
        subprocess.run([sys.executable, WORLD, "start", wd], check=True, stdout=subprocess.DEVNULL)
        try:
            subprocess.run([mx, "scan", "--resolver", "127.0.53.53", "--trust-anchor",
                            os.path.join(wd, "root.key"), "--ca-file", os.path.join(wd, "ca.pem"),
                            "--allow", "127.0.0.0/8", "--ehlo", "scanner.mxlab",
                            "--timeout-banner", "3", "--timeout-smtp", "5", "--timeout-tls", "5",
                            "--retry-delay", "0.2",   # the world's 421 servers, quickly
                            "-q", "-o", os.path.join(out, "world.ndjson.zst"),
                            os.path.join(wd, "domains.txt")], check=True, timeout=600)
        finally:
            subprocess.run([sys.executable, WORLD, "stop", wd])
    finally:
        shutil.rmtree(wd, ignore_errors=True)


def independent(records):
    """The report's definitions (docs/report.md), recomputed."""
    c = collections.Counter()
    hosts, ops = set(), collections.defaultdict(lambda: [0] * 8)
    addrs = {}  # ip -> outcome: the one that got furthest, when records disagree
    rank = ["not-attempted", "unreachable", "lost", "refused", "engaged"]
    for r in records:
        c["population.records"] += 1
        c["population.status." + r.get("status", "(none)")] += 1
        if "dnssec" in r:
            c["dnssec.domain." + r["dnssec"]] += 1
        if "sender" in r:
            for k in ("dane", "mta_sts"):
                c[f"sender.{k}.action.{r['sender'][k]['action']}"] += 1
        if r.get("status") != "ok":
            continue
        s = r.get("summary", {})
        # STARTTLS and DANE adoption over domains with an engaged MX address; the others
        # (refused, unreachable) apart
        engaged = s.get("starttls") in ("all", "some", "none")
        c[("transport.starttls." if engaged else "transport.no_engaged.") + s.get("starttls", "(none)")] += 1
        c[("dane.summary." if engaged else "dane.no_engaged.") + s.get("dane", "(none)")] += 1
        if engaged:
            c["population.receives_mail"] += 1
        if s.get("inconclusive", 0) > 0:
            c["transport.some_inconclusive"] += 1
        mxs = r.get("mx", [])
        secure_tlsa = sum(1 for m in mxs if m.get("tlsa", {}).get("result") == "records"
                          and m.get("tlsa", {}).get("dnssec") == "secure")
        c["dane.tlsa_mx." + ("none" if secure_tlsa == 0 else "all" if secure_tlsa == len(mxs) else "some")] += 1
        tls = [a["smtp"]["tls"] for m in mxs for a in m.get("addresses", [])
               if "tls" in a.get("smtp", {})]
        if tls:
            c["transport.domains_tls"] += 1
            c["transport.domain_tls_worst." + s["tls_worst"]] += 1
            if all(t.get("pkix", {}).get("valid") for t in tls):
                c["certs.pkix_valid_all"] += 1
            if any(t["cert"].get("self_signed") for t in tls):
                c["certs.self_signed"] += 1
        if "mta_sts" in r:
            c["mta_sts.status." + r["mta_sts"]["status"]] += 1
        if "tls_rpt" in r:
            c["tls_rpt.status." + r["tls_rpt"]["status"]] += 1
        names = {}  # operator -> outcomes of the addresses of its hosts in this domain
        for m in mxs:
            hosts.add(m["host"])
            # The world lives under the fake TLD "mxlab", which the Public Suffix List does
            # not know: its default rule makes the last two labels the registered domain.
            outs = names.setdefault(".".join(m["host"].split(".")[-2:]), set())
            for a in m.get("addresses", []):
                out = a.get("smtp", {}).get("outcome", "unknown")
                outs.add(out)
                prev = addrs.get(a["ip"])
                if prev is None or (rank.index(out) if out in rank else -1) > \
                        (rank.index(prev) if prev in rank else -1):
                    addrs[a["ip"]] = out
        for n, outs in names.items():
            o = ops[n]
            sts = r.get("mta_sts", {})
            for i, v in enumerate((1, engaged, s.get("starttls") == "all", s.get("dane") == "valid",
                                   sts.get("status") == "valid",
                                   sts.get("status") == "valid" and sts.get("mode") == "enforce",
                                   "refused" in outs, "lost" in outs)):
                o[i] += v
    c["population.mx_hosts_unique"] = len(hosts)
    c["population.addresses_unique"] = len(addrs)
    for out in addrs.values():
        c["transport.address_outcome." + out] += 1
    return c, ops


def ts(t):
    from datetime import datetime, timezone
    try:
        return int(datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
    except (TypeError, ValueError):
        return None


def independent_ops(records):
    """Issue 16's figures (docs/report.md), recomputed: conformity per check, rollover per
    distinct MX host (ready kept when records disagree), the outlook by week and what breaks.
    A section the records do not have yet is an empty Counter (the scanner may not write it)."""
    c, roll = collections.Counter(), {}
    for r in records:
        if r.get("status") != "ok":
            continue
        conf = r.get("conformity", {}).get("cncs")
        if conf is not None:
            c["conformity.domains"] += 1
            c["conformity.pass"] += conf.get("pass") is True
            c["conformity.complete"] += conf.get("complete") is True
            seen = set()
            for ck in conf.get("checks", []):
                if ck["id"] not in seen:
                    seen.add(ck["id"])
                    c[f"conformity.check.{ck['id']}.{ck['result']}"] += 1
        for m in r.get("mx", []):
            ro = m.get("tlsa", {}).get("rollover")
            if ro is not None:
                fact = "\x1f".join(("1" if ro.get("ready") is True else "0",
                                    ro.get("scheme") or "(none)", ro.get("reason") or "(none)",
                                    "1" if ro.get("unmatched") else "0"))
                roll[m["host"]] = max(roll.get(m["host"], ""), fact)
        s = r.get("summary", {})
        if "outlook" not in s:
            continue
        c["outlook.domains"] += 1
        c["outlook.status." + s["outlook"]] += 1
        if s["outlook"] != "warn":
            continue
        b, t = ts(s.get("outlook_breaks")), ts(r.get("scanned_at"))
        if b is None or t is None:
            c["outlook.week.unknown"] += 1
        elif b < t:
            c["outlook.week.past"] += 1
        else:
            c[f"outlook.week.{(b - t) // (7 * 86400) + 1}"] += 1
        addrs = [a for m in r.get("mx", []) for a in m.get("addresses", [])]
        at = max([ts(a["outlook"]["at"]) for a in addrs if "outlook" in a] or [None],
                 key=lambda x: -1 if x is None else x)
        limit = at if at is not None else b
        what = set()
        for e in [r.get("dnssec_expires")] + [m.get("dnssec_expires") for m in r.get("mx", [])]:
            if ts(e) is not None and limit is not None and ts(e) <= limit:
                what.add("dnssec")
        for a in addrs:
            o = a.get("outlook")
            if o is None:
                continue
            if a.get("smtp", {}).get("tls", {}).get("pkix", {}).get("valid") is True \
                    and o.get("pkix_valid") is False:
                what.add("pkix")
            if a.get("dane", {}).get("status") == "valid" and o.get("dane_valid") is False:
                what.add("dane")
        for w in what or {"other"}:
            c["outlook.what." + w] += 1
    for fact in roll.values():
        ready, scheme, reason, unmatched = fact.split("\x1f")
        c["rollover.hosts"] += 1
        c["rollover.ready" if ready == "1" else "rollover.not_ready"] += 1
        c[("rollover.scheme_ready." if ready == "1" else "rollover.scheme_not_ready.") + scheme] += 1
        if ready != "1":
            c["rollover.reason." + reason] += 1
        c["rollover.unmatched"] += unmatched == "1"
    return c


def in_namespace(a):
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    scan(a.mxsurvey, out)
    zst = os.path.join(out, "world.ndjson.zst")
    text = subprocess.run(["zstd", "-dc", zst], capture_output=True, check=True, text=True).stdout
    records = [json.loads(l) for l in text.splitlines() if l.strip()]
    p = subprocess.run([a.mxsurvey, "report", "--format", "json", "--top", "1000",
                        "--html", os.path.join(out, "report.html"), zst],
                       capture_output=True, text=True)
    check("report exit status", p.returncode, 0)
    if p.returncode:
        print(p.stderr)
        return
    open(os.path.join(out, "report.json"), "w").write(p.stdout)
    md = subprocess.run([a.mxsurvey, "report", "-q", zst], capture_output=True, text=True, check=True)
    open(os.path.join(out, "report.md"), "w").write(md.stdout)
    doc = json.loads(p.stdout)
    figs = doc["figures"]
    want, ops = independent(records)
    for k, v in sorted(want.items()):
        check(f"figure {k}", figs.get(k, {}).get("count", 0), v)
    # issue 16: whatever the scanner writes of it today, the report counts it the same way
    want16 = independent_ops(records)
    for k, v in sorted(want16.items()):
        check(f"figure {k}", figs.get(k, {}).get("count", 0), v)
    shown = {k for k, f in figs.items() if f["section"] in ("conformity", "rollover", "outlook")
             and f["count"]}
    check("issue 16 figures with a count are the ones recomputed", sorted(shown - set(want16)), [])
    check("denominator of DANE valid = domains with an engaged MX address",
          figs["dane.summary.valid"]["denominator"], want["population.receives_mail"])
    check("denominator of STARTTLS all = domains with an engaged MX address",
          figs["transport.starttls.all"]["denominator"], want["population.receives_mail"])
    check("denominator of no engaged address = domains with MX",
          figs["transport.no_engaged.refused"]["denominator"], want["population.status.ok"])
    keys = ["domains", "engaged", "starttls_all", "dane_valid", "mta_sts_valid",
            "mta_sts_enforce", "refused", "lost"]
    got_ops = {o["operator"]: [o[k] for k in keys] for o in doc["operators"]}
    check("operators", got_ops, {k: v for k, v in ops.items()})
    # Facts of the world that do not depend on its size.
    col = lambda op, k: got_ops.get(op, [None] * 8)[keys.index(k)]
    check("dane-ok.mxlab is DANE valid", col("dane-ok.mxlab", "dane_valid"), 1)
    check("dane-mismatch.mxlab is not", col("dane-mismatch.mxlab", "dane_valid"), 0)
    check("sts-enforce.mxlab enforces MTA-STS", col("sts-enforce.mxlab", "mta_sts_enforce"), 1)
    check("no-starttls.mxlab lacks STARTTLS", col("no-starttls.mxlab", "starttls_all"), 0)
    check("no-starttls.mxlab engaged (EHLO answered)", col("no-starttls.mxlab", "engaged"), 1)
    # A 554 greeting is a refusal, not "no STARTTLS" (issue 19).
    check("banner-554.mxlab refused", col("banner-554.mxlab", "refused"), 1)
    check("banner-554.mxlab not engaged", col("banner-554.mxlab", "engaged"), 0)
    for op, k, v in [("greet-421.mxlab", "refused", 1), ("greet-421.mxlab", "engaged", 0),
                     ("ehlo-554.mxlab", "refused", 1), ("close-banner.mxlab", "lost", 1),
                     ("reset-ehlo.mxlab", "lost", 1), ("reset-ehlo.mxlab", "refused", 0),
                     # one MX throttles, the DANE-valid backup answers: counted as valid
                     ("backup-421.mxlab", "engaged", 1), ("backup-421.mxlab", "starttls_all", 1),
                     ("backup-421.mxlab", "dane_valid", 1), ("backup-421.mxlab", "refused", 1),
                     ("dane-backup-down.mxlab", "dane_valid", 1),
                     ("dane-down.mxlab", "engaged", 0)]:
        check(f"{op} {k}", col(op, k), v)
    check("refused domains (554, 421, EHLO 554) apart from the STARTTLS figure",
          figs["transport.no_engaged.refused"]["count"] >= 3, True)
    check("lost addresses (closed after the banner, reset after EHLO)",
          figs["transport.address_outcome.lost"]["count"] >= 2, True)
    check("DANE published, the only MX down: inconclusive",
          figs["dane.no_engaged.inconclusive"]["count"] >= 1, True)
    check("a null MX is no-mail", figs["population.status.no-mail"]["count"] >= 1, True)
    check("a self-signed MX certificate is seen", figs["certs.self_signed"]["count"] >= 1, True)
    check("3 1 1 TLSA is seen", figs["dane.tlsa_combo.3 1 1"]["count"] >= 1, True)
    check("records counted = records in file", doc["scan"]["inputs"][0]["records"], len(records))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mxsurvey", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if os.environ.get(NS_ENV) != "1":
        if os.geteuid() != 0:
            print("world_report_test.py needs root (network namespace, ports 25/53)")
            return 1
        env = dict(os.environ, **{NS_ENV: "1", "MXS_PRIVATE_MOUNT_NS": "1"})
        os.execvpe("unshare", ["unshare", "--net", "--mount", "--propagation", "private",
                               sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    in_namespace(a)
    for f in FAILS:
        print("FAIL:", f)
    print(f"{PASSED[0]} passed, {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
