/* static.h — serving the built web UI from a folder, with SPA fallback. */
#ifndef SALESLOOP_STATIC_H
#define SALESLOOP_STATIC_H
#include <h2o.h>
/* Answer req from web_dir (loop thread). Returns 0 (always answers). */
int static_serve(h2o_req_t *req, const char *web_dir, h2o_globalconf_t *conf);
#endif
