/* Locale and catalogue set-up for the translated texts (see i18n.h). */
#include "report/i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MXS_LOCALEDIR
#define MXS_LOCALEDIR "/usr/local/share/locale"
#endif

static char dir[PATH_MAX];

static const char *env(const char *name) {
  const char *v = getenv(name);
  return v && v[0] ? v : NULL;
}

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* $MXSURVEY_LOCALEDIR, else beside the executable (build tree, then installed tree). */
static void find_dir(void) {
  const char *o = env("MXSURVEY_LOCALEDIR");
  if (o) {
    snprintf(dir, sizeof dir, "%s", o);
    return;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    if ((size_t)snprintf(dir, sizeof dir, "%s/locale", exe) < sizeof dir && is_dir(dir)) return;
    if ((size_t)snprintf(dir, sizeof dir, "%s/../share/locale", exe) < sizeof dir && is_dir(dir))
      return;
  }
  snprintf(dir, sizeof dir, "%s", MXS_LOCALEDIR);
}

/* The language the environment asks for when its locale does not exist: POSIX order
 * (LC_ALL, LC_MESSAGES, LANG), without the codeset and modifier ("pt_PT.UTF-8" ->
 * "pt_PT"); NULL for C and POSIX (English). */
static const char *wanted(char *buf, size_t cap) {
  const char *v = env("LC_ALL");
  if (!v) v = env("LC_MESSAGES");
  if (!v) v = env("LANG");
  if (!v) return NULL;
  size_t n = strcspn(v, ".@");
  if (n == 0 || n >= cap) return NULL;
  memcpy(buf, v, n);
  buf[n] = 0;
  if (strcmp(buf, "C") == 0 || strcmp(buf, "POSIX") == 0) return NULL;
  return buf;
}

void i18n_init(void) {
  if (!setlocale(LC_ALL, "")) {
    char lang[64];
    const char *l = wanted(lang, sizeof lang);
    if (!setlocale(LC_ALL, "C.UTF-8")) setlocale(LC_ALL, "C");
    if (l && !env("LANGUAGE")) setenv("LANGUAGE", l, 1);
  }
  /* Numbers in our texts are printed by us; keep the C conventions there (json-c and the
   * report's figures print with "%.1f" and must not get a decimal comma). */
  setlocale(LC_NUMERIC, "C");
  find_dir();
  bindtextdomain(MXS_TEXTDOMAIN, dir);
  bind_textdomain_codeset(MXS_TEXTDOMAIN, "UTF-8");
}

const char *i18n_dir(void) {
  return dir;
}
