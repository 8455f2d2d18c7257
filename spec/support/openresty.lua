-- Starts a real nginx (Debian nginx + libnginx-mod-http-lua) with its own
-- prefix, one worker, the project's lua/ on lua_package_path and the LuaJIT
-- build of the C core on lua_package_cpath; its handlers are in
-- spec/support/openresty_app.lua. Stopped by pid.
--   local server = openresty.start{sandbox = sandbox_url, settings = {...}}
--   server.url, server:stop(), server:log()
local M = {}

local NGINX = "env -u LD_PRELOAD " .. (os.getenv("NGINX") or "nginx")
local MODULES = os.getenv("NGINX_MODULES") or "/usr/lib/nginx/modules"

local shell = require("support.shell")
local execute, read_file, write_file, cwd = shell.execute, shell.read_file, shell.write_file, shell.cwd
M.execute = execute

-- A Lua literal of a flat table of strings/numbers/booleans.
local function literal(t)
  local parts = {}
  for k, v in pairs(t) do
    local value = type(v) == "string" and string.format("%q", v) or tostring(v)
    parts[#parts + 1] = string.format("[%q] = %s", k, value)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local CONFIG = [[
load_module ${modules}/ndk_http_module.so;
load_module ${modules}/ngx_http_lua_module.so;
worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log info;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path tmp/body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  client_max_body_size 50m;
  client_body_buffer_size 1m;
  lua_socket_log_errors off;
  lua_shared_dict app 1m;
  lua_ssl_trusted_certificate ${prefix}/trusted.pem;
  lua_ssl_verify_depth 2;
  lua_package_path "${root}/lua/?.lua;${root}/lua/?/init.lua;${root}/spec/support/?.lua;;";
  lua_package_cpath "${root}/build/luajit/?.so;;";
  init_by_lua_block { require("openresty_app").init(${settings}) }
  init_worker_by_lua_block { require("openresty_app").init_worker() }
  server {
    listen 127.0.0.1:${port};
    location = /ping { content_by_lua_block { ngx.say("pong") } }
    location /app/ { content_by_lua_block { require("openresty_app").handle() } }
    location = /header_filter {
      content_by_lua_block { ngx.say("body") }
      header_filter_by_lua_block { require("openresty_app").header_filter() }
    }
    location = /set {
      set_by_lua_block $mail_error { return require("openresty_app").set_phase() }
      return 200 "$mail_error";
    }
    location /fixture/ { content_by_lua_block { require("openresty_app").fixture() } }
  }
  server {
    listen 127.0.0.1:${tls_port} ssl;
    ssl_certificate ${prefix}/trusted.pem;
    ssl_certificate_key ${prefix}/trusted.key;
    location /fixture/ { content_by_lua_block { require("openresty_app").fixture() } }
  }
  server {
    listen 127.0.0.1:${untrusted_port} ssl;
    ssl_certificate ${prefix}/untrusted.pem;
    ssl_certificate_key ${prefix}/untrusted.key;
    location /fixture/ { content_by_lua_block { require("openresty_app").fixture() } }
  }
}
]]

local Server = {}
Server.__index = Server

-- Runs `command -e logs/error.log`; nginx writes logs/nginx.pid. A server
-- once the pid is there and the port answers, nil when nginx did not start.
local function launch(command, logs, port)
  if not execute(command .. " -e '" .. logs .. "/error.log' 2>>'" .. logs .. "/start.log'") then
    return nil
  end
  local pid
  for _ = 1, 100 do
    pid = tonumber(read_file(logs .. "/nginx.pid") or "")
    if pid then break end
    execute("sleep 0.02")
  end
  assert(pid, "nginx wrote no pid file")
  for _ = 1, 100 do
    if execute("bash -c 'exec 3<>/dev/tcp/127.0.0.1/" .. port .. "' 2>/dev/null") then break end
    execute("sleep 0.02")
  end
  return setmetatable({ port = port, pid = pid, url = "http://127.0.0.1:" .. port,
                        log_path = logs .. "/error.log" }, Server)
end

