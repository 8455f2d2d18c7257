-- Starts the hostile server of spec/support/hostile_app.lua: a real nginx
-- on 127.0.0.1 with its own prefix, one worker, plain HTTP on `port` and a
-- TLS server nobody trusts on port + 1 (it counts handshakes). Stopped by
-- pid.   local server = hostile.start(); server.url, server.tls_url,
--        server:count(case), server:reset(), server:stop()
local M = {}

local shell = require("support.shell")
local core_server = require("support.core_server")
local execute, read_file, cwd = shell.execute, shell.read_file, shell.cwd

local NGINX = "env -u LD_PRELOAD " .. (os.getenv("NGINX") or "nginx")
local MODULES = os.getenv("NGINX_MODULES") or "/usr/lib/nginx/modules"

local CONFIG = [[
load_module ${modules}/ndk_http_module.so;
load_module ${modules}/ngx_http_lua_module.so;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  lua_socket_log_errors off;
  lua_shared_dict hostile 1m;
  lua_package_path "${root}/lua/?.lua;${root}/lua/?/init.lua;${root}/spec/support/?.lua;;";
  lua_package_cpath "${root}/build/luajit/?.so;;";
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:${port};
    location /hostile/ { content_by_lua_block { require("hostile_app").serve() } }
    location = /run { content_by_lua_block { require("hostile_app").run() } }
  }
  server {
    listen 127.0.0.1:${tls_port} ssl;
    ssl_certificate ${prefix}/cert.pem;
    ssl_certificate_key ${prefix}/key.pem;
    ssl_certificate_by_lua_block { require("hostile_app").count_handshake() }
    location / { return 200 '{"items":[]}'; }
  }
}
]]

local Server = setmetatable({}, { __index = core_server.Server })
Server.__index = Server

function M.start()
  local root = cwd()
  assert(read_file(root .. "/build/luajit/mailgun/core.so"),
    "build/luajit/mailgun/core.so is missing: run `make LUA=luajit`")
  local prefix = os.tmpname()
  os.remove(prefix)
  assert(execute("mkdir -p '" .. prefix .. "'"))
  shell.certificate(prefix, "localhost", "DNS:localhost,IP:127.0.0.1")
  local port, pid = shell.start_nginx(NGINX, prefix, function(p)
    return require("support.nginx_user") .. CONFIG:gsub("%${([%w_]+)}", {
      modules = MODULES, prefix = prefix, root = root, port = tostring(p), tls_port = tostring(p + 1),
    })
  end)
  return setmetatable({ port = port, prefix = prefix, pid = pid,
    url = "http://127.0.0.1:" .. port, tls_url = "https://127.0.0.1:" .. (port + 1),
    http = require("mailgun.core").session({ timeout = 60000 }) }, Server)
end

local function get(self, path)
  local res = assert(self.http:request({ method = "GET", url = self.url .. path }))
  assert(res.status == 200, path .. ": " .. res.status)
  return res.body
end

-- Requests (or TLS handshakes: "tls") the server saw for a case.
function Server:count(case)
  return tonumber(get(self, "/hostile/count?case=" .. case))
end

function Server:reset()
  get(self, "/hostile/reset")
end

-- One call with the OpenResty transport from inside the server (see
-- hostile_app.run); the decoded outcome.
function Server:run(query)
  return require("mailgun.engine.json").decode(get(self, "/run?" .. query))
end

function Server:stop()
  if not self.pid then return end
  self.http:close()
  core_server.Server.stop(self)
end

return M
