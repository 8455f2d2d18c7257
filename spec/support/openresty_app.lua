-- The handlers of the nginx started by spec/support/openresty.lua: they
-- send through the Mailgun and MailerSend clients (OpenResty transport) to
-- the sandbox, receive webhooks, and try to send from phases where
-- cosockets are not allowed. Answers are JSON.
-- luacheck: std +ngx_lua
local json = require("mailgun.engine.json")

local ngx = ngx
local type, tostring, tonumber, pairs = type, tostring, tonumber, pairs

local M = {}

local settings = {}
local phase_errors = {}
local clients = {}

local function mailgun_client(transport)
  local key = transport and "mailgun_curl" or "mailgun"
  if not clients[key] then
    clients[key] = require("mailgun").new({
      api_key = settings.mailgun_key, domain = settings.domain, base_url = settings.sandbox,
      backoff = { base = 0.05, max = 0.2 }, timeout = 20, transport = transport,
    })
  end
  return clients[key]
end

local function mailersend_client()
  if not clients.mailersend then
    clients.mailersend = require("mailersend").new({
      token = settings.mailersend_token, base_url = settings.sandbox .. "/v1",
      backoff = { base = 0.05, max = 0.2 }, timeout = 20,
    })
  end
  return clients.mailersend
end

local function message(args)
  return {
    from = "Spec <spec@" .. settings.domain .. ">",
    to = args.to or ("someone@example.com"),
    subject = args.subject or "from nginx",
    text = "sent from an nginx handler",
  }
end

local function err_view(err)
  if not err then return nil end
  return { kind = err.kind, message = err.message, status = err.status }
end

local function reply(t, status)
  ngx.status = status or 200
  ngx.header["Content-Type"] = "application/json"
  ngx.say(json.encode(t))
end

local function elapsed_ms(t0)
  ngx.update_time()
  return (ngx.now() - t0) * 1000
end

-- Phases without cosockets ----------------------------------------------------

local function try_send()
  local ok, res, err = pcall(function()
    return mailgun_client().messages:send(message({ subject = "from " .. ngx.get_phase() }))
  end)
  if not ok then return { kind = "raised", message = tostring(res) } end
  if res then return { sent = true } end
  return err_view(err)
end

-- init_by_lua (the master): keep the settings, try to send.
function M.init(s)
  settings = s
  phase_errors.init = try_send()
end

function M.init_worker()
  phase_errors.init_worker = try_send()
  -- a timer may use cosockets: the same send works there
  ngx.timer.at(0, function(premature)
    if premature then return end
    local res, err = mailgun_client().messages:send(message({ subject = "from a timer" }))
    ngx.shared.app:set("timer_send", json.encode({ id = res and res.id, error = err_view(err) }))
  end)
end

function M.header_filter()
  local e = try_send()
  ngx.header["X-Mail-Error"] = e and e.message or "none"
  ngx.header["X-Mail-Kind"] = e and e.kind or "none"
end

function M.set_phase()
  local e = try_send()
  return e and e.message or "none"
end

-- Content handlers --------------------------------------------------------------

local routes = {}

-- one message through the Mailgun client
routes["/app/mailgun/send"] = function(args)
  local t0 = ngx.now()
  local res, err = mailgun_client().messages:send(message(args))
  reply({ id = res and res.id, error = err_view(err), ms = elapsed_ms(t0) })
end

-- the same through the libcurl transport: blocks the worker (for contrast)
routes["/app/mailgun/send_blocking"] = function(args)
  local t0 = ngx.now()
  local curl = require("mailgun.engine.transport.curl").new({ timeout = 20 })
  local res, err = mailgun_client(curl).messages:send(message(args))
  reply({ id = res and res.id, error = err_view(err), ms = elapsed_ms(t0) })
end

-- multipart with a file attachment (streamed from the C core form)
routes["/app/mailgun/attach"] = function(args)
  local msg = message(args)
  msg.attachments = { { path = settings.attachment, filename = "report.bin",
                        content_type = "application/octet-stream" } }
  local res, err = mailgun_client().messages:send(msg)
  reply({ id = res and res.id, error = err_view(err) })
end

routes["/app/mailersend/send"] = function(args)
  local t0 = ngx.now()
  local res, err = mailersend_client().email:send({
    from = { email = "spec@" .. settings.domain, name = "Spec" },
    to = { { email = args.to or "someone@example.com" } },
    subject = args.subject or "from nginx", text = "sent from an nginx handler",
  })
  reply({ id = res and res.message_id, error = err_view(err), ms = elapsed_ms(t0) })
end

