#!/usr/bin/env python3
"""The benchmark driver (called by bench/run.sh; docs/benchmark.md).

Re-executes itself in `unshare --net --mount` (only loopback exists; ports 25/53 of every
127.x are ours; /etc/resolv.conf is bind-mounted for posttls-finger), builds or reuses the
world (gen_world.py; cached in --world-cache by size and seed), starts NSD, a validating
Unbound and bench_smtpd, and measures, in this order:
  1. dnsperf, cold cache (fresh Unbound), over the world's query mix;
  2. the mxsurvey scan of the N domains (Unbound restarted first: cold cache);
  3. dnsperf again, warm cache;
  4. bench_handshake_cost: the bare client handshake cost with the same certificate;
  5. posttls-finger with xargs -P over a sample of the same domains;
  6. the capacity phase: domains whose server holds every reply, scanned with a high
     --concurrency, for the peak of probes in flight and RSS per in-flight probe.
Prints a table of figures and writes figures.json into the run directory.
With --records-scan LABEL=MXSURVEY (repeated) it measures nothing of that: it scans the
world's domains once with each binary, each from a cold Unbound and a fresh bench_smtpd,
and keeps the records as --records-dir/LABEL.ndjson.zst (scripts/records-unchanged.sh:
one world, two binaries).
With --tls-profile-modes off,basic it measures nothing of that either: it scans the world
once per mxsurvey --tls-profile mode the same way (cold Unbound, fresh bench_smtpd) and
prints the modes side by side: wall time, CPU, the profiles made, their connections (from
the records and from bench_smtpd's counters), CPU per profiled address over off's, and
the versions accepted (docs/benchmark.md, *TLS profile modes*).
"""
import argparse
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_world as G  # noqa: E402
import bound as B  # noqa: E402
import refs as R  # noqa: E402
import dnsmodes as M  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import record_schema  # noqa: E402  (tests/record_schema.py: docs/record.schema.json)

NS_ENV = "MXSURVEY_BENCH_NETNS"


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def proc_cpu(pid, tid=None):
    """user+sys seconds of a running process (/proc/PID/stat), or of one of its threads
    (/proc/PID/task/TID/stat); 0.0 when it is gone."""
    path = "/proc/%d/stat" % pid if tid is None else "/proc/%d/task/%d/stat" % (pid, tid)
    try:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def proc_tree_cpu(pid):
    """user+sys seconds of a running process and of its children, live (NSD serves from a
    child process: the parent's own CPU is 0) and reaped (cutime, cstime)."""
    total = proc_cpu(pid)
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        pass
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                total += sum(proc_tree_cpu(int(c)) for c in f.read().split())
    except OSError:
        pass
    return total


