-- Quickstart: a personalized batch through Mailgun, one message through
-- MailerSend. Runs against the real APIs with your keys, or against the
-- bundled sandbox (`make demo` sets the variables below for you):
--   MAILGUN_API_KEY, MAILGUN_DOMAIN, MAILGUN_BASE_URL (or MAILGUN_REGION=eu)
--   MAILERSEND_TOKEN, MAILERSEND_BASE_URL
local mailgun = require("mailgun")
local mailersend = require("mailersend")

local env = os.getenv

local mg = mailgun.new({
  api_key = env("MAILGUN_API_KEY") or "key-sandbox",
  domain = env("MAILGUN_DOMAIN") or "sandbox.test",
  region = env("MAILGUN_REGION"),
  base_url = env("MAILGUN_BASE_URL"),
})

-- One message, personalized per recipient with %recipient.*% variables.
local batch = mg:batch({
  from = { name = "Quickstart", address = "hello@" .. mg.domain },
  subject = "Welcome, %recipient.name%!",
  text = "Hi %recipient.name%, your invitation code is %recipient.code%.",
  tags = { "quickstart" },
})
batch:add("ann@example.com", { name = "Ann", code = "A-1001" })
batch:add({ name = "Bob Stone", address = "bob@example.com" }, { code = "B-2002" })
batch:add("cleo@example.com", { name = "Cleo", code = "C-3003" })

local report, err = batch:send({
  progress = function(r, call)
    print(("mailgun: call %d/%d sent %d recipients -> %s"):format(#r.calls, r.total_calls,
      call.count, call.id or tostring(call.error)))
  end,
})
if not report then
  io.stderr:write("mailgun batch refused: ", tostring(err), "\n")
  os.exit(1)
end
print(("mailgun: %d sent, %d failed"):format(report.sent, report.failed))

local ms = mailersend.new({
  token = env("MAILERSEND_TOKEN") or "mlsn.sandbox",
  base_url = env("MAILERSEND_BASE_URL"),
})
local res, serr = ms.email:send({
  from = { email = "hello@sandbox.test", name = "Quickstart" },
  to = { { email = "dana@example.com", name = "Dana" } },
  subject = "Hello {{ name }}",
  text = "Hi {{ name }}, this one went through MailerSend.",
  personalization = { { email = "dana@example.com", data = { name = "Dana" } } },
})
if not res then
  io.stderr:write("mailersend: ", tostring(serr), "\n")
  os.exit(1)
end
print("mailersend: accepted, message id " .. tostring(res.message_id))

os.exit(report.ok and 0 or 1)
