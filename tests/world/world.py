#!/usr/bin/env python3
"""The local mail world of mxsurvey's integration tests (python3 stdlib only).

Everything lives on loopback (127.0.0.0/8) and is meant to run inside a private network
namespace (`unshare --net --mount`, then `ip link set lo up`): run_tests.py and
scripts/demo.sh do that.

Layout (addresses):
  127.0.53.1:53    NSD: fake root ".", TLD "mxlab." and one child zone per case
  127.0.53.2:53    "refuser" (in misbehave.py): answers REFUSED to every query (SERVFAIL case)
  127.0.53.53:53   validating Unbound; trust anchor = DS of the fake root (<dir>/root.key)
  127.0.1.X:25     one Postfix instance, one smtpd entry per address (see PF_*; 127.0.1.10-14:
                   servers for --tls-profile full, fullprofile.py)
  127.0.1.20:25    Exim (GnuTLS), only with `start DIR --exim` (fullprofile.py)
  127.0.1.40-43:25 Postfix entries for issue 16's cases (opsworld.py: rollover, outlook,
                   CNCS; domains ops-*.mxlab in ops.txt only)
  127.0.2.X:25     misbehave.py: hand-written broken SMTP servers (see MB_*)
  127.0.3.1:25     nothing listens (connection refused)
  127.0.4.1:443    nginx: HTTPS policy hosts mta-sts.<domain> for the MTA-STS cases (SNI)

CLI:  world.py start DIR [--exim]   builds everything in DIR (must not exist or be empty),
                           starts it (--exim: Exim too, fullprofile.py)
      world.py stop DIR    stops every server started by `start DIR`
      world.py check DIR   quick sanity checks with dig
"""
import datetime
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hostile  # noqa: E402  (issue 5: hostile peers, their certificates and zones)
import fullprofile as FP  # noqa: E402  (issue 15: servers for --tls-profile full, Exim)
import opsworld as OPS  # noqa: E402  (issue 16: rollover, outlook, CNCS cases; ops.txt)
TLD = "mxlab"

NSD_ADDR = "127.0.53.1"
REFUSER_ADDR = "127.0.53.2"
RESOLVER_ADDR = "127.0.53.53"

PF_TLS13 = "127.0.1.1"       # Postfix, TLS 1.3 (default), CA-signed EC cert, many names
PF_TLS12 = "127.0.1.2"       # Postfix, TLS 1.2 only, CA-signed RSA-2048 cert
PF_SELFSIGNED = "127.0.1.3"  # Postfix, self-signed EC cert
PF_EXPIRED = "127.0.1.4"     # Postfix, CA-signed but expired EC cert
PF_WRONGNAME = "127.0.1.5"   # Postfix, CA-signed cert for another name
PF_CHAIN = "127.0.1.6"       # Postfix, leaf + CA cert in the chain (DANE-TA 2 1 1)
PF_NOTLS = "127.0.1.7"       # Postfix, no STARTTLS (smtpd_tls_security_level = none)
PF_DUALCERT = "127.0.1.30"   # Postfix, two certificates (ECDSA P-256 + RSA-2048 through
                             # smtpd_tls_chain_files), TLSA 3 1 1 for the ECDSA one only
MB_SILENT = "127.0.2.1"      # accepts, never sends a banner
MB_GARBAGE = "127.0.2.2"     # sends an SSH banner
MB_454 = "127.0.2.3"         # STARTTLS -> 454
MB_INJECT = "127.0.2.4"      # "220 Ready" + injected "250-INJECTED" in one write, then TLS
MB_554 = "127.0.2.5"         # 554 greeting
MB_TLS10 = "127.0.2.6"       # TLS 1.0 only
MB_421 = "127.0.2.7"         # "421 4.7.0 too many connections", then closes (issue 19)
MB_CLOSE_BANNER = "127.0.2.8"  # 220 banner, then closes before EHLO
MB_RESET_EHLO = "127.0.2.9"  # 220 banner, EHLO, then a TCP reset
MB_EHLO_554 = "127.0.2.22"   # 220 banner, then 554 to EHLO
MB_SPECIAL = "127.0.2.99"    # must never be contacted (special-purpose address test)
CLOSED = "127.0.3.1"         # nothing listening
PRIVATE_MOUNTS_ENV = "MXS_PRIVATE_MOUNT_NS"  # "1": this process has its own mount namespace
STS_ADDR = "127.0.4.1"       # nginx, HTTPS :443, one server block per mta-sts.<domain>

# MTA-STS (RFC 8461) cases. Every domain: MX 10 mx.<d>.mxlab (PF_TLS13, whose certificate
# lists that name) unless "mxhost" says otherwise, mta-sts.<d> A STS_ADDR, and _mta-sts TXT
# (default: one "v=STSv1; id=<id>;"). Keys:
#   policy    body of /.well-known/mta-sts.txt (str; None = no file -> 404)
#   redirect  the policy URL answers 301 to this location instead
#   ctype     Content-Type of the policy (default text/plain)
#   cert      "ca" (CA-signed, SAN mta-sts.<d>), "selfsigned", "wrongname", "sysca" (signed by
#             a second CA that start() puts in the system's CA directory, /etc/ssl/certs, of
#             the world's private mount namespace, and not in the test CA file: trusted by
#             anything that reads the system's store beside --ca-file)
#   mxhost    first label(s) of the MX host instead of "mx"; txt: the TXT strings instead


def _sts_policy(mode, mx=(), max_age="86400", eol="\r\n"):
    lines = ["version: STSv1", "mode: " + mode] + ["mx: " + m for m in mx] + \
        ["max_age: " + max_age]
    return "".join(l + eol for l in lines)


def _sts_big():
    body = _sts_policy("enforce", ["mx.sts-big.mxlab"])
    pad = "x-padding: " + "a" * 60 + "\r\n"
    while len(body) + 2 * len(pad) <= 70000:
        body += pad
    rest = 70000 - len(body)  # one last, longer padding line: exactly 70 000 bytes
    return body + "x-padding: " + "a" * (rest - 13) + "\r\n"


STS_CASES = {
    "sts-enforce": {"policy": _sts_policy("enforce", ["mx.sts-enforce.mxlab"])},
    "sts-testing": {"policy": _sts_policy("testing", ["*.sts-testing.mxlab"]), "chunked": True},
    "sts-none": {"policy": _sts_policy("none")},
    "sts-404": {"policy": None},
    "sts-redirect": {"policy": _sts_policy("enforce", ["mx.sts-redirect.mxlab"]),
                     "redirect": "https://mta-sts.sts-enforce.mxlab/.well-known/mta-sts.txt"},
    "sts-ctype": {"policy": _sts_policy("enforce", ["mx.sts-ctype.mxlab"]),
                  "ctype": "text/html"},
    "sts-big": {"policy": _sts_big()},
    "sts-lf": {"policy": _sts_policy("enforce", ["mx.sts-lf.mxlab"], eol="\n")},
    "sts-maxage": {"policy": _sts_policy("enforce", ["mx.sts-maxage.mxlab"],
                                         max_age="99999999999")},
    "sts-nomx": {"policy": _sts_policy("enforce")},
    "sts-wild2": {"policy": _sts_policy("enforce", ["*.sts-wild2.mxlab"]),
                  "mxhost": "a.b"},
    "sts-nomatch": {"policy": _sts_policy("enforce", ["mx.elsewhere.mxlab"])},
    "sts-badcert": {"policy": _sts_policy("enforce", ["mx.sts-badcert.mxlab"]),
                    "cert": "selfsigned"},
    "sts-sysca": {"policy": _sts_policy("enforce", ["mx.sts-sysca.mxlab"]), "cert": "sysca"},
    "sts-wrongname": {"policy": _sts_policy("enforce", ["mx.sts-wrongname.mxlab"]),
                      "cert": "wrongname"},
    "sts-twotxt": {"policy": _sts_policy("enforce", ["mx.sts-twotxt.mxlab"]),
                   "txt": ['"v=STSv1; id=a1;"', '"v=STSv1; id=b2;"']},
}


