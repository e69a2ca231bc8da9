"""References measured interleaved with the scan (bench/bench.py; docs/benchmark.md,
*References that hold*): the machine's speed changes within a run, so a reference measured
once, before or after, cannot tell a change of 5 % in a ratio from the machine's mood.

  - the bare handshake (bench_handshake_cost): samples before the scan, DURING it (a short
    sample every --ref-interval seconds, in parallel: 300 handshakes are about 0.2 s of CPU,
    a few per cent of one core, and the tool times only its own thread's CPU clock, so what
    it measures is the machine's speed at that moment), and after it;
  - dnsperf: slices before the scan (fresh Unbound, cold) and after it (on the cache the scan
    warmed, then again from a fresh Unbound), never during it: a dnsperf slice would load the
    one resolver the scan depends on, slowing the scan and measuring the scan's load instead
    of the resolver's capacity. Each cold slice asks its own share of the domains (a
    contiguous part of the query mix), so no slice meets answers another one cached.

Every reference is reported as its median with the spread (min-max) of its samples, and
every ratio to it with the spread that gives.
"""
import statistics
import threading


def summary(values):
    """{"median", "min", "max", "n"} of a list of numbers (None when empty)."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


def ratio(num, ref, invert=False):
    """num / ref (or ref / num with invert) for a reference summary: the median ratio and
    its spread (the ratio at the reference's min and max)."""
    if not ref or not num:
        return None
    vals = [ref["median"], ref["min"], ref["max"]]
    r = [(x / num if invert else num / x) if x else 0.0 for x in vals]
    return {"median": r[0], "min": min(r[1:]), "max": max(r[1:])}


def fmt(s, unit="", digits=0):
    if not s:
        return "-"
    f = "%%.%df" % digits
    return ("%s%s (%s-%s, n=%d)" % (f, unit, f, f, s["n"])) % (s["median"], s["min"], s["max"])


def fmt_ratio(r, digits=2, suffix="x"):
    if not r:
        return "-"
    f = "%%.%df" % digits
    return ("%s%s (%s-%s)" % (f, suffix, f, f)) % (r["median"], r["min"], r["max"])


class Sampler:
    """Runs take() every interval seconds in a thread until stop(); keeps the results."""

    def __init__(self, take, interval):
        self.take, self.interval = take, interval
        self.samples, self.ev = [], threading.Event()
        self.th = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        while not self.ev.wait(self.interval):
            try:
                self.samples.append(self.take())
            except Exception as e:  # noqa: BLE001  a failed sample is reported, not fatal
                self.samples.append({"error": str(e)})

    def start(self):
        self.th.start()
        return self

    def stop(self):
        self.ev.set()
        self.th.join()
        return [s for s in self.samples if "error" not in s]


def split_queries(path, k, out_fmt):
    """Writes k files out_fmt % i, the i-th holding the i-th of k contiguous parts of path:
    the query mix lists each domain's queries together (MX, TXT, A, AAAA, TLSA, PTR ...), so
    contiguous parts keep the mix, where every k-th line would give each part other types."""
    with open(path) as f:
        lines = f.readlines()
    paths = []
    for i in range(k):
        p = out_fmt % i
        with open(p, "w") as f:
            f.writelines(lines[len(lines) * i // k:len(lines) * (i + 1) // k])
        paths.append(p)
    return paths
