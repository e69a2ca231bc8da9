"""The test world's cases for issue 16 (warn before mail breaks; tests/world/test_ops.py).

Domains <name>.mxlab that are in no other input list (ops.txt only), so that the other
world tests' counts do not move. Every zone has an SOA RNAME of its own
(rname.<name>.mxlab., or the one in RNAME), so that soa_rname is seen to come from the
domain's own zone. Servers (entries of the world's one Postfix):

  127.0.1.40  PF_OPS      TLS 1.2 and 1.3 only, leaf "ops" (EC, every mx.ops-* name below
                          it serves) followed by the CA certificate (DANE-TA needs the CA
                          in the chain as sent)
  127.0.1.41  PF_EXP5     the same with leaf "ops-exp5", which expires 5 days after the
                          build (DANE-EE: outlook DANE still valid, PKIX not; DANE-TA: both
                          break)
  127.0.1.42  PF_ROLL     leaf "ops-roll-a"; change(w) puts "ops-roll-b" (another key, same
                          name) in its place between two scans: the rollover failure, the
                          TLSA record (3 1 1 of ops-roll-a) stays
  127.0.1.43  PF_NOCHAIN  a leaf signed by an intermediate CA that the server does not send
                          (cert-chain fails; PKIX fails too, the trust store holds the root)

Domains (TLSA at _25._tcp.mx.<name>.mxlab):
  ops-ro-next     3 1 1 ops + 3 1 1 of a key no server uses (a pre-published next key)
  ops-ro-ta       3 1 1 ops + 2 1 1 CA; TLS-RPT; the one that passes every CNCS check a
                  basic scan sees
  ops-ro-single   3 1 1 ops only; TLS-RPT rua mailto:tlsrpt@ops-ro-single.mxlab
  ops-ro-samekey  3 1 1 ops + 3 0 1 ops (the same key twice); no TLS-RPT: SOA contact only
  ops-ro-stale    3 1 1 of a key no server uses any more + 3 1 1 ops
  ops-exp-ee      PF_EXP5, 3 1 1 ops-exp5;   ops-exp-ta  PF_EXP5, 2 1 1 CA
  ops-sig-tlsa    PF_OPS, 3 1 1 ops; the TLSA RRset's RRSIG expires 3 days after the build
  ops-sig-dnskey  PF_OPS, 3 1 1 ops; the zone's DNSKEY RRSIG expires 10 days after the build
                  (every other RRSIG: ldns-signzone's default, inception + 4 weeks)
  ops-rollfail    PF_ROLL, 3 1 1 ops-roll-a (see change)
  ops-sts-change  PF_OPS, MTA-STS enforce; change(w) rewrites the policy body, the id stays
  ops-sts-rpt     PF_OPS, MTA-STS testing with TLS-RPT (mta-sts-testing-tls-rpt passes)
  ops-nochain     PF_NOCHAIN, 3 1 1 of its leaf
  ops-mxoff       signed zone whose MX is mx.tlsa-unsigned.mxlab (an unsigned zone)
  ops-soa         MX at the apex; sub.ops-soa: MX at a name below the apex of the same zone
                  (its SOA query is NODATA: the authority section's SOA)

Hooks in world.py: ops_certs (build_pki), ops_zones (build_dns), ops_smtpd
(build_postfix_conf), STS (build_nginx_conf), ADDRS (start), write_input (write_inputs).
"""
import datetime
import hashlib
import os
import shutil
import subprocess

PF_OPS = "127.0.1.40"
PF_EXP5 = "127.0.1.41"
PF_ROLL = "127.0.1.42"
PF_NOCHAIN = "127.0.1.43"
ADDRS = [PF_OPS, PF_EXP5, PF_ROLL, PF_NOCHAIN]

# days after the build
EXP5_DAYS = 5
SIG_TLSA_DAYS = 3
SIG_DNSKEY_DAYS = 10

ON_OPS = ["ops-ro-next", "ops-ro-ta", "ops-ro-single", "ops-ro-samekey", "ops-ro-stale",
          "ops-sig-tlsa", "ops-sig-dnskey", "ops-sts-change", "ops-sts-rpt", "ops-soa",
          "sub.ops-soa"]