def sts_id(name):
    """The id= of a case's _mta-sts record (1-32 alphanumerics)."""
    return name.replace("-", "") + "2026"


def sts_mxhost(name):
    return "%s.%s.mxlab" % (STS_CASES[name].get("mxhost", "mx"), name)


MISBEHAVE_ADDRS = {
    MB_SILENT: "silent", MB_GARBAGE: "garbage", MB_454: "starttls-454",
    MB_INJECT: "inject", MB_554: "banner-554", MB_TLS10: "tls10", MB_SPECIAL: "special",
    MB_421: "greet-421", MB_CLOSE_BANNER: "close-banner", MB_RESET_EHLO: "reset-ehlo",
    MB_EHLO_554: "ehlo-554",
}
MISBEHAVE_ADDRS.update(hostile.ADDRS)   # 127.0.2.10-21, see hostile.py

# IDN case: "ação.mxlab" -> A-label (checked with libidn2's idn2_to_ascii_8z and Python's
# IDNA codec; both give xn--ao-siap).
IDN_ULABEL = "ação"
IDN_ALABEL = "xn--ao-siap"

# ---- politeness tests (tests/world/test_politeness.py, server: countsmtp.py) ----------
# Unsigned zones whose MX hosts all have their own names but share addresses:
#   pol-same-01..20  -> 127.0.5.1 (normal)      pol-pfx-01..10 -> 127.0.6.1..10 (one /24)
#   pol-421          -> 127.0.5.2 (421 to odd-numbered connections)
#   pol-reset        -> 127.0.5.4 (odd-numbered connections closed before any greeting)
#   pol-tarpit-1/2   -> 127.0.5.3 (silent)
POL_SAME = "127.0.5.1"
POL_421 = "127.0.5.2"
POL_TARPIT = "127.0.5.3"
POL_RESET = "127.0.5.4"
POL_PFX = ["127.0.6.%d" % i for i in range(1, 11)]
POL_DOMAINS = {}
POL_DOMAINS.update({"pol-same-%02d" % i: POL_SAME for i in range(1, 21)})
POL_DOMAINS.update({"pol-pfx-%02d" % (i + 1): a for i, a in enumerate(POL_PFX)})
POL_DOMAINS.update({"pol-421": POL_421, "pol-reset": POL_RESET, "pol-tarpit-1": POL_TARPIT,
                    "pol-tarpit-2": POL_TARPIT})
POL_MODES = dict([(POL_SAME, "normal"), (POL_421, "421first"), (POL_TARPIT, "silent"),
                  (POL_RESET, "closefirst")] + [(a, "normal") for a in POL_PFX])


def politeness_zones(simple):
    for name, ip in POL_DOMAINS.items():
        simple(name, ip, signed=False)


MAIN_INPUT = [
    "# mxsurvey integration test world: one domain per line",
    "",
    "dane-ok.mxlab",
    "dane-mismatch.mxlab",
    "dane-ta.mxlab",
    "dane-usage1.mxlab",
    "tlsa-unsigned.mxlab",
    "tlsa-bogus.mxlab",
    "mx-bogus.mxlab",
    "no-starttls.mxlab",
    "dane-no-starttls.mxlab",
    "starttls-454.mxlab",
    "tls12.mxlab",
    "tls13.mxlab",
    "cert-expired.mxlab",
    "cert-wrongname.mxlab",
    "cert-selfsigned.mxlab",
    "null-mx.mxlab",
    "implicit-mx.mxlab",
    "does-not-exist.mxlab",
    "mx-cname.mxlab",
    "partial-dane.mxlab",
    "rrset-order.mxlab",
    "closed-port.mxlab",
    "no-banner.mxlab",
    "garbage-banner.mxlab",
    "banner-554.mxlab",
    "greet-421.mxlab",
    "close-banner.mxlab",
    "reset-ehlo.mxlab",
    "ehlo-554.mxlab",
    "backup-421.mxlab",
    "dane-backup-down.mxlab",
    "dane-down.mxlab",
    "inject.mxlab",
    "tls10.mxlab",
    "servfail.mxlab",
    "ação.mxlab",
    "   # an indented comment",
    "not a domain!",
    "TLS13.Mxlab.",
] + [n + ".mxlab" for n in STS_CASES] + [
    "",
]
SPECIAL_INPUT = ["special.mxlab"]



def run_in_namespace(script, env_var, needs, body):
    """The test drivers' entry: re-executes script (with the same arguments) in a private
    network and mount namespace, where only loopback exists and every 127.x address is
    ours; there brings lo up and returns 0 when body() returned True, else 1. Needs root;
    without it prints why and a failed count."""
    if os.environ.get(env_var) != "1":
        if os.geteuid() != 0:
            print("%s needs root (network namespace, %s)" % (os.path.basename(script), needs))
            print("0 passed, 1 failed")
            return 1
        env = dict(os.environ, **{env_var: "1", PRIVATE_MOUNTS_ENV: "1"})
        os.execvpe("unshare", ["unshare", "--net", "--mount", "--propagation", "private",
                               sys.executable, os.path.abspath(script)] + sys.argv[1:], env)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    return 0 if body() else 1


def driver_main(script, env_var, needs, run, doc=None, extra_args=None):
    """The command line every test driver shares (--mxsurvey, --keep, and what extra_args
    adds to the parser), then run(args) inside its namespace (run_in_namespace)."""
    import argparse
    ap = argparse.ArgumentParser(description=doc.split("\n")[0] if doc else None)
    ap.add_argument("--mxsurvey", required=True, help="path to the mxsurvey binary")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir even on success")
    if extra_args:
        extra_args(ap)
    a = ap.parse_args()
    return run_in_namespace(script, env_var, needs, lambda: run(a))


def checked_run(prefix, keep, body, fails, passed, notes=()):
    """A driver's temp dir, crash guard and tally, for drivers whose checks append their
    failures to fails and count passes in passed[0]: body(wd) in a new temp dir (with
    logs/), then the notes, the failures and "N passed, N failed"; the dir is removed
    unless keep or a check failed. True when none failed."""
    import tempfile
    wd = tempfile.mkdtemp(prefix=prefix)
    os.makedirs(os.path.join(wd, "logs"), exist_ok=True)
    try:
        body(wd)
    except Exception as e:  # noqa: BLE001
        fails.append("test crashed: %r" % e)
    for n in notes:
        print("NOTE:", n)
    for f in fails:
        print("FAIL:", f)
    print("%d passed, %d failed" % (passed[0], len(fails)))
    if not keep and not fails:
        subprocess.run(["rm", "-rf", wd])
    else:
        print("kept", wd)
    return not fails


