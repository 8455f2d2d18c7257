-- luacheck: std ngx_lua
-- Inbound mail endpoints (OpenResty): Mailgun route POSTs (forward() to
-- /inbound/mailgun, or to /inbound/mailgun/mime for the raw-MIME variant)
-- and MailerSend inbound routes (/inbound/mailersend).  The Mailgun body is
-- read from the request socket in chunks and parsed while it arrives, so
-- attachments stream to files in INBOUND_DIR and never sit in memory.
-- Answers as Mailgun expects: 200 taken, 406 refused for good (bad
-- signature, malformed or too large: no retry), 500 try again later.
-- The JSON answer summarizes the message (a real handler would store it).
local mailgun = require("mailgun")
local mailersend = require("mailersend")
local cjson = require("cjson.safe")

local _M = {}

local settings = {}

function _M.init()
  settings.dir = os.getenv("INBOUND_DIR") or "build/openresty-example/inbound"
  settings.signing_key = os.getenv("MAILGUN_WEBHOOK_SIGNING_KEY")
  settings.mailersend_secret = os.getenv("MAILERSEND_INBOUND_SECRET")
  os.execute("mkdir -p '" .. settings.dir .. "'")
end

local function answer(status, body)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.say(cjson.encode(body))
  return ngx.exit(status)
end

-- the request body in chunks, straight from the client socket
local function body_reader()
  local sock, err = ngx.req.socket()
  if not sock then return nil, err end
  local left = tonumber(ngx.var.content_length) or 0
  return function(n)
    if left <= 0 then return nil end
    local data, rerr = sock:receive(math.min(n, left))
    if not data then return nil, rerr end
    left = left - #data
    return data
  end
end

-- this worker's peak resident memory, KiB (the specs check it stays flat)
local function peak_kib()
  local f = io.open("/proc/self/status")
  local text = f and f:read("*a") or ""
  if f then f:close() end
  return tonumber(text:match("VmHWM:%s*(%d+)"))
end

local function summary(msg)
  local atts = {}
  for i, a in ipairs(msg.attachments) do
    atts[i] = { filename = a.filename, content_type = a.content_type, size = a.size,
      path = a.path, in_memory = a.data ~= nil, content_id = a.content_id }
  end
  return { provider = msg.provider, recipient = msg.recipient, sender = msg.sender,
    from = msg.from, to = msg.to, subject = msg.subject, text = msg.text, html = msg.html,
    message_id = msg.message_id, in_reply_to = msg.in_reply_to, attachments = atts,
    peak_kib = peak_kib() }
end

local function refused(err)
  -- a failure to store an attachment is ours: let the sender retry
  local status = err.code == "file" and 500 or 406
  return answer(status, { error = err.code, message = err.message })
end

function _M.mailgun()
  if ngx.req.get_method() ~= "POST" then return answer(405, { error = "POST only" }) end
  local reader, err = body_reader()
  if not reader then return answer(500, { error = "read", message = err }) end
  local msg, perr = mailgun.inbound.parse{ content_type = ngx.var.content_type or "",
    reader = reader, signing_key = settings.signing_key, dir = settings.dir,
    max_size = 200 * 1024 * 1024, max_part_size = 100 * 1024 * 1024 }
  if not msg then return refused(perr) end
  return answer(200, summary(msg))
end

function _M.mailersend()
  if ngx.req.get_method() ~= "POST" then return answer(405, { error = "POST only" }) end
  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  if not body then
    local path = ngx.req.get_body_file()
    local f = path and io.open(path, "rb")
    body = f and f:read("*a") or ""
    if f then f:close() end
  end
  local msg, err = mailersend.inbound.parse{ body = body, secret = settings.mailersend_secret,
    signature = ngx.var.http_signature, dir = settings.dir }
  if not msg then
    -- MailerSend does not retry a 4xx (except 429)
    return answer(err.kind == "auth" and 401 or 400, { error = err.code, message = err.message })
  end
  return answer(200, summary(msg))
end

return _M
