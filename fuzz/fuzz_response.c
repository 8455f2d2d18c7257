/*
 * fuzz_response.c: the input, after two option bytes, is what a server
 * answers.  A server thread on 127.0.0.1 (an ephemeral port) reads each
 * request head, writes the answer, closes its side; a fresh core.session
 * then requests it through libcurl and the module.  Checks the result's
 * shape: res {status, headers, body}, or nil, word, code, detail, sent
 * with sent true (the request went out before any answer).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fuzz.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char answer[8192];
static size_t answer_len;

static void serve(int fd)
{
  char buf[4096], copy[sizeof(answer)];
  size_t have = 0, len;
  struct timeval tv = { 2, 0 };
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  while(have < sizeof(buf) - 1) {
    ssize_t n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);
    if(n <= 0)
      break;
    have += (size_t)n;
    buf[have] = '\0';
    if(strstr(buf, "\r\n\r\n"))
      break;
  }
  pthread_mutex_lock(&lock);
  len = answer_len;
  memcpy(copy, answer, len);
  pthread_mutex_unlock(&lock);
  if(len)
    send(fd, copy, len, MSG_NOSIGNAL);
  shutdown(fd, SHUT_WR);
  while(recv(fd, buf, sizeof(buf), 0) > 0)
    ;
  close(fd);
}

static void *server(void *arg)
{
  int lfd = *(int *)arg;
  for(;;) {
    int fd = accept(lfd, NULL, NULL);
    if(fd >= 0)
      serve(fd);
  }
  return NULL;
}

static int start_server(void)
{
  static int lfd = -1, port;
  struct sockaddr_in a;
  socklen_t alen = sizeof(a);
  pthread_t t;
  if(lfd >= 0)
    return port;
  lfd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0);
  CHECK(listen(lfd, 16) == 0);
  CHECK(getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
  port = ntohs(a.sin_port);
  CHECK(pthread_create(&t, NULL, server, &lfd) == 0);
  return port;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  lua_State *L = fz_lua();
  struct fz_in in = { data, size };
  int port = start_server(), session;
  unsigned flags = fz_byte(&in), cap = fz_byte(&in);
  const char *s = fz_take(&in, sizeof(answer), &answer_len);
  pthread_mutex_lock(&lock);
  memcpy(answer, s, answer_len);
  pthread_mutex_unlock(&lock);
  lua_newtable(L);
  lua_pushinteger(L, 2000);
  lua_setfield(L, -2, "timeout");
  lua_pushinteger(L, cap ? cap * 16 : 0);
  lua_setfield(L, -2, "max_body");
  CHECK(fz_call(L, 0, "session", 1, 1) == 0);
  session = lua_gettop(L);
  lua_newtable(L);
  lua_pushfstring(L, "http://127.0.0.1:%d/fuzz", port);
  lua_setfield(L, -2, "url");
  lua_pushstring(L, flags & 1 ? "HEAD" : flags & 2 ? "POST" : "GET");
  lua_setfield(L, -2, "method");
  lua_pushboolean(L, flags & 4);
  lua_setfield(L, -2, "once");
  CHECK(fz_call(L, session, "request", 1, 5) == 0);
  if(lua_istable(L, -5)) {
    lua_getfield(L, -5, "status");
    CHECK(lua_isinteger(L, -1));
    lua_getfield(L, -6, "headers");
    CHECK(lua_istable(L, -1));
    lua_getfield(L, -7, "body");
    CHECK(lua_type(L, -1) == LUA_TSTRING);
    CHECK(lua_isnil(L, -5));   /* one value only */
  }
  else {
    CHECK(lua_isnil(L, -5) && lua_type(L, -4) == LUA_TSTRING);
    CHECK(lua_isinteger(L, -3) && lua_type(L, -2) == LUA_TSTRING);
    CHECK(lua_isboolean(L, -1) && lua_toboolean(L, -1));
  }
  CHECK(fz_call(L, session, "close", 0, 0) == 0);
  return 0;
}
