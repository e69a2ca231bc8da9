/* Cipher suites by IANA code point and name, with their flaws and so their class (see
 * suites.h). The names are the IANA registry's (https://www.iana.org/assignments/
 * tls-parameters, "TLS Cipher Suites"); tests/unit/test_tls_classes.c checks them against
 * OpenSSL's SSL_CIPHER_standard_name for every suite OpenSSL knows and against testssl.sh's
 * cipher-mapping.txt for every suite that file has, and checks the classes against the lists
 * Internet.nl applies. Sources of the rules ([NCSC], [INL]): see tls/classes.c. */
#include "tls/suites.h"

#include <stdio.h>
#include <string.h>

/* Local shorthands for the table only. */
#define TLS12 TLS_FLAW_TLS12
#define DHE TLS_FLAW_DHE
#define CBC TLS_FLAW_CBC
#define RSAKX TLS_FLAW_RSA_KEX
#define DES3 TLS_FLAW_3DES
#define EXP TLS_FLAW_EXPORT
#define NUL TLS_FLAW_NULL
#define ANON TLS_FLAW_ANON
#define STAT TLS_FLAW_STATIC_DH
#define RC4 TLS_FLAW_RC4
#define RC2 TLS_FLAW_RC2
#define DES TLS_FLAW_DES
#define IDEA TLS_FLAW_IDEA
#define MD5 TLS_FLAW_MD5
#define DSS TLS_FLAW_DSS
#define CAM TLS_FLAW_CAMELLIA
#define ARIA TLS_FLAW_ARIA
#define SEED TLS_FLAW_SEED
#define CCM TLS_FLAW_CCM
#define CCM8 TLS_FLAW_CCM8
#define SCSV TLS_FLAW_SCSV

