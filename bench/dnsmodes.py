"""mxsurvey's DNS modes side by side (bench/bench.py --dns-modes; docs/benchmark.md, *DNS
modes*). Issue 17's contract (net/dns.h):
  forward    --resolver <the world's Unbound>: forwards, validates locally (today's bench);
  recursive  no --resolver, --root-hints <the world's hints>: the embedded resolver iterates
             from the world's fake root (NSD) itself;
  trusted    --resolver <the world's Unbound> --resolver-validates: trusts its AD bit.
A mode whose flags the binary does not list in `scan --help` fails with a message, and so
does a mode the binary accepts but does not do, as the servers' counters show it: in
recursive mode not one query may reach the world's Unbound, in trusted mode mxsurvey must
not fetch DS records through it: a validator asks the DS set of every delegation, while
mxsurvey's own queries never ask DS (its DNSKEY queries are the dnssec_expires of the zones,
checks/zonekeys.c, which a validating libunbound answers from its cache and the trusted mode
asks the resolver for).
"""
import os

MODES = ("forward", "recursive", "trusted")
TRUSTED_DS_QUERIES_MAX = 50   # DS through the resolver in trusted mode (anchor checks: none)


def parse(text):
    modes = []
    for m in (text or "forward").split(","):
        if m not in MODES:
            raise ValueError("--dns-modes: %r is not one of %s" % (m, ", ".join(MODES)))
        if m not in modes:
            modes.append(m)
    return modes


def args(mode, resolver, hints):
    """mxsurvey's DNS options for a mode."""
    if mode == "recursive":
        return ["--root-hints", hints]
    if mode == "trusted":
        return ["--resolver", resolver, "--resolver-validates"]
    return ["--resolver", resolver]


def flags_missing(mode, help_text):
    """The options of mode that `mxsurvey scan --help` does not list."""
    want = {"recursive": ["--root-hints"], "trusted": ["--resolver-validates"]}.get(mode, [])
    return [f for f in want if f not in help_text]


def check(mode, scan, n):
    """None, or why the scan did not run in mode (from the servers' counters)."""
    if mode != "forward" and not scan.get("unbound_delta"):
        return ("%s mode: the world's Unbound gave no statistics (unbound-control over "
                "<world>/unbound.ctl; another run on the same world cache may have rewritten "
                "unbound.conf without it), so whether mxsurvey ran in this mode cannot be "
                "told" % mode)
    ub = scan.get("unbound_delta") or {}
    if mode == "recursive" and ub.get("total.num.queries", 0) > 0:
        return ("recursive mode: mxsurvey sent %d queries to the world's Unbound (it must ask "
                "only the servers the root hints lead to): this binary does not implement the "
                "recursive mode yet" % ub["total.num.queries"])
    keyq = ub.get("num.query.type.DS", 0)
    if mode == "trusted" and keyq > TRUSTED_DS_QUERIES_MAX:
        return ("trusted mode: mxsurvey fetched %d DS records through the resolver "
                "(it validates locally): this binary does not implement "
                "--resolver-validates yet" % keyq)
    return None


def figures(mode, scan, n, capacity):
    """One column of the table, from a scan's figures (bench.py mxsurvey() plus the
    servers' counters) and the resolver's cold capacity (refs.summary of dnsperf)."""
    oth = scan.get("cpu_others_s", {})
    ub, nsd = oth.get("unbound", 0.0), oth.get("nsd", 0.0)
    machine = scan["cpu_s"] + sum(oth.values())
    ubq = (scan.get("unbound_delta") or {}).get("total.num.queries")
    nsdq = (scan.get("nsd_delta") or {}).get("num.queries")
    f = {"mode": mode, "wall_s": scan["wall_s"], "exit": scan["exit"],
         "domains_per_s": n / scan["wall_s"], "cpu_s": scan["cpu_s"],
         "loop_cpu_s": scan["loop_cpu_s"], "worker_cpu_s": scan["worker_threads_cpu_s"],
         "unbound_cpu_s": ub, "nsd_cpu_s": nsd,
         "cpu_ms_per_domain_with_resolver": (scan["cpu_s"] + ub + nsd) / n * 1000,
         "cpu_ms_per_domain_machine": machine / n * 1000,
         "unbound_queries": ubq, "nsd_queries": nsdq}
    if ubq is not None:
        f["qps_at_resolver"] = ubq / scan["wall_s"]
        if capacity and mode != "recursive":  # (recursive: the Unbound is not used)
            # the median ratio and its spread (at the capacity's max and min)
            r = [f["qps_at_resolver"] / capacity[k] if capacity[k] else 0.0
                 for k in ("median", "min", "max")]
            f["qps_vs_capacity"] = {"median": r[0], "min": min(r[1:]), "max": max(r[1:])}
    if nsdq is not None:
        f["nsd_queries_per_domain"] = nsdq / n
        f["nsd_qps"] = nsdq / scan["wall_s"]
    return f


def table(cols, capacity, fmt_ratio):
    """The rows of the modes table (label, one cell a mode)."""
    def cell(fn, c):
        if c.get("failed"):
            return "FAILED"
        try:
            return fn(c)
        except (KeyError, TypeError, ZeroDivisionError):
            return "-"
    spec = [("wall time (exit)", lambda c: "%.1f s (%d)" % (c["wall_s"], c["exit"])),
            ("domains/s", lambda c: "%.0f" % c["domains_per_s"]),
            ("mxsurvey CPU", lambda c: "%.1f s" % c["cpu_s"]),
            ("  event loop / libunbound+", lambda c: "%.1f / %.1f s" % (c["loop_cpu_s"],
                                                                      c["worker_cpu_s"])),
            ("world's Unbound CPU", lambda c: "%.1f s" % c["unbound_cpu_s"]),
            ("NSD CPU", lambda c: "%.1f s" % c["nsd_cpu_s"]),
            ("CPU/domain mxs+resolvers", lambda c: "%.2f ms" %
             c["cpu_ms_per_domain_with_resolver"]),
            ("CPU/domain, machine", lambda c: "%.2f ms" % c["cpu_ms_per_domain_machine"]),
            ("qps at the Unbound", lambda c: "%.0f" % c["qps_at_resolver"]),
            ("  / dnsperf cold capacity", lambda c: fmt_ratio(c["qps_vs_capacity"])),
            ("queries to NSD / domain", lambda c: "%.2f" % c["nsd_queries_per_domain"]),
            ("  qps at NSD", lambda c: "%.0f" % c["nsd_qps"])]
    return [(k, [cell(fn, c) for c in cols]) for k, fn in spec]


def world_hints(w):
    return os.path.join(w, "unbound", "root.hints")