-- opts.settings: a flat table handed to openresty_app.init (sandbox URL,
-- keys, paths). Returns a started server.
function M.start(opts)
  opts = opts or {}
  local root = cwd()
  assert(read_file(root .. "/build/luajit/mailgun/core.so"),
    "build/luajit/mailgun/core.so is missing: run `make LUA=luajit`")
  local prefix = os.tmpname()
  os.remove(prefix)
  assert(execute("mkdir -p '" .. prefix .. "/conf' '" .. prefix .. "/logs' '" .. prefix .. "/tmp'"))
  -- certificates: one for localhost the transport trusts, one it does not
  for _, cert in ipairs({ { "trusted", "localhost" }, { "untrusted", "localhost" } }) do
    assert(execute("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
      .. " -keyout '" .. prefix .. "/" .. cert[1] .. ".key' -out '" .. prefix .. "/" .. cert[1] .. ".pem'"
      .. " -subj /CN=" .. cert[2] .. " -addext subjectAltName=DNS:" .. cert[2] .. " -days 2"
      .. " >/dev/null 2>&1"), "openssl could not make a certificate")
  end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  for _ = 1, 20 do
    local port = math.random(20000, 60000)
    local settings = {}
    for k, v in pairs(opts.settings or {}) do settings[k] = v end
    settings.prefix = prefix
    settings.root = root
    settings.self_url = "http://127.0.0.1:" .. port
    settings.tls_url = "https://localhost:" .. (port + 1)
    settings.untrusted_url = "https://localhost:" .. (port + 2)
    local config = require("support.nginx_user") .. CONFIG:gsub("%${([%w_]+)}", {
      modules = MODULES, root = root, port = tostring(port), settings = literal(settings),
      tls_port = tostring(port + 1), untrusted_port = tostring(port + 2), prefix = prefix,
    })
    write_file(prefix .. "/conf/nginx.conf", config)
    local server = launch(NGINX .. " -p '" .. prefix .. "' -c conf/nginx.conf", prefix .. "/logs", port)
    if server then
      server.prefix = prefix
      return server
    end
  end
  error("could not start nginx: " .. (read_file(prefix .. "/logs/start.log") or "?"))
end

-- Starts examples/openresty/nginx.conf as it is, but on a free port and with
-- its run-time files (pid, logs, temp) in a new directory; env: variables
-- for nginx's `env` directives. The prefix is the repository root.
function M.start_example(conf, env)
  local root = cwd()
  local dir = os.tmpname()
  os.remove(dir)
  assert(execute("mkdir -p '" .. dir .. "'"))
  local text = assert(read_file(root .. "/" .. conf), "no " .. conf)
  local vars = {}
  for k, v in pairs(env or {}) do vars[#vars + 1] = k .. "='" .. v .. "'" end
  for _ = 1, 20 do
    local port = math.random(20000, 60000)
    local config = text:gsub("build/openresty%-example", dir):gsub("127%.0%.0%.1:8080", "127.0.0.1:" .. port)
    write_file(dir .. "/nginx.conf", require("support.nginx_user") .. config)
    local server = launch("env -u LD_PRELOAD " .. table.concat(vars, " ") .. " "
      .. (os.getenv("NGINX") or "nginx") .. " -p '" .. root .. "' -c '" .. dir .. "/nginx.conf'", dir, port)
    if server then
      server.prefix = dir
      return server
    end
  end
  error("could not start " .. conf .. ": " .. (read_file(dir .. "/start.log") or "?"))
end

-- Stops nginx by its pid (QUIT, then TERM) and removes the prefix.
function Server:stop()
  if not self.pid then return end
  execute("kill -QUIT " .. self.pid .. " 2>/dev/null")
  for i = 1, 250 do
    if not execute("kill -0 " .. self.pid .. " 2>/dev/null") then break end
    if i == 150 then execute("kill -TERM " .. self.pid .. " 2>/dev/null") end
    if i == 250 then -- still there: its workers, then itself
      execute("pkill -KILL -P " .. self.pid .. " 2>/dev/null; kill -KILL " .. self.pid .. " 2>/dev/null")
    end
    execute("sleep 0.02")
  end
  self.pid = nil
  execute("rm -rf '" .. self.prefix .. "'")
end

function Server:log()
  return read_file(self.log_path) or ""
end

return M
