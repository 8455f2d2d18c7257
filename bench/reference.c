/*
 * reference.c: the benchmark workloads on raw libcurl, as a C programmer
 * would write them (one reused easy handle, curl_mime forms, a multi with
 * 8 reused easy handles).  bench/run compares mailgun.core against it.
 *
 *   reference WORKLOAD URL [COUNT] [FILE]
 *   WORKLOAD: seq | par8 | bulk | attach   (the core-only table)
 *             ms      MailerSend JSON sends: the body built per message
 *             batch   COUNT calls of 1,000 distinct recipients, the to
 *                     fields and recipient-variables built per call
 *             init    curl_global_init + the first easy handle
 *
 * For the public-API table URL is the base URL: the Mailgun path (or the
 * MailerSend one) is appended as the client would.
 *
 * Prints "messages=N seconds=S peak_kib=K cpu=C" (C: the process's CPU
 * seconds, user and system, over the same span as S).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define BULK_RECIPIENTS 1000
#define PARALLEL 8

struct bench_buf {
  char *data;
  size_t len;
  size_t cap;
};

static const char *bench_url;
static struct curl_slist *bench_headers;
static char *bench_to[BULK_RECIPIENTS];
static char *bench_variables;

static double bench_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double bench_cpu(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long bench_peak_kib(void)
{
  char line[256];
  long kib = -1;
  FILE *fp = fopen("/proc/self/status", "r");
  if(!fp)
    return -1;
  while(fgets(line, sizeof(line), fp))
    if(strncmp(line, "VmHWM:", 6) == 0)
      kib = strtol(line + 6, NULL, 10);
  fclose(fp);
  return kib;
}

static size_t bench_write(char *p, size_t size, size_t nmemb, void *ud)
{
  struct bench_buf *b = ud;
  size_t n = size * nmemb;
  if(b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1024;
    while(cap < b->len + n)
      cap *= 2;
    b->data = realloc(b->data, cap);
    if(!b->data)
      return 0;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return n;
}

static void bench_field(curl_mime *mime, const char *name, const char *value)
{
  curl_mimepart *part = curl_mime_addpart(mime);
  curl_mime_name(part, name);
  curl_mime_data(part, value, CURL_ZERO_TERMINATED);
}

/* a small Mailgun message */
static curl_mime *bench_small(CURL *easy)
{
  curl_mime *mime = curl_mime_init(easy);
  bench_field(mime, "from", "Excited User <mailgun@sandbox.example.com>");
  bench_field(mime, "to", "bar@example.com");
  bench_field(mime, "subject", "Hello");
  bench_field(mime, "text", "Testing some Mailgun awesomeness!");
  return mime;
}

/* a batch call: 1,000 to fields and their recipient-variables */
static curl_mime *bench_bulk(CURL *easy)
{
  int i;
  curl_mime *mime = curl_mime_init(easy);
  bench_field(mime, "from", "Excited User <mailgun@sandbox.example.com>");
  for(i = 0; i < BULK_RECIPIENTS; i++)
    bench_field(mime, "to", bench_to[i]);
  bench_field(mime, "subject", "Hello %recipient.first%");
  bench_field(mime, "text", "Your id is %recipient.id%");
  bench_field(mime, "recipient-variables", bench_variables);
  return mime;
}

/* a batch call built per call: recipients first..first+999, each with
   {first, id} in recipient-variables */
static curl_mime *bench_batch(CURL *easy, long first)
{
  char to[64];
  struct bench_buf vars = {NULL, 0, 0};
  int i;
  curl_mime *mime = curl_mime_init(easy);
  bench_field(mime, "from", "Excited User <mailgun@sandbox.example.com>");
  bench_write("{", 1, 1, &vars);
  for(i = 0; i < BULK_RECIPIENTS; i++) {
    char item[160];
    long id = first + i;
    int n;
    snprintf(to, sizeof(to), "user%ld@example.com", id);
    bench_field(mime, "to", to);
    n = snprintf(item, sizeof(item), "%s\"%s\":{\"first\":\"User%ld\",\"id\":%ld}",
                 i ? "," : "", to, id, id);
    bench_write(item, 1, (size_t)n, &vars);
  }
  bench_write("}", 1, 2, &vars); /* with the terminating NUL */
  bench_field(mime, "subject", "Hello %recipient.first%");
  bench_field(mime, "text", "Your id is %recipient.id%");
  bench_field(mime, "recipient-variables", vars.data);
  free(vars.data);
  return mime;
}

