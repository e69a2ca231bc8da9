#!/usr/bin/env python3
"""The HTML report in a real headless browser (Debian's chromium).

usage: html_test.py --mxsurvey PATH --out DIR

Writes the page for the hand-built records (with --compare, so every part is there; and
the page of the TLS profile's records, profile.ndjson),
checks that it references nothing outside itself, loads it in headless chromium with
console logging on, fails on any console message (script errors, failed loads), and keeps
the screenshot (DIR/report.png) after checking it is a real, non-trivial PNG. Issue 16's
sections (ops1.ndjson, and cmp1 against cmp0) get the same checks; DIR/report-ops.png shows
them (docs/report-ops.png is a copy). The checker
is first shown to catch a page with a deliberate script error. Chromium runs in a network
namespace of its own (unshare --net) so that it cannot reach any network at all."""
import argparse, os, re, shutil, struct, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FAILS = []


def check(what, ok, detail=""):
    if not ok:
        FAILS.append(f"{what} {detail}".strip())


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


def load(page, png, window="1280,4000"):
    """Loads page; returns the console messages chromium logged."""
    ud = tempfile.mkdtemp(prefix="mxs-chromium.")
    try:
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--user-data-dir=" + ud, "--screenshot=" + png,
               "--window-size=" + window, "--enable-logging=stderr", "--v=0",
               "file://" + os.path.abspath(page)]
        if os.geteuid() == 0:
            cmd = ["unshare", "--net"] + cmd
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(ud, ignore_errors=True)
    # Chromium's own pages (source chrome://..., e.g. its omnibox) log to the console too;
    # only what concerns the page under test counts.
    msgs = [l for l in p.stderr.splitlines()
            if re.search(r"CONSOLE|Uncaught|Failed to load resource|net::ERR_", l)
            and "source: chrome://" not in l]
    if p.returncode != 0:
        msgs.append(f"chromium exited with {p.returncode}: {p.stderr[-500:]}")
    return msgs


