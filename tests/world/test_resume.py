#!/usr/bin/env python3
"""Nothing lost, nowhere excluded: --resume, duplicates and --exclude-file against the
real local mail world (world.py), plus a disk that fills up.

usage: test_resume.py --mxsurvey PATH [--keep]

Needs root; re-executes itself inside `unshare --net --mount` like run_tests.py, whose
helpers it uses. Cases:
  kill9      scan the world's domain list slowly, kill -9 it once records are on disk,
             check what `zstd -dc` reads, resume with the same command, and compare with
             an uninterrupted scan: every domain exactly once, the same verdicts.
  finished   --resume on a finished output: nothing scanned, the file unchanged.
  torn       the last zstd frame torn by a few bytes: its domains are scanned again.
  plain      plain NDJSON whose last line is torn: completed the same way.
  dups       repeated names (case, trailing dot, blanks): one record each, counted.
  exclude    an exclude file with a domain, an MX host name, addresses and a CIDR: the
             excluded domain's record, and NO connection to an excluded address (the
             servers' own logs: misbehave.py's connection log, Postfix's maillog, nginx's
             access log).
  tmpfs      a 64 KiB tmpfs: the scan stops with "No space left on device" and status 1,
             what was written reads back, and after the file system grows --resume
             completes the scan.
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import world as W  # noqa: E402
import run_tests as R  # noqa: E402

NS_ENV = "MXSURVEY_RESUME_NETNS"


def zcat(path):
    """(exit status, stdout bytes) of `zstd -dc path`, or the plain file."""
    if not path.endswith(".zst"):
        with open(path, "rb") as f:
            return 0, f.read()
    r = subprocess.run(["zstd", "-dcq", path], capture_output=True)
    return r.returncode, r.stdout


def records(path, what, C):
    rc, data = zcat(path)
    C.check(what, "zstd -dc of %s" % os.path.basename(path), 0, rc)
    return R.read_ndjson(data, what, C)


def norm_input(line):
    t = line.strip()
    if not t or t.startswith("#"):
        return None
    if t == "not a domain!":
        return t
    t = t.lower().rstrip(".")
    return t.replace(W.IDN_ULABEL, W.IDN_ALABEL)


def verdicts(rec):
    """What must not depend on when or in which run a domain was scanned."""
    out = {k: rec.get(k) for k in ("domain", "status", "dnssec", "summary", "sender")}
    out["mx"] = [[(a.get("ip"), R.get(a, "dane.status"), R.get(a, "smtp.tls.pkix.valid"))
                  for a in m.get("addresses", [])] for m in rec.get("mx", [])]
    return json.dumps(out, sort_keys=True, default=repr)


def by_domain(recs, what, C):
    by = {}
    for r in recs:
        d = r.get("domain")
        if d in by:
            C.check(what, "exactly one record for %r" % d, 1, 2)
        by[d] = r
    return by


def scan(mx, args, what, wd, timeout=240):
    r = subprocess.run([mx, "scan"] + args, capture_output=True, timeout=timeout)
    err = r.stderr.decode("utf-8", "replace")
    with open(os.path.join(wd, "logs", "mxsurvey-%s.stderr" % what), "w") as f:
        f.write(err)
    print("[run] %s: exit %d: %s" % (what, r.returncode, err.strip().replace("\n", " | ")[-400:]),
          flush=True)
    return r.returncode, err


def written(err):
    for line in err.splitlines():
        if "records written" in line:
            return int(line.split("mxsurvey: ")[1].split(" ")[0])
    return None


def line_count(path, pred=lambda l: True):
    try:
        with open(path, errors="replace") as f:
            return sum(1 for l in f if pred(l))
    except OSError:
        return 0


# ---------------------------------------------------------------------------------------
def case_kill9(mx, base, st, wd, C):
    """kill -9 half-way, --resume, compare with an uninterrupted scan."""
    expected = sorted({n for n in map(norm_input, W.MAIN_INPUT) if n})
    slow = base + ["--concurrency", "1", "--flush-interval", "0.2"]
    full = os.path.join(wd, "full.ndjson.zst")
    rc, err = scan(mx, slow + ["-o", full, st["domains"]], "kill9-uninterrupted", wd)
    C.check("kill9", "uninterrupted scan exit status", 0, rc)
    C.check("kill9", "uninterrupted scan counts the duplicate", True,
            "1 duplicate input lines skipped" in err)
    ref = by_domain(records(full, "kill9-uninterrupted", C), "kill9-uninterrupted", C)
    C.check("kill9", "uninterrupted scan: the input's domains", expected, sorted(ref))

    out = os.path.join(wd, "killed.ndjson.zst")
    p = subprocess.Popen([mx, "scan"] + slow + ["-o", out, st["domains"]],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen = 0
    t0 = time.time()
    while time.time() - t0 < 60 and p.poll() is None:
        time.sleep(0.05)
        if os.path.exists(out):
            seen = zcat(out)[1].count(b"\n")
            if seen >= 5:
                break
    alive = p.poll() is None
    p.send_signal(signal.SIGKILL)
    p.wait()
    C.check("kill9", "killed while still scanning (records on disk: %d)" % seen, True, alive)
    # What plain zstd reads: the complete frames, perhaps the start of a torn one (its exit
    # status is then non-zero). Every complete line is a record.
    rc, data = zcat(out)
    lines = data.split(b"\n")
    complete = lines[:-1]
    good = 0
    for l in complete:
        try:
            good += "domain" in json.loads(l)
        except ValueError:
            pass
    C.check("kill9", "zstd -dc after kill -9: every complete line a record", len(complete), good)
    C.check("kill9", "zstd -dc after kill -9: records before the kill", True,
            0 < good < len(expected))
    print("[kill9] after kill -9: zstd -dc exit %d, %d records, %d bytes of a partial line" % (
        rc, good, len(lines[-1])), flush=True)

    rc, err = scan(mx, slow + ["--resume", "-o", out, st["domains"]], "kill9-resume", wd)
    C.check("kill9", "resume exit status", 0, rc)
    C.check("kill9", "resume says what it kept", True, "resuming %s:" % out in err)
    n = written(err)
    C.check("kill9", "resume scanned only the rest", True,
            n is not None and 0 < n < len(expected) and
            "%d domains already in the output skipped" % (len(expected) - n) in err)
    got = records(out, "kill9-resumed", C)
    C.check("kill9", "records after resume", len(expected), len(got))
    res = by_domain(got, "kill9-resumed", C)
    C.check("kill9", "domains after resume", expected, sorted(res))
    for d in expected:
        if d in ref and d in res:
            C.check("kill9 %s" % d, "verdicts equal to the uninterrupted scan's",
                    verdicts(ref[d]), verdicts(res[d]))
    return full, expected


def case_finished_and_torn(mx, base, st, wd, C, full, expected):
    # a finished scan: nothing to do, not a byte changed
    fin = os.path.join(wd, "finished.ndjson.zst")
    shutil.copy(full, fin)
    before = hashlib.sha256(open(fin, "rb").read()).hexdigest()
    rc, err = scan(mx, base + ["--resume", "-o", fin, st["domains"]], "finished-resume", wd)
    C.check("finished", "exit status", 0, rc)
    C.check("finished", "nothing scanned", 0, written(err))
    C.check("finished", "file unchanged", before, hashlib.sha256(open(fin, "rb").read()).hexdigest())

    # the last frame torn: its domains are scanned again, the others are not
    torn = os.path.join(wd, "torn.ndjson.zst")
    shutil.copy(full, torn)
    os.truncate(torn, os.path.getsize(torn) - 5)
    rc, err = scan(mx, base + ["--resume", "-o", torn, st["domains"]], "torn-resume", wd)
    C.check("torn", "exit status", 0, rc)
    C.check("torn", "torn tail reported", True, "torn tail of" in err)
    n = written(err)
    C.check("torn", "the torn frame's domains scanned again, no others", True,
            n is not None and 0 < n < len(expected))
    by = by_domain(records(torn, "torn", C), "torn", C)
    C.check("torn", "domains after resume", expected, sorted(by))

    # plain NDJSON, last line torn in the middle
    plain = os.path.join(wd, "plain.ndjson")
    data = zcat(full)[1]
    last = data.rstrip(b"\n").rsplit(b"\n", 1)[1]
    with open(plain, "wb") as f:
        f.write(data[:len(data) - 1 - len(last) // 2])
    rc, err = scan(mx, base + ["--resume", "-o", plain, st["domains"]], "plain-resume", wd)
    C.check("plain", "exit status", 0, rc)
    C.check("plain", "only the torn record scanned again", 1, written(err))
    by = by_domain(records(plain, "plain", C), "plain", C)
    C.check("plain", "domains after resume", expected, sorted(by))
    C.check("plain", "the torn record is whole again", json.loads(last)["domain"] in by, True)


def case_dups(mx, base, wd, C):
    inp = os.path.join(wd, "dups.txt")
    with open(inp, "w") as f:
        f.write("tls13.mxlab\nTLS13.MXLAB.\n  tls13.mxlab \n# comment\ndane-ok.mxlab\n"
                "Dane-OK.mxlab\nnot a domain!\nnot a domain!\n%s.mxlab\n%s.mxlab\n" % (
                    W.IDN_ULABEL, W.IDN_ALABEL))
    out = os.path.join(wd, "dups.ndjson.zst")
    rc, err = scan(mx, base + ["-o", out, inp], "dups", wd)
    C.check("dups", "exit status", 0, rc)
    C.check("dups", "summary counts the duplicates", True,
            "4 records written; 5 duplicate input lines skipped" in err)
    by = by_domain(records(out, "dups", C), "dups", C)
    C.check("dups", "one record per name", sorted(["tls13.mxlab", "dane-ok.mxlab", "not a domain!",
                                                   W.IDN_ALABEL + ".mxlab"]), sorted(by))
    C.check("dups", "the first line's spelling is the one scanned", R.ABSENT,
            R.get(by.get("tls13.mxlab", {}), "input"))


def postfix_connects(st, wd, name):
    return line_count(os.path.join(wd, "logs", "postfix.log"),
                      lambda l: ("postfix/%s/smtpd" % name) in l and "connect from" in l
                      and "disconnect" not in l)


def case_exclude(mx, base, st, wd, C):
    xf = os.path.join(wd, "optout.txt")
    with open(xf, "w") as f:
        f.write("# CERT opt-out list\n"
                "dane-ok.mxlab          # a domain and everything under it\n"
                "mx.tls12.mxlab         # an MX host name\n"
                "%s              # the 454 server (misbehave.py)\n"
                "127.0.1.4/31           # Postfix: cert-expired and cert-wrongname\n"
                "%s              # nginx: MTA-STS policy hosts\n" % (W.MB_454, W.STS_ADDR))
    inp = os.path.join(wd, "exclude-in.txt")
    with open(inp, "w") as f:
        f.write("dane-ok.mxlab\nsub.dane-ok.mxlab\ntls12.mxlab\nstarttls-454.mxlab\n"
                "cert-expired.mxlab\ncert-wrongname.mxlab\nsts-enforce.mxlab\ntls13.mxlab\n")
    mb_log = st["misbehave_log"]
    mb_before = len(R.misbehave_connections(mb_log, W.MB_454))
    pf = ["mx.cert-expired.mxlab", "mx.cert-wrongname.mxlab", "mx.tls12.mxlab", "mx.tls13.mxlab"]
    pf_before = {n: postfix_connects(st, wd, n) for n in pf}
    ng_log = os.path.join(wd, "logs", "nginx-access.log")
    ng_before = line_count(ng_log)
    out = os.path.join(wd, "exclude.ndjson.zst")
    rc, err = scan(mx, base + ["--exclude-file", xf, "-o", out, inp], "exclude", wd)
    C.check("exclude", "exit status", 0, rc)
    C.check("exclude", "summary counts the excluded", True, "8 records written; 2 excluded" in err)
    time.sleep(1.5)  # postlogd writes the maillog asynchronously
    by = by_domain(records(out, "exclude", C), "exclude", C)
    why = lambda n: "excluded by %s:%d" % (xf, n)  # noqa: E731
    A0 = R.A0
    E = {
        "dane-ok.mxlab": {"status": "excluded", "error": {"stage": "input", "reason": why(2)},
                          "dnssec": R.ABSENT, "sender": R.ABSENT, "mx": [], "summary": R.ABSENT,
                          "tls_rpt": R.ABSENT, "mta_sts": R.ABSENT},
        "sub.dane-ok.mxlab": {"status": "excluded", "error.reason": why(2), "dnssec": R.ABSENT},
        "tls12.mxlab": {"status": "ok", "mx.0.host": "mx.tls12.mxlab", "mx.0.addresses": [],
                        "mx.0.error.reason": why(3), "summary.starttls": "unreachable"},
        "starttls-454.mxlab": {A0 + "ip": W.MB_454, A0 + "smtp.connect": "not-attempted",
                               A0 + "smtp.error": {"stage": "connect", "reason": why(4)},
                               A0 + "smtp.banner": R.ABSENT},
        "cert-expired.mxlab": {A0 + "ip": W.PF_EXPIRED, A0 + "smtp.connect": "not-attempted",
                               A0 + "smtp.error.reason": why(5)},
        "cert-wrongname.mxlab": {A0 + "ip": W.PF_WRONGNAME, A0 + "smtp.connect": "not-attempted",
                                 A0 + "smtp.error.reason": why(5)},
        "sts-enforce.mxlab": {"mta_sts.status": "fetch-error",
                              "mta_sts.result_type": "sts-policy-fetch-error",
                              "mta_sts.reason": R.has(why(6)), A0 + "smtp.connect": "ok"},
        "tls13.mxlab": {A0 + "smtp.connect": "ok", A0 + "smtp.tls.version": "TLSv1.3"},
    }
    C.check("exclude", "records", sorted(E), sorted(by))
    R.assert_cases(by, E, "exclude", C)
    # the servers' own evidence
    C.check("exclude", "connections logged by misbehave.py on %s" % W.MB_454, mb_before,
            len(R.misbehave_connections(mb_log, W.MB_454)))
    for n in pf:
        now = postfix_connects(st, wd, n)
        if n == "mx.tls13.mxlab":   # the control: tls13.mxlab was scanned, and logged
            C.check("exclude", "Postfix connections logged by %s (control)" % n, True,
                    now > pf_before[n])
        else:
            C.check("exclude", "Postfix connections logged by %s" % n, pf_before[n], now)
    C.check("exclude", "nginx requests (policy host excluded)", ng_before, line_count(ng_log))


def case_tmpfs(mx, base, wd, C):
    """A disk that fills up: status 1 and the error, the file reads back, and --resume
    completes the scan once there is room."""
    mnt = os.path.join(wd, "tiny")
    os.makedirs(mnt)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], check=True)
    try:
        inp = os.path.join(wd, "many-invalid.txt")
        n = 20000
        with open(inp, "w") as f:
            # random text, so that even compressed it is far more than 64 KiB
            f.write("".join("bad %d %s!\n" % (i, os.urandom(24).hex()) for i in range(n)))
        for name in ("full.ndjson", "full.ndjson.zst"):
            out = os.path.join(mnt, name)
            subprocess.run(["mount", "-o", "remount,size=64k", mnt], check=True)
            rc, err = scan(mx, base + ["-o", out, inp], "tmpfs-" + name, wd)
            C.check("tmpfs " + name, "exit status", 1, rc)
            C.check("tmpfs " + name, "error message", True,
                    "No space left on device" in err and "output is incomplete" in err)
            zrc, data = zcat(out)
            lines = data.split(b"\n")[:-1]
            good = sum(1 for l in lines if l.startswith(b'{"domain":"bad '))
            C.check("tmpfs " + name, "what was written reads back", True,
                    good > 0 and good == len(lines))
            subprocess.run(["mount", "-o", "remount,size=16m", mnt], check=True)
            rc, err = scan(mx, base + ["--resume", "-o", out, inp], "tmpfs-resume-" + name, wd)
            C.check("tmpfs " + name, "resume after the disk grew", 0, rc)
            recs = records(out, "tmpfs " + name, C)
            doms = [r.get("domain") for r in recs]
            C.check("tmpfs " + name, "every line once after resume", (n, n), (len(doms), len(set(doms))))
            os.unlink(out)
    finally:
        subprocess.run(["umount", mnt])


def in_namespace_main(a):
    C = R.Checker()
    wd = tempfile.mkdtemp(prefix="mxsurvey-resume-")
    world = W.World(wd, die_with_parent=True)
    ok = False
    try:
        st = R.start_world(world, wd)
        mx = os.path.abspath(a.mxsurvey)
        base = R.scan_base(st)
        full, expected = case_kill9(mx, base, st, wd, C)
        case_finished_and_torn(mx, base, st, wd, C, full, expected)
        case_dups(mx, base, wd, C)
        case_exclude(mx, base, st, wd, C)
        case_tmpfs(mx, base, wd, C)
        ok = C.failed == 0
    except BaseException as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        C.check("driver", "no exception", None, repr(e))
    finally:
        R.finish_world(world, wd, ok, a.keep, C)
    return ok


def main():
    return W.driver_main(__file__, NS_ENV, "ports 25/53", in_namespace_main, doc=__doc__)


if __name__ == "__main__":
    sys.exit(main())
