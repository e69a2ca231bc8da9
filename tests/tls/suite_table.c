/* Prints the project's suite and group tables (tls/suites.c, tls/classes.c) for the world
 * test of --tls-profile full (tests/world/test_profile_full.py): it maps what testssl.sh
 * reports by code point to the IANA names and classes a record carries, so that the oracle's
 * findings and the record are compared in the record's own spelling. Not part of the program.
 *
 * usage: suite_table
 * output: one line per suite "suite 0xCODE NAME CLASS" (SCSVs left out), then one line per
 * named group "group 0xCODE NAME" (code points 0..0x1ff). */
#include "record/schema.h"
#include "tls/classes.h"
#include "tls/suites.h"

#include <stdio.h>

int main(void)
{
  for (size_t i = 0; i < tls_suites_count; i++) {
    int c = tls_suite_class(tls_suites[i].code);
    if (c < 0)
      continue; /* a signalling value, not a suite */
    printf("suite 0x%04x %s %s\n", tls_suites[i].code, tls_suites[i].name,
           tls_class_name((enum tls_class)c));
  }
  for (unsigned g = 0; g < 0x200; g++) {
    const char *n = tls_group_name((uint16_t)g);
    if (n != NULL)
      printf("group 0x%04x %s\n", g, n);
  }
  return 0;
}
