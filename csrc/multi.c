/*
 * multi.c: core.multi, parallel transfers on one libcurl multi handle.
 *
 * Requests wait in a queue until one of max_connections slots is free;
 * a slot takes an easy handle from the idle pool (so connections and
 * handles are reused), runs, and on completion goes back to the pool.
 * poll(ms) drives the transfers for at most ms milliseconds and returns
 * the completions so far; wait() drives them to the end.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "transfer.h"

#define LMG_DEFAULT_CONNECTIONS 8
#define LMG_WAIT_SLICE_MS 1000

struct lmg_list {
  struct lmg_xfer *head;
  struct lmg_xfer *tail;
  size_t count;
};

struct lmg_multi {
  CURLM *multi;               /* NULL when closed */
  struct lmg_options opts;
  long max_connections;
  struct lmg_list queued;      /* read from Lua, waiting for a slot */
  struct lmg_list active;      /* added to the multi handle */
  struct lmg_list done;        /* finished, completion not yet pushed */
  struct lmg_xfer **idle;      /* finished transfers kept for reuse with
                                 their easy handle and buffers, owned */
  size_t nidle;
  struct lmg_req staging;      /* a request being read from Lua */
  lua_Integer next_id;
};

static void lmg_list_push(struct lmg_list *l, struct lmg_xfer *x)
{
  x->next = NULL;
  x->prev = l->tail;
  if(l->tail)
    l->tail->next = x;
  else
    l->head = x;
  l->tail = x;
  l->count++;
}

/* Unlinks x from l.  head and tail are compared with x rather than
   inferred from x->prev and x->next, so the list never keeps a pointer
   to a transfer that left it, whatever those fields say. */
static void lmg_list_remove(struct lmg_list *l, struct lmg_xfer *x)
{
  if(l->head == x)
    l->head = x->next;
  else if(x->prev)
    x->prev->next = x->next;
  if(l->tail == x)
    l->tail = x->prev;
  else if(x->next)
    x->next->prev = x->prev;
  if(l->head)
    l->head->prev = NULL;
  x->next = x->prev = NULL;
  l->count--;
}

static long lmg_now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct lmg_multi *lmg_multi_check(lua_State *L)
{
  struct lmg_multi *m = luaL_checkudata(L, 1, LMG_MULTI_MT);
  if(!m->multi)
    luaL_argerror(L, 1, "multi is closed");
  return m;
}

/* Ends a transfer that is in no list and not in the multi handle: it
   goes back to the pool with its easy handle and buffers, or is freed. */
static void lmg_xfer_free(lua_State *L, struct lmg_multi *m, struct lmg_xfer *x)
{
  lmg_xfer_release(L, x);
  if(x->easy && m->idle && m->nidle < (size_t)m->max_connections) {
    m->idle[m->nidle++] = x;
    return;
  }
  lmg_buf_free(&x->body);
  lmg_buf_free(&x->head);
  lmg_buf_free(&x->upload);
  if(x->easy)
    curl_easy_cleanup(x->easy);
  free(x);
}

/* A transfer from the pool, or a new one (without an easy handle yet). */
static struct lmg_xfer *lmg_xfer_get(struct lmg_multi *m)
{
  struct lmg_xfer *x;
  if(m->nidle)
    return m->idle[--m->nidle];
  x = calloc(1, sizeof(*x));
  if(x)
    x->req.body_ref = LUA_NOREF;
  return x;
}

/* Moves queued transfers into free slots; returns how many started. */
static int lmg_multi_pump(struct lmg_multi *m)
{
  int started = 0;
  while(m->queued.head && m->active.count < (size_t)m->max_connections) {
    struct lmg_xfer *x = m->queued.head;
    CURLcode rc;
    lmg_list_remove(&m->queued, x);
    if(!x->easy)
      x->easy = curl_easy_init();
    if(!x->easy) {
      x->result = CURLE_OUT_OF_MEMORY;
      lmg_list_push(&m->done, x);
      continue;
    }
    rc = lmg_xfer_apply(x, &m->opts);
    if(!rc)
      rc = curl_easy_setopt(x->easy, CURLOPT_PRIVATE, (void *)x);
    if(!rc && curl_multi_add_handle(m->multi, x->easy) != CURLM_OK)
      rc = CURLE_FAILED_INIT;
    if(rc) {
      x->result = rc;
      lmg_list_push(&m->done, x);
      continue;
    }
    lmg_list_push(&m->active, x);
    started++;
  }
  return started;
}

