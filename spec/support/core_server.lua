-- Fixture servers for the C core specs: an nginx with its own prefix on
-- 127.0.0.1 running spec/support/core_echo.lua.  Works from Lua 5.4 and
-- LuaJIT.  start() returns a server; server:stop() stops it by pid.
local M = {}

-- tools/check preloads the sanitizer runtimes into the Lua process only:
-- the programs started here run without them.
local CLEAN = "env -u LD_PRELOAD "
local NGINX = CLEAN .. (os.getenv("NGINX") or "nginx")
local MODULES = "/usr/lib/nginx/modules/"

local shell = require("support.shell")
local execute, read_file, cwd = shell.execute, shell.read_file, shell.cwd

local CONFIG = [[
load_module ${modules}ndk_http_module.so;
load_module ${modules}ngx_http_lua_module.so;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  lua_package_path "${support}/?.lua;;";
  lua_package_cpath "/usr/lib/x86_64-linux-gnu/lua/5.1/?.so;;";
  lua_shared_dict core_stats 4m;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  client_max_body_size 0;
  client_body_buffer_size 1m;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:${port} reuseport;
    location /echo  { content_by_lua_block { require("core_echo").echo() } }
    location /sleep { content_by_lua_block { require("core_echo").sleep() } }
    location /big   { content_by_lua_block { require("core_echo").big() } }
    location /stats { content_by_lua_block { require("core_echo").stats() } }
    location /reset { content_by_lua_block { require("core_echo").reset() } }
    location /close { return 444; }
    location /ok    { return 200 '{"id":"<x@y>","message":"Queued. Thank you."}'; }
  }
  server {
    listen 127.0.0.1:${tls_port} ssl http2 reuseport;
    ssl_certificate ${prefix}/cert.pem;
    ssl_certificate_key ${prefix}/key.pem;
    location /echo  { content_by_lua_block { require("core_echo").echo() } }
  }
}
]]

-- Time limits in the specs are multiplied by this (valgrind runs are slow).
M.slack = tonumber(os.getenv("CORE_SPEC_SLACK") or "") or 1

-- Wall-clock seconds with sub-second precision, on Lua 5.1 and 5.4.
function M.now()
  local pipe = assert(io.popen("date +%s.%N"))
  local t = tonumber(pipe:read("*l"))
  pipe:close()
  return t
end

local Server = {}
Server.__index = Server
M.Server = Server -- stop and log, for the other nginx fixtures

-- Starts an nginx on a free port of 127.0.0.1.
function M.start()
  local support = cwd() .. "/spec/support"
  local prefix = os.tmpname()
  os.remove(prefix)
  assert(execute(CLEAN .. "mkdir -p '" .. prefix .. "'"))
  -- a throw-away certificate for 127.0.0.1 (TLS and HTTP/2 specs)
  shell.certificate(prefix, "127.0.0.1", "IP:127.0.0.1", CLEAN)
  local port, pid = shell.start_nginx(NGINX, prefix, function(p)
    return require("support.nginx_user") .. CONFIG:gsub("%${([%w_]+)}", {
      modules = MODULES, prefix = prefix, support = support, port = tostring(p),
      tls_port = tostring(p + 1),
    })
  end)
  return setmetatable({
    port = port, prefix = prefix, pid = pid,
    url = "http://127.0.0.1:" .. port,
    tls_url = "https://127.0.0.1:" .. (port + 1),
    cafile = prefix .. "/cert.pem",
  }, Server)
end

-- Stops the server by its pid and removes its prefix.
function Server:stop()
  if not self.pid then return end
  execute("kill -TERM " .. self.pid)
  for _ = 1, 250 do
    if not execute("kill -0 " .. self.pid .. " 2>/dev/null") then break end
    execute("sleep 0.02")
  end
  self.pid = nil
  execute("rm -rf '" .. self.prefix .. "'")
end

function Server:log()
  return read_file(self.prefix .. "/error.log") or ""
end

return M
