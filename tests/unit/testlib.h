/* A minimal test harness in the spirit of libuv's runner: each CHECK counts, failures
 * print file:line and the expression, and TEST_MAIN_END returns non-zero on any failure. */
#ifndef MXS_TESTLIB_H
#define MXS_TESTLIB_H
#include <stdio.h>
#include <string.h>

static int tl_pass, tl_fail;

#define CHECK(cond) do { \
    if (cond) tl_pass++; \
    else { tl_fail++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
  } while (0)

#define CHECK_STR(a, b) do { \
    const char *tl_a = (a), *tl_b = (b); \
    if (tl_a && tl_b && strcmp(tl_a, tl_b) == 0) tl_pass++; \
    else { tl_fail++; fprintf(stderr, "%s:%d: CHECK_STR failed: %s = \"%s\", expected \"%s\"\n", \
        __FILE__, __LINE__, #a, tl_a ? tl_a : "(null)", tl_b ? tl_b : "(null)"); } \
  } while (0)

#define CHECK_INT(a, b) do { \
    long long tl_a = (long long)(a), tl_b = (long long)(b); \
    if (tl_a == tl_b) tl_pass++; \
    else { tl_fail++; fprintf(stderr, "%s:%d: CHECK_INT failed: %s = %lld, expected %lld\n", \
        __FILE__, __LINE__, #a, tl_a, tl_b); } \
  } while (0)

#define TEST_MAIN_END() do { \
    printf("%d passed, %d failed\n", tl_pass, tl_fail); \
    return tl_fail ? 1 : (tl_pass ? 0 : 1); \
  } while (0)

#endif
