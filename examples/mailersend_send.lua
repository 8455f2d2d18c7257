-- Sends one email through MailerSend: personalization, an attachment from
-- disk and an inline image, tags, then prints the message id, whether the
-- domain's sending is paused, any suppression warnings and the rate limits.
-- A message that breaks a limit is refused before anything is sent.
--   MAILERSEND_BASE_URL (default: the local sandbox), MAILERSEND_API_TOKEN,
--   MAILERSEND_FROM (an address of a verified domain)
local mailersend = require("mailersend")

local client = mailersend.new({
  token = os.getenv("MAILERSEND_API_TOKEN") or "mlsn.sandbox",
  base_url = os.getenv("MAILERSEND_BASE_URL") or "http://127.0.0.1:8025/v1",
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
  os.exit(1)
end
print("sent: message_id " .. tostring(res.message_id) .. ", send_paused " .. tostring(res.send_paused))
for _, w in ipairs(res.warnings or {}) do
  print("warning " .. tostring(w.type) .. ": " .. tostring(w.warning))
end
local limits = mailersend.limits(res)
print(("rate limit: %s of %s left this minute; daily quota left: %s"):format(
  tostring(limits.remaining), tostring(limits.limit), tostring(limits.quota_remaining)))

-- refused here, before any request: MailerSend takes at most 5 tags
local _, bad = client.email:send({ from = from, to = "ann@example.com", subject = "x", text = "x",
                                   tags = { "a", "b", "c", "d", "e", "f" } })
print("refused: " .. bad.kind .. ": " .. bad.message)

-- the daily quota, which this call does not count against
local quota = client.api_quota:get()
if quota then print(("daily quota: %s of %s left"):format(tostring(quota.remaining), tostring(quota.quota))) end
