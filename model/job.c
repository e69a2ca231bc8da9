/* The domain model's life cycle: see job.h. One owner (the pipeline, through the jobs
 * list), one place where a job is freed (job_free), and the two advance functions that
 * are the whole state machine above the stages:
 *
 *   host_advance: HOST_PROBES -> HOST_DONE once no address waits for anything;
 *   job_advance:  JOB_HOSTS -> JOB_DONE once every host is done and no check waits, then
 *                 the pipeline's completion callback, once.
 *
 * A stage enters its waiting state only after everything it starts has been started, so
 * a completion noticed while it is still starting (a synchronous failure) never finishes
 * the host or the job under the feet of the code that is starting it. */
#include "model/job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *job_strdup(const char *s) { return s ? strdup(s) : NULL; }

job_t *job_new(job_env_t *env) {
  job_t *j = calloc(1, sizeof *j);
  if (!j) return NULL;
  j->env = env;
  j->state = JOB_MX;
  j->status = JOB_OK;
  return j;
}

void job_oom(job_t *j) { j->env->oom(j->env); }

void job_set_error(job_t *j, enum job_status status, enum job_stage stage, const char *reason) {
  j->status = status;
  j->err_stage = stage;
  free(j->err_reason);
  j->err_reason = job_strdup(reason);
}

int job_query(job_t *j, const char *name, int type, dns_cb cb, void *arg) {
  if (dns_query(j->env->dns, name, type, cb, arg) != 0) {
    job_oom(j);
    return -1;
  }
  return 0;
}

static void host_free(host_t *h) {
  free(h->name);
  free(h->cname);
  free(h->a.reason);
  free(h->aaaa.reason);
  free(h->error);
  free(h->tlsa_reason);
  for (size_t k = 0; k < h->ntlsa; k++) free((void *)h->tlsa[k].data);
  free(h->tlsa);
  for (size_t k = 0; k < h->naddrs; k++) {
    smtp_result_free(&h->addrs[k].smtp);
    profile_result_free(&h->addrs[k].profile);
    free(h->addrs[k].ptr);
  }
  free(h->addrs);
}

void job_free(job_t *j) {
  for (size_t i = 0; i < j->nhosts; i++) host_free(&j->hosts[i]);
  free(j->hosts);
  free(j->line);
  free(j->input);
  free(j->dnssec_reason);
  free(j->cname);
  free(j->err_reason);
  free(j->tlsrpt_reason);
  free(j->tlsrpt);
  free(j->sts_reason);
  free(j->sts_policy);
  free(j->soa_rname);
  free(j);
}

void job_advance(job_t *j) {
  if (j->state != JOB_HOSTS || j->checks_waiting) return;
  for (size_t i = 0; i < j->nhosts; i++)
    if (j->hosts[i].state != HOST_DONE) return;
  if (!j->after_done) {            /* observations complete: the checks' after() lookups */
    j->after_done = true;
    if (j->env->after) j->env->after(j);
    if (j->checks_waiting) return;
  }
  j->state = JOB_DONE;
  j->env->done(j);
}

void host_advance(host_t *h) {
  if (h->state != HOST_PROBES) return;
  for (size_t k = 0; k < h->naddrs; k++)
    if (h->addrs[k].wait) return;
  h->state = HOST_DONE;
  job_advance(h->job);
}

void host_finish(host_t *h) {
  h->state = HOST_DONE;
  job_advance(h->job);
}

void host_clear(host_t *h) {
  host_free(h);
  memset(h, 0, sizeof *h);
}
