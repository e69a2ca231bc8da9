#!/usr/bin/env python3
"""Generates the benchmark's synthetic national zone (used by bench/bench.py).

usage: gen_world.py DIR --domains N [--seed S] [--capacity-domains M]

Writes into DIR: the bench CA, ECDSA P-256 server certificates (and one RSA), the zones (a signed
fake root, a signed TLD `benchtld.` and one unsigned zone per insecure domain), nsd.conf,
unbound.conf, root.key, domains.txt (the N input names), capacity.txt (the M domains of
the capacity phase), queries.txt (the dnsperf query mix), smtpd.args (the server's
address rules) and world.json (counts per category). See docs/benchmark.md.

Address plan (127.0.0.0/8 inside the benchmark's network namespace):
  127.0.53.1   NSD (root, benchtld., the insecure domains' zones, 127.in-addr.arpa.)
  127.0.53.53  Unbound (validating, the --resolver)
  127.1.P.K    large provider P, MX mxK.provP.benchtld (shared by many domains); TLS 1.2
               and 1.3 only, ECDHE with AEAD suites only
  127.2.H.1    shared-hosting address H: every domain has its own MX name mail.<domain>;
               legacy TLS (1.0 up, NULL and RSA-key-transport suites, DHE with a 1024-bit
               group) and two certificates (ECDSA P-256 and RSA 2048)
  127.3-5.x.y  self-hosted MX, one address per domain
  127.6.x.y    capacity phase: every reply held --capacity-hold-ms
  127.7.x.y    421 to the first connection, then normal (retries)
  127.8.0.0/16 unreachable (an `unreachable` route: connect fails at once)
  127.9.x.y    slow: banner held --slow-ms
  127.10.x.y   no STARTTLS
  127.11.0.1   mta-sts.<domain> policy hosts where nothing listens on 443 (fetch error)
  127.11.0.2   mta-sts.<domain> policy hosts served by nginx (SNI; certificates of 100
               names each, signed by the bench CA; modes enforce/testing/none)
"""
import argparse
import hashlib
import json
import os
import random
import subprocess
import sys

TLD = "benchtld"
NSD_ADDR = "127.0.53.1"
RESOLVER_ADDR = "127.0.53.53"
PROVIDERS = 6
PROVIDER_WEIGHTS = [15, 10, 6, 4, 3, 2]  # percent of all domains, 40 % in all
HOSTING_ADDRS = 40

# category: percent of the domains (the rest are self-hosted)
MIX = [("provider", 40), ("hosting", 25), ("notls", 2), ("unreachable", 2), ("slow", 1),
       ("tempfail", 1), ("nxdomain", 1), ("nullmx", 1)]
SECURE_PCT = 35      # domains whose records are in the signed TLD (DNSSEC secure)
TLSA_PCT = 30        # of secure self-hosted domains: TLSA 3 1 1 (a tenth of them wrong)
STS_PCT = 5          # _mta-sts TXT
STS_UNSERVED_PCT = 12  # of those: nothing listens on the policy host (fetch error)
STS_MISMATCH_PCT = 5   # of the served policies: no mx pattern matches the domain's MX
STS_MODES = [("enforce", 60), ("testing", 30), ("none", 10)]
STS_ADDR_DOWN = "127.11.0.1"
STS_ADDR = "127.11.0.2"
STS_CERT_NAMES = 100   # policy host names per nginx certificate
WORLD_VERSION = 3      # bumped when a cached world must be generated again
RPT_PCT = 8          # _smtp._tls TXT


def run(cmd, cwd=None, input=None):
    r = subprocess.run(cmd, cwd=cwd, input=input, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), r.stderr.strip()))
    return r.stdout


def ip(a, b, c, d):
    return "%d.%d.%d.%d" % (a, b, c, d)