const tls_suite_t tls_suites[] = {
  {0x0001, "TLS_RSA_WITH_NULL_MD5", RSAKX | NUL | MD5},
  {0x0002, "TLS_RSA_WITH_NULL_SHA", RSAKX | NUL},
  {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", EXP | RSAKX | RC4 | MD5},
  {0x0004, "TLS_RSA_WITH_RC4_128_MD5", RSAKX | RC4 | MD5},
  {0x0005, "TLS_RSA_WITH_RC4_128_SHA", RSAKX | RC4},
  {0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", EXP | RSAKX | RC2 | CBC | MD5},
  {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", RSAKX | IDEA | CBC},
  {0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", EXP | RSAKX | DES | CBC},
  {0x0009, "TLS_RSA_WITH_DES_CBC_SHA", RSAKX | DES | CBC},
  {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", RSAKX | DES3 | CBC},
  {0x000b, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", EXP | STAT | DSS | DES | CBC},
  {0x000c, "TLS_DH_DSS_WITH_DES_CBC_SHA", STAT | DSS | DES | CBC},
  {0x000d, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", STAT | DSS | DES3 | CBC},
  {0x000e, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", EXP | STAT | DES | CBC},
  {0x000f, "TLS_DH_RSA_WITH_DES_CBC_SHA", STAT | DES | CBC},
  {0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", STAT | DES3 | CBC},
  {0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", EXP | DHE | DSS | DES | CBC},
  {0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", DHE | DSS | DES | CBC},
  {0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", DHE | DSS | DES3 | CBC},
  {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", EXP | DHE | DES | CBC},
  {0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", DHE | DES | CBC},
  {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", DHE | DES3 | CBC},
  {0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", EXP | ANON | DHE | RC4 | MD5},
  {0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", ANON | DHE | RC4 | MD5},
  {0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", EXP | ANON | DHE | DES | CBC},
  {0x001a, "TLS_DH_anon_WITH_DES_CBC_SHA", ANON | DHE | DES | CBC},
  {0x001b, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", ANON | DHE | DES3 | CBC},
  {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", RSAKX | CBC},
  {0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", STAT | DSS | CBC},
  {0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", STAT | CBC},
  {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", DHE | DSS | CBC},
  {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", DHE | CBC},
  {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", ANON | DHE | CBC},
  {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", RSAKX | CBC},
  {0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", STAT | DSS | CBC},
  {0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", STAT | CBC},
  {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", DHE | DSS | CBC},
  {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", DHE | CBC},
  {0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA", ANON | DHE | CBC},
  {0x003b, "TLS_RSA_WITH_NULL_SHA256", RSAKX | NUL},
  {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", RSAKX | CBC},
  {0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", RSAKX | CBC},
  {0x003e, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", STAT | DSS | CBC},
  {0x003f, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", STAT | CBC},
  {0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", DHE | DSS | CBC},
  {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", RSAKX | CAM | CBC},
  {0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", STAT | DSS | CAM | CBC},
  {0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", STAT | CAM | CBC},
  {0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", DHE | DSS | CAM | CBC},
  {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", DHE | CAM | CBC},
  {0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", ANON | DHE | CAM | CBC},
  {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", DHE | CBC},
  {0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", STAT | DSS | CBC},
  {0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", STAT | CBC},
  {0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", DHE | DSS | CBC},
  {0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", DHE | CBC},
  {0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", ANON | DHE | CBC},
  {0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", ANON | DHE | CBC},
  {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", RSAKX | CAM | CBC},
  {0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", STAT | DSS | CAM | CBC},
  {0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", STAT | CAM | CBC},
  {0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", DHE | DSS | CAM | CBC},
  {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", DHE | CAM | CBC},
  {0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", ANON | DHE | CAM | CBC},
  {0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", RSAKX | SEED | CBC},
  {0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA", STAT | DSS | SEED | CBC},
  {0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA", STAT | SEED | CBC},
  {0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", DHE | DSS | SEED | CBC},
  {0x009a, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", DHE | SEED | CBC},
  {0x009b, "TLS_DH_anon_WITH_SEED_CBC_SHA", ANON | DHE | SEED | CBC},
  {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", RSAKX},
  {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", RSAKX},
  {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", DHE},
  {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", DHE},
  {0x00a0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", STAT},
  {0x00a1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", STAT},
  {0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", DHE | DSS},
  {0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", DHE | DSS},
  {0x00a4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", STAT | DSS},
  {0x00a5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", STAT | DSS},
  {0x00a6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", ANON | DHE},
  {0x00a7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", ANON | DHE},
  {0x00ba, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", RSAKX | CAM | CBC},
  {0x00bb, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256", STAT | DSS | CAM | CBC},
  {0x00bc, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256", STAT | CAM | CBC},
  {0x00bd, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", DHE | DSS | CAM | CBC},
  {0x00be, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", DHE | CAM | CBC},
  {0x00bf, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", ANON | DHE | CAM | CBC},
  {0x00c0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", RSAKX | CAM | CBC},
  {0x00c1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256", STAT | DSS | CAM | CBC},
  {0x00c2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256", STAT | CAM | CBC},
  {0x00c3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", DHE | DSS | CAM | CBC},
  {0x00c4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", DHE | CAM | CBC},
  {0x00c5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", ANON | DHE | CAM | CBC},
  {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", SCSV},
  {0x1301, "TLS_AES_128_GCM_SHA256", 0},
  {0x1302, "TLS_AES_256_GCM_SHA384", 0},
  {0x1303, "TLS_CHACHA20_POLY1305_SHA256", 0},
  {0x1304, "TLS_AES_128_CCM_SHA256", CCM},
  {0x1305, "TLS_AES_128_CCM_8_SHA256", CCM8},
  {0x5600, "TLS_FALLBACK_SCSV", SCSV},
  {0xc001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", STAT | NUL},
  {0xc002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", STAT | RC4},
  {0xc003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", STAT | DES3 | CBC},
  {0xc004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", STAT | CBC},
  {0xc005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", STAT | CBC},
  {0xc006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", NUL},
  {0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", RC4},
  {0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", DES3 | CBC},
  {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", CBC},
  {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", CBC},
  {0xc00b, "TLS_ECDH_RSA_WITH_NULL_SHA", STAT | NUL},
  {0xc00c, "TLS_ECDH_RSA_WITH_RC4_128_SHA", STAT | RC4},
  {0xc00d, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", STAT | DES3 | CBC},
  {0xc00e, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", STAT | CBC},
  {0xc00f, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", STAT | CBC},
  {0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA", NUL},
  {0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", RC4},
  {0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", DES3 | CBC},
  {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", CBC},
  {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", CBC},
  {0xc015, "TLS_ECDH_anon_WITH_NULL_SHA", ANON | NUL},
  {0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA", ANON | RC4},
  {0xc017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", ANON | DES3 | CBC},
  {0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", ANON | CBC},
  {0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", ANON | CBC},
  {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", CBC},
  {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", CBC},
  {0xc025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", STAT | CBC},
  {0xc026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", STAT | CBC},
  {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", CBC},
  {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", CBC},
  {0xc029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", STAT | CBC},
  {0xc02a, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", STAT | CBC},
  {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", TLS12},
  {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", TLS12},
  {0xc02d, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", STAT},
  {0xc02e, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", STAT},
  {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", TLS12},
  {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", TLS12},
  {0xc031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", STAT},
  {0xc032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", STAT},
  {0xc03c, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", RSAKX | ARIA | CBC},
  {0xc03d, "TLS_RSA_WITH_ARIA_256_CBC_SHA384", RSAKX | ARIA | CBC},
  {0xc03e, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256", STAT | DSS | ARIA | CBC},
  {0xc03f, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384", STAT | DSS | ARIA | CBC},
  {0xc040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256", STAT | ARIA | CBC},
  {0xc041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384", STAT | ARIA | CBC},
  {0xc042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256", DHE | DSS | ARIA | CBC},
  {0xc043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384", DHE | DSS | ARIA | CBC},
  {0xc044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256", DHE | ARIA | CBC},
  {0xc045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384", DHE | ARIA | CBC},
  {0xc046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256", ANON | DHE | ARIA | CBC},
  {0xc047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384", ANON | DHE | ARIA | CBC},
  {0xc048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256", ARIA | CBC},
  {0xc049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384", ARIA | CBC},
  {0xc04a, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256", STAT | ARIA | CBC},
  {0xc04b, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384", STAT | ARIA | CBC},
  {0xc04c, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256", ARIA | CBC},
  {0xc04d, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384", ARIA | CBC},
  {0xc04e, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256", STAT | ARIA | CBC},
  {0xc04f, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384", STAT | ARIA | CBC},
  {0xc050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", RSAKX | ARIA},
  {0xc051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", RSAKX | ARIA},
  {0xc052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", DHE | ARIA},
  {0xc053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", DHE | ARIA},
  {0xc054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256", STAT | ARIA},
  {0xc055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384", STAT | ARIA},
  {0xc056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", DHE | DSS | ARIA},
  {0xc057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", DHE | DSS | ARIA},
  {0xc058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256", STAT | DSS | ARIA},
  {0xc059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384", STAT | DSS | ARIA},
  {0xc05a, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256", ANON | DHE | ARIA},
  {0xc05b, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384", ANON | DHE | ARIA},
  {0xc05c, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", ARIA},
  {0xc05d, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", ARIA},
  {0xc05e, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256", STAT | ARIA},
  {0xc05f, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384", STAT | ARIA},
  {0xc060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", ARIA},
  {0xc061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", ARIA},
  {0xc062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256", STAT | ARIA},
  {0xc063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384", STAT | ARIA},
  {0xc072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", CAM | CBC},
  {0xc073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", CAM | CBC},
  {0xc074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", STAT | CAM | CBC},
  {0xc075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", STAT | CAM | CBC},
  {0xc076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", CAM | CBC},
  {0xc077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", CAM | CBC},
  {0xc078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256", STAT | CAM | CBC},
  {0xc079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384", STAT | CAM | CBC},
  {0xc07a, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", RSAKX | CAM},
  {0xc07b, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", RSAKX | CAM},
  {0xc07c, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", DHE | CAM},
  {0xc07d, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", DHE | CAM},
  {0xc07e, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256", STAT | CAM},
  {0xc07f, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384", STAT | CAM},
  {0xc080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256", DHE | DSS | CAM},
  {0xc081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384", DHE | DSS | CAM},
  {0xc082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256", STAT | DSS | CAM},
  {0xc083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384", STAT | DSS | CAM},
  {0xc084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256", ANON | DHE | CAM},
  {0xc085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384", ANON | DHE | CAM},
  {0xc086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", CAM},
  {0xc087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", CAM},
  {0xc088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", STAT | CAM},
  {0xc089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", STAT | CAM},
  {0xc08a, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", CAM},
  {0xc08b, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", CAM},
  {0xc08c, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256", STAT | CAM},
  {0xc08d, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384", STAT | CAM},
  {0xc09c, "TLS_RSA_WITH_AES_128_CCM", RSAKX | CCM},
  {0xc09d, "TLS_RSA_WITH_AES_256_CCM", RSAKX | CCM},
  {0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM", DHE | CCM},
  {0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM", DHE | CCM},
  {0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8", RSAKX | CCM8},
  {0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8", RSAKX | CCM8},
  {0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", DHE | CCM8},
  {0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", DHE | CCM8},
  {0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", CCM},
  {0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", CCM},
  {0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", CCM8},
  {0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", CCM8},
  {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TLS12},
  {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", TLS12},
  {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", DHE},
};
const size_t tls_suites_count = sizeof tls_suites / sizeof tls_suites[0];

#undef TLS12
#undef DHE
#undef CBC
#undef RSAKX
#undef DES3
#undef EXP
#undef NUL
#undef ANON
#undef STAT
#undef RC4
#undef RC2
#undef DES
#undef IDEA
#undef MD5
#undef DSS
#undef CAM
#undef ARIA
#undef SEED
#undef CCM
#undef CCM8
#undef SCSV

/* Each flaw's class and text, indexed by bit. The rules:
 * - [NCSC] key exchange: ECDHE good, DHE sufficient, RSA phase-out, anything else (static
 *   DH/ECDH, anonymous) insufficient. [INL] cipher_info.py (get_subscore_ecdhe_dhe) and its
 *   v2.1 suite lists agree.
 * - [NCSC] certificate verification: ECDSA and RSA good; [INL] rates any other (DSS, none)
 *   insufficient (get_subscore_ecdsa_rsa; no DSS suite in its v2.1 lists).
 * - [NCSC] bulk encryption: AES-GCM and ChaCha20-Poly1305 good, AES-CBC sufficient, 3DES
 *   phase-out; NULL, RC4, RC2, DES, IDEA and EXPORT insufficient.
 * - [NCSC] hash (MAC): SHA-2 and SHA-1 HMAC acceptable, MD5 insufficient.
 * - [NCSC] appendix B, as [INL]'s v2.1 lists apply it (checks/tasks/tls.py,
 *   evaluate_tls_ciphers): good only the TLS 1.3 suites AES-256-GCM, ChaCha20-Poly1305 and
 *   AES-128-GCM; the ECDHE AEAD suites of TLS 1.2 sufficient (TLS12); every suite of none of
 *   its lists insufficient. So CAMELLIA, ARIA, SEED and AES-CCM (also TLS_AES_128_CCM_SHA256)
 *   are insufficient here, though Internet.nl's older v2.0 rules rated Camellia sufficient
 *   and SEED and ARIA-GCM phase-out, and its later lists (after v2.1) rate CCM sufficient. */
static const struct { enum tls_class cls; const char *text; } flaw_info[TLS_FLAW_COUNT] = {
  {TLS_CLASS_SUFFICIENT, "TLS 1.2 suite: good is TLS 1.3 only"},
  {TLS_CLASS_SUFFICIENT, "DHE key exchange: finite field"},
  {TLS_CLASS_SUFFICIENT, "CBC mode"},
  {TLS_CLASS_PHASE_OUT, "RSA key exchange: no forward secrecy"},
  {TLS_CLASS_PHASE_OUT, "3DES: 64-bit block"},
  {TLS_CLASS_INSUFFICIENT, "EXPORT: 40-bit key"},
  {TLS_CLASS_INSUFFICIENT, "NULL: no encryption"},
  {TLS_CLASS_INSUFFICIENT, "anonymous: no authentication"},
  {TLS_CLASS_INSUFFICIENT, "static (EC)DH: no forward secrecy"},
  {TLS_CLASS_INSUFFICIENT, "RC4: broken stream cipher"},
  {TLS_CLASS_INSUFFICIENT, "RC2: 64-bit block"},
  {TLS_CLASS_INSUFFICIENT, "DES: 56-bit key"},
  {TLS_CLASS_INSUFFICIENT, "IDEA: 64-bit block"},
  {TLS_CLASS_INSUFFICIENT, "MD5 MAC"},
  {TLS_CLASS_INSUFFICIENT, "DSS authentication: not in the guidelines' list"},
  {TLS_CLASS_INSUFFICIENT, "CAMELLIA: not in the guidelines' list"},
  {TLS_CLASS_INSUFFICIENT, "ARIA: not in the guidelines' list"},
  {TLS_CLASS_INSUFFICIENT, "SEED: not in the guidelines' list"},
  {TLS_CLASS_INSUFFICIENT, "AES-CCM: not in the guidelines' list"},
  {TLS_CLASS_INSUFFICIENT, "AES-CCM-8: 64-bit tag"},
  {TLS_CLASS_COUNT, "signalling value, not a suite"},
};

const tls_suite_t *tls_suite_find(uint16_t code)
{
  size_t lo = 0, hi = tls_suites_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (tls_suites[mid].code == code)
      return &tls_suites[mid];
    if (tls_suites[mid].code < code)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

const char *tls_suite_name(uint16_t code)
{
  const tls_suite_t *s = tls_suite_find(code);
  return s ? s->name : NULL;
}

int tls_suite_code(const char *name)
{
  for (size_t i = 0; name != NULL && i < tls_suites_count; i++)
    if (strcmp(tls_suites[i].name, name) == 0)
      return tls_suites[i].code;
  return -1;
}

/* The bit index of a single flaw, or -1. */
static int flaw_index(uint32_t flaw)
{
  for (int i = 0; i < TLS_FLAW_COUNT; i++)
    if (flaw == (1u << i))
      return i;
  return -1;
}

int tls_flaw_class(uint32_t flaw)
{
  int i = flaw_index(flaw);
  if (i < 0 || flaw_info[i].cls == TLS_CLASS_COUNT)
    return -1;
  return (int)flaw_info[i].cls;
}

const char *tls_flaw_text(uint32_t flaw)
{
  int i = flaw_index(flaw);
  return i < 0 ? NULL : flaw_info[i].text;
}

int tls_flaws_class(uint32_t flaws)
{
  if (flaws & TLS_FLAW_SCSV)
    return -1;
  enum tls_class worst = TLS_CLASS_GOOD;
  for (int i = 0; i < TLS_FLAW_COUNT; i++)
    if (flaws & (1u << i))
      worst = tls_class_worst(worst, flaw_info[i].cls);
  if (flaws >> TLS_FLAW_COUNT)   /* bits no flaw has: not from the table */
    worst = TLS_CLASS_INSUFFICIENT;
  return (int)worst;
}

int tls_suite_class(uint16_t code)
{
  const tls_suite_t *s = tls_suite_find(code);
  if (s == NULL)
    return TLS_CLASS_INSUFFICIENT;
  return tls_flaws_class(s->flaws);
}

size_t tls_flaws_reason(uint32_t flaws, char *buf, size_t cap)
{
  size_t need = 0;
  if (buf != NULL && cap > 0)
    buf[0] = '\0';
  /* worst class first; SCSV (class COUNT) before all, as it is not a suite at all */
  for (int c = TLS_CLASS_COUNT; c > TLS_CLASS_GOOD; c--)
    for (int i = 0; i < TLS_FLAW_COUNT; i++) {
      if (!(flaws & (1u << i)) || (int)flaw_info[i].cls != c)
        continue;
      const char *sep = need ? "; " : "";
      size_t used = need < cap ? need : (cap ? cap - 1 : 0);
      int n = snprintf(buf ? buf + used : NULL, buf && cap > used ? cap - used : 0, "%s%s",
                       sep, flaw_info[i].text);
      need += n > 0 ? (size_t)n : 0;
    }
  return need;
}
