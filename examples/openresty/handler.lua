-- The handlers of examples/openresty/nginx.conf. Inside nginx the client
-- picks the OpenResty transport by itself: the same client.messages:send
-- as in a script, but waiting on a cosocket, so the worker keeps serving
-- other requests meanwhile.
-- luacheck: std +ngx_lua
local mailgun = require("mailgun")
local json = require("mailgun.engine.json")

local ngx = ngx
local type, tostring = type, tostring
local getenv = os.getenv

local _M = {}

local settings
local client -- one per worker, made on first use

-- init_by_lua: read the settings (nothing can be sent from this phase; a
-- send here would return err.kind = "not_supported" and say so).
function _M.init()
  settings = {
    api_key = getenv("MAILGUN_API_KEY") or "key-sandbox",
    domain = getenv("MAILGUN_DOMAIN") or "sandbox.test",
    base_url = getenv("MAILGUN_BASE_URL"),
    region = getenv("MAILGUN_REGION"),
    signing_key = getenv("MAILGUN_WEBHOOK_SIGNING_KEY"),
  }
end

local function get_client()
  if not client then
    client = mailgun.new({ api_key = settings.api_key, domain = settings.domain,
      base_url = settings.base_url, region = settings.region, timeout = 15 })
  end
  return client
end

local function reply(status, t)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.say(json.encode(t))
  return ngx.exit(status)
end

-- The JSON body of a POST as a message, or nil after answering 4xx.
local function message_from_request()
  if ngx.req.get_method() ~= "POST" then
    reply(405, { error = "POST a JSON object {to, subject, text}" })
    return nil
  end
  ngx.req.read_body()
  local body = json.decode(ngx.req.get_body_data() or "")
  if type(body) ~= "table" or type(body.to) ~= "string" then
    reply(400, { error = "a JSON object with 'to', 'subject' and 'text' is expected" })
    return nil
  end
  return {
    from = "Example <noreply@" .. settings.domain .. ">",
    to = body.to, subject = body.subject or "(no subject)", text = body.text or "",
  }
end

-- Retries (429, 5xx) wait with ngx.sleep: other requests go on meanwhile.
function _M.send()
  local msg = message_from_request()
  if not msg then return end
  local res, err = get_client().messages:send(msg)
  if not res then
    -- err.kind: "validation", "auth", "rate_limited", "network", "timeout", ...
    return reply(err.status and 502 or 503, { error = tostring(err), kind = err.kind })
  end
  return reply(200, { id = res.id })
end

-- Answers first, sends afterwards from a timer (cosockets work there too).
function _M.send_later()
  local msg = message_from_request()
  if not msg then return end
  local ok, terr = ngx.timer.at(0, function(premature)
    if premature then return end
    local res, err = get_client().messages:send(msg)
    if not res then
      ngx.log(ngx.ERR, "mailgun: sending to ", msg.to, " failed: ", tostring(err))
    else
      ngx.log(ngx.NOTICE, "mailgun: sent ", res.id, " to ", msg.to)
    end
  end)
  if not ok then return reply(503, { error = "cannot schedule the send: " .. tostring(terr) }) end
  return reply(202, { queued = true })
end

-- Mailgun webhooks: the signature (HMAC of timestamp .. token with the
-- webhook signing key), a fresh timestamp, and a token not seen before.
function _M.mailgun_webhook()
  if not settings.signing_key then
    return reply(500, { error = "set MAILGUN_WEBHOOK_SIGNING_KEY" })
  end
  ngx.req.read_body()
  local body = ngx.req.get_body_data() or ""
  local seen = ngx.shared.mailgun_webhook_tokens
  local ok, why = mailgun.webhooks.verify({
    signing_key = settings.signing_key, payload = body, now = ngx.time(),
    seen = function(token) return not seen:add(token, true, 600) end,
  })
  if not ok then return reply(406, { error = why }) end
  local event = (json.decode(body) or {})["event-data"] or {}
  ngx.log(ngx.NOTICE, "mailgun webhook: ", tostring(event.event), " for ", tostring(event.recipient))
  return reply(200, { ok = true })
end

return _M