def png_size(path):
    try:
        data = open(path, "rb").read()
    except OSError:
        return None
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    w, h = struct.unpack(">II", data[16:24])
    return w, h, len(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mxsurvey", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    if not chromium():
        print("FAIL: chromium not installed (scripts/install-deps.sh installs it)")
        return 1

    # The checker must catch a broken page.
    bad = os.path.join(out, "broken.html")
    open(bad, "w").write("<!DOCTYPE html><html><body><p>broken on purpose</p>"
                         "<script>no_such_function();</script></body></html>")
    msgs = load(bad, os.path.join(out, "broken.png"))
    check("a deliberate script error is caught", any("Uncaught" in m for m in msgs), str(msgs))
    print("checker on the deliberately broken page:", *msgs, sep="\n  ")

    page = os.path.join(out, "report.html")
    p = subprocess.run([a.mxsurvey, "report", "-q", "--html", page,
                        os.path.join(HERE, "scan1.ndjson"), "--compare",
                        os.path.join(HERE, "scan0-part1.ndjson"),
                        os.path.join(HERE, "scan0-part2.ndjson")],
                       capture_output=True, text=True)
    check("report exit status", p.returncode == 0, p.stderr)
    html = open(page, encoding="utf-8").read()
    for pat in (r"""(?i)\b(src|href|action|poster|data)\s*=\s*["']?\s*(https?:)?//""",
                r"(?i)<script[^>]*\bsrc", r"(?i)@import", r"(?i)url\(", r"(?i)<link\b",
                r"(?i)<(img|iframe|object|embed)\b"):
        check(f"no external reference ({pat})", not re.search(pat, html),
              str(re.search(pat, html)))
    for needle in ("<svg", "DANE newly broken", "hoster.pt", "About this scan",
                   "scan1.ndjson", "mxsurvey 0", "Domains scanned (records)"):
        check(f"page contains {needle!r}", needle in html)

    # The TLS profile's section and operator columns (--tls-profile records, compared with
    # their previous grades): the same checks, in the same browser.
    ppage = os.path.join(out, "report-profile.html")
    p = subprocess.run([a.mxsurvey, "report", "-q", "--html", ppage,
                        os.path.join(HERE, "profile.ndjson"), "--compare",
                        os.path.join(HERE, "profile0.ndjson")], capture_output=True, text=True)
    check("profile report exit status", p.returncode == 0, p.stderr)
    phtml = open(ppage, encoding="utf-8").read() if p.returncode == 0 else ""
    for needle in ('id="tls_profile"', "DANE fails some senders", "TLS insufficient",
                   "tls_grade.worse"):
        check(f"profile page contains {needle!r}", needle in phtml)
    msgs = load(ppage, os.path.join(out, "report-profile.png"))
    check("no console messages on the profile page", not msgs, str(msgs))

    # Issue 16's sections (ops1.ndjson): conformity, rollover, outlook, the operators'
    # conformity and the soonest list; with --compare (cmp1 against cmp0) the DANE causes.
    opage = os.path.join(out, "report-ops.html")
    p = subprocess.run([a.mxsurvey, "report", "-q", "-o", os.devnull, "--html", opage,
                        os.path.join(HERE, "ops1.ndjson")], capture_output=True, text=True)
    check("ops report exit status", p.returncode == 0, p.stderr)
    ohtml = open(opage, encoding="utf-8").read() if p.returncode == 0 else ""
    for needle in ('id="conformity"', 'id="rollover"', 'id="outlook"', 'id="conformity_operators"',
                   'id="soonest"', "mta-sts-testing-tls-rpt (advisory)", "rollover-ready",
                   "Breaks in week 4 (days 21-27 after the scan)", "<td>d2.pt</td>",
                   "<td>2/3, 1 fail</td>", 'class="fail"', 'class="warn"'):
        check(f"ops page contains {needle!r}", needle in ohtml)
    rows = ohtml.split('id="soonest"')[-1].split("</table>")[0].count("<tr><td>")
    check("ops page: 20 rows in the soonest list", rows == 20, str(rows))
    for pat in (r"(?i)<script", r"(?i)url\(", r"(?i)<link\b", r"(?i)<(img|iframe|object|embed)\b"):
        check(f"ops page: no external reference ({pat})", not re.search(pat, ohtml))
    msgs = load(opage, os.path.join(out, "report-ops-full.png"))
    check("no console messages on the ops page", not msgs, str(msgs))
    cpage = os.path.join(out, "report-ops-compare.html")
    p = subprocess.run([a.mxsurvey, "report", "-q", "-o", os.devnull, "--html", cpage,
                        os.path.join(HERE, "cmp1.ndjson"), "--compare",
                        os.path.join(HERE, "cmp0.ndjson")], capture_output=True, text=True)
    check("ops compare exit status", p.returncode == 0, p.stderr)
    chtml = open(cpage, encoding="utf-8").read() if p.returncode == 0 else ""
    for needle in ("dane_broke.key_changed", "server key changed, TLSA unchanged",
                   "mta_sts.changed_same_id", "DANE broke: the MX moved to hosts without TLSA"):
        check(f"ops compare page contains {needle!r}", needle in chtml)
    msgs = load(cpage, os.path.join(out, "report-ops-compare.png"))
    check("no console messages on the ops compare page", not msgs, str(msgs))
    # The screenshot of the new sections (docs/report-ops.png is one): the page in a frame
    # scrolled to its first new section; the frame is the test's, not the report's.
    frame = os.path.join(out, "report-ops-frame.html")
    open(frame, "w").write('<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0}'
                           'iframe{border:0;width:1280px;height:3300px}</style></head><body>'
                           '<iframe src="report-ops.html#conformity"></iframe></body></html>')
    opng = os.path.join(out, "report-ops.png")
    if os.path.exists(opng):
        os.unlink(opng)
    msgs = load(frame, opng, "1280,3300")
    check("no console messages in the framed ops page", not msgs, str(msgs))
    size = png_size(opng)
    check("ops screenshot is a PNG of the window", size is not None and size[:2] == (1280, 3300), str(size))
    check("ops screenshot is not trivial", size is not None and size[2] > 100000, str(size))
    print("ops screenshot:", opng, size)

    png = os.path.join(out, "report.png")
    if os.path.exists(png):
        os.unlink(png)
    msgs = load(page, png)
    check("no console messages on the report page", not msgs, str(msgs))
    size = png_size(png)
    check("screenshot is a PNG of the window", size is not None and size[:2] == (1280, 4000), str(size))
    check("screenshot is not trivial", size is not None and size[2] > 50000, str(size))
    print("screenshot:", png, size)
    for f in FAILS:
        print("FAIL:", f)
    print(f"html test: {len(FAILS)} failure(s)")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