INPUT = ON_OPS + ["ops-exp-ee", "ops-exp-ta", "ops-rollfail", "ops-nochain", "ops-mxoff"]
RNAME = {"ops-ro-samekey": "dnsadmin.ops-ro-samekey.mxlab.",
         "ops-soa": "postmaster.ops-soa.mxlab."}


def rname(zone):
    """The SOA RNAME of one of our zones (a name without the TLD), with the trailing dot."""
    return RNAME.get(zone, "rname.%s.mxlab." % zone)


def _sts(mode, mx, max_age="86400"):
    return "".join(l + "\r\n" for l in ["version: STSv1", "mode: " + mode, "mx: " + mx,
                                        "max_age: " + max_age])


# MTA-STS cases as world.STS_CASES has them (nginx server blocks), with the id and the
# body change(w) writes instead
STS = {
    "ops-sts-change": {"policy": _sts("enforce", "mx.ops-sts-change.mxlab"),
                       "policy2": _sts("enforce", "mx.ops-sts-change.mxlab", "604800")},
    "ops-sts-rpt": {"policy": _sts("testing", "mx.ops-sts-rpt.mxlab")},
}


def sts_id(name):
    return name.replace("-", "") + "v1"


def _run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def _key_spki(key):
    der = subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return hashlib.sha256(der).hexdigest()


def not_after(cert):
    """A certificate's notAfter as a UTC datetime (to the second)."""
    out = _run(["openssl", "x509", "-in", cert, "-noout", "-enddate"]).stdout.strip()
    t = datetime.datetime.strptime(out.split("=", 1)[1], "%b %d %H:%M:%S %Y GMT")
    return t.replace(tzinfo=datetime.timezone.utc)


def _intermediate_leaf(pki, name, sans):
    """An intermediate CA signed by the world's CA, and a leaf it signs (the leaf's file
    holds the leaf only)."""
    ikey = pki.key(name + "-int", "ec")
    icsr, icert = pki.p(name + "-int.csr"), pki.p(name + "-int.pem")
    iext = pki.p(name + "-int.ext")
    with open(iext, "w") as f:
        f.write("[ext]\nbasicConstraints = critical, CA:TRUE, pathlen:0\n"
                "keyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n"
                "authorityKeyIdentifier = keyid\n")
    _run(["openssl", "req", "-new", "-key", ikey, "-subj", "/CN=mxsurvey test intermediate",
          "-out", icsr])
    _run(["openssl", "x509", "-req", "-in", icsr, "-CA", pki.ca_pem, "-CAkey", pki.ca_key,
          "-set_serial", "7001", "-days", "365", "-sha256", "-extfile", iext,
          "-extensions", "ext", "-out", icert])
    key = pki.key(name, "ec")
    csr, cert, ext = pki.p(name + ".csr"), pki.p(name + ".pem"), pki.p(name + ".ext")
    with open(ext, "w") as f:
        f.write("[ext]\nbasicConstraints = critical, CA:FALSE\n"
                "keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n"
                "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
                "subjectAltName = %s\n" % ", ".join("DNS:" + s for s in sans))
    _run(["openssl", "req", "-new", "-key", key, "-subj", "/CN=" + sans[0], "-out", csr])
    _run(["openssl", "x509", "-req", "-in", csr, "-CA", icert, "-CAkey", ikey,
          "-set_serial", "7002", "-days", "365", "-sha256", "-extfile", ext,
          "-extensions", "ext", "-out", cert])
    return cert, key


def _with_ca(pki, c, name):
    """c[name + "+ca"]: the leaf followed by the CA certificate, for the server to send."""
    path = pki.p(name + "+ca.pem")
    with open(path, "w") as f:
        f.write(open(c[name][0]).read() + open(pki.ca_pem).read())
    c[name + "+ca"] = (path, c[name][1])