def wait_ready(path, what, log, timeout=15):
    """Waits until a server of ours wrote its ready file (it listens on all its addresses)."""
    t0 = time.time()
    while not os.path.exists(path):
        if time.time() - t0 > timeout:
            raise RuntimeError("%s did not become ready; see %s" % (what, log))
        time.sleep(0.05)

def log(msg):
    print("[world] " + msg, file=sys.stderr, flush=True)


def run(cmd, cwd=None, check=True, capture=True, env=None, input=None):
    r = subprocess.run(cmd, cwd=cwd, env=env, input=input, text=True,
                       stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE if capture else None)
    if check and r.returncode != 0:
        raise RuntimeError("command failed (%d): %s\nstdout: %s\nstderr: %s" % (
            r.returncode, " ".join(cmd), r.stdout, r.stderr))
    return r


# ---------------------------------------------------------------------------------------
# PKI
# ---------------------------------------------------------------------------------------
class PKI:
    def __init__(self, d, ca_name="mxsurvey test CA"):
        self.d = d
        os.makedirs(d, exist_ok=True)
        os.makedirs(os.path.join(d, "newcerts"), exist_ok=True)
        open(os.path.join(d, "index.txt"), "w").close()
        with open(os.path.join(d, "serial"), "w") as f:
            f.write("1000\n")
        with open(os.path.join(d, "ca.cnf"), "w") as f:
            f.write("""[ ca ]
default_ca = CA_default
[ CA_default ]
dir = %s
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
""" % d)
        self.ca_key = self.key("ca", "ec")
        self.ca_pem = os.path.join(d, "ca.pem")
        run(["openssl", "req", "-x509", "-new", "-key", self.ca_key, "-subj", "/CN=" + ca_name,
             "-days", "3650", "-sha256", "-out", self.ca_pem,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"])

    def p(self, name):
        return os.path.join(self.d, name)

    def key(self, name, kind):
        path = self.p(name + ".key")
        if kind == "ec":
            run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-out", path])
        else:
            run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                 "-out", path])
        os.chmod(path, 0o644)
        return path

    @staticmethod
    def _date(dt):
        return dt.strftime("%Y%m%d%H%M%SZ")

    def leaf(self, name, sans, kind="ec", start_days=-1, end_days=365):
        """CA-signed leaf; start/end relative to now in days (negative = past)."""
        key = self.key(name, kind)
        csr = self.p(name + ".csr")
        run(["openssl", "req", "-new", "-key", key, "-subj", "/CN=" + sans[0], "-out", csr])
        ext = self.p(name + ".ext")
        with open(ext, "w") as f:
            f.write("[ext]\nbasicConstraints = critical, CA:FALSE\n"
                    "keyUsage = critical, digitalSignature, keyEncipherment\n"
                    "extendedKeyUsage = serverAuth\nsubjectKeyIdentifier = hash\n"
                    "authorityKeyIdentifier = keyid\n"
                    "subjectAltName = %s\n" % ", ".join("DNS:" + s for s in sans))
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = self.p(name + ".pem")
        run(["openssl", "ca", "-batch", "-config", self.p("ca.cnf"), "-cert", self.ca_pem,
             "-keyfile", self.ca_key, "-in", csr, "-out", cert, "-notext", "-md", "sha256",
             "-extfile", ext, "-extensions", "ext",
             "-startdate", self._date(now + datetime.timedelta(days=start_days)),
             "-enddate", self._date(now + datetime.timedelta(days=end_days))])
        return cert, key

    def selfsigned(self, name, cn):
        key = self.key(name, "ec")
        cert = self.p(name + ".pem")
        run(["openssl", "req", "-x509", "-new", "-key", key, "-subj", "/CN=" + cn, "-days", "365",
             "-sha256", "-out", cert, "-addext", "subjectAltName=DNS:" + cn,
             "-addext", "basicConstraints=critical,CA:FALSE"])
        return cert, key

    @staticmethod
    def spki_sha256(cert):
        pub = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-pubkey"],
                             check=True, capture_output=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub,
                             check=True, capture_output=True).stdout
        return hashlib.sha256(der).hexdigest()

    @staticmethod
    def cert_sha256(cert):
        der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                             check=True, capture_output=True).stdout
        return hashlib.sha256(der).hexdigest()


# ---------------------------------------------------------------------------------------
# DNS
# ---------------------------------------------------------------------------------------
class Zone:
    def __init__(self, name, signed=True, tamper=None, rname="hostmaster.root."):
        self.name = name  # absolute, with trailing dot ("." for the root)
        self.signed = signed
        self.tamper = tamper  # (rrtype, "rdata"|"rrsig") applied after signing
        self.rname = rname  # the SOA RNAME (soa_rname, issue 16)
        # (rrtype, owner) -> UNIX time: that RRset's RRSIG expires then instead of at
        # ldns-signzone's default (opsworld.splice_short_sigs)
        self.short_sigs = {}
        self.keys = ()  # the ZSK and KSK base names sign_zone used
        self.records = []
        self.ds = []

    def add(self, owner, rtype, rdata, ttl=300):
        if owner == "@":
            owner = self.name
        elif not owner.endswith("."):
            owner = owner + "." + (self.name if self.name != "." else "")
        self.records.append("%s\t%d\tIN\t%s\t%s" % (owner, ttl, rtype, rdata))

    def text(self):
        head = ["$ORIGIN %s" % self.name, "$TTL 300",
                "%s\t300\tIN\tSOA\tns.root. %s %d 3600 600 86400 300"
                % (self.name, self.rname, int(time.time()))]
        if not any("\tNS\t" in r and r.startswith(self.name + "\t") for r in self.records):
            head.append("%s\t300\tIN\tNS\tns.root." % self.name)
        return "\n".join(head + self.records) + "\n"

    @property
    def file(self):
        return "root.zone" if self.name == "." else self.name.rstrip(".") + ".zone"


def tamper_signed(path, zone_name, rtype, what):
    """Break a signed zone on purpose, after signing (dates untouched: Unbound tolerates skew)."""
    with open(path) as f:
        lines = f.read().split("\n")
    done = False
    for i, line in enumerate(lines):
        parts = line.split("\t")
        if len(parts) < 5:
            continue
        if what == "rdata" and parts[3] == rtype:
            # change the last hex digit of the TLSA data (the RRSIG now covers other data)
            rd = parts[4]
            last = rd[-1]
            parts[4] = rd[:-1] + ("0" if last != "0" else "1")
            lines[i] = "\t".join(parts)
            done = True
        elif what == "rrsig" and parts[3] == "RRSIG" and parts[4].split()[0] == rtype \
                and parts[0] == zone_name:
            # flip one base64 character in the middle of the signature
            fields = parts[4].split(" ")
            sig = fields[-1]
            k = len(sig) // 2
            fields[-1] = sig[:k] + ("A" if sig[k] != "A" else "B") + sig[k + 1:]
            parts[4] = " ".join(fields)
            lines[i] = "\t".join(parts)
            done = True
    if not done:
        raise RuntimeError("tamper: nothing to change in %s for %s %s" % (path, rtype, what))
    with open(path, "w") as f:
        f.write("\n".join(lines))


