/* The record writer: the model of one finished domain (model/job.h) as one JSON object.
 * It serialises and decides nothing: every verdict was computed by checks/ before. */
#ifndef MXS_RECORD_WRITE_H
#define MXS_RECORD_WRITE_H
#include "model/job.h"
#include "record/json.h"

/* Writes j's record into w (reset first). w->oom reports our own allocation failure. */
void record_write(jw_t *w, const job_t *j);

#endif
