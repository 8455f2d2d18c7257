-- A hostile HTTP server (inside the nginx of spec/support/hostile.lua) and
-- the client side of spec/hostile_spec.lua. serve() answers /hostile/<case>:
--   drip            one byte every 2 s, status line included
--   endless-chunked a chunked body that never ends
--   endless-close   a body without length that never ends
--   headers         headers that never end
--   drop-reused     reads a request on a reused connection, then closes
--   drop-all        reads every request, then closes
--   retry-negative  429 with Retry-After: -30, then 200
-- Every case counts the requests it saw (count(case), /hostile/count?case=);
-- the TLS server counts handshakes as "tls".
-- run() makes one call with the OpenResty transport from inside nginx;
-- call() is the same for any transport (busted uses the curl one).
local json = require("mailgun.engine.json")

local _M = {}

local ngx = rawget(_G, "ngx")

local function count(case)
  return ngx.shared.hostile:incr(case, 1, 0)
end
_M.count = count

function _M.count_handshake()
  count("tls")
end

-- The raw downstream socket; a GET's or the body of a POST read first.
local function raw()
  ngx.req.read_body()
  return assert(ngx.req.socket(true))
end

local LIMIT = 256 * 1024 * 1024 -- a runaway client would stop here anyway

local CASES = {}

function CASES.drip()
  local sock = raw()
  local answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
  for i = 1, #answer do
    if not sock:send(answer:sub(i, i)) then return end
    ngx.sleep(2)
  end
end

local function endless(sock, head, piece)
  if not sock:send(head) then return end
  local sent = 0
  while sent < LIMIT do
    if not sock:send(piece) then return end
    sent = sent + #piece
  end
end

local PIECE = string.rep("x", 65536)

CASES["endless-chunked"] = function()
  endless(raw(), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
    string.format("%x\r\n%s\r\n", #PIECE, PIECE))
end

CASES["endless-close"] = function()
  endless(raw(), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n", PIECE)
end

function CASES.headers()
  local line = "X-Junk: " .. string.rep("h", 1000) .. "\r\n"
  endless(raw(), "HTTP/1.1 200 OK\r\n", string.rep(line, 64))
end

local function ok_json()
  ngx.header["Content-Type"] = "application/json"
  ngx.print('{"id":"<ok@hostile>","items":[]}')
end

CASES["drop-reused"] = function()
  ngx.req.read_body()
  if tonumber(ngx.var.connection_requests) > 1 then return ngx.exit(444) end
  ok_json()
end

CASES["drop-all"] = function()
  ngx.req.read_body()
  return ngx.exit(444)
end

CASES["retry-negative"] = function(n)
  if n == 1 then
    ngx.status = 429
    ngx.header["Retry-After"] = "-30"
    ngx.header["Content-Type"] = "application/json"
    ngx.print('{"message":"slow down"}')
    return
  end
  ok_json()
end

function _M.serve()
  local case = ngx.var.uri:match("^/hostile/(.+)$")
  if case == "count" then
    local args = ngx.req.get_uri_args()
    ngx.print(tostring(ngx.shared.hostile:get(args.case) or 0))
    return
  end
  if case == "reset" then
    ngx.shared.hostile:flush_all()
    ngx.print("ok")
    return
  end
  local handler = CASES[case]
  if not handler then return ngx.exit(404) end
  handler(count(case))
end

-- One call through an engine on `transport`: args = {path=, method=, send=,
-- retries=, deadline=, timeout=} -> {ok=, kind=, reason=, status=, sent=,
-- attempts=, uncertain=, elapsed=, message=}
function _M.call(transport, base_url, args)
  local request = require("mailgun.engine.request")
  local engine = request.new({ transport = transport, base_url = base_url,
    retries = tonumber(args.retries) or 0, timeout = tonumber(args.timeout),
    deadline = tonumber(args.deadline), backoff = { base = 0.05, max = 0.1 } })
  local method = args.method or "GET"
  local ep = { name = "hostile", method = method, path = args.path, send = args.send and true or nil,
               encoding = method == "GET" and "query" or "json" }
  local started = transport:now()
  local res, err = engine:call(ep, method == "GET" and {} or { body = { hello = "world" } })
  local out = { elapsed = transport:now() - started }
  if res then
    out.ok, out.uncertain = true, res.uncertain
  else
    out.ok = false
    out.kind, out.reason, out.status, out.sent = err.kind, err.reason, err.status, err.sent
    out.attempts, out.message = err.attempts, err.message
  end
  return out
end

-- GET /run?path=&method=&send=&retries=&deadline=&timeout=&max_body=
-- &max_header_bytes=&prime= (a GET first, on the pooled connection)
function _M.run()
  local args = ngx.req.get_uri_args()
  local resty = require("mailgun.engine.transport.resty")
  local transport = resty.new({ max_body = tonumber(args.max_body),
    max_header_bytes = tonumber(args.max_header_bytes), timeout = tonumber(args.timeout) })
  local base = args.base or ("http://127.0.0.1:" .. ngx.var.server_port)
  if args.prime then _M.call(transport, base, { path = args.prime }) end
  ngx.header["Content-Type"] = "application/json"
  ngx.print(json.encode(_M.call(transport, base, args)))
end

return _M