def sign_zone(zdir, zone):
    """Writes <zone>.signed with a fresh KSK+ZSK; returns the KSK's DS record (SHA-256)."""
    kdir = os.path.join(zdir, "keys")
    os.makedirs(kdir, exist_ok=True)
    ksk = run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", zone.name], cwd=kdir).stdout.strip()
    zsk = run(["ldns-keygen", "-a", "ECDSAP256SHA256", zone.name], cwd=kdir).stdout.strip()
    src = os.path.join(zdir, zone.file)
    zone.keys = (os.path.join(kdir, zsk), os.path.join(kdir, ksk))
    run(["ldns-signzone", "-o", zone.name, "-f", src + ".signed", src] + list(zone.keys))
    ds = run(["ldns-key2ds", "-n", "-2", os.path.join(kdir, ksk + ".key")]).stdout.strip()
    return ds


def write_zone(zdir, z):
    """Writes zone z into zdir and, if it is signed, signs it (and breaks what z.tamper
    says); returns the KSK's DS record, or None for an unsigned zone."""
    with open(os.path.join(zdir, z.file), "w") as f:
        f.write(z.text())
    if not z.signed:
        return None
    ds = sign_zone(zdir, z)
    if z.short_sigs:
        OPS.splice_short_sigs(os.path.join(zdir, z.file + ".signed"),
                              os.path.join(zdir, z.file), z.name, z.keys, z.short_sigs)
    if z.tamper:
        tamper_signed(os.path.join(zdir, z.file + ".signed"), z.name, *z.tamper)
    return ds


def write_nsd_conf(wd, zdir, zones):
    """<wd>/nsd.conf: NSD on NSD_ADDR:53 serving zones from zdir (a signed zone from its
    .signed file), its pid file and log (<wd>/logs/nsd.log) in wd."""
    conf = ["server:", "  ip-address: %s" % NSD_ADDR, "  port: 53", '  username: ""',
            '  chroot: ""', "  zonesdir: %s" % zdir, '  database: ""',
            "  zonelistfile: %s" % os.path.join(zdir, "zone.list"),
            "  xfrdfile: %s" % os.path.join(zdir, "xfrd.state"),
            "  xfrdir: %s" % zdir,
            "  pidfile: %s" % os.path.join(wd, "nsd.pid"),
            "  logfile: %s" % os.path.join(wd, "logs", "nsd.log"),
            "  verbosity: 1", "  server-count: 1", "  do-ip6: no", "  hide-version: yes",
            "remote-control:", "  control-enable: no"]
    for z in zones:
        conf += ["zone:", '  name: "%s"' % z.name,
                 "  zonefile: %s" % (z.file + (".signed" if z.signed else ""))]
    os.makedirs(os.path.join(wd, "logs"), exist_ok=True)
    with open(os.path.join(wd, "nsd.conf"), "w") as f:
        f.write("\n".join(conf) + "\n")