/* Runs libcurl without blocking and moves finished transfers to done. */
static void lmg_multi_step(lua_State *L, struct lmg_multi *m)
{
  do {
    int running = 0, left = 0;
    CURLMsg *msg;
    CURLMcode mc = curl_multi_perform(m->multi, &running);
    if(mc != CURLM_OK)
      luaL_error(L, "multi: %s", curl_multi_strerror(mc));
    while((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
      struct lmg_xfer *x = NULL;
      if(msg->msg != CURLMSG_DONE)
        continue;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
      x->result = msg->data.result;
      curl_multi_remove_handle(m->multi, x->easy);
      lmg_list_remove(&m->active, x);
      lmg_list_push(&m->done, x);
    }
  } while(lmg_multi_pump(m) > 0);
}

/* Appends the completions of the done list to the table at index t;
   returns how many. */
static int lmg_multi_push_done(lua_State *L, struct lmg_multi *m, int t)
{
  int pushed = 0;
  while(m->done.head) {
    struct lmg_xfer *x = m->done.head;
    int n;
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, x->id);
    lua_setfield(L, -2, "id");
    n = lmg_xfer_push_result(L, x, x->result);
    if(n == 1)
      lua_setfield(L, -2, "res");
    else {
      /* nil, word, code, detail, sent become fields */
      lua_setfield(L, -6, "sent");
      lua_setfield(L, -5, "detail");
      lua_setfield(L, -4, "code");
      lua_setfield(L, -3, "err");
      lua_pop(L, 1);
    }
    lua_rawseti(L, t, (int)lua_rawlen(L, t) + 1);
    lmg_list_remove(&m->done, x);
    lmg_xfer_free(L, m, x);
    pushed++;
  }
  return pushed;
}

static int lmg_multi_add(lua_State *L)
{
  struct lmg_multi *m = lmg_multi_check(L);
  struct lmg_xfer *x;
  luaL_checktype(L, 2, LUA_TTABLE);
  /* a request that raised half-way left its parts in staging */
  lmg_req_free(L, &m->staging);
  lmg_req_read(L, 2, &m->staging);
  x = lmg_xfer_get(m);
  if(!x)
    return luaL_error(L, "multi: out of memory");
  x->req = m->staging;
  memset(&m->staging, 0, sizeof(m->staging));
  m->staging.body_ref = LUA_NOREF;
  x->id = ++m->next_id;
  lmg_list_push(&m->queued, x);
  lmg_multi_pump(m);
  lua_pushinteger(L, x->id);
  return 1;
}

static int lmg_multi_poll(lua_State *L)
{
  struct lmg_multi *m = lmg_multi_check(L);
  lua_Number wait = luaL_optnumber(L, 2, 0);
  long timeout, start = lmg_now_ms();
  int t;
  luaL_argcheck(L, wait >= 0, 2, "must be milliseconds, not negative");
  timeout = wait > 86400000.0 ? 86400000L : (long)wait;
  lua_newtable(L);
  t = lua_gettop(L);
  for(;;) {
    long left;
    int count;
    lmg_multi_step(L, m);
    count = lmg_multi_push_done(L, m, t);
    if(count || !m->active.count)
      break;
    left = timeout - (lmg_now_ms() - start);
    if(left <= 0)
      break;
    curl_multi_poll(m->multi, NULL, 0, (int)left, NULL);
  }
  return 1;
}

static int lmg_multi_wait(lua_State *L)
{
  struct lmg_multi *m = lmg_multi_check(L);
  int t;
  lua_newtable(L);
  t = lua_gettop(L);
  for(;;) {
    lmg_multi_step(L, m);
    lmg_multi_push_done(L, m, t);
    if(!m->active.count && !m->queued.count)
      break;
    curl_multi_poll(m->multi, NULL, 0, LMG_WAIT_SLICE_MS, NULL);
  }
  return 1;
}

static struct lmg_xfer *lmg_list_find(struct lmg_list *l, lua_Integer id)
{
  struct lmg_xfer *x;
  for(x = l->head; x; x = x->next)
    if(x->id == id)
      return x;
  return NULL;
}