def ops_certs(w, pki, c):
    c["ops"] = pki.leaf("ops", ["mx.%s.mxlab" % d for d in ON_OPS], "ec")
    c["ops-exp5"] = pki.leaf("ops-exp5", ["mx.ops-exp-ee.mxlab", "mx.ops-exp-ta.mxlab"], "ec",
                             start_days=-1, end_days=EXP5_DAYS)
    c["ops-roll-a"] = pki.leaf("ops-roll-a", ["mx.ops-rollfail.mxlab"], "ec")
    c["ops-roll-b"] = pki.leaf("ops-roll-b", ["mx.ops-rollfail.mxlab"], "ec")
    c["ops-nochain"] = _intermediate_leaf(pki, "ops-nochain", ["mx.ops-nochain.mxlab"])
    for n in ("ops", "ops-exp5"):
        _with_ca(pki, c, n)
    # what PF_ROLL serves: a copy of ops-roll-a, replaced by ops-roll-b in change(w)
    live = (pki.p("ops-roll-live.pem"), pki.p("ops-roll-live.key"))
    shutil.copy(c["ops-roll-a"][0], live[0])
    shutil.copy(c["ops-roll-a"][1], live[1])
    c["ops-roll-live"] = live
    for n in STS:
        c["sts:" + n] = pki.leaf("sts-" + n, ["mta-sts.%s.mxlab" % n], "ec")
    # keys no server uses: the next key of ops-ro-next, the old one of ops-ro-stale
    w.state["ops_spki"] = {k: _key_spki(pki.key(k, "ec")) for k in ("ops-next", "ops-old")}
    w.state["ops_not_after"] = {"ops-exp5": not_after(c["ops-exp5"][0]).strftime(
        "%Y-%m-%dT%H:%M:%SZ")}


def _sig_ts(days):
    return int(datetime.datetime.now(datetime.timezone.utc).timestamp()) + days * 86400


