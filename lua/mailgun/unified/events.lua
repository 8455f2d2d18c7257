-- Webhook deliveries of both providers -> one event shape.
--   unified.webhooks.parse{provider = "mailgun" | "mailersend", body = raw body,
--     headers = {...}, signing_key = (Mailgun) | secret = (MailerSend; either
--     name works for both), tolerance = 300, now = , seen = function(token)}
--   -> {event, ...} | nil, err (kind "auth" for a bad signature, "invalid"
--      for a body that is not a webhook of that provider)
-- event = {type, severity, recipient, message_id, timestamp (epoch seconds),
--          tags, url, reason, id, provider, provider_type, raw}
-- type: accepted, sent, delivered, deferred, bounced (severity permanent |
-- temporary), opened, clicked, unsubscribed, complained, rejected, test,
-- or "other" (provider_type tells the provider's own name).
local json = require("mailgun.engine.json")
local url = require("mailgun.engine.url")
local dates = require("mailgun.engine.dates")
local errors = require("mailgun.engine.errors")
local options = require("mailgun.engine.options")
local mailgun_webhooks = require("mailgun.webhooks")
local mailersend_webhooks = require("mailersend.webhooks")
local util = require("mailgun.unified.util")

local type, pairs, tostring, tonumber, error = type, pairs, tostring, tonumber, error

local _M = {}

local val, str, tab = util.val, util.str, util.tab

local function list(v)
  v = val(v)
  if type(v) ~= "table" then return {} end
  local out = {}
  for _, x in pairs(v) do if type(x) == "string" then out[#out + 1] = x end end
  return out
end

-- "<id@host>" and "id@host" name the same message.
local function bare_id(id)
  id = str(id)
  if not id then return nil end
  return (id:gsub("^%s*<", ""):gsub(">%s*$", ""))
end
_M.bare_id = bare_id

-- Case-insensitive header lookup (a plain table or ngx.req.get_headers()).
local function header(headers, name)
  if type(headers) ~= "table" then return nil end
  local v = headers[name] or headers[name:lower()]
  if v == nil then
    local want = name:lower()
    for k, x in pairs(headers) do
      if type(k) == "string" and k:lower() == want then v = x; break end
    end
  end
  if type(v) == "table" then v = v[1] end
  return v
end

local function bad_signature(provider, why)
  return nil, errors.new({ kind = "auth", provider = provider,
    message = "webhook signature rejected: " .. tostring(why) })
end

local function bad_body(provider, why)
  return nil, errors.invalid("not a " .. provider .. " webhook: " .. why, { provider = provider })
end

-- Mailgun ---------------------------------------------------------------

local MAILGUN_TYPES = {
  accepted = "accepted", delivered = "delivered", opened = "opened", clicked = "clicked",
  unsubscribed = "unsubscribed", complained = "complained", rejected = "rejected",
}

local function mailgun_event(d)
  local provider_type = str(d.event) or "unknown"
  local t = MAILGUN_TYPES[provider_type] or "other"
  local severity
  if provider_type == "failed" then
    t = "bounced"
    severity = str(d.severity) == "temporary" and "temporary" or "permanent"
  end
  local status = tab(d["delivery-status"])
  local msg = tab(d.message)
  local hdrs = tab(msg.headers)
  local reason
  if t == "bounced" or t == "rejected" then
    reason = str(status.message) or str(status.description) or str(d.reason)
    if type(val(d.reject)) == "table" then reason = reason or str(d.reject.reason) end
  end
  return {
    type = t, severity = severity, provider = "mailgun", provider_type = provider_type,
    id = str(d.id),
    recipient = str(d.recipient),
    message_id = bare_id(hdrs["message-id"]),
    timestamp = tonumber(val(d.timestamp)),
    tags = list(d.tags),
    url = str(d.url),
    reason = reason,
    code = tonumber(val(status.code)),
    raw = d,
  }
end

-- JSON webhooks {signature={...}, ["event-data"]={...}}, or the legacy form
-- posts (timestamp, token, signature, event, recipient, ... as fields).
local function parse_mailgun(args)
  local body = args.body
  local payload, data
  if body:match("^%s*{") then
    payload = json.decode(body)
    if type(payload) ~= "table" or type(payload.signature) ~= "table" then
      return bad_body("mailgun", "no signature object")
    end
    data = payload["event-data"]
    if type(data) ~= "table" then return bad_body("mailgun", "no event-data") end
  else
    payload = url.parse_query(body)
    if not payload.signature then return bad_body("mailgun", "no signature field") end
    data = {}
    for k, v in pairs(payload) do data[k] = v end
    data.tags = type(payload.tag) == "table" and payload.tag or payload.tag and { payload.tag }
    data.message = { headers = { ["message-id"] = payload["Message-Id"] or payload["message-id"] } }
    data.event = payload.event == "bounced" and "failed" or payload.event == "dropped" and "failed"
      or payload.event
    if payload.event == "bounced" then data.severity = "permanent" end
    data.reason = payload.error or payload.description or payload.reason
  end
  local key = args.signing_key or args.secret
  local ok, why = mailgun_webhooks.verify({ signing_key = key, payload = payload,
    tolerance = args.tolerance, now = args.now or os.time(), seen = args.seen })
  if not ok then return bad_signature("mailgun", why) end
  return { mailgun_event(data) }
end

-- MailerSend ------------------------------------------------------------

local MAILERSEND_TYPES = {
  sent = "sent", delivered = "delivered", deferred = "deferred",
  opened = "opened", opened_unique = "opened", clicked = "clicked", clicked_unique = "clicked",
  unsubscribed = "unsubscribed", spam_complaint = "complained",
  soft_bounced = "bounced", hard_bounced = "bounced",
}

local function mailersend_event(p)
  local provider_type = str(p.type) or "unknown"
  if provider_type == "webhook.test" then
    return { type = "test", provider = "mailersend", provider_type = provider_type, tags = {},
             timestamp = dates.to_epoch(str(p.created_at) or ""), raw = p }
  end
  local d = tab(p.data)
  local kind = provider_type:match("^activity%.(.+)$")
  local t = kind and MAILERSEND_TYPES[kind] or "other"
  local email = tab(d.email)
  local morph = tab(d.morph)
  local message = tab(email.message)
  local rcpt = tab(email.recipient)
  local severity
  if kind == "hard_bounced" then severity = "permanent"
  elseif kind == "soft_bounced" then severity = "temporary" end
  local reason
  if t == "bounced" or t == "deferred" or t == "unsubscribed" or t == "complained" then
    reason = str(morph.readable_reason) or str(morph.reason)
  end
  return {
    type = t, severity = severity, provider = "mailersend", provider_type = provider_type,
    id = str(d.id),
    recipient = str(rcpt.email),
    message_id = str(message.id),
    timestamp = dates.to_epoch(str(d.created_at) or str(p.created_at) or ""),
    tags = list(email.tags),
    url = t == "clicked" and str(morph.url) or nil,
    reason = reason,
    unique = (kind == "opened_unique" or kind == "clicked_unique") or nil,
    raw = p,
  }
end

local function parse_mailersend(args)
  local secret = args.secret or args.signing_key
  local ok, why = mailersend_webhooks.verify({ secret = secret, body = args.body,
    signature = header(args.headers, "Signature") })
  if not ok then return bad_signature("mailersend", why) end
  local payload = json.decode(args.body)
  if type(payload) ~= "table" or type(payload.type) ~= "string" then
    return bad_body("mailersend", "no event type")
  end
  return { mailersend_event(payload) }
end

local PARSERS = { mailgun = parse_mailgun, mailersend = parse_mailersend }

-- Which provider sent this delivery (a guess from its shape), or nil.
function _M.detect(args)
  if header(args.headers, "Signature") then return "mailersend" end
  local body = type(args.body) == "string" and args.body or ""
  if body:find('"event-data"', 1, true) or body:find("^%s*[%w_-]+=") then return "mailgun" end
  if body:find('"type"', 1, true) then return "mailersend" end
  return nil
end

-- the names parse takes (values as received, except the settings)
local PARSE_ARGS = { provider = "string", body = "any", headers = "any", signing_key = "string|table",
                     secret = "string|table", tolerance = "number|boolean", seen = "function",
                     now = "number" }

function _M.parse(args)
  options.check(args, PARSE_ARGS, "webhooks.parse")
  if type(args.body) ~= "string" then
    error("bad argument 'body' to 'webhooks.parse' (the raw request body, a string)", 2)
  end
  local provider = args.provider or _M.detect(args)
  local parser = PARSERS[provider]
  if not parser then
    return nil, errors.invalid("unknown webhook provider '" .. tostring(provider) .. "'",
      { field = "provider" })
  end
  -- one key, or a table of keys by provider (an endpoint taking both)
  local key = args.signing_key or args.secret
  if type(key) == "table" then key = key[provider] end
  if type(key) ~= "string" or key == "" then
    error("bad argument 'secret' to 'webhooks.parse' (the " .. provider
      .. " webhook signing key or secret)", 2)
  end
  local a = {}
  for k, v in pairs(args) do a[k] = v end
  a.signing_key, a.secret = key, key
  return parser(a)
end

return _M