static int lmg_multi_cancel(lua_State *L)
{
  struct lmg_multi *m = lmg_multi_check(L);
  lua_Integer id = luaL_checkinteger(L, 2);
  struct lmg_xfer *x = lmg_list_find(&m->queued, id);
  if(x)
    lmg_list_remove(&m->queued, x);
  else {
    x = lmg_list_find(&m->active, id);
    if(x) {
      curl_multi_remove_handle(m->multi, x->easy);
      lmg_list_remove(&m->active, x);
    }
  }
  if(x) {
    lmg_xfer_free(L, m, x);
    lmg_multi_pump(m);
  }
  lua_pushboolean(L, x != NULL);
  return 1;
}

static int lmg_multi_pending(lua_State *L)
{
  struct lmg_multi *m = lmg_multi_check(L);
  lua_pushinteger(L, (lua_Integer)m->queued.count +
                  (lua_Integer)m->active.count);
  return 1;
}

static void lmg_list_drop(lua_State *L, struct lmg_multi *m, struct lmg_list *l,
                         int attached)
{
  while(l->head) {
    struct lmg_xfer *x = l->head;
    lmg_list_remove(l, x);
    if(attached)
      curl_multi_remove_handle(m->multi, x->easy);
    if(x->easy) {
      curl_easy_cleanup(x->easy);
      x->easy = NULL;
    }
    lmg_xfer_free(L, m, x);
  }
}

static int lmg_multi_close(lua_State *L)
{
  struct lmg_multi *m = luaL_checkudata(L, 1, LMG_MULTI_MT);
  if(m->multi) {
    lmg_list_drop(L, m, &m->active, 1);
    lmg_list_drop(L, m, &m->queued, 0);
    lmg_list_drop(L, m, &m->done, 0);
    while(m->nidle) {
      struct lmg_xfer *x = m->idle[--m->nidle];
      lmg_buf_free(&x->body);
      lmg_buf_free(&x->head);
      lmg_buf_free(&x->upload);
      curl_easy_cleanup(x->easy);
      free(x);
    }
    curl_multi_cleanup(m->multi);
    m->multi = NULL;
  }
  free(m->idle);
  m->idle = NULL;
  lmg_req_free(L, &m->staging);
  lmg_options_free(&m->opts);
  return 0;
}

static int lmg_multi_tostring(lua_State *L)
{
  struct lmg_multi *m = luaL_checkudata(L, 1, LMG_MULTI_MT);
  return lmg_push_name(L, LMG_MULTI_MT, m->multi);
}

int lmg_multi_new(lua_State *L)
{
  struct lmg_multi *m;
  lua_Number max = LMG_DEFAULT_CONNECTIONS;
  lua_settop(L, 1);   /* the options, or nil */
  m = lua_newuserdatauv(L, sizeof(*m), 0);
  memset(m, 0, sizeof(*m));
  m->staging.body_ref = LUA_NOREF;
  luaL_setmetatable(L, LMG_MULTI_MT);
  lmg_options_read(L, 1, &m->opts);
  if(!lua_isnoneornil(L, 1)) {
    lua_getfield(L, 1, "max_connections");
    if(!lua_isnil(L, -1)) {
      luaL_argcheck(L, lua_type(L, -1) == LUA_TNUMBER &&
                    lua_tonumber(L, -1) >= 1, 1,
                    "max_connections must be a number >= 1");
      max = lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
  }
  m->max_connections = max > 1024 ? 1024 : (long)max;
  m->idle = calloc((size_t)m->max_connections,
                   sizeof(struct lmg_xfer *));
  if(!m->idle)
    return luaL_error(L, "multi: out of memory");
  m->multi = curl_multi_init();
  if(!m->multi)
    return luaL_error(L, "multi: curl_multi_init failed");
  curl_multi_setopt(m->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                    m->max_connections);
  curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, m->max_connections);
  return 1;
}

void lmg_multi_open_lib(lua_State *L)
{
  static const luaL_Reg methods[] = {
    {"add", lmg_multi_add},
    {"poll", lmg_multi_poll},
    {"wait", lmg_multi_wait},
    {"cancel", lmg_multi_cancel},
    {"pending", lmg_multi_pending},
    {NULL, NULL}
  };
  lmg_new_metatable(L, LMG_MULTI_MT, methods, lmg_multi_close,
                   lmg_multi_tostring);
}