def proc_status(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def count_fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


NSTAT_KEYS = ("UdpRcvbufErrors", "UdpInErrors", "TcpExtListenOverflows", "TcpExtListenDrops",
              "TcpAttemptFails", "TcpEstabResets")


def nstat():
    """The namespace's absolute network counters of interest (drops show lost queries)."""
    r = subprocess.run(["nstat", "-az"], capture_output=True, text=True)
    out = {}
    for line in r.stdout.split("\n"):
        c = line.split()
        if len(c) >= 2 and c[0] in NSTAT_KEYS:
            out[c[0]] = int(c[1])
    return out


def wait_answer(server, name, rtype, what, norec=False, timeout=600):
    """Waits until server answers name/rtype with NOERROR."""
    t0 = time.time()
    while True:
        r = subprocess.run(["dig", "@" + server, "+time=1", "+tries=1",
                            "+norec" if norec else "+rec", name, rtype],
                           capture_output=True, text=True)
        if "status: NOERROR" in r.stdout:
            return
        if time.time() - t0 > timeout:
            raise RuntimeError("%s does not answer %s %s" % (what, name, rtype))
        time.sleep(0.2)


def feed(pipe, path, rate, hold=0.0):
    """Writes the lines of path into pipe at rate lines per second, then closes it (after
    hold more seconds)."""
    with open(path) as f:
        lines = f.read().split()
    t0 = time.time()
    try:
        for i in range(0, len(lines), 50):
            delay = t0 + i / rate - time.time()
            if delay > 0:
                time.sleep(delay)
            pipe.write(("\n".join(lines[i:i + 50]) + "\n").encode())
            pipe.flush()
        time.sleep(hold)
    except BrokenPipeError:
        pass
    finally:
        try:
            pipe.close()
        except BrokenPipeError:
            pass


def listening(addr, port, proto):
    hexaddr = "%08X:%04X" % (int.from_bytes(bytes(int(x) for x in addr.split(".")), "little"),
                             port)
    anyaddr = "00000000:%04X" % port
    try:
        with open("/proc/net/" + proto) as f:
            rows = f.read().split("\n")[1:]
    except OSError:
        return False
    for row in rows:
        c = row.split()
        if len(c) > 3 and c[1] in (hexaddr, anyaddr) and (proto == "udp" or c[3] == "0A"):
            return True
    return False


def wait_listening(addr, port, proto, what, timeout=120):
    t0 = time.time()
    while not listening(addr, port, proto):
        if time.time() - t0 > timeout:
            raise RuntimeError("%s not listening on %s:%d/%s" % (what, addr, port, proto))
        time.sleep(0.05)


class Bench:
    def __init__(self, a):
        self.a = a
        self.procs = {}
        self.fig = {}

    # ---- servers ---------------------------------------------------------------------
    def spawn(self, key, cmd, stdout=None):
        out = open(os.path.join(self.run, "logs", key + ".out"), "ab")
        self.procs[key] = subprocess.Popen(cmd, stdout=stdout or out, stderr=out,
                                           stdin=subprocess.DEVNULL)
        return self.procs[key]

    def stop(self, key, timeout=20):
        p = self.procs.pop(key, None)
        if p is None or p.poll() is not None:
            return
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def start_unbound(self):
        self.spawn("unbound", ["unbound", "-d", "-c", os.path.join(self.w, "unbound.conf")])
        wait_listening(G.RESOLVER_ADDR, 53, "udp", "unbound")
        wait_answer(G.RESOLVER_ADDR, G.TLD + ".", "SOA", "unbound")

    def server_stats(self):
        """The world's Unbound and NSD counters since they started (unbound-control and
        nsd-control stats_noreset over their control sockets): two dicts, or None each."""
        out = []
        for tool, conf, keys in (
                ("unbound-control", "unbound.conf", ("total.num.queries", "num.query.type.DNSKEY",
                                                     "num.query.type.DS")),
                ("nsd-control", "nsd.conf", ("num.queries",))):
            r = subprocess.run([tool, "-c", os.path.join(self.w, conf), "stats_noreset"],
                               capture_output=True, text=True)
            got = {}
            for line in r.stdout.split("\n"):
                k, _, v = line.partition("=")
                if k in keys:
                    got[k] = int(float(v))
            if r.returncode == 0 and "total.num.queries" not in keys:
                got.setdefault("num.queries", 0)
            out.append(got if r.returncode == 0 and got else None)
        return out[0], out[1]

    def restart_unbound(self):
        self.stop("unbound")
        while listening(G.RESOLVER_ADDR, 53, "udp"):
            time.sleep(0.05)
        self.start_unbound()

    def start_world(self):
        a = self.a
        subprocess.run(["nsd-checkconf", os.path.join(self.w, "nsd.conf")], check=True)
        t0 = time.time()
        self.spawn("nsd", ["nsd", "-d", "-c", os.path.join(self.w, "nsd.conf")])
        wait_listening(G.NSD_ADDR, 53, "udp", "nsd", timeout=600)
        wait_listening(G.NSD_ADDR, 53, "tcp", "nsd", timeout=600)
        # Listening is not serving: with 65 000 zones NSD needs a while to load them, and
        # a resolver that meets a silent server backs off from it for minutes.
        wait_answer(G.NSD_ADDR, G.TLD + ".", "SOA", "nsd", norec=True)
        wait_answer(G.NSD_ADDR, self.info.get("last_insecure", G.TLD + "."), "SOA", "nsd",
                    norec=True)
        log("nsd up in %.1f s" % (time.time() - t0))
        self.start_unbound()
        self.start_smtpd()
        served = G.sts_served(self.info["counts"])
        if served:  # a tiny world may have no policy to serve: nginx would not listen
            nginx_conf = os.path.join(self.w, "nginx.conf")
            nginx_log = os.path.join(self.w, "logs", "nginx-error.log")
            subprocess.run(["nginx", "-t", "-q", "-e", nginx_log, "-c", nginx_conf], check=True)
            self.spawn("nginx", ["nginx", "-e", nginx_log, "-c", nginx_conf])
        wait_listening("127.1.1.1", 25, "tcp", "bench_smtpd")
        if served:
            wait_listening(self.info["sts_addr"], 443, "tcp", "nginx")

    def start_smtpd(self):
        a, s = self.a, self.info["smtpd"]
        cmd = [os.path.join(a.tools_dir, "bench_smtpd"), "--delay-ms", str(a.delay_ms),
               "--stats", os.path.join(self.run, "smtpd.stats"),
               "--conn-log", self.conn_log_path()]
        for c in s["certs"]:
            cmd += ["--cert", c]
        for r in s["rules"]:
            cmd += ["--rule", r]
        cmd += ["--rule", "%s=slow:%d" % (s["slow_net"], a.slow_ms),
                "--rule", "%s=hold:%d" % (s["hold_net"], a.capacity_hold_ms)]
        self.spawn("smtpd", cmd)

    def conn_log_path(self):
        return os.path.join(self.run, "logs", "smtpd-conns.log")

    def conn_log_offset(self):
        """Where the connection log ends now (after a smtpd_stats(), which flushes it)."""
        try:
            return os.path.getsize(self.conn_log_path())
        except OSError:
            return 0

    def politeness_bound(self, offset, wall_s, extra=()):
        """The busiest-prefix bound of the connections logged since offset (bound.py)."""
        args = list(extra) + ([] if self.a.polite else LAB_LIMITS) + self.a.extra
        return B.compute(B.read_log(self.conn_log_path(), offset), B.limits(args), wall_s)

    def restart_smtpd(self):
        """A fresh bench_smtpd: its tempfail hosts answer 421 to the first connection from
        an address only, so a second scan against the same process would see no 421."""
        self.stop("smtpd")
        while listening("127.1.1.1", 25, "tcp"):
            time.sleep(0.05)
        self.start_smtpd()
        wait_listening("127.1.1.1", 25, "tcp", "bench_smtpd")

    def smtpd_stats(self):
        """Counters since the last call (SIGUSR1 makes bench_smtpd write and reset them)."""
        path = os.path.join(self.run, "smtpd.stats")
        if os.path.exists(path):
            os.unlink(path)
        self.procs["smtpd"].send_signal(signal.SIGUSR1)
        for _ in range(200):
            if os.path.exists(path):
                try:
                    with open(path) as f:
                        return json.loads(f.read())
                except ValueError:
                    pass
            time.sleep(0.02)
        raise RuntimeError("bench_smtpd wrote no stats")

    # ---- measurements ----------------------------------------------------------------
    def dnsperf(self, label, limit, data=None):
        out = subprocess.run(["dnsperf", "-s", G.RESOLVER_ADDR, "-d",
                              data or os.path.join(self.w, "queries.txt"), "-n", "1",
                              "-l", str(limit),
                              "-c", "4", "-q", "2000", "-t", "10"],
                             capture_output=True, text=True)
        with open(os.path.join(self.run, "logs", "dnsperf-%s.out" % label), "w") as f:
            f.write(out.stdout + out.stderr)
        r = {}
        for line in out.stdout.split("\n"):
            line = line.strip()
            if line.startswith("Queries per second:"):
                r["qps"] = float(line.split()[-1])
            elif line.startswith("Queries completed:"):
                r["completed"] = int(line.split()[2])
            elif line.startswith("Queries lost:"):
                r["lost"] = int(line.split()[2])
            elif line.startswith("Response codes:"):
                r["rcodes"] = line.split(":", 1)[1].strip()
        return r

    def mxsurvey(self, infile, outfile, concurrency, label, extra=(), feed_rate=0, feed_hold=0.0,
                 binary=None, dns=None):
        """Runs one scan; returns its figures (wall, CPU from wait4, RSS, fd peak). With
        feed_rate, the input comes through a pipe at that many domains per second."""
        cmd = [binary or self.a.mxsurvey, "scan"] + list(dns or ["--resolver", G.RESOLVER_ADDR]) + [
               "--trust-anchor", os.path.join(self.w, "root.key"),
               "--ca-file", os.path.join(self.info["pki"], "ca.pem"),
               "--allow", "127.0.0.0/8", "--ehlo", "bench.scanner.benchtld",
               "--concurrency", str(concurrency), "-q", "-o", outfile] + list(extra) + \
            ([] if self.a.polite else LAB_LIMITS) + self.a.extra + ["-" if feed_rate else infile]
        log("%s: %s" % (label, " ".join(cmd)))
        err = open(os.path.join(self.run, "logs", "mxsurvey-%s.err" % label), "wb")
        others = {k: proc_tree_cpu(p.pid) for k, p in self.procs.items()}
        ub0, nsd0 = self.server_stats()
        net0 = nstat()
        t0 = time.time()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err,
                             stdin=subprocess.PIPE if feed_rate else subprocess.DEVNULL)
        if feed_rate:
            threading.Thread(target=feed, args=(p.stdin, infile, feed_rate, feed_hold),
                             daemon=True).start()
        perf = None
        if self.a.perf and (label in ("scan", "capacity") or label.startswith("dns-")):
            perf_data = os.path.join(self.run, "perf-%s.data" % label)
            perf = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F",
                                     "499" if self.a.perf_callgraph == "fp" else "199",
                                     "--call-graph", self.a.perf_callgraph,
                                     "-p", str(p.pid), "-o", perf_data],
                                    stdout=err, stderr=err)
        peak_fds = peak_rss = 0
        samples = []
        main_cpu = 0.0  # the event loop's thread (tid = pid), as last sampled
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                break
            main_cpu = proc_cpu(p.pid, tid=p.pid) or main_cpu
            fds = count_fds(p.pid)
            rss = proc_status(p.pid, "VmRSS")
            hwm = proc_status(p.pid, "VmHWM")
            peak_fds = max(peak_fds, fds)
            peak_rss = max(peak_rss, rss, hwm)
            samples.append((round(time.time() - t0, 2), fds, rss))
            time.sleep(0.1)
        wall = time.time() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if perf is not None:
            perf.send_signal(signal.SIGINT)
            perf.wait()
            self.perf_report(perf_data, label)
        with open(os.path.join(self.run, "logs", "samples-%s.json" % label), "w") as f:
            json.dump(samples, f)
        cpu_others = {k: round(proc_tree_cpu(pp.pid) - others.get(k, 0), 2)
                      for k, pp in self.procs.items()}
        net1 = nstat()
        net = {k: net1.get(k, 0) - net0.get(k, 0) for k in NSTAT_KEYS}
        ub1, nsd1 = self.server_stats()
        delta = lambda a, b: {k: b[k] - a.get(k, 0) for k in b} if a is not None and b is not None else None  # noqa: E731
        # Peak RSS from VmHWM samples: wait4's ru_maxrss also counts the parent's pages
        # the child had between fork and exec (it is only the fallback for a process that
        # ended before the first sample).
        return {"exit": p.returncode, "wall_s": wall, "user_s": ru.ru_utime,
                "sys_s": ru.ru_stime, "cpu_s": ru.ru_utime + ru.ru_stime,
                "maxrss_kib": peak_rss or ru.ru_maxrss, "peak_fds": peak_fds,
                "cpu_others_s": cpu_others, "net": net,
                "unbound_delta": delta(ub0, ub1), "nsd_delta": delta(nsd0, nsd1),
                # The loop thread runs SMTP, TLS, the verdicts and the records; the rest is
                # libunbound's validating worker thread (and curl's short resolver threads).
                "loop_cpu_s": main_cpu,
                "worker_threads_cpu_s": max(ru.ru_utime + ru.ru_stime - main_cpu, 0.0)}

    def perf_report(self, data, label):
        """Where mxsurvey's CPU went: shares by library and the top symbols."""
        rep = {}
        for sort, top in (("dso", 12), ("dso,sym", 40)):
            r = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                                "--sort", sort, "-g", "none", "--percent-limit", "0.5"],
                               capture_output=True, text=True)
            lines = [x.rstrip() for x in r.stdout.split("\n") if x.strip() and
                     not x.startswith("#")]
            rep[sort] = lines[:top]
        path = os.path.join(self.run, "perf-%s.txt" % label)
        with open(path, "w") as f:
            for k, v in rep.items():
                f.write("== by %s\n%s\n" % (k, "\n".join(v)))
        self.fig.setdefault("perf", {})[label] = rep
        log("perf profile: %s" % path)

    def verify(self, outfile, n):
        out = subprocess.run(["zstd", "-dc", outfile], capture_output=True, check=True).stdout
        dist = {"status": {}, "dnssec": {}, "starttls": {}, "dane": {}, "connect": {},
                "mta_sts": {}, "mta_sts_mode": {}, "mta_sts_mx_mismatch": {}, "tls_rpt": {},
                "ptr": {}, "dns_error": {}}

        def bump(k, v):
            dist[k][str(v)] = dist[k].get(str(v), 0) + 1
        nrec = 0
        names = set()
        schema_bad = []
        # --tls-profile: a profile is made once per address (the first record naming it);
        # every other record on that address carries a copy marked shared
        prof = {"profiles": 0, "connections": 0, "shared": 0, "partial": 0, "legacy_tls": 0,
                "versions": {}, "full": 0, "classes": {}, "certs": 0}
        profiled = set()
        for line in out.decode().split("\n"):
            if not line.strip():
                continue
            r = json.loads(line)
            nrec += 1
            if not self.a.no_schema:
                bad = record_schema.failures([r])
                if bad and len(schema_bad) < 10:
                    log("SCHEMA %s: %s" % (outfile, bad[0].replace("record 1 ", "record %d " % nrec)))
                schema_bad.extend(bad[:1])
            names.add(r.get("domain"))
            bump("status", r.get("status"))
            bump("dnssec", r.get("dnssec"))
            s = r.get("summary") or {}
            bump("starttls", s.get("starttls", "-"))
            bump("dane", s.get("dane", "-"))
            sts = r.get("mta_sts") or {}
            bump("mta_sts", sts.get("status", "-"))
            if sts.get("status") == "valid":
                bump("mta_sts_mode", sts.get("mode"))
                bump("mta_sts_mx_mismatch",
                     any(not h.get("policy_match") for h in sts.get("hosts") or []))
            bump("tls_rpt", (r.get("tls_rpt") or {}).get("status", "-"))
            prof["legacy_tls"] += s.get("legacy_tls") is True
            for m in r.get("mx") or []:
                for ad in m.get("addresses") or []:
                    tp = ad.get("tls_profile")
                    if tp and tp.get("shared"):
                        prof["shared"] += 1
                    elif tp:
                        prof["profiles"] += 1
                        profiled.add(ad.get("ip"))
                        prof["connections"] += tp.get("connections", 0)
                        prof["partial"] += "partial" in tp
                        for ver, ans in (tp.get("versions") or {}).items():
                            vv = prof["versions"].setdefault(ver, {})
                            vv[ans] = vv.get(ans, 0) + 1
                        # issue 15's fields, when the records have them
                        prof["certs"] += len(tp.get("certs") or [])
                        if tp.get("mode") == "full":
                            prof["full"] += 1
                            for cl, v in (tp.get("ciphers") or {}).items():
                                if isinstance(v, dict) and v.get("accepted") is True:
                                    prof["classes"][cl] = prof["classes"].get(cl, 0) + 1
                    bump("connect", (ad.get("smtp") or {}).get("connect", "-"))
                    bump("ptr", ad.get("ptr_error", "answered"))
            if r.get("status") == "dns-error":
                bump("dns_error", (r.get("error") or {}).get("reason"))
        prof["distinct_addresses"] = len(profiled)
        return {"records": nrec, "expected": n, "unique": len(names),
                "schema_failures": len(schema_bad), "distribution": dist, "profiles": prof}

    def check_sts(self, dist):
        """The policies the world serves are the ones the records call valid, in the same
        modes, and the unserved ones are fetch errors: the HTTPS path worked at scale."""
        c = self.info["counts"]
        want = {"valid": G.sts_served(c),
                "fetch-error": c.get("mta_sts_unserved", 0)}
        want_mode = {m: c["mta_sts_" + m] for m, _ in G.STS_MODES if c.get("mta_sts_" + m)}
        got = {k: dist["mta_sts"].get(k, 0) for k in want}
        good = (got == want and dist["mta_sts_mode"] == want_mode and
                dist["mta_sts_mx_mismatch"].get("True", 0) == c.get("mta_sts_mismatch", 0))
        if not good:
            log("MTA-STS: the records say %s, modes %s, MX mismatch %s; the world serves %s, "
                "modes %s, MX mismatch %d" % (got, dist["mta_sts_mode"],
                                              dist["mta_sts_mx_mismatch"], want, want_mode,
                                              c.get("mta_sts_mismatch", 0)))
        return good

    def handshake_cost(self, count=None):
        pki = self.info["pki"]
        out = subprocess.run([os.path.join(self.a.tools_dir, "bench_handshake_cost"),
                              os.path.join(pki, "self.pem"), os.path.join(pki, "self.key"),
                              str(count or self.a.handshakes)], capture_output=True, text=True,
                             check=True)
        return json.loads(out.stdout)

    def handshakes_now(self, phase, k):
        """k samples of the bare handshake now, each of --handshakes / k handshakes."""
        n = max(self.a.handshakes // k, 100)
        return [dict(self.handshake_cost(n), phase=phase) for _ in range(k)]

    def dnsperf_slices(self, phase, parts):
        """One dnsperf slice of --dnsperf-seconds / (number of parts) over each part."""
        sec = max(self.a.dnsperf_seconds // max(len(parts), 1), 2)
        return [dict(self.dnsperf("%s-%d" % (phase, i), sec, data=p), phase=phase)
                for i, p in enumerate(parts)]

    def references(self, hs, dp):
        """The interleaved references' summaries (refs.py) into the figures."""
        fig = self.fig
        fig["ref_samples"] = {"handshake": hs, "dnsperf": dp}
        ref = {"handshake_us": R.summary([h["client_cpu_us"] for h in hs])}
        for ph in ("before", "during", "after"):
            ref["handshake_us_" + ph] = R.summary([h["client_cpu_us"] for h in hs
                                                   if h["phase"] == ph])
        for ph in ("cold", "warm"):
            ref["dnsperf_qps_" + ph] = R.summary([d.get("qps") for d in dp
                                                  if d["phase"].startswith(ph)])
        fig["ref"] = ref
        if hs:  # the median sample, for the rows that print one handshake's details
            mid = sorted(hs, key=lambda h: h["client_cpu_us"])[len(hs) // 2]
            fig["handshake"] = dict(mid, client_cpu_us=ref["handshake_us"]["median"])

    def posttls(self, domains):
        a = self.a
        cfg = os.path.join(self.run, "postfix")
        os.makedirs(cfg, exist_ok=True)
        capath = os.path.join(self.run, "capath")
        os.makedirs(capath, exist_ok=True)
        shutil.copy(os.path.join(self.info["pki"], "ca.pem"), os.path.join(capath, "ca.pem"))
        subprocess.run(["openssl", "rehash", capath], capture_output=True)
        with open(os.path.join(cfg, "main.cf"), "w") as f:
            f.write("compatibility_level = 3.6\nsmtp_dns_support_level = dnssec\n")
        sample = os.path.join(self.run, "posttls-sample.txt")
        with open(sample, "w") as f:
            f.write("\n".join(domains) + "\n")
        env = dict(os.environ, MAIL_CONFIG=cfg)
        cmd = "xargs -P %d -n 1 timeout %d posttls-finger -c -l dane -t10 -T10 -P %s < %s" % (
            a.posttls_parallel, a.posttls_timeout, capath, sample)
        log("posttls-finger: %s" % cmd)
        t0 = time.time()
        r = subprocess.run(["sh", "-c", cmd], env=env, capture_output=True, text=True)
        wall = time.time() - t0
        with open(os.path.join(self.run, "logs", "posttls-finger.out"), "w") as f:
            f.write(r.stdout + r.stderr)
        text = r.stdout + r.stderr
        verdicts = {}
        for key in ("Verified TLS", "Trusted TLS", "Untrusted TLS", "Anonymous TLS"):
            verdicts[key.split()[0]] = text.count(key)
        return {"domains": len(domains), "wall_s": wall, "domains_per_s": len(domains) / wall,
                "parallel": a.posttls_parallel, "verdicts": verdicts}

    # ---- the whole run ---------------------------------------------------------------
    def world_dir(self):
        a = self.a
        d = os.path.join(a.world_cache, "world-%d-s%d-c%d" % (a.domains, a.seed,
                                                              a.capacity_domains))
        info = None
        if os.path.exists(os.path.join(d, "world.json")):
            with open(os.path.join(d, "world.json")) as f:
                info = json.load(f)
        if not info or info.get("version") != G.WORLD_VERSION:
            if os.path.exists(d):
                shutil.rmtree(d)
            log("generating the world (%d domains, %d capacity domains) in %s" % (
                a.domains, a.capacity_domains, d))
            t0 = time.time()
            info = G.build(d, a.domains, a.seed, a.capacity_domains)
            log("world generated and signed in %.1f s" % (time.time() - t0))
        else:
            G.write_configs(d)  # server settings are not cached with the zones
        return d, info

    def main(self):
        a = self.a
        self.w, self.info = self.world_dir()
        self.run = tempfile.mkdtemp(prefix="mxsurvey-bench-", dir=a.run_dir)
        os.makedirs(os.path.join(self.run, "logs"))
        log("run directory %s" % self.run)
        subprocess.run(["mount", "--bind", os.path.join(self.w, "resolv.conf"),
                        "/etc/resolv.conf"], check=True)
        fig = self.fig
        fig["world"] = {k: self.info[k] for k in ("domains", "counts", "queries",
                                                  "insecure_zones")}
        fig["params"] = {"delay_ms": a.delay_ms, "slow_ms": a.slow_ms,
                         "concurrency": a.concurrency, "extra": a.extra}
        ok = True
        try:
            self.start_world()
            if a.records_scan:
                ok &= self.records_phase()
            elif a.tls_profile_modes:
                ok &= self.modes_phase()
            elif a.dnsperf_only:
                self.fig["dnsperf_cold"] = self.dnsperf("cold", a.dnsperf_seconds)
            elif not a.capacity_only:
                ok &= self.main_phase()
            if (a.capacity or a.capacity_only) and not a.dnsperf_only and not a.records_scan:
                ok &= self.capacity_phase()
        finally:
            for k in list(self.procs):
                self.stop(k)
            subprocess.run(["umount", "/etc/resolv.conf"], capture_output=True)
        with open(os.path.join(self.run, "figures.json"), "w") as f:
            json.dump(fig, f, indent=1)
        self.print_table()
        print("figures: %s" % os.path.join(self.run, "figures.json"))
        if ok and not a.keep:
            shutil.rmtree(self.run, ignore_errors=True)
        elif not ok:
            print("FAILED (run directory kept: %s)" % self.run)
        return ok

    def cold_scan(self, i, label, out, binary=None, extra=(), dns=None):
        """One scan of the world's domains from a cold Unbound and a fresh bench_smtpd (the
        i-th of a series: the first one meets the bench_smtpd started with the world);
        returns mxsurvey's figures with bench_smtpd's counters of the scan ("smtpd") and the
        records' check ("verify")."""
        self.restart_unbound()
        if i > 0:
            self.restart_smtpd()
        self.smtpd_stats()
        scan = self.mxsurvey(os.path.join(self.w, "domains.txt"), out, self.a.concurrency,
                             label, extra=extra, binary=binary, dns=dns)
        scan["smtpd"] = self.smtpd_stats()
        scan["verify"] = self.verify(out, self.info["domains"])
        return scan

    def records_phase(self):
        """The world's domains scanned with each --records-scan binary in turn, Unbound and
        bench_smtpd restarted before each (every scan meets the same cold cache and fresh
        servers); the records are kept in --records-dir. True when every scan exited 0 with
        one record a domain."""
        a, n, ok = self.a, self.info["domains"], True
        os.makedirs(a.records_dir, exist_ok=True)
        for i, (label, binary) in enumerate(a.records_scan):
            out = os.path.join(a.records_dir, "%s.ndjson.zst" % label)
            scan = self.cold_scan(i, "records-" + label, out, binary=binary)
            v = scan["verify"]
            self.fig.setdefault("records", {})[label] = scan
            log("records %s: %d records of %d (%d unique), exit %d, %.1f s, in %s" % (
                label, v["records"], n, v["unique"], scan["exit"], scan["wall_s"], out))
            ok &= scan["exit"] == 0 and v["records"] == n and v["unique"] == n
        return ok

    def profile_modes_accepted(self):
        """The --tls-profile values this mxsurvey accepts, from `mxsurvey scan --help`
        ("--tls-profile off|basic")."""
        r = subprocess.run([self.a.mxsurvey, "scan", "--help"], capture_output=True, text=True)
        for line in (r.stdout + r.stderr).split("\n"):
            c = line.split()
            if len(c) >= 2 and c[0] == "--tls-profile":
                return c[1].split("|")
        return []

    def modes_phase(self):
        """--tls-profile-modes: the world scanned once per mode, each from a cold Unbound and
        a fresh bench_smtpd (cold_scan); what each mode costs next to off. True when every
        scan exited 0 with one record a domain, all matching the schema."""
        a, n, ok = self.a, self.info["domains"], True
        accepted = self.profile_modes_accepted()
        modes = []
        for m in a.tls_profile_modes:
            if m in accepted:
                modes.append(m)
            else:
                note = "--tls-profile %s skipped: this mxsurvey accepts %s" % (
                    m, "|".join(accepted) or "no --tls-profile")
                print(note, flush=True)
                self.fig.setdefault("profile_modes_skipped", {})[m] = note
        res = self.fig.setdefault("profile_modes", {})
        runs = self.fig.setdefault("profile_modes_rounds", {})
        i = 0
        for rnd in range(a.tls_profile_rounds):  # interleaved: off, basic, off, basic, ...
            for m in modes:
                out = os.path.join(self.run, "mode-%s.ndjson.zst" % m)
                scan = self.cold_scan(i, "mode-%s-%d" % (m, rnd), out,
                                      extra=["--tls-profile", m])
                i += 1
                v = scan["verify"]
                runs.setdefault(m, []).append(scan)
                log("--tls-profile %s, round %d: %d records of %d (%d unique), exit %d, %.1f s, "
                    "CPU %.1f s, %d profiles" % (m, rnd + 1, v["records"], n, v["unique"],
                                                 scan["exit"], scan["wall_s"], scan["cpu_s"],
                                                 v["profiles"]["profiles"]))
                ok &= scan["exit"] == 0 and v["records"] == n and v["unique"] == n
                ok &= v["schema_failures"] == 0
        # the figures of a mode are its round with the least mxsurvey CPU (the VM's noise
        # only ever adds); every round is kept in profile_modes_rounds
        for m in modes:
            res[m] = dict(min(runs[m], key=lambda r: r["cpu_s"]), mode=m,
                          rounds=len(runs[m]))
        base = res.get("off")
        for m, scan in res.items():
            p = scan["verify"]["profiles"]
            d = {"profiles": p["profiles"], "profile_connections": p["connections"]}
            if base is not None:
                d["smtpd_extra_connections"] = (scan["smtpd"]["accepted"] -
                                                base["smtpd"]["accepted"])
                d["extra_wall_s"] = scan["wall_s"] - base["wall_s"]
                d["extra_cpu_s"] = scan["cpu_s"] - base["cpu_s"]
                d["extra_smtpd_cpu_s"] = scan["smtpd"]["cpu_s"] - base["smtpd"]["cpu_s"]
                d["extra_loop_cpu_s"] = scan["loop_cpu_s"] - base["loop_cpu_s"]
                if p["profiles"]:
                    d["cpu_ms_per_profile"] = d["extra_cpu_s"] / p["profiles"] * 1000
                    d["loop_cpu_ms_per_profile"] = d["extra_loop_cpu_s"] / p["profiles"] * 1000
                    d["smtpd_cpu_ms_per_profile"] = d["extra_smtpd_cpu_s"] / p["profiles"] * 1000
            scan["vs_off"] = d
        return ok

    def main_phase(self):
        a, fig, n = self.a, self.fig, self.info["domains"]
        hs, dp = self.handshakes_now("before", 3), []
        k = 3
        parts = R.split_queries(os.path.join(self.w, "queries.txt"), 2 * k,
                                os.path.join(self.run, "queries-%d.txt"))
        if not a.no_dnsperf:
            log("dnsperf, cold cache, %d slices" % k)
            dp += self.dnsperf_slices("cold-before", parts[:k])
            self.restart_unbound()
        self.smtpd_stats()
        log_at = self.conn_log_offset()
        out = os.path.join(self.run, "out.ndjson.zst")
        during = R.Sampler(lambda: dict(self.handshake_cost(300), phase="during"),
                           a.ref_interval).start()
        scan = self.mxsurvey(os.path.join(self.w, "domains.txt"), out, a.concurrency, "scan")
        hs += during.stop()
        srv = self.smtpd_stats()
        scan["smtpd"] = srv
        if scan.get("unbound_delta"):
            scan["resolver_queries"] = scan["unbound_delta"]["total.num.queries"]
            scan["resolver_qps"] = scan["resolver_queries"] / scan["wall_s"]
        if a.polite or "--per-prefix" in a.extra:
            scan["politeness_bound"] = self.politeness_bound(log_at, scan["wall_s"])
        tls = max(srv["handshakes"], 1)
        scan["domains_per_s"] = n / scan["wall_s"]
        scan["tls_probes"] = srv["handshakes"]
        scan["tls_probes_per_s"] = srv["handshakes"] / scan["wall_s"]
        scan["cpu_ms_per_1000_domains"] = scan["cpu_s"] * 1000 / n * 1000
        scan["cpu_us_per_tls_probe"] = scan["cpu_s"] / tls * 1e6
        scan["loop_cpu_us_per_tls_probe"] = scan["loop_cpu_s"] / tls * 1e6
        scan["peak_in_flight"] = srv["peak_open"]
        scan["smtpd_cpu_share"] = srv["cpu_s"] / scan["wall_s"]
        fig["scan"] = scan
        v = self.verify(out, n)
        fig["verify"] = v
        ok = scan["exit"] == 0 and v["records"] == n and v["unique"] == n
        ok &= v["schema_failures"] == 0
        log("scan: %d records of %d, exit %d, %s" % (v["records"], n, scan["exit"],
            "schema not checked" if a.no_schema else
            "%d not matching docs/record.schema.json" % v["schema_failures"]))
        ok &= self.check_sts(v["distribution"])
        log("handshake cost, after")
        hs += self.handshakes_now("after", 3)
        if not a.no_dnsperf:
            log("dnsperf, warm cache, then cold again (fresh Unbound)")
            dp += self.dnsperf_slices("warm-after", parts[k:k + 1])
            self.restart_unbound()
            dp += self.dnsperf_slices("cold-after", parts[k:])
        self.references(hs, dp)
        ref = fig["ref"]
        fig["ratio_probe_vs_handshake"] = R.ratio(scan["cpu_us_per_tls_probe"],
                                                  ref["handshake_us"])
        fig["ratio_loop_vs_handshake"] = R.ratio(scan["loop_cpu_us_per_tls_probe"],
                                                 ref["handshake_us"])
        fig["cpu_ratio_probe_vs_handshake"] = fig["ratio_probe_vs_handshake"]["median"]
        fig["loop_cpu_ratio_probe_vs_handshake"] = fig["ratio_loop_vs_handshake"]["median"]
        fig.setdefault("dns_modes", {})["forward"] = M.figures("forward", scan, n,
                                                               ref.get("dnsperf_qps_cold"))
        for m in a.dns_modes:
            if m != "forward":
                ok &= self.dns_mode_scan(m)
        if scan.get("resolver_qps") and ref.get("dnsperf_qps_cold"):
            fig["ratio_qps_vs_capacity"] = R.ratio(scan["resolver_qps"], ref["dnsperf_qps_cold"])
        if a.posttls_sample > 0:
            doms = open(os.path.join(self.w, "domains.txt")).read().split()
            sample = random.Random(a.seed).sample(doms, min(a.posttls_sample, len(doms)))
            self.smtpd_stats()
            pf = self.posttls(sample)
            pf["smtpd"] = self.smtpd_stats()
            fig["posttls"] = pf
            fig["ratio_mxsurvey_vs_posttls"] = scan["domains_per_s"] / pf["domains_per_s"]
        return ok

    def dns_mode_scan(self, mode):
        """The world scanned again in another DNS mode (dnsmodes.py), from a cold Unbound and
        a fresh bench_smtpd; its column of the modes table, or FAILED with the reason."""
        n, fig = self.info["domains"], self.fig
        r = subprocess.run([self.a.mxsurvey, "scan", "--help"], capture_output=True, text=True)
        missing = M.flags_missing(mode, r.stdout + r.stderr)
        col = {"mode": mode}
        if missing:
            col.update(failed=True, why="%s mode: this mxsurvey does not accept %s" % (
                mode, ", ".join(missing)))
        else:
            out = os.path.join(self.run, "dns-%s.ndjson.zst" % mode)
            scan = self.cold_scan(1, "dns-" + mode, out, dns=M.args(
                mode, G.RESOLVER_ADDR, M.world_hints(self.w)))
            v = scan["verify"]
            why = M.check(mode, scan, n)
            if scan["exit"] != 0 or v["records"] != n or v["unique"] != n:
                why = why or "%s mode: exit %d, %d records of %d" % (mode, scan["exit"],
                                                                     v["records"], n)
            col = M.figures(mode, scan, n, (fig.get("ref") or {}).get("dnsperf_qps_cold"))
            fig.setdefault("dns_mode_scans", {})[mode] = scan
            if why:
                col.update(failed=True, why=why)
        fig["dns_modes"][mode] = col
        if col.get("failed"):
            log("FAILED: " + col["why"])
        return not col.get("failed")

    def capacity_phase(self):
        a, fig = self.a, self.fig
        capf = os.path.join(self.w, "capacity.txt")
        m = len(open(capf).read().split())
        # baseline: the same process with nothing to probe, kept alive 2 s by its input
        # pipe so that its RSS is sampled after start-up
        basef = os.path.join(self.run, "baseline.txt")
        with open(basef, "w") as f:
            f.write("nonexistent.%s\n" % G.TLD)
        base = self.mxsurvey(basef, os.path.join(self.run, "baseline.ndjson.zst"), a.cap_conc,
                             "baseline", feed_rate=1000, feed_hold=2.0)
        self.smtpd_stats()
        out = os.path.join(self.run, "capacity.ndjson.zst")
        cap = self.mxsurvey(capf, out, a.cap_conc, "capacity", feed_rate=a.capacity_feed_rate)
        srv = self.smtpd_stats()
        cap["smtpd"] = srv
        cap["domains"] = m
        cap["baseline_rss_kib"] = base["maxrss_kib"]
        cap["peak_in_flight"] = srv["peak_open"]
        cap["peak_tls_in_flight"] = srv["peak_tls_open"]
        cap["rss_per_in_flight_kib"] = (cap["maxrss_kib"] - base["maxrss_kib"]) / \
            max(srv["peak_open"], 1)
        cap["cpu_us_per_tls_probe"] = cap["cpu_s"] / max(srv["handshakes"], 1) * 1e6
        v = self.verify(out, m)
        cap["verify"] = v
        fig["capacity"] = cap
        log("capacity: %d records of %d, exit %d, %s" % (v["records"], m, cap["exit"],
            "schema not checked" if a.no_schema else
            "%d not matching docs/record.schema.json" % v["schema_failures"]))
        return cap["exit"] == 0 and v["records"] == m and v["schema_failures"] == 0

    def print_table(self):
        f = self.fig
        rows = []

        def row(k, v):
            rows.append((k, v))
        w = f["world"]
        row("world", "%d domains (%s), %d dnsperf queries" % (
            w["domains"], ", ".join("%s %d" % kv for kv in sorted(w["counts"].items())),
            w["queries"]))
        p = f["params"]
        row("parameters", "reply delay %d ms, slow banner %d ms, --concurrency %d %s" % (
            p["delay_ms"], p["slow_ms"], p["concurrency"], " ".join(p["extra"])))
        for label, r in f.get("records", {}).items():
            row("records " + label, "%d of %d in %.1f s, exit %d, CPU %.1f s" % (
                r["verify"]["records"], r["verify"]["expected"], r["wall_s"], r["exit"],
                r["cpu_s"]))
        s = f.get("scan")
        if s:
            row("scan wall time", "%.1f s (exit %d)" % (s["wall_s"], s["exit"]))
            row("domains/s", "%.0f" % s["domains_per_s"])
            row("TLS probes/s", "%.0f (%d handshakes, %d connections)" % (
                s["tls_probes_per_s"], s["tls_probes"], s["smtpd"]["accepted"]))
            row("peak probes in flight", "%d connections (%d in TLS), %d fds in mxsurvey" % (
                s["peak_in_flight"], s["smtpd"]["peak_tls_open"], s["peak_fds"]))
            row("mxsurvey CPU", "%.1f s (user %.1f, sys %.1f) = %.0f%% of one core" % (
                s["cpu_s"], s["user_s"], s["sys_s"], 100 * s["cpu_s"] / s["wall_s"]))
            row("CPU per 1000 domains", "%.0f ms" % s["cpu_ms_per_1000_domains"])
            row("CPU per TLS probe", "%.0f us" % s["cpu_us_per_tls_probe"])
            if "loop_cpu_s" in s:
                row("  by thread", "event loop %.1f s = %.0f us per TLS probe; libunbound's "
                    "validating thread and others %.1f s" % (
                        s["loop_cpu_s"], s["loop_cpu_us_per_tls_probe"],
                        s["worker_threads_cpu_s"]))
            if s.get("politeness_bound"):
                for k, v in B.rows(s["politeness_bound"]):
                    row(k, v)
            row("peak RSS", "%.0f MiB" % (s["maxrss_kib"] / 1024))
            row("RSS per in-flight probe", "%.0f KiB (peak RSS / peak in flight)" % (
                s["maxrss_kib"] / max(s["peak_in_flight"], 1)))
            row("other CPU during scan", ", ".join("%s %.1f s" % kv for kv in
                                                   sorted(s["cpu_others_s"].items())))
            row("bench_smtpd CPU share", "%.0f%% of one core" % (100 * s["smtpd_cpu_share"]))
            # The world runs on the same cores as the scanner: what all of it needed bounds
            # the wall time however cheap mxsurvey gets.
            world_cpu = s["cpu_s"] + sum(s["cpu_others_s"].values())
            ncpu = os.cpu_count() or 1
            row("machine CPU during scan", "%.1f s (mxsurvey + servers) = %.2f of %d cores; "
                "servers alone need %.0f s of wall on %d cores" % (
                    world_cpu, world_cpu / s["wall_s"], ncpu,
                    sum(s["cpu_others_s"].values()) / ncpu, ncpu))
            row("kernel drops during scan", ", ".join("%s %d" % kv for kv in s["net"].items()))
            v = f["verify"]
            row("records", "%d of %d (%d unique)" % (v["records"], v["expected"], v["unique"]))
            for k, d in v["distribution"].items():
                row("  " + k, ", ".join("%s %d" % kv for kv in
                                        sorted(d.items(), key=lambda x: -x[1])))
        h = f.get("handshake")
        ref = f.get("ref")
        if h and ref:
            row("bare client handshake", "%s CPU, median (min-max) of samples before, during "
                "and after the scan (%s, %s; server side %.0f us)" % (
                    R.fmt(ref["handshake_us"], " us"), h["version"], h["group"],
                    h["server_cpu_us"]))
            row("  before / during / after", " / ".join(
                R.fmt(ref["handshake_us_" + ph], " us") for ph in ("before", "during", "after")))
            row("CPU per probe / handshake", "%s; event loop alone %s" % (
                R.fmt_ratio(f["ratio_probe_vs_handshake"]),
                R.fmt_ratio(f["ratio_loop_vs_handshake"])))
        elif h:
            row("bare client handshake", "%.0f us CPU (%s, %s; server side %.0f us)" % (
                h["client_cpu_us"], h["version"], h["group"], h["server_cpu_us"]))
        if ref:
            for ph in ("cold", "warm"):
                if ref.get("dnsperf_qps_" + ph):
                    row("resolver qps (%s)" % ph, "%s, dnsperf slices (%s)" % (
                        R.fmt(ref["dnsperf_qps_" + ph]),
                        "before the scan from a fresh Unbound and after it from another"
                        if ph == "cold" else "after the scan, on its cache"))
        if s and s.get("resolver_qps"):
            row("queries mxsurvey drove", "%.0f /s (%d queries at the resolver); %s its cold "
                "capacity" % (s["resolver_qps"], s["resolver_queries"],
                              R.fmt_ratio(f.get("ratio_qps_vs_capacity"))))
        for k in ("dnsperf_cold", "dnsperf_warm"):
            d = f.get(k)
            if d:
                row("resolver qps (%s)" % k.split("_")[1], "%.0f (completed %s, lost %s; %s)" % (
                    d.get("qps", 0), d.get("completed"), d.get("lost"), d.get("rcodes")))
        pf = f.get("posttls")
        if pf:
            row("posttls-finger -P %d" % pf["parallel"], "%d domains in %.1f s = %.1f domains/s" % (
                pf["domains"], pf["wall_s"], pf["domains_per_s"]))
            row("mxsurvey / posttls-finger", "%.1fx (one posttls-finger run: no spread)" %
                f["ratio_mxsurvey_vs_posttls"])
        c = f.get("capacity")
        if c:
            row("capacity: domains", "%d fed at %d/s, every reply held %d ms, --concurrency %d, "
                "%.1f s" % (c["domains"], self.a.capacity_feed_rate, self.a.capacity_hold_ms,
                            self.a.cap_conc, c["wall_s"]))
            row("capacity: peak in flight", "%d connections (%d in TLS at once), %d fds" % (
                c["peak_in_flight"], c["peak_tls_in_flight"], c["peak_fds"]))
            row("capacity: RSS", "peak %.0f MiB, baseline %.0f MiB, %.1f KiB per in-flight probe" % (
                c["maxrss_kib"] / 1024, c["baseline_rss_kib"] / 1024, c["rss_per_in_flight_kib"]))
            row("capacity: records", "%d of %d; status %s; ptr %s" % (
                c["verify"]["records"], c["domains"], c["verify"]["distribution"]["status"],
                c["verify"]["distribution"]["ptr"]))
        width = max(len(k) for k, _ in rows)
        print("=" * 78)
        for k, v in rows:
            print("%-*s  %s" % (width, k, v))
        for label, rep in f.get("perf", {}).items():
            print("-- perf (%s), CPU by library:" % label)
            print("\n".join("   " + x for x in rep["dso"]))
        self.print_dns_modes()
        self.print_modes()
        print("=" * 78)

    def print_dns_modes(self):
        """--dns-modes: one column a mode."""
        res = self.fig.get("dns_modes")
        if not res:
            return
        cols = list(res.values())
        rows = M.table(cols, None, R.fmt_ratio)
        width = max(len(k) for k, _ in rows)
        cw = max([len(c["mode"]) for c in cols] + [len(x) for _, cs in rows for x in cs])
        print("-- DNS modes (each from a cold Unbound; forward is the main scan):")
        print("%-*s  %s" % (width, "mode", "  ".join("%*s" % (cw, c["mode"]) for c in cols)))
        for k, cells in rows:
            print("%-*s  %s" % (width, k, "  ".join("%*s" % (cw, x) for x in cells)))
        for c in cols:
            if c.get("failed"):
                print("FAILED: %s" % c["why"])

    def print_modes(self):
        """--tls-profile-modes: one column a mode."""
        res = self.fig.get("profile_modes")
        if not res:
            return
        modes = list(res)
        rows = []

        def row(k, fn):
            cells = []
            for m in modes:
                try:
                    cells.append(fn(res[m], res[m]["verify"]["profiles"], res[m]["vs_off"]))
                except (KeyError, ZeroDivisionError):
                    cells.append("-")
            rows.append((k, cells))
        row("--tls-profile", lambda r, p, d: "")
        row("wall time (exit)", lambda r, p, d: "%.1f s (%d)" % (r["wall_s"], r["exit"]))
        row("  more than off", lambda r, p, d: "%+.1f s" % d["extra_wall_s"])
        row("mxsurvey CPU", lambda r, p, d: "%.1f s" % r["cpu_s"])
        row("  more than off", lambda r, p, d: "%+.1f s" % d["extra_cpu_s"])
        row("  user, sys", lambda r, p, d: "%.1f s, %.1f s" % (r["user_s"], r["sys_s"]))
        row("  event loop thread", lambda r, p, d: "%.1f s (%+.1f s)" % (
            r["loop_cpu_s"], d["extra_loop_cpu_s"]))
        rounds = self.fig.get("profile_modes_rounds", {})
        if any(len(v) > 1 for v in rounds.values()):
            row("  CPU of each round", lambda r, p, d: ", ".join(
                "%.1f" % x["cpu_s"] for x in rounds[r["mode"]]))
        row("records", lambda r, p, d: "%d of %d" % (r["verify"]["records"],
                                                     r["verify"]["expected"]))
        row("profiles made", lambda r, p, d: "%d (%d addresses)" % (p["profiles"],
                                                                    p["distinct_addresses"]))
        row("  shared copies", lambda r, p, d: "%d" % p["shared"])
        row("  partial", lambda r, p, d: "%d" % p["partial"])
        row("profile connections", lambda r, p, d: "%d" % p["connections"])
        row("  per profile", lambda r, p, d: "%.2f" % (p["connections"] / p["profiles"]))
        row("smtpd connections", lambda r, p, d: "%d" % r["smtpd"]["accepted"])
        row("  more than off", lambda r, p, d: "%+d" % d["smtpd_extra_connections"])
        row("smtpd handshakes", lambda r, p, d: "%d" % r["smtpd"]["handshakes"])
        row("CPU per profile", lambda r, p, d: "%.2f ms" % d["cpu_ms_per_profile"])
        row("  event loop thread", lambda r, p, d: "%.2f ms" % d["loop_cpu_ms_per_profile"])
        row("  smtpd CPU per profile", lambda r, p, d: "%.2f ms" % d["smtpd_cpu_ms_per_profile"])
        for ver in ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"):
            row("%s accepted" % ver, lambda r, p, d, ver=ver: "%.1f %%" % (
                100 * p["versions"][ver].get("accepted", 0) / p["profiles"]))
        row("legacy_tls records", lambda r, p, d: "%d" % p["legacy_tls"])
        # the full mode's fields (issue 15), when some mode's records have them: the other
        # modes' columns show "-"
        if any(res[m]["verify"]["profiles"].get("certs") for m in modes):
            row("certificates per profile", lambda r, p, d: "%.2f" % (p["certs"] / p["profiles"]))
        if any(res[m]["verify"]["profiles"].get("full") for m in modes):
            row("full-mode profiles", lambda r, p, d: "%d" % p["full"] if p["full"] else "-")
            for cl in ("good", "sufficient", "phase-out", "insufficient"):
                row("%s suites accepted" % cl, lambda r, p, d, cl=cl: "%.1f %%" % (
                    100 * p["classes"].get(cl, 0) / p["full"]))
        width = max(len(k) for k, _ in rows)
        cw = max([len(m) for m in modes] + [len(c) for _, cs in rows for c in cs])
        print("-- --tls-profile modes, each from a cold Unbound and a fresh bench_smtpd; %d "
              "round(s), interleaved, the round with the least mxsurvey CPU shown:" %
              self.a.tls_profile_rounds)
        for k, cells in rows:
            if k == "--tls-profile":
                cells = modes
            print("%-*s  %s" % (width, k, "  ".join("%*s" % (cw, c) for c in cells)))
        for note in self.fig.get("profile_modes_skipped", {}).values():
            print(note)


def parse(argv):
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description="mxsurvey benchmark (see docs/benchmark.md)")
    ap.add_argument("--domains", type=int, default=100000)
    ap.add_argument("--delay-ms", type=int, default=50, help="server delay before each reply")
    ap.add_argument("--slow-ms", type=int, default=5000, help="banner delay of the slow hosts")
    ap.add_argument("--concurrency", type=int, default=2000, help="mxsurvey --concurrency")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--polite", action="store_true",
                    help="keep mxsurvey's politeness defaults instead of LAB_LIMITS")
    ap.add_argument("--keep", action="store_true", help="keep the run directory")
    ap.add_argument("--capacity", dest="capacity", action="store_true", default=True,
                    help="run the capacity phase after the scan (default)")
    ap.add_argument("--no-capacity", dest="capacity", action="store_false")
    ap.add_argument("--capacity-only", action="store_true", help="only the capacity phase")
    ap.add_argument("--capacity-domains", type=int, default=16000)
    ap.add_argument("--capacity-hold-ms", type=int, default=15000)
    ap.add_argument("--capacity-feed-rate", type=int, default=400,
                    help="capacity domains given to mxsurvey per second (through a pipe), so "
                    "that their DNS lookups do not all start at once; 0: all at once")
    ap.add_argument("--capacity-concurrency", dest="cap_conc", type=int, default=0,
                    help="default: the number of capacity domains")
    ap.add_argument("--posttls-sample", type=int, default=2000)
    ap.add_argument("--posttls-parallel", type=int, default=64)
    ap.add_argument("--posttls-timeout", type=int, default=60)
    ap.add_argument("--handshakes", type=int, default=2000,
                    help="bare handshakes before and after the scan (3 samples each)")
    ap.add_argument("--ref-interval", type=float, default=5.0,
                    help="seconds between the bare-handshake samples during the scan")
    ap.add_argument("--dnsperf-seconds", type=int, default=20)
    ap.add_argument("--no-dnsperf", action="store_true")
    ap.add_argument("--dnsperf-only", action="store_true", help="only the cold dnsperf run")
    ap.add_argument("--perf", action="store_true",
                    help="profile the scans with perf record -e cpu-clock (report in the run dir)")
    ap.add_argument("--perf-callgraph", default="fp",
                    help="perf's --call-graph: fp (cheap) or dwarf (callers through "
                    "libraries built without frame pointers)")
    ap.add_argument("--mxsurvey", help="the mxsurvey binary measured (not needed with "
                    "--records-scan)")
    ap.add_argument("--records-scan", action="append", default=[], metavar="LABEL=MXSURVEY",
                    help="only scan the world with this binary and keep the records as "
                    "RECORDS_DIR/LABEL.ndjson.zst; repeat for several binaries on one world")
    ap.add_argument("--records-dir", default=None, help="where --records-scan keeps records")
    ap.add_argument("--tls-profile-rounds", type=int, default=1,
                    help="with --tls-profile-modes: scan the modes this many times, "
                    "interleaved (off, basic, off, basic, ...); each mode's figures are its "
                    "round with the least mxsurvey CPU")
    ap.add_argument("--tls-profile-modes", default="", metavar="MODE,MODE",
                    help="instead of the main phase, scan the world once per mxsurvey "
                    "--tls-profile mode (off, basic, full; a mode this mxsurvey refuses is "
                    "skipped with a note) and compare their cost with off's")
    ap.add_argument("--dns-modes", default="forward", metavar="MODE,MODE",
                    help="after the main scan (forward), scan the world again in each other "
                    "mxsurvey DNS mode (recursive, trusted) and print the modes side by side")
    ap.add_argument("--tools-dir", required=True, help="where bench_smtpd and "
                    "bench_handshake_cost are")
    ap.add_argument("--world-cache", default="/var/tmp/mxsurvey-bench")
    ap.add_argument("--run-dir", default=None, help="parent of the run directory (default TMPDIR)")
    ap.add_argument("--no-build", action="store_true", help="(run.sh) do not build")
    ap.add_argument("--no-schema", action="store_true",
                    help="do not check the records against docs/record.schema.json "
                         "(python3-jsonschema: 1 to 2 ms a record, checked after the scan, outside "
                         "every timing)")
    a = ap.parse_args(argv)
    a.extra = extra
    if not a.mxsurvey and not a.records_scan:
        ap.error("--mxsurvey is required (or --records-scan)")
    if a.records_scan and not a.records_dir:
        ap.error("--records-scan needs --records-dir")
    scans = []
    for r in a.records_scan:
        label, sep, path = r.partition("=")
        if not sep or not label or not path:
            ap.error("--records-scan wants LABEL=MXSURVEY, got %r" % r)
        scans.append((label, os.path.abspath(path)))
    a.records_scan = scans
    modes = []
    for m in a.tls_profile_modes.split(",") if a.tls_profile_modes else []:
        if m not in ("off", "basic", "full"):
            ap.error("--tls-profile-modes: %r is not off, basic or full" % m)
        if m not in modes:
            modes.append(m)
    a.tls_profile_modes = modes
    try:
        a.dns_modes = M.parse(a.dns_modes)
    except ValueError as e:
        ap.error(str(e))
    if "--resolver" in extra or "--root-hints" in extra:
        ap.error("the DNS options are the bench's (--dns-modes), not mxsurvey's after --")
    if modes and (scans or a.capacity_only or a.dnsperf_only):
        ap.error("--tls-profile-modes goes with neither --records-scan, --capacity-only "
                 "nor --dnsperf-only")
    if modes and "--tls-profile" in extra:
        ap.error("--tls-profile-modes sets --tls-profile itself")
    if a.records_dir:
        a.records_dir = os.path.abspath(a.records_dir)
    a.mxsurvey = os.path.abspath(a.mxsurvey) if a.mxsurvey else None
    a.tools_dir = os.path.abspath(a.tools_dir)
    if a.cap_conc == 0:
        a.cap_conc = a.capacity_domains
    return a


# The world's servers are all one process on loopback, and every address sits in a few
# /24s: mxsurvey's politeness defaults (1 connection per address, 0.25 s apart, 8 per /24,
# 1000 new connections/s, retries after 60 s) would measure those limits, not the scanner.
# What a CERT sets for the real internet is its own policy; the benchmark measures capacity.
# Options after "--" come later on the command line and win.
LAB_LIMITS = ["--rate", "0", "--per-ip", "1000", "--ip-interval", "0",
              "--per-prefix", "100000", "--retry-delay", "2"]


def main():
    a = parse(sys.argv[1:])
    if os.environ.get(NS_ENV) != "1":
        if os.geteuid() != 0:
            print("bench.py needs root (network namespace, ports 25/53 on 127.x)")
            return 1
        for p in [a.mxsurvey, os.path.join(a.tools_dir, "bench_smtpd")] + \
                [b for _, b in a.records_scan]:
            if p and not os.access(p, os.X_OK):
                print("not executable: %s" % p)
                return 1
        os.makedirs(a.world_cache, exist_ok=True)
        env = dict(os.environ, **{NS_ENV: "1"})
        os.execvpe("unshare", ["unshare", "--net", "--mount", "--propagation", "private",
                               sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    # unreachable hosts: connect() fails at once, as after an ICMP unreachable
    subprocess.run(["ip", "route", "add", "unreachable", "127.8.0.0/16", "table", "local"],
                   check=True)
    for k, v in (("net.core.somaxconn", "65535"), ("net.ipv4.tcp_max_syn_backlog", "65535")):
        subprocess.run(["sysctl", "-q", "-w", "%s=%s" % (k, v)], capture_output=True)
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return 0 if Bench(a).main() else 1


if __name__ == "__main__":
    sys.exit(main())
