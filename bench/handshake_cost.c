/* bench/handshake_cost: the bare CPU cost of one client TLS handshake, the reference for
 * mxsurvey's CPU per TLS probe.
 *
 * Runs K full handshakes in memory (a BIO pair between a client and a server SSL) with
 * the client configured as mxsurvey's tls/tls_client.c configures it (TLS 1.0-1.3,
 * ALL:@SECLEVEL=0, the same groups list, no tickets, no session cache, released buffers,
 * DANE enabled, SNI, and no chain verification during the handshake: SSL_VERIFY_PEER with
 * a certificate verify callback that accepts, as tls_client.c's handshake_chain_check
 * does; with SSL_VERIFY_NONE OpenSSL would still run X509_verify_cert, which mxsurvey's
 * handshake never does) and the server with the benchmark's ECDSA certificate. Only the
 * client's steps are timed, with the thread CPU clock, so the figure is the client side
 * alone: client_cpu_us the SSL_do_handshake calls (the reference of bench.py's ratios),
 * client_lifecycle_cpu_us those plus the client's SSL_new, SSL_set_bio, SNI and SSL_free,
 * which every probe also pays.
 *
 * usage: handshake_cost CERT KEY [K]      prints JSON */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

/* Must stay equal to TLS_GROUPS in tls/tls_client.c. */
#define TLS_GROUPS "X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072:ffdhe4096"

static double cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* tls_client.c's handshake_chain_check without its count limit: verifies nothing. */
static int accept_chain(X509_STORE_CTX *ctx, void *arg)
{
  (void)ctx;
  (void)arg;
  return 1;
}

static SSL_CTX *client_ctx(void)
{
  SSL_CTX *s = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(s, 0);
  SSL_CTX_set_min_proto_version(s, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(s, TLS1_3_VERSION);
  SSL_CTX_set_cipher_list(s, "ALL:@SECLEVEL=0");
  SSL_CTX_set1_groups_list(s, TLS_GROUPS);
  SSL_CTX_set_verify(s, SSL_VERIFY_PEER, NULL);
  SSL_CTX_set_cert_verify_callback(s, accept_chain, NULL);
  SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(s, SSL_OP_NO_TICKET | SSL_OP_LEGACY_SERVER_CONNECT);
  SSL_CTX_set_mode(s, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_dane_enable(s);
  return s;
}

static SSL_CTX *server_ctx(const char *cert, const char *key)
{
  SSL_CTX *c = SSL_CTX_new(TLS_server_method());
  SSL_CTX_set_security_level(c, 0);
  SSL_CTX_set_min_proto_version(c, TLS1_VERSION);
  SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(c, 0);
  if (SSL_CTX_use_certificate_chain_file(c, cert) != 1 ||
      SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1) {
    ERR_print_errors_fp(stderr);
    exit(1);
  }
  return c;
}

int main(int argc, char **argv)
{
  if (argc < 3) {
    fprintf(stderr, "usage: handshake_cost CERT KEY [K]\n");
    return 2;
  }
  int k = argc > 3 ? atoi(argv[3]) : 2000;
  SSL_CTX *cc = client_ctx(), *sc = server_ctx(argv[1], argv[2]);
  double client_cpu = 0, server_cpu = 0, client_life = 0;
  double t0 = cpu_now();
  const char *version = "?", *group = "?";
  for (int i = 0; i < k; i++) {
    double l0 = cpu_now();
    SSL *c = SSL_new(cc);
    BIO *bc, *bs;
    BIO_new_bio_pair(&bc, 0, &bs, 0);
    SSL_set_bio(c, bc, bc);
    SSL_set_tlsext_host_name(c, "mx.bench.benchtld");
    SSL_set_connect_state(c);
    client_life += cpu_now() - l0;
    SSL *s = SSL_new(sc);
    SSL_set_bio(s, bs, bs);
    SSL_set_accept_state(s);
    int cdone = 0, sdone = 0;
    for (int round = 0; round < 20 && !(cdone && sdone); round++) {
      double a = cpu_now();
      if (!cdone)
        cdone = SSL_do_handshake(c) == 1;
      double b = cpu_now();
      if (!sdone)
        sdone = SSL_do_handshake(s) == 1;
      double e = cpu_now();
      client_cpu += b - a;
      server_cpu += e - b;
    }
    if (!cdone || !sdone) {
      ERR_print_errors_fp(stderr);
      fprintf(stderr, "handshake %d did not complete\n", i);
      return 1;
    }
    if (i == 0) {
      version = SSL_get_version(c);
      int nid = SSL_get_negotiated_group(c);
      group = OBJ_nid2sn(nid & ~TLSEXT_nid_unknown) ? OBJ_nid2sn(nid) : "?";
    }
    SSL_free(s);   /* first: the pair's other half, so the client's free is its own */
    double f0 = cpu_now();
    SSL_free(c);
    client_life += cpu_now() - f0;
  }
  double total = cpu_now() - t0;
  printf("{\"handshakes\": %d, \"version\": \"%s\", \"group\": \"%s\", "
         "\"client_cpu_us\": %.1f, \"client_lifecycle_cpu_us\": %.1f, "
         "\"server_cpu_us\": %.1f, \"total_cpu_us\": %.1f}\n",
         k, version, group, client_cpu / k * 1e6, (client_cpu + client_life) / k * 1e6,
         server_cpu / k * 1e6, total / k * 1e6);
  SSL_CTX_free(cc);
  SSL_CTX_free(sc);
  return 0;
}
