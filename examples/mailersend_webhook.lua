-- A MailerSend webhook receiver: creates a webhook for the first domain,
-- then runs the handler an HTTP server would call on each delivery (raw body
-- + Signature header): verify the HMAC of the raw body, accept the public
-- test secret only for webhook.test pings, drop redeliveries of an event
-- already handled (MailerSend retries for days), answer fast.
--   MAILERSEND_BASE_URL (default: the local sandbox), MAILERSEND_TOKEN,
--   MAILERSEND_WEBHOOK_SECRET (when the API does not return the secret)
local mailersend = require("mailersend")
local json = require("cjson.safe")
local core = require("mailgun.core")

-- MAILERSEND_BASE_URL, else the bundled sandbox started for this run
local sandbox = dofile((arg[0]:match("^(.*)/") or ".") .. "/mailersend_sandbox.lua")
local client = mailersend.new({
  token = os.getenv("MAILERSEND_TOKEN") or "mlsn.sandbox",
  base_url = sandbox.base_url(),
})

local domains, err = client.domains:list({ limit = 10 })
if not domains then
  io.stderr:write(tostring(err), "\n")
  sandbox.exit(1)
end
local domain = domains.data[1]
if not domain then
  io.stderr:write("the account has no domain\n")
  sandbox.exit(1)
end
local created, cerr = client.webhooks:create({
  domain_id = domain.id, name = "orders", url = "https://hooks.example.com/mailersend",
  enabled = true, events = { "activity.delivered", "activity.hard_bounced" },
})
if not created then
  io.stderr:write(tostring(cerr), "\n")
  sandbox.exit(1)
end
local webhook = created.data
local secret = webhook.secret or webhook.signing_secret or os.getenv("MAILERSEND_WEBHOOK_SECRET") or "example-secret"
print("webhook " .. tostring(webhook.id) .. " for " .. tostring(domain.name))

-- remembers event ids for three days: a redelivery is acknowledged, not handled twice
local fresh = mailersend.webhooks.dedupe(3 * 86400)

-- The handler: raw body and Signature header in, HTTP status and text out.
local function handle(body, signature)
  local ok, why = mailersend.webhooks.verify({ secret = secret, signature = signature, body = body })
  if not ok then return 401, why end
  local event = json.decode(body)
  if type(event) ~= "table" then return 400, "not JSON" end
  if event.type == "webhook.test" then return 200, "test ping" end
  if not fresh(event) then return 200, "duplicate, ignored" end
  local data = event.data or {}
  local recipient = type(data.email) == "table" and data.email.recipient or {}
  return 200, ("%s for %s"):format(tostring(event.type), tostring(recipient.email))
end

-- deliveries as MailerSend would send them
local delivered = json.encode({
  type = "activity.delivered", domain_id = domain.id, webhook_id = webhook.id,
  created_at = "2026-11-22T10:00:00.000000Z",
  data = { object = "activity", id = "65a1f0c4b1c2d3e4f5a6b7c9", type = "delivered",
           email = { recipient = { email = "ann@example.com" } } },
})
local ping = json.encode({ type = "webhook.test", message = "This is a test webhook." })
local cases = {
  { "delivery", delivered, core.hmac_sha256(secret, delivered) },
  { "redelivery", delivered, core.hmac_sha256(secret, delivered) },
  { "test ping", ping, core.hmac_sha256(mailersend.webhooks.TEST_SECRET, ping) },
  { "forged (test secret)", delivered, core.hmac_sha256(mailersend.webhooks.TEST_SECRET, delivered) },
  { "truncated signature", delivered, core.hmac_sha256(secret, delivered):sub(1, 40) },
  { "no signature", delivered, nil },
}
local want = { 200, 200, 200, 401, 401, 401 }
local failed = false
for i, case in ipairs(cases) do
  local status, text = handle(case[2], case[3])
  print(("%-22s -> %d %s"):format(case[1], status, text))
  if status ~= want[i] then failed = true end
end

local deleted, derr = client.webhooks:delete({ webhook_id = webhook.id })
if not deleted then io.stderr:write(tostring(derr), "\n") end
sandbox.exit((failed or not deleted) and 1 or 0)