-- a batch, several calls in flight on light threads
routes["/app/mailgun/batch"] = function(args)
  local n, size = tonumber(args.n) or 10, tonumber(args.size) or 3
  local batch = mailgun_client():batch({ from = "spec@" .. settings.domain,
    subject = "Hi %recipient.name%", text = "batch from nginx" })
  for i = 1, n do batch:add("r" .. i .. "@example.com", { name = "R" .. i }) end
  local t0 = ngx.now()
  local report = batch:send({ size = size, parallel = tonumber(args.parallel) or 3 })
  reply({ sent = report.sent, failed = report.failed, calls = #report.calls, ms = elapsed_ms(t0) })
end

-- send_async inside nginx: a light thread runs it, the callback answers
routes["/app/mailgun/async"] = function(args)
  local done
  local handle = mailgun_client().messages:send_async(message(args), function(res, err)
    done = { id = res and res.id, error = err_view(err) }
  end)
  if args.cancel then handle:cancel() end
  while not done do ngx.sleep(0.005) end
  reply(done)
end

-- registers this server's webhook endpoint for "delivered" at the sandbox
routes["/app/mailgun/webhook_setup"] = function()
  local client = mailgun_client()
  local res, err = client.webhooks:create({ id = "delivered",
    url = settings.self_url .. "/app/webhook/mailgun" })
  reply({ ok = res ~= nil, error = err_view(err) })
end

-- Mailgun webhook endpoint: signature checked with the signing key
routes["/app/webhook/mailgun"] = function()
  ngx.req.read_body()
  local body = ngx.req.get_body_data() or ""
  local webhooks = require("mailgun").webhooks
  local ok, why = webhooks.verify({ signing_key = settings.signing_key, payload = body,
    now = ngx.time() })
  local payload = json.decode(body) or {}
  local event = type(payload["event-data"]) == "table" and payload["event-data"] or {}
  local key = "mg:" .. tostring(event.recipient or "?") .. ":" .. tostring(event.event or "?")
  ngx.shared.app:set(key, ok and "verified" or ("refused: " .. tostring(why)))
  ngx.status = ok and 200 or 406
  ngx.say(ok and "ok" or why)
end

-- MailerSend webhook endpoint: Signature header over the raw body
routes["/app/webhook/mailersend"] = function()
  ngx.req.read_body()
  local body = ngx.req.get_body_data() or ""
  local ok, why = require("mailersend").webhooks.verify({ secret = settings.mailersend_secret,
    signature = ngx.req.get_headers()["signature"], body = body })
  ngx.shared.app:set("ms:last", ok and "verified" or ("refused: " .. tostring(why)))
  ngx.status = ok and 200 or 406
  ngx.say(ok and "ok" or why)
end

routes["/app/webhooks/seen"] = function()
  local out = {}
  for _, k in pairs(ngx.shared.app:get_keys(0)) do out[k] = ngx.shared.app:get(k) end
  reply(out)
end

routes["/app/phases"] = function()
  local timer = ngx.shared.app:get("timer_send")
  reply({ init = phase_errors.init, init_worker = phase_errors.init_worker,
          timer = timer and json.decode(timer) })
end

-- Fixtures the transport is tried against (on this server and its two
-- TLS servers, one with a certificate the transport trusts).
local fixtures = {
  ["/fixture/chunked"] = function()
    for i = 1, 5 do
      ngx.print(string.rep(tostring(i), 1000))
      ngx.flush(true) -- each piece goes out as a chunk
    end
  end,
  ["/fixture/nocontent"] = function() ngx.exit(204) end,
  ["/fixture/headers"] = function()
    ngx.header["Set-Cookie"] = { "a=1", "b=2" }
    ngx.header["X-Mixed-Case"] = "Value"
    ngx.say("ok")
  end,
  ["/fixture/big"] = function()
    ngx.header["Content-Length"] = 100000
    if ngx.req.get_method() ~= "HEAD" then ngx.print(string.rep("x", 100000)) end
  end,
  ["/fixture/connection"] = function() ngx.print(ngx.var.connection_requests) end,
  ["/fixture/slow"] = function() ngx.sleep(1); ngx.say("late") end,
  ["/fixture/echo"] = function()
    ngx.req.read_body()
    local body = ngx.req.get_body_data()
    if not body then
      local file = ngx.req.get_body_file()
      local f = file and io.open(file, "rb")
      body = f and f:read("*a") or ""
      if f then f:close() end
    end
    ngx.header["Content-Type"] = "application/json"
    ngx.say(json.encode({ method = ngx.req.get_method(), length = #body, body = body:sub(1, 200),
      content_type = ngx.var.content_type, host = ngx.var.http_host,
      sha256 = require("mailgun.core").sha256(body) }))
  end,
}

function M.fixture()
  local f = fixtures[ngx.var.uri]
  if not f then return ngx.exit(404) end
  f()
end

-- The OpenResty transport on its own: one case per query, res or the word.
routes["/app/transport"] = function(args)
  local resty = require("mailgun.engine.transport.resty")
  local transport = resty.new({ timeout = tonumber(args.timeout) or 5, verify = args.verify ~= "no",
    max_body = tonumber(args.max_body), user_agent = "spec" })
  local base = args.base == "tls" and settings.tls_url or args.base == "untrusted"
    and settings.untrusted_url or settings.self_url
  local url = args.url or (base .. (args.path or "/fixture/headers"))
  local req = { method = args.method or "GET", url = url, headers = { Accept = "*/*" } }
  if args.body then req.body = args.body end
  if args.form then
    local form = require("mailgun.core").form()
    form:field("greeting", "hello")
    form:data("file", string.rep("\0\1\2", 50000), { filename = "f.bin" })
    req.form = form
  end
  local out = {}
  for i = 1, tonumber(args.times) or 1 do
    local res, word, detail = transport:request(req)
    if req.form then req.form:rewind() end
    out[i] = res and { status = res.status, headers = res.headers, body = res.body }
      or { word = word, detail = detail }
  end
  local form_sha256
  if req.form then
    local parts = {}
    for piece in function() return req.form:read(65536) end do parts[#parts + 1] = piece end
    form_sha256 = require("mailgun.core").sha256(table.concat(parts))
  end
  reply({ results = out, form_sha256 = form_sha256 })
end

function M.handle()
  local route = routes[ngx.var.uri]
  if not route then return reply({ error = "no route " .. ngx.var.uri }, 404) end
  route(ngx.req.get_uri_args())
end

return M
