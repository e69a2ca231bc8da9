/* The records of a scan one at a time, in file order, on the calling thread: for the
 * subcommands that act per domain (explain, report --notify) rather than count. The files
 * are read by reader.c (zstd or plain NDJSON, "-" is standard input) on a thread of its
 * own through the bounded queue, so memory stays constant whatever the scan's size. */
#ifndef MXS_REPORT_RECORDS_H
#define MXS_REPORT_RECORDS_H

#include <json-c/json.h>
#include <stddef.h>

/* Called with each record (a JSON object, freed after the call); a non-zero return stops
 * the walk (records_each then returns it). */
typedef int (*record_fn)(void *ctx, json_object *rec);

/* Walks paths[0..n-1]. prog prefixes the messages ("mxsurvey explain"). Returns 0, the
 * callback's non-zero value, or -1 after a message naming the file and line (not JSON,
 * not an object; an incomplete last record is a warning, as in the report). */
int records_each(const char *prog, const char *const *paths, size_t n, record_fn fn, void *ctx);

#endif