# ---------------------------------------------------------------------------------------
# World
# ---------------------------------------------------------------------------------------
class World:
    def __init__(self, d, die_with_parent=False):
        self.d = os.path.abspath(d)
        # run_tests.py: servers started by us get SIGTERM if the driver dies (Postfix's
        # master daemonises itself and is stopped by `postfix stop` only)
        self.die_with_parent = die_with_parent
        self.state_file = os.path.join(self.d, "world.json")
        self.state = {}
        if os.path.exists(self.state_file):
            with open(self.state_file) as f:
                self.state = json.load(f)

    def p(self, *a):
        return os.path.join(self.d, *a)

    def save(self):
        with open(self.state_file, "w") as f:
            json.dump(self.state, f, indent=2)

    # ---- build ------------------------------------------------------------------------
    def build(self):
        os.makedirs(self.d, exist_ok=True)
        os.chmod(self.d, 0o755)  # Postfix (user postfix) must traverse it
        t0 = time.time()
        self.build_pki()
        self.build_dns()
        self.write_inputs()
        self.build_unbound_conf()
        self.build_postfix_conf()
        self.build_nginx_conf()
        FP.full_build(self)
        self.state.update({
            "dir": self.d, "resolver": RESOLVER_ADDR, "nsd": NSD_ADDR,
            "trust_anchor": self.p("root.key"), "ca_file": self.p("ca.pem"),
            "domains": self.p("domains.txt"), "special_domains": self.p("special.txt"),
            "misbehave_log": self.p("misbehave", "connections.log"),
            "hostile_domains": self.p("hostile.txt"),
            "resolv_conf": self.p("resolv.conf"), "pids": {},
        })
        self.save()
        log("built in %.1fs" % (time.time() - t0))

    def build_pki(self):
        pki = PKI(self.p("pki"))
        self.pki = pki
        c = {}
        main_names = ["mx.dane-ok.mxlab", "mx.dane-mismatch.mxlab", "mx.dane-usage1.mxlab",
                      "mx.tlsa-unsigned.mxlab", "mx.tlsa-bogus.mxlab", "mx.tls13.mxlab",
                      "implicit-mx.mxlab", "alias.mx-cname.mxlab", "mx1.partial-dane.mxlab",
                      "mx.%s.mxlab" % IDN_ALABEL, "mx.mx-bogus.mxlab",
                      "mx2.backup-421.mxlab", "mx2.dane-backup-down.mxlab"]
        main_names += [sts_mxhost(n) for n in STS_CASES]
        c["main"] = pki.leaf("main", main_names, "ec")
        c["tls12"] = pki.leaf("tls12", ["mx.tls12.mxlab", "mx2.partial-dane.mxlab"], "rsa")
        c["selfsigned"] = pki.selfsigned("selfsigned", "mx.cert-selfsigned.mxlab")
        c["expired"] = pki.leaf("expired", ["mx.cert-expired.mxlab"], "ec",
                                start_days=-400, end_days=-30)
        c["wrongname"] = pki.leaf("wrongname", ["mx.some-other-site.mxlab"], "ec")
        c["chainleaf"] = pki.leaf("chainleaf", ["mx.dane-ta.mxlab"], "ec")
        # dual-cert.mxlab: one name, two keys (issue 15: every certificate, DANE per
        # certificate)
        c["dual-ec"] = pki.leaf("dual-ec", ["mx.dual-cert.mxlab"], "ec")
        c["dual-rsa"] = pki.leaf("dual-rsa", ["mx.dual-cert.mxlab"], "rsa")
        share_certs(pki, c)
        FP.full_certs(pki, c)
        OPS.ops_certs(self, pki, c)
        c["misbehave"] = pki.leaf("misbehave", ["mx.inject.mxlab", "mx.tls10.mxlab",
                                                "mx.starttls-454.mxlab", "mx.special.mxlab"], "ec")
        # chain file for DANE-TA: leaf followed by the CA certificate
        chain = pki.p("chain.pem")
        with open(chain, "w") as f:
            f.write(open(c["chainleaf"][0]).read() + open(pki.ca_pem).read())
        c["chain"] = (chain, c["chainleaf"][1])
        # MTA-STS policy hosts (nginx): one cert per mta-sts.<domain>
        sys_pki = PKI(self.p("pki-system"), "mxsurvey system store CA")
        self.state["system_ca"] = sys_pki.ca_pem
        for n, case in STS_CASES.items():
            host = "mta-sts.%s.mxlab" % n
            kind = case.get("cert", "ca")
            if kind == "sysca":
                c["sts:" + n] = sys_pki.leaf("sts-" + n, [host], "ec")
            elif kind == "selfsigned":
                c["sts:" + n] = pki.selfsigned("sts-" + n, host)
            elif kind == "wrongname":
                c["sts:" + n] = pki.leaf("sts-" + n, ["mta-sts.some-other-site.mxlab"], "ec")
            else:
                c["sts:" + n] = pki.leaf("sts-" + n, [host], "ec")
        shutil.copy(pki.ca_pem, self.p("ca.pem"))
        # hostile TLS peers (hostile.py): 50-intermediate chain, 65 KiB and 147 KiB leaves
        self.state["hostile_ctx"] = {k: {"cert": v[0], "key": v[1]}
                                     for k, v in hostile.build_pki(pki).items()}
        self.certs = c
        spki = {k: PKI.spki_sha256(v[0]) for k, v in c.items() if k != "chain"}
        spki["ca"] = PKI.spki_sha256(pki.ca_pem)
        self.state["certs"] = {k: {"cert": v[0], "key": v[1]} for k, v in c.items()}
        self.state["spki_sha256"] = spki

    def build_dns(self):
        spki = self.state["spki_sha256"]
        zdir = self.p("dns")
        os.makedirs(zdir, exist_ok=True)
        wrong = hashlib.sha256(b"this key is not used by any server").hexdigest()
        tlsa = lambda u, s, m, h: "%d %d %d %s" % (u, s, m, h)
        zones = []

        def child(name, signed=True, tamper=None, **kw):
            z = Zone(name + ".mxlab.", signed, tamper, **kw)
            zones.append(z)
            return z

        def simple(name, ip, tlsa_rd=None, signed=True, tamper=None, host="mx"):
            z = child(name, signed, tamper)
            z.add("@", "MX", "10 %s.%s.mxlab." % (host, name))
            z.add(host, "A", ip)
            if tlsa_rd:
                z.add("_25._tcp." + host, "TLSA", tlsa_rd)
            return z

        # TLS-RPT (RFC 8460) records at _smtp._tls: one valid, one valid split over two
        # character-strings with two URIs, missing rua, bad scheme, wrong version, two
        # records, and one in an unsigned zone. Every other domain publishes none.
        rpt = lambda z, *txt: [z.add("_smtp._tls", "TXT", t) for t in txt]  # noqa: E731
        rpt(simple("dane-ok", PF_TLS13, tlsa(3, 1, 1, spki["main"])),
            '"v=TLSRPTv1; rua=mailto:tlsrpt@dane-ok.mxlab"')
        rpt(simple("dane-mismatch", PF_TLS13, tlsa(3, 1, 1, wrong)),
            '"v=TLSRPTv1; rua=ftp://reports.dane-mismatch.mxlab/"')
        simple("dane-ta", PF_CHAIN, tlsa(2, 1, 1, spki["ca"]))
        simple("dane-usage1", PF_TLS13, tlsa(1, 1, 1, spki["main"]))
        rpt(simple("tlsa-unsigned", PF_TLS13, tlsa(3, 1, 1, spki["main"]), signed=False),
            '"v=TLSRPTv1;rua=mailto:r@tlsa-unsigned.mxlab"')
        simple("tlsa-bogus", PF_TLS13, tlsa(3, 1, 1, spki["main"]), tamper=("TLSA", "rdata"))
        simple("mx-bogus", PF_TLS13, tamper=("MX", "rrsig"))
        simple("no-starttls", PF_NOTLS)
        simple("dane-no-starttls", PF_NOTLS, tlsa(3, 1, 1, spki["main"]))
        simple("starttls-454", MB_454)
        rpt(simple("tls12", PF_TLS12, tlsa(3, 1, 1, spki["tls12"])), '"v=TLSRPTv1;"')
        rpt(simple("tls13", PF_TLS13),
            '"v=TLSRPTv1; rua=mailto:a@tls13.mxlab," "https://report.tls13.mxlab/v1"',
            '"v=spf1 -all"')
        rpt(simple("cert-expired", PF_EXPIRED, tlsa(3, 1, 1, spki["expired"])),
            '"v=TLSRPTv1; rua=mailto:a@cert-expired.mxlab"',
            '"v=TLSRPTv1; rua=mailto:b@cert-expired.mxlab"')
        simple("cert-wrongname", PF_WRONGNAME, tlsa(3, 1, 1, spki["wrongname"]))
        simple("cert-selfsigned", PF_SELFSIGNED, tlsa(3, 1, 1, spki["selfsigned"]))
        # TLSA for the ECDSA certificate only: a DANE sender that gets the RSA one fails
        simple("dual-cert", PF_DUALCERT, tlsa(3, 1, 1, spki["dual-ec"]))
        z = child("null-mx")
        z.add("@", "MX", "0 .")
        z = child("implicit-mx")
        z.add("@", "A", PF_TLS13)
        z = child("mx-cname")
        z.add("@", "MX", "10 alias.mx-cname.mxlab.")
        z.add("alias", "CNAME", "mx.dane-ok.mxlab.")
        z = child("partial-dane")
        z.add("@", "MX", "20 mx2.partial-dane.mxlab.")
        z.add("@", "MX", "10 mx1.partial-dane.mxlab.")
        z.add("mx1", "A", PF_TLS13)
        z.add("mx2", "A", PF_TLS12)
        z.add("_25._tcp.mx1", "TLSA", tlsa(3, 1, 1, spki["main"]))
        rpt(z, '"v=TLSRPTv2; rua=mailto:r@partial-dane.mxlab"')
        # Lists in canonical order (issue 14): an unsigned zone, so that the server hands
        # the RRsets over in zone-file order, which here is not canonical: addresses
        # descending, TLSA records not by (usage, selector, mtype, data).
        z = child("rrset-order", signed=False)
        z.add("@", "MX", "10 mx.rrset-order.mxlab.")
        for ip in (CLOSED, PF_TLS12, PF_TLS13):
            z.add("mx", "A", ip)
        for rd in (tlsa(3, 1, 1, wrong), tlsa(2, 1, 1, spki["ca"]), tlsa(3, 1, 1, spki["main"])):
            z.add("_25._tcp.mx", "TLSA", rd)
        simple("closed-port", CLOSED)
        simple("no-banner", MB_SILENT)
        simple("garbage-banner", MB_GARBAGE)
        simple("banner-554", MB_554)
        simple("inject", MB_INJECT)
        # Refused, throttled, dropped and dead servers (issue 19): inconclusive, never "no
        # STARTTLS" nor the missing part of "partial DANE".
        simple("greet-421", MB_421)
        simple("close-banner", MB_CLOSE_BANNER)
        simple("reset-ehlo", MB_RESET_EHLO)
        simple("ehlo-554", MB_EHLO_554)
        # the most preferred MX throttles, the backup is DANE-valid: all / valid / 1
        z = child("backup-421")
        z.add("@", "MX", "10 mx1.backup-421.mxlab.")
        z.add("@", "MX", "20 mx2.backup-421.mxlab.")
        z.add("mx1", "A", MB_421)
        z.add("mx2", "A", PF_TLS13)
        z.add("_25._tcp.mx2", "TLSA", tlsa(3, 1, 1, spki["main"]))
        # both MX hosts publish the matching TLSA, the most preferred is down (nothing
        # listens): DANE valid at every MX host that accepts connections
        z = child("dane-backup-down")
        z.add("@", "MX", "10 mx1.dane-backup-down.mxlab.")
        z.add("@", "MX", "20 mx2.dane-backup-down.mxlab.")
        z.add("mx1", "A", CLOSED)
        z.add("mx2", "A", PF_TLS13)
        for h in ("mx1", "mx2"):
            z.add("_25._tcp." + h, "TLSA", tlsa(3, 1, 1, spki["main"]))
        # DANE applies, the only MX is down: nobody could tell (summary.dane inconclusive)
        simple("dane-down", CLOSED, tlsa(3, 1, 1, spki["main"]))
        simple("tls10", MB_TLS10)
        simple(IDN_ALABEL, PF_TLS13, tlsa(3, 1, 1, spki["main"]))
        simple("special", MB_SPECIAL)
        # hostile peers and DNS answers (issue 5): see hostile.py
        hostile.build_dns(child, simple, PF_TLS13, PF_NOTLS)
        politeness_zones(simple)
        # MTA-STS (RFC 8461): see STS_CASES
        for n, case in STS_CASES.items():
            z = simple(n, PF_TLS13, host=case.get("mxhost", "mx"))
            z.add("mta-sts", "A", STS_ADDR)
            for t in case.get("txt", ['"v=STSv1; id=%s;"' % sts_id(n)]):
                z.add("_mta-sts", "TXT", t)
        share_zones(child, spki, tlsa)
        FP.full_zones(simple)
        OPS.ops_zones(self, child, spki, STS_ADDR)

        tld = Zone("mxlab.")
        for z in zones:
            tld.add(z.name, "NS", "ns.root.")
        # SERVFAIL case: delegated to a server that answers REFUSED to everything
        tld.add("servfail.mxlab.", "NS", "ns.servfail.mxlab.")
        tld.add("ns.servfail.mxlab.", "A", REFUSER_ADDR)
        root = Zone(".")
        root.add("ns.root.", "A", NSD_ADDR)
        root.add("mxlab.", "NS", "ns.root.")

        def write_and_sign(z):
            return write_zone(zdir, z)

        for z in zones:  # children first, their DS go into the parent before it is signed
            ds = write_and_sign(z)
            if ds:
                tld.records.append(ds)
        root.records.append(write_and_sign(tld))
        root_ds = write_and_sign(root)
        with open(self.p("root.key"), "w") as f:
            f.write(root_ds + "\n")
        self.zones = [root, tld] + zones

        write_nsd_conf(self.d, zdir, self.zones)
        self.state["zones"] = [{"name": z.name, "signed": z.signed,
                                "tamper": z.tamper} for z in self.zones]

    def write_inputs(self):
        with open(self.p("domains.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(MAIN_INPUT) + "\n")
        with open(self.p("special.txt"), "w") as f:
            f.write("\n".join(SPECIAL_INPUT) + "\n")
        hostile.write_input(self.p("hostile.txt"))
        with open(self.p("resolv.conf"), "w") as f:
            f.write("nameserver %s\noptions trust-ad\n" % RESOLVER_ADDR)
        share_write_inputs(self)
        OPS.write_input(self)

    def serve_root_zone(self, zdir, z):
        """A small world's DNS set-up: the signed root zone z written into zdir, its trust
        anchor to root.key, NSD's and Unbound's configurations."""
        with open(self.p("root.key"), "w") as f:
            f.write(write_zone(zdir, z) + "\n")
        write_nsd_conf(self.d, zdir, (z,))
        self.build_unbound_conf()

    def build_unbound_conf(self):
        udir = self.p("unbound")
        os.makedirs(udir, exist_ok=True)
        with open(os.path.join(udir, "root.hints"), "w") as f:
            f.write(".\t3600000\tIN\tNS\tns.root.\nns.root.\t3600000\tIN\tA\t%s\n" % NSD_ADDR)
        conf = """server:
  interface: %(addr)s
  port: 53
  do-ip6: no
  username: ""
  chroot: ""
  directory: "%(udir)s"
  pidfile: "%(d)s/unbound.pid"
  logfile: "%(d)s/logs/unbound.log"
  use-syslog: no
  log-time-ascii: yes
  verbosity: 1
  val-log-level: 2
  # RFC 8914 Extended DNS Errors on SERVFAIL (bogus): the trusted-resolver mode reads them
  ede: yes
  num-threads: 1
  so-reuseport: no
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  # Reverse names for mxsurvey's PTR lookups (c-ares); 127.0.2.5 has none (NXDOMAIN).
  local-data-ptr: "127.0.1.1 mx.tls13.mxlab"
  root-hints: "%(udir)s/root.hints"
  trust-anchor-file: "%(d)s/root.key"
  module-config: "validator iterator"
  qname-minimisation: no
  harden-dnssec-stripped: yes
  prefetch: no
  minimal-responses: no
  cache-max-negative-ttl: 60
  infra-host-ttl: 60
remote-control:
  control-enable: no
""" % {"addr": RESOLVER_ADDR, "udir": udir, "d": self.d}
        with open(self.p("unbound.conf"), "w") as f:
            f.write(conf)

    def build_postfix_conf(self):
        pdir = self.p("postfix")
        os.makedirs(pdir, exist_ok=True)
        for sub in ("postfix-spool", "postfix-data"):
            os.makedirs(self.p(sub), exist_ok=True)
        shutil.chown(self.p("postfix-data"), "postfix", "postfix")
        main = """compatibility_level = 3.6
queue_directory = %(d)s/postfix-spool
data_directory = %(d)s/postfix-data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.postfix.mxlab
mydomain = mxlab
myorigin = $myhostname
mydestination =
relay_domains =
inet_interfaces = all
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtpd_banner = $myhostname ESMTP Postfix
smtpd_peername_lookup = no
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_received_header = no
maillog_file = %(d)s/logs/postfix.log
maillog_file_prefixes = %(d)s
smtp_tls_security_level = may
smtp_dns_support_level = dnssec
""" % {"d": self.d}
        with open(os.path.join(pdir, "main.cf"), "w") as f:
            f.write(main)
        c = self.state["certs"]

        def smtpd(addr, name, cert, extra=()):
            opts = ["-o syslog_name=postfix/%s" % name, "-o myhostname=%s" % name]
            if cert:
                opts += ["-o smtpd_tls_cert_file=%s" % c[cert]["cert"],
                         "-o smtpd_tls_key_file=%s" % c[cert]["key"],
                         "-o smtpd_tls_security_level=may"]
            opts += list(extra)
            return "%s:smtp inet n - n - - smtpd\n  %s\n" % (addr, "\n  ".join(opts))

        entries = [
            smtpd(PF_TLS13, "mx.tls13.mxlab", "main"),
            smtpd(PF_TLS12, "mx.tls12.mxlab", "tls12",
                  ["-o smtpd_tls_protocols=>=TLSv1.2,<=TLSv1.2"]),
            smtpd(PF_SELFSIGNED, "mx.cert-selfsigned.mxlab", "selfsigned"),
            smtpd(PF_EXPIRED, "mx.cert-expired.mxlab", "expired"),
            smtpd(PF_WRONGNAME, "mx.cert-wrongname.mxlab", "wrongname"),
            smtpd(PF_CHAIN, "mx.dane-ta.mxlab", "chain"),
            smtpd(PF_NOTLS, "mx.no-starttls.mxlab", None, ["-o smtpd_tls_security_level=none"]),
            # both keys in one list (Postfix >= 3.4): the server picks by what the client
            # offers (ECDSA first when both are acceptable)
            smtpd(PF_DUALCERT, "mx.dual-cert.mxlab", None,
                  ["-o smtpd_tls_security_level=may",
                   "-o smtpd_tls_chain_files=%s,%s,%s,%s" % (
                       c["dual-ec"]["key"], c["dual-ec"]["cert"],
                       c["dual-rsa"]["key"], c["dual-rsa"]["cert"])]),
        ] + share_smtpd(smtpd) + FP.full_smtpd(self, smtpd) + OPS.ops_smtpd(self, smtpd)
        services = """pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""
        with open(os.path.join(pdir, "master.cf"), "w") as f:
            f.write("".join(entries) + services)

    def build_nginx_conf(self):
        ndir = self.p("nginx")
        for sub in ("tmp", "www"):
            os.makedirs(os.path.join(ndir, sub), exist_ok=True)
        c = self.state["certs"]
        tmp = os.path.join(ndir, "tmp")
        conf = ["user root;", "daemon off;", "master_process on;", "worker_processes 1;",
                "pid %s;" % os.path.join(ndir, "nginx.pid"),
                "error_log %s info;" % self.p("logs", "nginx-error.log"),
                "events { worker_connections 128; }", "http {",
                "  access_log %s;" % self.p("logs", "nginx-access.log"),
                "  client_body_temp_path %s/body;" % tmp, "  proxy_temp_path %s/proxy;" % tmp,
                "  fastcgi_temp_path %s/fastcgi;" % tmp, "  uwsgi_temp_path %s/uwsgi;" % tmp,
                "  scgi_temp_path %s/scgi;" % tmp,
                "  types { text/plain txt; }", "  default_type application/octet-stream;",
                "  server_tokens off;", "  ssl_protocols TLSv1.2 TLSv1.3;"]
        for n, case in list(STS_CASES.items()) + list(OPS.STS.items()):
            root = os.path.join(ndir, "www", n)
            os.makedirs(os.path.join(root, ".well-known"), exist_ok=True)
            if case["policy"] is not None:
                with open(os.path.join(root, ".well-known", "mta-sts.txt"), "w",
                          newline="") as f:
                    f.write(case["policy"])
            if "redirect" in case:
                loc = "return 301 %s;" % case["redirect"]
            elif "ctype" in case:
                loc = "types { } default_type %s;" % case["ctype"]
            elif case.get("chunked"):
                # A body filter makes the length unknown in advance: nginx answers with
                # Transfer-Encoding: chunked instead of Content-Length.
                loc = "sub_filter_types text/plain; sub_filter 'STSv1' 'STSv1'; sub_filter_once off;"
            else:
                loc = ""
            conf += ["  server {", "    listen %s:443 ssl;" % STS_ADDR,
                     "    server_name mta-sts.%s.mxlab;" % n,
                     "    ssl_certificate %s;" % c["sts:" + n]["cert"],
                     "    ssl_certificate_key %s;" % c["sts:" + n]["key"],
                     "    root %s;" % root,
                     "    location = /.well-known/mta-sts.txt { %s }" % loc, "  }"]
        conf.append("}")
        with open(self.p("nginx.conf"), "w") as f:
            f.write("\n".join(conf) + "\n")

    # ---- start / stop -----------------------------------------------------------------
    def _spawn(self, key, cmd, logname):
        out = open(self.p("logs", logname), "ab")
        pr = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              start_new_session=True,
                              preexec_fn=_pdeathsig if self.die_with_parent else None)
        self.state["pids"][key] = pr.pid
        self.save()
        return pr

    def install_system_ca(self):
        """Puts the second CA (cert kind "sysca") in /etc/ssl/certs, as the only CA there,
        when this process has a mount namespace of its own (never on the host's)."""
        self.state["system_ca_installed"] = False
        # Said by whoever ran `unshare --mount` (run_in_namespace, demo.sh, the report
        # test): the namespace's own /proc/1 is not a reliable witness in a container.
        if os.environ.get(PRIVATE_MOUNTS_ENV) != "1":
            log("not in a private mount namespace: the system CA case is not armed")
            return
        d = self.p("system-certs")
        os.makedirs(d, exist_ok=True)
        shutil.copy(self.state["system_ca"], os.path.join(d, "world-system-ca.pem"))
        # Debian's bundle, the default CA file of OpenSSL and libcurl, lives there too
        shutil.copy(self.state["system_ca"], os.path.join(d, "ca-certificates.crt"))
        run(["openssl", "rehash", d])
        run(["mount", "--bind", d, "/etc/ssl/certs"])
        self.state["system_ca_installed"] = True

    def spawn_nsd(self):
        """Checks nsd.conf and starts NSD; the caller waits for NSD_ADDR:53 (its own
        servers may start meanwhile)."""
        run(["nsd-checkconf", self.p("nsd.conf")])
        self._spawn("nsd", ["nsd", "-d", "-c", self.p("nsd.conf")], "nsd.stdout")

    def spawn_unbound(self):
        """Checks unbound.conf and starts Unbound; the caller waits for RESOLVER_ADDR:53."""
        run(["unbound-checkconf", self.p("unbound.conf")])
        self._spawn("unbound", ["unbound", "-d", "-c", self.p("unbound.conf")], "unbound.stdout")

    def start_dns(self, servers=()):
        """The DNS of a small world: NSD, then Unbound, each waited for. servers: more
        (addr, port, proto) to wait for together with NSD (servers the caller started)."""
        self.spawn_nsd()
        wait_listening([(NSD_ADDR, 53, "udp"), (NSD_ADDR, 53, "tcp")] + list(servers), "nsd")
        self.spawn_unbound()
        wait_listening([(RESOLVER_ADDR, 53, "udp")], "unbound")

    def start(self, extras=()):
        """extras: optional servers to start too ("exim": fullprofile.py)."""
        os.makedirs(self.p("logs"), exist_ok=True)
        self.state.setdefault("pids", {})
        self.install_system_ca()
        self.spawn_nsd()
        os.makedirs(self.p("misbehave"), exist_ok=True)
        ready = self.p("misbehave", "ready")
        if os.path.exists(ready):
            os.unlink(ready)
        c = self.state["certs"]["misbehave"]
        self._spawn("misbehave", [sys.executable, os.path.join(HERE, "misbehave.py"),
                                  "--cert", c["cert"], "--key", c["key"],
                                  "--log", self.state["misbehave_log"], "--ready", ready,
                                  "--refuser", REFUSER_ADDR] +
                    ["--ctx=%s=%s:%s" % (k, v["cert"], v["key"])
                     for k, v in self.state.get("hostile_ctx", {}).items()] +
                    ["%s=%s" % (a, b) for a, b in MISBEHAVE_ADDRS.items()], "misbehave.stdout")
        wait_listening([(NSD_ADDR, 53, "udp"), (NSD_ADDR, 53, "tcp")], "nsd")
        self.spawn_unbound()
        self.start_postfix()
        run(["nginx", "-t", "-q", "-e", self.p("logs", "nginx-error.log"),
             "-c", self.p("nginx.conf")])
        self._spawn("nginx", ["nginx", "-e", self.p("logs", "nginx-error.log"),
                              "-c", self.p("nginx.conf")], "nginx.stdout")
        wait_listening([(RESOLVER_ADDR, 53, "udp")], "unbound")
        wait_ready(ready, "misbehave.py", self.p("logs", "misbehave.stdout"))
        wait_listening([(a, 25, "tcp") for a in (PF_TLS13, PF_TLS12, PF_SELFSIGNED, PF_EXPIRED,
                                                 PF_WRONGNAME, PF_CHAIN, PF_NOTLS,
                                                 PF_DUALCERT, *FP.FULL_ADDRS, *OPS.ADDRS)],
                       "postfix")
        wait_listening(FP.full_start(self, extras), "exim")
        wait_listening([(STS_ADDR, 443, "tcp")], "nginx")
        self.state["running"] = True
        self.save()
        log("world running in %s" % self.d)

    def start_postfix(self):
        pdir = self.p("postfix")
        # `postfix start` reports errors on stderr only when it is a terminal: use script(1)
        r = run(["script", "-qec", "postfix -c %s start" % pdir, "/dev/null"], check=False)
        self.state["postfix"] = pdir
        self.save()
        if r.returncode != 0:
            raise RuntimeError("postfix start failed:\n%s%s" % (r.stdout, r.stderr))

    def stop(self):
        errors = []
        pdir = self.state.get("postfix")
        if pdir:
            r = run(["script", "-qec", "postfix -c %s stop" % pdir, "/dev/null"], check=False)
            if r.returncode != 0 and "not running" not in (r.stdout + r.stderr):
                errors.append("postfix stop: " + r.stdout + r.stderr)
        for key, pid in list(self.state.get("pids", {}).items()):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(100):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                try:  # reap if it is our child
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
                time.sleep(0.05)
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.state["pids"] = {}
        self.state["running"] = False
        if os.path.exists(self.d):
            self.save()
        return errors

    def describe(self):
        return ("resolver:      %s\ntrust anchor:  %s\nCA file:       %s\ndomains:       %s\n"
                "special list:  %s (scan WITHOUT --allow)\nlogs:          %s\n" % (
                    RESOLVER_ADDR, self.state["trust_anchor"], self.state["ca_file"],
                    self.state["domains"], self.state["special_domains"], self.p("logs")))


def _pdeathsig():
    import ctypes
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _listening(addr, port, proto):
    hexaddr = "%08X:%04X" % (int.from_bytes(bytes(int(x) for x in addr.split(".")), "little"), port)
    try:
        with open("/proc/net/" + proto) as f:
            rows = f.read().split("\n")[1:]
    except OSError:
        return False
    for row in rows:
        cols = row.split()
        if len(cols) > 3 and cols[1] == hexaddr and (proto == "udp" or cols[3] == "0A"):
            return True
        if len(cols) > 3 and cols[1] == "00000000:%04X" % port and (proto == "udp" or cols[3] == "0A"):
            return True
    return False


def wait_listening(targets, what, timeout=20):
    """Waits (without sending any traffic) until every (addr, port, proto) has a listener."""
    t0 = time.time()
    while True:
        missing = [t for t in targets if not _listening(*t)]
        if not missing:
            return
        if time.time() - t0 > timeout:
            raise RuntimeError("%s not listening on %s" % (what, missing))
        time.sleep(0.05)


def check(w):
    """Sanity: secure names have AD, bogus ones SERVFAIL."""
    ok = True
    for name, rtype, want in [("dane-ok.mxlab", "MX", "ad"),
                              ("_25._tcp.mx.dane-ok.mxlab", "TLSA", "ad"),
                              ("tlsa-unsigned.mxlab", "MX", "noad"),
                              ("_25._tcp.mx.tlsa-bogus.mxlab", "TLSA", "SERVFAIL"),
                              ("mx-bogus.mxlab", "MX", "SERVFAIL"),
                              ("servfail.mxlab", "MX", "SERVFAIL"),
                              ("does-not-exist.mxlab", "MX", "NXDOMAIN")]:
        out = run(["dig", "@" + RESOLVER_ADDR, "+dnssec", "+time=5", "+tries=1", name, rtype],
                  check=False).stdout
        flags = ""
        for line in out.split("\n"):
            if line.startswith(";; flags:"):
                flags = line.split(";")[2]
        status = out.split("status: ")[1].split(",")[0] if "status: " in out else "?"
        got = status if status != "NOERROR" else ("ad" if " ad" in flags else "noad")
        mark = "ok" if got == want else "MISMATCH"
        ok &= got == want
        print("%-40s %-5s want %-9s got %-9s %s" % (name, rtype, want, got, mark))
    return ok


# ---------------------------------------------------------------------------------------
# Shared observations (issue 4; tests/world/test_share.py). A mail provider: 6 domains
# whose MX is the provider's one name (one (address, SNI) for all, DANE-EE on it). Shared
# hosting: 6 domains whose MX is their own name, all on one address with one certificate
# that covers the first five (hosted6 gets a PKIX hostname mismatch, inferred or not);
# hosted4 publishes a wrong TLSA record, hosted5 the right one. Hooks: build_pki,
# build_dns, build_postfix_conf, write_inputs (one line each).
# ---------------------------------------------------------------------------------------
PF_PROVIDER = "127.0.1.8"    # Postfix, CA-signed cert for mx.provider.mxlab
PF_HOSTING = "127.0.1.9"     # Postfix, CA-signed cert for hosted1..hosted5.mxlab
SHARE_PROVIDER_MX = "mx.provider.mxlab"
SHARE_PROVIDER = ["prov%d.mxlab" % i for i in range(1, 7)]
SHARE_HOSTED = ["hosted%d.mxlab" % i for i in range(1, 7)]
SHARE_INPUT = SHARE_PROVIDER + SHARE_HOSTED


def share_certs(pki, c):
    c["provider"] = pki.leaf("provider", [SHARE_PROVIDER_MX], "ec")
    c["hosting"] = pki.leaf("hosting", SHARE_HOSTED[:5], "ec")


def share_zones(child, spki, tlsa):
    wrong = hashlib.sha256(b"not the hosting key").hexdigest()
    z = child("provider")
    z.add("mx", "A", PF_PROVIDER)
    z.add("_25._tcp.mx", "TLSA", tlsa(3, 1, 1, spki["provider"]))
    for d in SHARE_PROVIDER:
        child(d.split(".")[0]).add("@", "MX", "10 %s." % SHARE_PROVIDER_MX)
    for i, d in enumerate(SHARE_HOSTED, 1):
        z = child(d.split(".")[0])
        z.add("@", "MX", "10 %s." % d)
        z.add("@", "A", PF_HOSTING)
        if i in (4, 5):
            z.add("_25._tcp", "TLSA", tlsa(3, 1, 1, wrong if i == 4 else spki["hosting"]))


def share_smtpd(smtpd):
    return [smtpd(PF_PROVIDER, SHARE_PROVIDER_MX, "provider"),
            smtpd(PF_HOSTING, "mx.hosting.mxlab", "hosting")]


def share_write_inputs(w):
    with open(w.p("share.txt"), "w") as f:
        f.write("\n".join(SHARE_INPUT) + "\n")
    w.state["share_domains"] = w.p("share.txt")


def main(argv):
    extras = [a[2:] for a in argv[3:] if a in ("--exim",)]
    argv = argv[:3] + [a for a in argv[3:] if a not in ("--exim",)]
    if len(argv) != 3 or argv[1] not in ("start", "stop", "check"):
        print(__doc__)
        return 2
    w = World(argv[2])
    if argv[1] == "start":
        if w.state.get("running"):
            print("already running", file=sys.stderr)
            return 1
        try:
            if not w.state:
                w.build()
            w.start(extras)
        except Exception:
            w.stop()
            raise
        print(w.describe(), end="")
        return 0
    if argv[1] == "stop":
        errs = w.stop()
        for e in errs:
            print(e, file=sys.stderr)
        return 1 if errs else 0
    return 0 if check(w) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
