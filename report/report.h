/* mxsurvey report: statistics over scan outputs (see README "Statistics: mxsurvey report").
 * report_main() is the whole subcommand, the one entry the command line needs. The figure
 * model the renderers share is figures.h, the renderers render.h: kept apart from this
 * header so that report.c can include them while they need nothing of it. */
#ifndef MXS_REPORT_REPORT_H
#define MXS_REPORT_REPORT_H

int report_main(int argc, char **argv);

#endif