def seq_addr(first_octet2, i, span=1):
    """i-th address of a range of /16s starting at 127.<first_octet2>, skipping .0/.255."""
    per16 = 254 * 254
    o2 = first_octet2 + (i // per16) % span
    r = i % per16
    return ip(127, o2, 1 + r // 254, 1 + r % 254)


def pick(r, table, default=None):
    """The key of table [(key, percent), ...] that a draw r in [0, 100) falls on, or
    default past the table's total."""
    edge = 0
    for key, pct in table:
        edge += pct
        if r < edge:
            return key
    return default


def sts_served(counts):
    """How many of the world's MTA-STS policies nginx serves (world.json counts)."""
    return sum(counts.get("mta_sts_" + m, 0) for m, _ in STS_MODES)


# ---- PKI ---------------------------------------------------------------------------------
def issue_leaf(ca_dir, out_dir, name, sans, key_args):
    """out_dir/name.pem: a serverAuth leaf for sans signed by the CA in ca_dir, followed by
    the CA certificate; key_args makes (-newkey ... -keyout) or names (-key) its key."""
    with open(os.path.join(out_dir, name + ".ext"), "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n" % ",".join("DNS:" + s for s in sans))
    run(["openssl", "req", "-new", *key_args, "-out", name + ".csr", "-subj", "/CN=%s" % sans[0]],
        cwd=out_dir)
    run(["openssl", "x509", "-req", "-in", name + ".csr", "-CA", os.path.join(ca_dir, "ca.pem"),
         "-CAkey", os.path.join(ca_dir, "ca.key"), "-CAcreateserial", "-days", "365",
         "-extfile", name + ".ext", "-out", name + ".crt"], cwd=out_dir)
    pem = os.path.join(out_dir, name + ".pem")
    with open(pem, "w") as f:
        f.write(open(os.path.join(out_dir, name + ".crt")).read() +
                open(os.path.join(ca_dir, "ca.pem")).read())
    return pem


def make_pki(d):
    p = os.path.join(d, "pki")
    os.makedirs(p, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    run(["openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
         "-subj", "/CN=mxsurvey bench CA"], cwd=p)
    leaves = {"provider": ["*.prov%d.%s" % (i, TLD) for i in range(1, PROVIDERS + 1)],
              "hosting": ["*.hosting.%s" % TLD],
              "self": ["mail.selfhost.%s" % TLD]}
    for name, sans in leaves.items():
        issue_leaf(p, p, name, sans, ec + ["-keyout", name + ".key"])
    # the hosting addresses also hold an RSA certificate (a server with two certificates:
    # the TLS profile's certs phase must find both)
    issue_leaf(p, p, "hosting-rsa", leaves["hosting"],
               ["-newkey", "rsa:2048", "-nodes", "-keyout", "hosting-rsa.key"])
    spki = {}
    for name in leaves:
        der = subprocess.run("openssl x509 -in %s.crt -pubkey -noout | openssl pkey -pubin "
                             "-outform DER" % name, shell=True, cwd=p, capture_output=True,
                             check=True).stdout
        spki[name] = hashlib.sha256(der).hexdigest()
    return p, spki


def make_sts_certs(d, pki, hosts):
    """Certificates for the served MTA-STS policy hosts, STS_CERT_NAMES names each (one
    certificate per host would take minutes of openssl for 100 000 domains)."""
    sdir = os.path.join(d, "sts")
    os.makedirs(sdir, exist_ok=True)
    run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-out", "sts.key"], cwd=sdir)
    groups = []
    for g in range(0, len(hosts), STS_CERT_NAMES):
        names = hosts[g:g + STS_CERT_NAMES]
        pem = issue_leaf(pki, sdir, "g%04d" % (g // STS_CERT_NAMES), names, ["-key", "sts.key"])
        groups.append({"cert": pem, "key": os.path.join(sdir, "sts.key"), "names": names})
    with open(os.path.join(sdir, "groups.json"), "w") as f:
        json.dump(groups, f)


def sts_policy(srnd, mx_patterns):
    """A served policy for a domain whose MX hosts match mx_patterns: (mode, text)."""
    mode = pick(srnd.random() * 100, STS_MODES)
    if srnd.random() * 100 < STS_MISMATCH_PCT:
        mx_patterns = ["mx.elsewhere.%s" % TLD]
    lines = ["version: STSv1", "mode: %s" % mode] + ["mx: %s" % m for m in mx_patterns] + \
        ["max_age: 86400"]
    return mode, "\r\n".join(lines) + "\r\n"


# ---- zones -------------------------------------------------------------------------------
def soa(origin):
    return ["$ORIGIN %s." % origin if origin else "$ORIGIN .", "$TTL 3600",
            "@ IN SOA ns.%s. hostmaster.%s. 1 7200 3600 1209600 300" % (TLD, TLD) if origin else
            ". IN SOA ns.%s. hostmaster.%s. 1 7200 3600 1209600 300" % (TLD, TLD)]


def sign(zdir, name, path):
    kdir = os.path.join(zdir, "keys")
    os.makedirs(kdir, exist_ok=True)
    ksk = run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", name], cwd=kdir).strip()
    zsk = run(["ldns-keygen", "-a", "ECDSAP256SHA256", name], cwd=kdir).strip()
    run(["ldns-signzone", "-o", name, "-f", path + ".signed", path,
         os.path.join(kdir, zsk), os.path.join(kdir, ksk)])
    return run(["ldns-key2ds", "-n", "-2", os.path.join(kdir, ksk + ".key")]).strip()


def write_configs(d):
    """nsd.conf and unbound.conf (rewritten on every run, so tuning needs no new world)."""
    zdir = os.path.join(d, "zones")
    with open(os.path.join(d, "insecure.list")) as f:
        insecure_zones = [tuple(x.split()) for x in f if x.strip()]
    os.makedirs(os.path.join(d, "logs"), exist_ok=True)
    conf = ["server:", "  ip-address: %s" % NSD_ADDR, "  port: 53", '  username: ""',
            '  chroot: ""', "  zonesdir: %s" % zdir, '  database: ""',
            "  zonelistfile: %s" % os.path.join(d, "nsd.zone.list"),
            "  xfrdfile: %s" % os.path.join(d, "nsd.xfrd.state"), "  xfrdir: %s" % d,
            "  pidfile: %s" % os.path.join(d, "nsd.pid"),
            "  logfile: %s" % os.path.join(d, "logs", "nsd.log"),
            "  verbosity: 0", "  server-count: 1", "  do-ip6: no", "  hide-version: yes",
            "  tcp-count: 1000", "  reuseport: no",
            # NSD's response rate limiting (on by default in Debian, 200 qps per source)
            # would throttle the one resolver that asks it everything.
            "  rrl-ratelimit: 0", "  rrl-whitelist-ratelimit: 0",
            # Bursts of thousands of queries from Unbound: a dropped query costs Unbound a
            # timeout and a backoff on the only server there is (root sets these beyond
            # rmem_max with SO_RCVBUFFORCE).
            "  receive-buffer-size: 16777216", "  send-buffer-size: 16777216",
            # statistics for the benchmark (nsd-control stats_noreset: the queries the
            # embedded resolver of the recursive mode sends), on a socket of the world dir
            "remote-control:", "  control-enable: yes",
            "  control-interface: %s" % os.path.join(d, "nsd.ctl"),
            "zone:", '  name: "."', "  zonefile: root.zone.signed",
            "zone:", '  name: "%s."' % TLD, "  zonefile: %s.zone.signed" % TLD,
            "zone:", '  name: "127.in-addr.arpa."', "  zonefile: rev.zone"]
    for name, fn in insecure_zones:
        conf += ["zone:", '  name: "%s."' % name, "  zonefile: %s" % fn]
    with open(os.path.join(d, "nsd.conf"), "w") as f:
        f.write("\n".join(conf) + "\n")

    udir = os.path.join(d, "unbound")
    os.makedirs(udir, exist_ok=True)
    with open(os.path.join(udir, "root.hints"), "w") as f:
        f.write(".\t3600000\tIN\tNS\tns.%s.\nns.%s.\t3600000\tIN\tA\t%s\n" % (TLD, TLD, NSD_ADDR))
    with open(os.path.join(d, "unbound.conf"), "w") as f:
        f.write("""server:
  interface: %(addr)s
  port: 53
  do-ip6: no
  username: ""
  chroot: ""
  directory: "%(udir)s"
  pidfile: "%(d)s/unbound.pid"
  logfile: "%(d)s/logs/unbound.log"
  use-syslog: no
  verbosity: 0
  num-threads: 1
  so-reuseport: no
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  root-hints: "%(udir)s/root.hints"
  trust-anchor-file: "%(d)s/root.key"
  module-config: "validator iterator"
  harden-dnssec-stripped: yes
  prefetch: no
  msg-cache-size: 512m
  rrset-cache-size: 1024m
  key-cache-size: 64m
  neg-cache-size: 64m
  outgoing-range: 8192
  # more than mxsurvey's libunbound can have outstanding, so nothing is jostled out
  num-queries-per-thread: 16384
  jostle-timeout: 10000
  infra-cache-numhosts: 500000
  qname-minimisation: no
  so-rcvbuf: 16m
  so-sndbuf: 16m
  # per-type counters (num.query.type.DNSKEY: whether mxsurvey validates itself)
  extended-statistics: yes
  # The reverse zone is ours (NSD), not Unbound's built-in RFC 6761 answer.
  local-zone: "127.in-addr.arpa." nodefault
  domain-insecure: "127.in-addr.arpa."
stub-zone:
  name: "127.in-addr.arpa."
  stub-addr: %(nsd)s
remote-control:
  # statistics for the benchmark (unbound-control stats_noreset), on a socket of the world
  control-enable: yes
  control-interface: "%(d)s/unbound.ctl"
  control-use-cert: no
""" % {"addr": RESOLVER_ADDR, "udir": udir, "d": d, "nsd": NSD_ADDR})
    write_nginx_conf(d)


def write_nginx_conf(d):
    """nginx.conf for the served MTA-STS policy hosts: one process (its CPU is then one
    /proc entry), one address, the certificate chosen by SNI, the policy by Host."""
    with open(os.path.join(d, "sts", "groups.json")) as f:
        groups = json.load(f)
    ndir = os.path.join(d, "nginx")
    tmp = os.path.join(ndir, "tmp")
    os.makedirs(tmp, exist_ok=True)
    nhosts = sum(len(g["names"]) for g in groups)
    conf = ["user root;", "daemon off;", "master_process off;", "worker_processes 1;",
            "worker_rlimit_nofile 20000;",
            "pid %s;" % os.path.join(ndir, "nginx.pid"),
            "error_log %s warn;" % os.path.join(d, "logs", "nginx-error.log"),
            "events { worker_connections 8192; }", "http {", "  access_log off;",
            "  client_body_temp_path %s/body;" % tmp, "  proxy_temp_path %s/proxy;" % tmp,
            "  fastcgi_temp_path %s/fastcgi;" % tmp, "  uwsgi_temp_path %s/uwsgi;" % tmp,
            "  scgi_temp_path %s/scgi;" % tmp,
            "  types { text/plain txt; }", "  default_type application/octet-stream;",
            "  server_tokens off;", "  ssl_protocols TLSv1.2 TLSv1.3;",
            "  server_names_hash_bucket_size 256;",
            "  server_names_hash_max_size %d;" % max(1024, 4 * nhosts)]
    for g in groups:
        conf += ["  server {", "    listen %s:443 ssl;" % STS_ADDR,
                 "    server_name %s;" % " ".join(g["names"]),
                 "    ssl_certificate %s;" % g["cert"], "    ssl_certificate_key %s;" % g["key"],
                 "    root %s/$host;" % os.path.join(d, "sts", "www"),
                 "    location = /.well-known/mta-sts.txt { }",
                 "    location / { return 404; }", "  }"]
    conf.append("}")
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write("\n".join(conf) + "\n")



def build(d, n, seed, cap_n):
    rnd = random.Random(seed)
    os.makedirs(d, exist_ok=True)
    zdir = os.path.join(d, "zones")
    os.makedirs(os.path.join(zdir, "ins"), exist_ok=True)
    pki, spki = make_pki(d)

    tld = soa(TLD) + ["@ NS ns", "ns A %s" % NSD_ADDR]
    insecure_zones = []
    domains, queries = [], []
    ptr = {}
    counts = {}
    tempfail_i = unreach_i = slow_i = notls_i = self_i = 0
    # The policies draw from their own stream, so that every other category of the world
    # stays what it was before the policies were served.
    srnd = random.Random(seed * 7919 + 17)
    sts_hosts = []
    sts_www = os.path.join(d, "sts", "www")

    # provider MX names and their TLSA (providers 1 and 2 publish DANE)
    for p in range(1, PROVIDERS + 1):
        for k in range(1, 5):
            host = "mx%d.prov%d" % (k, p)
            tld.append("%s A %s" % (host, ip(127, 1, p, k)))
            ptr[ip(127, 1, p, k)] = "%s.%s." % (host, TLD)
            if p <= 2:
                tld.append("_25._tcp.%s TLSA 3 1 1 %s" % (host, spki["provider"]))
    providers = [(p + 1, w) for p, w in enumerate(PROVIDER_WEIGHTS)]

    for i in range(n):
        name = "d%07d.%s" % (i, TLD)
        label = "d%07d" % i
        domains.append(name)
        r = rnd.random() * 100
        cat = pick(r, MIX, "self")
        secure = rnd.random() * 100 < SECURE_PCT
        counts[cat] = counts.get(cat, 0) + 1
        counts["secure" if secure else "insecure"] = counts.get(
            "secure" if secure else "insecure", 0) + 1
        if cat == "nxdomain":
            queries.append((name, "MX"))
            continue
        recs = []  # (owner relative to the domain, type, rdata)
        hosts = []  # (absolute host name, address or None when it lives elsewhere)
        if cat == "nullmx":
            recs.append(("@", "MX", "0 ."))
        elif cat == "provider":
            prov = pick(r, providers)  # r < 40 here: the providers' 40 %
            mxs = [("mx1.prov%d.%s." % (prov, TLD)), ("mx2.prov%d.%s." % (prov, TLD))]
            if rnd.random() < 0.5:
                mxs = [("mx3.prov%d.%s." % (prov, TLD)), ("mx4.prov%d.%s." % (prov, TLD))]
            recs += [("@", "MX", "10 " + mxs[0]), ("@", "MX", "20 " + mxs[1])]
            hosts += [(h, None) for h in mxs]
            mx_patterns = ["*.prov%d.%s" % (prov, TLD)]
        else:
            if cat == "hosting":
                a = ip(127, 2, 1 + rnd.randrange(HOSTING_ADDRS), 1)
                host = "mail"
            else:
                host = "mx"
                if cat == "self":
                    a = seq_addr(3, self_i, span=3)
                    self_i += 1
                elif cat == "tempfail":
                    a = seq_addr(7, tempfail_i)
                    tempfail_i += 1
                elif cat == "unreachable":
                    a = seq_addr(8, unreach_i)
                    unreach_i += 1
                elif cat == "slow":
                    a = seq_addr(9, slow_i)
                    slow_i += 1
                else:  # notls
                    a = seq_addr(10, notls_i)
                    notls_i += 1
                ptr[a] = "%s.%s." % (host, name)
            recs += [("@", "MX", "10 %s.%s." % (host, name)), (host, "A", a)]
            hosts.append(("%s.%s." % (host, name), a))
            mx_patterns = ["%s.%s" % (host, name)]
            if cat == "self" and secure and rnd.random() * 100 < TLSA_PCT:
                h = spki["self"]
                if rnd.random() < 0.1:
                    h = hashlib.sha256(h.encode()).hexdigest()  # a stale key: mismatch
                recs.append(("_25._tcp." + host, "TLSA", "3 1 1 " + h))
                counts["tlsa"] = counts.get("tlsa", 0) + 1
            elif cat == "self" and not secure and rnd.random() * 100 < 5:
                recs.append(("_25._tcp." + host, "TLSA", "3 1 1 " + spki["self"]))
        if cat != "nullmx":
            if rnd.random() * 100 < STS_PCT:
                recs.append(("_mta-sts", "TXT", '"v=STSv1; id=2024%07d"' % i))
                counts["mta_sts"] = counts.get("mta_sts", 0) + 1
                if srnd.random() * 100 < STS_UNSERVED_PCT:
                    recs.append(("mta-sts", "A", STS_ADDR_DOWN))
                    counts["mta_sts_unserved"] = counts.get("mta_sts_unserved", 0) + 1
                else:
                    recs.append(("mta-sts", "A", STS_ADDR))
                    mode, text = sts_policy(srnd, mx_patterns)
                    k = "mta_sts_" + mode
                    counts[k] = counts.get(k, 0) + 1
                    if "mx.elsewhere." in text:
                        counts["mta_sts_mismatch"] = counts.get("mta_sts_mismatch", 0) + 1
                    h = "mta-sts." + name
                    os.makedirs(os.path.join(sts_www, h, ".well-known"), exist_ok=True)
                    with open(os.path.join(sts_www, h, ".well-known", "mta-sts.txt"), "w",
                              newline="") as f:
                        f.write(text)
                    sts_hosts.append(h)
                queries += [("mta-sts." + name, "A"), ("mta-sts." + name, "AAAA")]
            if rnd.random() * 100 < RPT_PCT:
                recs.append(("_smtp._tls", "TXT", '"v=TLSRPTv1; rua=mailto:tlsrpt@%s"' % name))
                counts["tls_rpt"] = counts.get("tls_rpt", 0) + 1
        # what a scanner asks about this domain: the dnsperf mix
        queries += [(name, "MX"), ("_mta-sts." + name, "TXT"), ("_smtp._tls." + name, "TXT")]
        for h, a in hosts:
            queries += [(h, "A"), (h, "AAAA"), ("_25._tcp." + h, "TLSA")]
            if a:
                queries.append((".".join(reversed(a.split("."))) + ".in-addr.arpa.", "PTR"))
        if secure:
            for owner, t, rd in recs:
                o = label if owner == "@" else "%s.%s" % (owner, label)
                tld.append("%s %s %s" % (o, t, rd))
        else:
            tld.append("%s NS ns.dns%d.%s." % (label, i % 4, TLD))
            z = ["$ORIGIN %s." % name, "$TTL 3600",
                 "@ SOA ns.dns%d.%s. hostmaster.%s. 1 7200 3600 1209600 300" % (i % 4, TLD, TLD),
                 "@ NS ns.dns%d.%s." % (i % 4, TLD)]
            z += ["%s %s %s" % (o, t, rd) for o, t, rd in recs]
            fn = os.path.join("ins", label[-2:], label + ".zone")
            os.makedirs(os.path.join(zdir, "ins", label[-2:]), exist_ok=True)
            with open(os.path.join(zdir, fn), "w") as f:
                f.write("\n".join(z) + "\n")
            insecure_zones.append((name, fn))
    for k in range(4):
        tld.append("ns.dns%d A %s" % (k, NSD_ADDR))

    # capacity phase: self-hosted insecure-free names in the signed TLD, one address each
    cap = []
    for i in range(cap_n):
        label = "cap%06d" % i
        a = seq_addr(6, i)
        tld += ["%s MX 10 mx.%s" % (label, label), "mx.%s A %s" % (label, a)]
        cap.append("%s.%s" % (label, TLD))
    counts["capacity_domains"] = cap_n

    tld_path = os.path.join(zdir, TLD + ".zone")
    with open(tld_path, "w") as f:
        f.write("\n".join(tld) + "\n")
    tld_ds = sign(zdir, TLD, tld_path)
    root = soa("") + [". NS ns.%s." % TLD, "%s. NS ns.%s." % (TLD, TLD),
                      "ns.%s. A %s" % (TLD, NSD_ADDR), tld_ds]
    root_path = os.path.join(zdir, "root.zone")
    with open(root_path, "w") as f:
        f.write("\n".join(root) + "\n")
    root_ds = sign(zdir, ".", root_path)
    with open(os.path.join(d, "root.key"), "w") as f:
        f.write(root_ds + "\n")

    rev = ["$ORIGIN 127.in-addr.arpa.", "$TTL 3600",
           "@ SOA ns.%s. hostmaster.%s. 1 7200 3600 1209600 300" % (TLD, TLD),
           "@ NS ns.%s." % TLD]
    for a, nm in ptr.items():
        o = a.split(".")
        rev.append("%s.%s.%s PTR %s" % (o[3], o[2], o[1], nm))
    with open(os.path.join(zdir, "rev.zone"), "w") as f:
        f.write("\n".join(rev) + "\n")

    with open(os.path.join(d, "insecure.list"), "w") as f:
        f.write("".join("%s %s\n" % z for z in insecure_zones))
    make_sts_certs(d, pki, sts_hosts)
    write_configs(d)
    with open(os.path.join(d, "domains.txt"), "w") as f:
        f.write("\n".join(domains) + "\n")
    with open(os.path.join(d, "capacity.txt"), "w") as f:
        f.write("\n".join(cap) + "\n")
    with open(os.path.join(d, "queries.txt"), "w") as f:
        for q, t in queries:
            f.write("%s %s\n" % (q, t))
    with open(os.path.join(d, "resolv.conf"), "w") as f:
        f.write("nameserver %s\noptions trust-ad\n" % RESOLVER_ADDR)
    rules = {
        # TLS policies (bench/smtpd.c): the providers modern (TLS 1.2 up, ECDHE AEAD only),
        # the shared hosting legacy with two certificates (TLS 1.0 up, NULL, RSA key
        # transport, DHE-1024; ECDSA and RSA), self-hosted OpenSSL's defaults
        "certs": ["127.1.0.0/16=%s/provider.pem,%s/provider.key@modern" % (pki, pki),
                  "127.2.0.0/16=%s/hosting.pem,%s/hosting.key,%s/hosting-rsa.pem,"
                  "%s/hosting-rsa.key@legacy" % (pki, pki, pki, pki),
                  "127.0.0.0/8=%s/self.pem,%s/self.key" % (pki, pki)],
        "rules": ["127.7.0.0/16=tempfail", "127.8.0.0/16=reset", "127.10.0.0/16=notls"],
        "slow_net": "127.9.0.0/16", "hold_net": "127.6.0.0/16",
        "unreachable_net": "127.8.0.0/16",
    }
    info = {"version": WORLD_VERSION, "domains": n, "seed": seed,
            "last_insecure": insecure_zones[-1][0] + "." if insecure_zones else TLD + ".", "counts": counts, "queries": len(queries),
            "insecure_zones": len(insecure_zones), "pki": pki, "smtpd": rules,
            "resolver": RESOLVER_ADDR, "nsd": NSD_ADDR, "sts_addr": STS_ADDR}
    with open(os.path.join(d, "world.json"), "w") as f:
        json.dump(info, f, indent=1)
    return info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--domains", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--capacity-domains", type=int, default=16000)
    a = ap.parse_args()
    info = build(os.path.abspath(a.dir), a.domains, a.seed, a.capacity_domains)
    json.dump(info["counts"], sys.stdout)
    print()


if __name__ == "__main__":
    main()