def ops_zones(w, child, spki, sts_addr):
    """The zones (child(name, rname=...) makes a signed child zone of mxlab.)."""
    cert_sha = lambda k: hashlib.sha256(subprocess.run(  # noqa: E731
        ["openssl", "x509", "-in", w.state["certs"][k]["cert"], "-outform", "DER"],
        check=True, capture_output=True).stdout).hexdigest()
    o = w.state["ops_spki"]
    tl = "_25._tcp.mx"
    ips = {d: PF_OPS for d in ON_OPS}
    ips.update({"ops-exp-ee": PF_EXP5, "ops-exp-ta": PF_EXP5, "ops-rollfail": PF_ROLL,
                "ops-nochain": PF_NOCHAIN})
    tlsa = {
        "ops-ro-next": ["3 1 1 " + spki["ops"], "3 1 1 " + o["ops-next"]],
        "ops-ro-ta": ["3 1 1 " + spki["ops"], "2 1 1 " + spki["ca"]],
        "ops-ro-single": ["3 1 1 " + spki["ops"]],
        "ops-ro-samekey": ["3 1 1 " + spki["ops"], "3 0 1 " + cert_sha("ops")],
        "ops-ro-stale": ["3 1 1 " + o["ops-old"], "3 1 1 " + spki["ops"]],
        "ops-exp-ee": ["3 1 1 " + spki["ops-exp5"]],
        "ops-exp-ta": ["2 1 1 " + spki["ca"]],
        "ops-sig-tlsa": ["3 1 1 " + spki["ops"]],
        "ops-sig-dnskey": ["3 1 1 " + spki["ops"]],
        "ops-rollfail": ["3 1 1 " + spki["ops-roll-a"]],
        "ops-nochain": ["3 1 1 " + spki["ops-nochain"]],
    }
    rpt = {"ops-ro-ta": "mailto:tlsrpt@ops-ro-ta.mxlab",
           "ops-ro-single": "mailto:tlsrpt@ops-ro-single.mxlab",
           "ops-sts-rpt": "mailto:tlsrpt@ops-sts-rpt.mxlab"}
    zones = {}
    for d in INPUT:
        if "." in d:
            continue
        zones[d] = child(d, rname=rname(d))
    for d, ip in ips.items():
        z = zones[d.split(".")[-1]]
        host = "mx" if "." not in d else "mx." + d.split(".")[0]
        z.add("@" if "." not in d else d.split(".")[0], "MX",
              "10 mx.%s.mxlab." % d)
        z.add(host, "A", ip)
        for rd in tlsa.get(d, []):
            z.add(tl if "." not in d else "_25._tcp." + host, "TLSA", rd)
    for d, uri in rpt.items():
        zones[d].add("_smtp._tls", "TXT", '"v=TLSRPTv1; rua=%s"' % uri)
    for d in STS:
        zones[d].add("mta-sts", "A", sts_addr)
        zones[d].add("_mta-sts", "TXT", '"v=STSv1; id=%s;"' % sts_id(d))
    zones["ops-mxoff"].add("@", "MX", "10 mx.tlsa-unsigned.mxlab.")
    # shorter signatures, spliced into the signed zone by world.write_zone
    exp = {"ops-sig-tlsa": _sig_ts(SIG_TLSA_DAYS), "ops-sig-dnskey": _sig_ts(SIG_DNSKEY_DAYS)}
    zones["ops-sig-tlsa"].short_sigs = {("TLSA", "_25._tcp.mx.ops-sig-tlsa.mxlab."):
                                        exp["ops-sig-tlsa"]}
    zones["ops-sig-dnskey"].short_sigs = {("DNSKEY", "ops-sig-dnskey.mxlab."):
                                          exp["ops-sig-dnskey"]}
    w.state["ops_sig_expires"] = {d: datetime.datetime.fromtimestamp(
        t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") for d, t in exp.items()}


def splice_short_sigs(signed_path, src, zone_name, keys, short_sigs):
    """Signs src again with the same keys and a shorter expiration per entry of short_sigs
    ((rrtype, owner) -> UNIX time), and puts those RRSIG lines in place of the ones that
    cover that RRset in signed_path (ldns-signzone has one -e for a whole zone)."""
    with open(signed_path) as f:
        lines = f.read().split("\n")

    def covers(line, rtype, owner):
        p = line.split("\t")
        return len(p) >= 5 and p[3] == "RRSIG" and p[0] == owner and p[4].split()[0] == rtype

    for (rtype, owner), ts in short_sigs.items():
        tmp = signed_path + ".short"
        e = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y%m%d%H%M%S")
        _run(["ldns-signzone", "-e", e, "-o", zone_name, "-f", tmp, src] + list(keys))
        with open(tmp) as f:
            new = [l for l in f.read().split("\n") if covers(l, rtype, owner)]
        os.unlink(tmp)
        old = [i for i, l in enumerate(lines) if covers(l, rtype, owner)]
        if not new or not old:
            raise RuntimeError("splice: no RRSIG for %s %s" % (rtype, owner))
        lines = lines[:old[0]] + new + [l for i, l in enumerate(lines)
                                        if i > old[0] and i not in old]
    with open(signed_path, "w") as f:
        f.write("\n".join(lines))


def ops_smtpd(w, smtpd):
    tls12 = "-o smtpd_tls_protocols=>=TLSv1.2"
    return [smtpd(PF_OPS, "mx.ops.mxlab", "ops+ca", [tls12]),
            smtpd(PF_EXP5, "mx.ops-exp5.mxlab", "ops-exp5+ca", [tls12]),
            smtpd(PF_ROLL, "mx.ops-rollfail.mxlab", "ops-roll-live", [tls12]),
            smtpd(PF_NOCHAIN, "mx.ops-nochain.mxlab", "ops-nochain", [tls12])]


def write_input(w):
    with open(w.p("ops.txt"), "w") as f:
        f.write("\n".join(d + ".mxlab" for d in INPUT) + "\n")
    w.state["ops_domains"] = w.p("ops.txt")


def change(w):
    """Between two scans: PF_ROLL gets another key (ops-roll-b, same name; the TLSA stays),
    ops-sts-change's policy another body (the id in DNS stays). Postfix reloads (its smtpd
    processes read the certificate when they start)."""
    c = w.state["certs"]
    shutil.copy(c["ops-roll-b"]["cert"], c["ops-roll-live"]["cert"])
    shutil.copy(c["ops-roll-b"]["key"], c["ops-roll-live"]["key"])
    path = os.path.join(w.p("nginx", "www", "ops-sts-change"), ".well-known", "mta-sts.txt")
    with open(path, "w", newline="") as f:
        f.write(STS["ops-sts-change"]["policy2"])
    pdir = w.state["postfix"]
    _run(["script", "-qec", "postfix -c %s reload" % pdir, "/dev/null"])
