"""The polite makespan's lower bound (bench/bench.py; docs/benchmark.md, *The politeness
bound*), from bench_smtpd's connection log (--conn-log: "ADDR OPEN_MS CLOSE_MS" a line).

A scan under mxsurvey's limits cannot end before the connections it made fit through them:
  - a prefix (IPv4 /24) holds at most --per-prefix connections at once: the sum of its
    connections' durations / per_prefix;
  - an address holds at most --per-ip at once and starts one at most every --ip-interval:
    with per_ip 1, the sum over its connections of max(duration, interval), less the last
    one's wait (the shortest connection taken last);
  - all of them together start at most --rate a second: connections / rate.
The bound is the largest of these; the wall time of a scan divided by it says how close the
scheduler comes. Durations are the server's (accept to close): the scanner holds its slot
a little longer (connect, its own turn of the loop), so the bound is a lower bound.
"""

# mxsurvey's politeness defaults (docs/options.md) and the options that change them
DEFAULTS = {"--rate": 1000.0, "--per-ip": 1.0, "--ip-interval": 0.25, "--per-prefix": 8.0}


def limits(args):
    """The limits an mxsurvey command line (its options, in order) runs with: the defaults,
    each overridden by the last occurrence of its option."""
    lim = dict(DEFAULTS)
    for i, a in enumerate(args[:-1]):
        if a in lim:
            lim[a] = float(args[i + 1])
    return {"rate": lim["--rate"], "per_ip": lim["--per-ip"],
            "ip_interval": lim["--ip-interval"], "per_prefix": lim["--per-prefix"]}


def read_log(path, offset=0):
    """[(addr, open_ms, close_ms)] of the log from byte offset on."""
    out = []
    with open(path) as f:
        f.seek(offset)
        for line in f:
            c = line.split()
            if len(c) == 3:
                out.append((c[0], int(c[1]), int(c[2])))
    return out


def compute(conns, lim, wall_s):
    """The bound's figures for the connections [(addr, open_ms, close_ms)] of one scan."""
    per_addr, per_pfx = {}, {}
    for addr, t0, t1 in conns:
        d = max(t1 - t0, 0) / 1000.0
        per_addr.setdefault(addr, []).append(d)
        per_pfx.setdefault(addr.rsplit(".", 1)[0] + ".0/24", []).append(d)
    iv, pip, ppf = lim["ip_interval"], max(lim["per_ip"], 1), max(lim["per_prefix"], 1)

    def addr_bound(ds):
        if pip > 1:
            return max(sum(ds) / pip, (len(ds) - 1) * iv)
        busy = sum(max(d, iv) for d in ds)
        return busy - max(max(d, iv) - d for d in ds)
    pfx = sorted(((k, len(v), sum(v) / len(v), sum(v) / ppf) for k, v in per_pfx.items()),
                 key=lambda x: -x[3])
    adr = sorted(((k, len(v), sum(v) / len(v), addr_bound(v)) for k, v in per_addr.items()),
                 key=lambda x: -x[3])
    rate_b = len(conns) / lim["rate"] if lim["rate"] > 0 else 0.0
    top_p = pfx[0] if pfx else ("-", 0, 0.0, 0.0)
    top_a = adr[0] if adr else ("-", 0, 0.0, 0.0)
    bound = max(top_p[3], top_a[3], rate_b)
    by = "prefix" if bound == top_p[3] else "address" if bound == top_a[3] else "rate"
    return {"limits": lim, "connections": len(conns), "bound_s": bound, "bound_by": by,
            "wall_s": wall_s, "ratio": wall_s / bound if bound else None,
            "rate_bound_s": rate_b,
            "prefixes": [{"prefix": k, "connections": n, "mean_s": m, "bound_s": b}
                         for k, n, m, b in pfx[:5]],
            "addresses": [{"address": k, "connections": n, "mean_s": m, "bound_s": b}
                          for k, n, m, b in adr[:5]]}


def rows(b):
    """(label, text) rows for bench.py's table."""
    out = []
    p, a = b["prefixes"], b["addresses"]
    if p:
        out.append(("busiest prefix", "%s: %d connections x %.3f s mean / --per-prefix %g = "
                    "%.1f s" % (p[0]["prefix"], p[0]["connections"], p[0]["mean_s"],
                                b["limits"]["per_prefix"], p[0]["bound_s"])))
        out.append(("  next prefixes", ", ".join("%s %.1f s" % (x["prefix"], x["bound_s"])
                                                  for x in p[1:4])))
    if a:
        out.append(("busiest address", "%s: %d connections x %.3f s mean, --per-ip %g, "
                    "--ip-interval %g = %.1f s" % (
                        a[0]["address"], a[0]["connections"], a[0]["mean_s"],
                        b["limits"]["per_ip"], b["limits"]["ip_interval"], a[0]["bound_s"])))
    out.append(("rate bound", "%d connections / --rate %g = %.1f s" % (
        b["connections"], b["limits"]["rate"], b["rate_bound_s"])))
    out.append(("politeness bound", "%.1f s (by %s); wall time %.1f s = %.2fx the bound" % (
        b["bound_s"], b["bound_by"], b["wall_s"], b["ratio"] or 0)))
    return out