static curl_mime *bench_attach(CURL *easy, const char *path)
{
  curl_mime *mime = bench_small(easy);
  curl_mimepart *part = curl_mime_addpart(mime);
  curl_mime_name(part, "attachment");
  curl_mime_filedata(part, path);
  curl_mime_filename(part, "big.bin");
  curl_mime_type(part, "application/octet-stream");
  return mime;
}

static void bench_setup(CURL *easy, struct bench_buf *body)
{
  curl_easy_setopt(easy, CURLOPT_URL, bench_url);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, bench_headers);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, bench_write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
}

static int bench_check(CURL *easy, CURLcode rc)
{
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if(rc != CURLE_OK || status != 200) {
    fprintf(stderr, "reference: %s, status %ld\n", curl_easy_strerror(rc),
            status);
    return -1;
  }
  return 0;
}

static int bench_sequential(long count, const char *kind, const char *path)
{
  CURL *easy = curl_easy_init();
  struct bench_buf body = {NULL, 0, 0};
  long i;
  int failed = 0;
  bench_setup(easy, &body);
  for(i = 0; i < count && !failed; i++) {
    curl_mime *mime = strcmp(kind, "bulk") == 0 ? bench_bulk(easy) :
                      strcmp(kind, "batch") == 0 ?
                      bench_batch(easy, i * BULK_RECIPIENTS) :
                      strcmp(kind, "attach") == 0 ?
                      bench_attach(easy, path) : bench_small(easy);
    body.len = 0;
    curl_easy_setopt(easy, CURLOPT_MIMEPOST, mime);
    failed = bench_check(easy, curl_easy_perform(easy));
    curl_mime_free(mime);
  }
  curl_easy_cleanup(easy);
  free(body.data);
  return failed;
}

/* MailerSend: a JSON body built per message, as a C programmer would */
static int bench_json(long count)
{
  CURL *easy = curl_easy_init();
  struct bench_buf body = {NULL, 0, 0};
  struct curl_slist *headers = NULL;
  long i;
  int failed = 0;
  headers = curl_slist_append(headers, "Authorization: Bearer mlsn.0000000000000000");
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");
  bench_setup(easy, &body);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  for(i = 0; i < count && !failed; i++) {
    char json[512];
    long status = 0;
    CURLcode rc;
    snprintf(json, sizeof(json), "{\"from\":{\"email\":\"%s\"},\"to\":[{\"email\":\"%s\"}],"
             "\"subject\":\"%s\",\"text\":\"%s\"}", "info@example.com",
             "bar@example.com", "Hello", "Testing some MailerSend awesomeness!");
    body.len = 0;
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, json);
    rc = curl_easy_perform(easy);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if(rc != CURLE_OK || status != 202) {
      fprintf(stderr, "reference: %s, status %ld\n", curl_easy_strerror(rc), status);
      failed = 1;
    }
  }
  curl_easy_cleanup(easy);
  curl_slist_free_all(headers);
  free(body.data);
  return failed;
}

