-- luacheck: std ngx_lua
-- One webhook endpoint for both providers' events (OpenResty):
--
--   location = /webhooks/email {
--     set $mailgun_webhook_signing_key "...";   # or env MAILGUN_WEBHOOK_SIGNING_KEY
--     set $mailersend_webhook_secret "...";     # or env MAILERSEND_WEBHOOK_SECRET
--     client_body_buffer_size 1m;               # keep the body in memory
--     content_by_lua_file examples/openresty/unified_webhook.lua;
--   }
--
-- Point Mailgun and MailerSend at the same URL (or add ?provider=mailgun |
-- mailersend). The signature is checked with each provider's own scheme,
-- replays are refused, and every delivery becomes events of one shape
-- (mailgun.unified.events); here they are logged and echoed as JSON.
-- Answers: 200 {received=n, events=[...]}, 401 bad signature, 400 not a
-- webhook, 405 not a POST. Mailgun and MailerSend retry on 5xx, not on 4xx.
local unified = require("mailgun.unified")
local mailgun_webhooks = require("mailgun.webhooks")
local mailersend_webhooks = require("mailersend.webhooks")
local cjson = require("cjson.safe")

local function secret(var, env)
  local v = ngx.var[var]
  if v == nil or v == "" then v = os.getenv(env) end
  return v
end

-- per-worker replay guards (this file runs again for every request; the
-- state lives in a module table)
local state = package.loaded["examples.unified_webhook.state"]
if not state then
  state = { seen = mailgun_webhooks.replay_guard(600), dedupe = mailersend_webhooks.dedupe() }
  package.loaded["examples.unified_webhook.state"] = state
end

local function answer(status, body)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.say(cjson.encode(body))
  return ngx.exit(status)
end

if ngx.req.get_method() ~= "POST" then return answer(405, { error = "POST only" }) end

ngx.req.read_body()
local body = ngx.req.get_body_data()
if not body then
  local path = ngx.req.get_body_file()
  local f = path and io.open(path, "rb")
  body = f and f:read("*a") or ""
  if f then f:close() end
end
local headers = ngx.req.get_headers()
local provider = ngx.var.arg_provider or unified.webhooks.detect({ body = body, headers = headers })

local keys = {
  mailgun = secret("mailgun_webhook_signing_key", "MAILGUN_WEBHOOK_SIGNING_KEY"),
  mailersend = secret("mailersend_webhook_secret", "MAILERSEND_WEBHOOK_SECRET"),
}
if not provider or not keys[provider] then
  return answer(400, { error = "unknown provider or no key configured for it" })
end

local events, err = unified.webhooks.parse({ provider = provider, body = body, headers = headers,
  secret = keys, seen = state.seen })
if not events then
  ngx.log(ngx.WARN, "webhook refused: ", tostring(err))
  return answer(err.kind == "auth" and 401 or 400, { error = err.message })
end
-- MailerSend has no replay token: deliveries are deduplicated on data.id
if provider == "mailersend" and not state.dedupe(events[1].raw) then
  return answer(200, { received = 0, duplicate = true })
end

local out = {}
for i, e in ipairs(events) do
  ngx.log(ngx.INFO, provider, " ", e.type, e.severity and ("/" .. e.severity) or "", " ",
    tostring(e.recipient), " ", tostring(e.message_id))
  out[i] = { provider = e.provider, type = e.type, severity = e.severity, recipient = e.recipient,
             message_id = e.message_id, timestamp = e.timestamp, url = e.url, reason = e.reason,
             tags = e.tags }
end
return answer(200, { received = #out, events = out })
