-- Sends one email through MailerSend: personalization, an attachment from
-- disk and an inline image, tags, then prints the message id, whether the
-- domain's sending is paused, any suppression warnings and the rate limits.
-- A message that breaks a limit is refused before anything is sent.
--   MAILERSEND_BASE_URL (default: the local sandbox), MAILERSEND_TOKEN,
--   MAILERSEND_FROM (an address of a verified domain)
local mailersend = require("mailersend")

-- MAILERSEND_BASE_URL, else the bundled sandbox started for this run
local sandbox = dofile((arg[0]:match("^(.*)/") or ".") .. "/mailersend_sandbox.lua")
local client = mailersend.new({
  token = os.getenv("MAILERSEND_TOKEN") or "mlsn.sandbox",
  base_url = sandbox.base_url(),
})
local from = os.getenv("MAILERSEND_FROM") or "news@sandbox.test"

-- an invoice on disk, as an application would have it
local path = os.tmpname()
local f = assert(io.open(path, "wb"))
f:write("Invoice 2026-11\nTotal: 42.00 EUR\n")
f:close()

local res, err = client.email:send({
  from = { email = from, name = "Shop" },
  to = { { email = "ann@example.com", name = "Ann" }, "bob@example.com" },
  reply_to = "help@" .. from:match("@(.+)$"),
  subject = "Your invoice, {{ name }}",
  text = "Hello {{ name }}, your invoice is attached.",
  html = '<p>Hello {{ name }}, your invoice is attached.</p><img src="cid:logo">',
  personalization = {
    ["ann@example.com"] = { name = "Ann" },
    ["bob@example.com"] = { name = "Bob" },
  },
  attachments = { { path = path, filename = "invoice.txt" } },
  inline = { { data = "\137PNG\r\n\26\n" .. ("\0"):rep(16), filename = "logo.png", id = "logo" } },
  tags = { "invoice" },
  settings = { track_opens = true, track_clicks = false },
})
os.remove(path)
if not res then
  io.stderr:write(tostring(err), "\n")
  sandbox.exit(1)
end
print("sent: message_id " .. tostring(res.message_id) .. ", send_paused " .. tostring(res.send_paused))
for _, w in ipairs(res.warnings or {}) do
  print("warning " .. tostring(w.type) .. ": " .. tostring(w.warning))
end
local limits = mailersend.limits(res)
local function n(v) return v and ("%.0f"):format(v) or "?" end
print(("rate limit: %s of %s left this minute; daily quota left: %s"):format(
  n(limits.remaining), n(limits.limit), n(limits.quota_remaining)))

-- refused here, before any request: MailerSend takes at most 5 tags
local _, bad = client.email:send({ from = from, to = "ann@example.com", subject = "x", text = "x",
                                   tags = { "a", "b", "c", "d", "e", "f" } })
print("refused: " .. bad.kind .. ": " .. bad.message)

-- the daily quota, which this call does not count against
local quota = client.api_quota:get()
if quota then print(("daily quota: %s of %s left, resets %s"):format(n(quota.remaining), n(quota.quota),
  tostring(quota.reset))) end
sandbox.exit(0)