static int bench_parallel(long count)
{
  CURLM *multi = curl_multi_init();
  CURL *easy[PARALLEL];
  curl_mime *mime[PARALLEL];
  struct bench_buf body[PARALLEL];
  long started = 0, finished = 0;
  int i, failed = 0;
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)PARALLEL);
  for(i = 0; i < PARALLEL; i++) {
    easy[i] = curl_easy_init();
    memset(&body[i], 0, sizeof(body[i]));
    mime[i] = NULL;
    bench_setup(easy[i], &body[i]);
    curl_easy_setopt(easy[i], CURLOPT_PRIVATE, (void *)(size_t)i);
    if(started < count) {
      mime[i] = bench_small(easy[i]);
      curl_easy_setopt(easy[i], CURLOPT_MIMEPOST, mime[i]);
      curl_multi_add_handle(multi, easy[i]);
      started++;
    }
  }
  while(finished < count && !failed) {
    int running, left;
    CURLMsg *msg;
    curl_multi_perform(multi, &running);
    while((msg = curl_multi_info_read(multi, &left)) != NULL) {
      char *priv;
      if(msg->msg != CURLMSG_DONE)
        continue;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
      i = (int)(size_t)priv;
      failed |= bench_check(easy[i], msg->data.result);
      curl_multi_remove_handle(multi, easy[i]);
      curl_mime_free(mime[i]);
      mime[i] = NULL;
      finished++;
      if(started < count) {
        body[i].len = 0;
        mime[i] = bench_small(easy[i]);
        curl_easy_setopt(easy[i], CURLOPT_MIMEPOST, mime[i]);
        curl_multi_add_handle(multi, easy[i]);
        started++;
      }
    }
    if(finished < count)
      curl_multi_poll(multi, NULL, 0, 1000, NULL);
  }
  for(i = 0; i < PARALLEL; i++) {
    curl_multi_remove_handle(multi, easy[i]);
    curl_mime_free(mime[i]);
    curl_easy_cleanup(easy[i]);
    free(body[i].data);
  }
  curl_multi_cleanup(multi);
  return failed;
}

static void bench_make_bulk(void)
{
  size_t cap = BULK_RECIPIENTS * 64 + 16, len = 0;
  int i;
  bench_variables = malloc(cap);
  bench_variables[len++] = '{';
  for(i = 0; i < BULK_RECIPIENTS; i++) {
    bench_to[i] = malloc(40);
    snprintf(bench_to[i], 40, "user%d@example.com", i);
    len += (size_t)snprintf(bench_variables + len, cap - len,
                            "%s\"%s\":{\"first\":\"User%d\",\"id\":%d}",
                            i ? "," : "", bench_to[i], i, i);
  }
  bench_variables[len++] = '}';
  bench_variables[len] = '\0';
}

int main(int argc, char **argv)
{
  const char *workload;
  long count;
  double start, seconds, cpu;
  int failed, i;
  if(argc < 3) {
    fprintf(stderr, "usage: reference seq|par8|bulk|attach URL [COUNT] "
            "[FILE]\n");
    return 2;
  }
  workload = argv[1];
  bench_url = argv[2];
  count = argc > 3 ? strtol(argv[3], NULL, 10) : 1;
  if(strcmp(workload, "init") == 0) {
    CURL *easy;
    start = bench_now();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    easy = curl_easy_init();
    seconds = bench_now() - start;
    printf("messages=1 seconds=%.6f peak_kib=%ld\n", seconds, bench_peak_kib());
    curl_easy_cleanup(easy);
    curl_global_cleanup();
    return 0;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  bench_headers = curl_slist_append(NULL, "Authorization: Basic "
                                    "YXBpOmtleS0wMDAwMDAwMDAwMDAwMDAw");
  bench_headers = curl_slist_append(bench_headers, "Expect:");
  bench_make_bulk();
  cpu = bench_cpu();
  start = bench_now();
  if(strcmp(workload, "par8") == 0)
    failed = bench_parallel(count);
  else if(strcmp(workload, "ms") == 0)
    failed = bench_json(count);
  else
    failed = bench_sequential(count, workload, argc > 4 ? argv[4] : NULL);
  seconds = bench_now() - start;
  cpu = bench_cpu() - cpu;
  printf("messages=%ld seconds=%.6f peak_kib=%ld cpu=%.6f\n", count, seconds,
         bench_peak_kib(), cpu);
  for(i = 0; i < BULK_RECIPIENTS; i++)
    free(bench_to[i]);
  free(bench_variables);
  curl_slist_free_all(bench_headers);
  curl_global_cleanup();
  return failed ? 1 : 0;
}
