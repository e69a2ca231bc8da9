/* The texts a CERT sends (mxsurvey explain, report --notify) in the reader's language:
 * gettext (glibc's libintl), text domain "mxsurvey", English in the source and the
 * translations in po/ (compiled by CMake into <build>/locale). The catalogue directory is
 * $MXSURVEY_LOCALEDIR, else "locale" beside the executable (the build tree), else
 * ../share/locale beside it (an installed tree). The language is the environment's
 * (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), even on a machine where that locale was never
 * generated: see i18n_init. Only report/ texts for people use this; record strings and
 * ids are never translated. */
#ifndef MXS_REPORT_I18N_H
#define MXS_REPORT_I18N_H

#include <libintl.h>

#define MXS_TEXTDOMAIN "mxsurvey"
/* A text translated at the point of use, and one only marked (a table's initialiser,
 * translated later with _() on the pointer). xgettext: --keyword=_ --keyword=N_. */
#define _(s) dgettext(MXS_TEXTDOMAIN, s)
#define N_(s) (s)
/* The singular or plural of a text with a count (xgettext: --keyword=P_:1,2). */
#define P_(s, pl, n) dngettext(MXS_TEXTDOMAIN, s, pl, (unsigned long)(n))

/* Sets the locale from the environment and binds the text domain; call once, before the
 * first _(). When the requested locale does not exist (setlocale fails: CI's fresh Debian
 * has only C.UTF-8), the process runs in C.UTF-8 and the requested language goes to
 * LANGUAGE, which glibc's gettext honours in any locale but "C"/"POSIX": the texts are
 * still Portuguese for LANG=pt_PT.UTF-8, and UTF-8 on output. */
void i18n_init(void);

/* The catalogue directory i18n_init bound (for messages and tests). */
const char *i18n_dir(void);

#endif
