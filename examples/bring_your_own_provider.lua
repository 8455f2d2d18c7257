-- Bring your own provider: the application code below sends a welcome
-- message and a small newsletter without knowing which provider the
-- customer connected; configuration alone picks Mailgun or MailerSend.
--   EMAIL_PROVIDER=mailgun|mailersend (default: both, one after the other)
--   MAILGUN_API_KEY, MAILGUN_DOMAIN, MAILGUN_BASE_URL
--   MAILERSEND_TOKEN, MAILERSEND_BASE_URL
-- Without variables it runs against the bundled sandbox.
local unified = require("mailgun.unified")

local env = os.getenv
local SANDBOX = env("SANDBOX_URL") or "http://127.0.0.1:8025"

-- What a SaaS platform would keep per customer, e.g. in its database.
local CONFIG = {
  mailgun = {
    provider = "mailgun",
    api_key = env("MAILGUN_API_KEY") or "key-sandbox",
    domain = env("MAILGUN_DOMAIN") or "sandbox.test",
    base_url = env("MAILGUN_BASE_URL") or SANDBOX,
  },
  mailersend = {
    provider = "mailersend",
    token = env("MAILERSEND_TOKEN") or "mlsn.sandbox",
    base_url = env("MAILERSEND_BASE_URL") or (SANDBOX .. "/v1"),
  },
}
local SENDER = { email = "hello@" .. (env("MAILGUN_DOMAIN") or "sandbox.test"), name = "Acme" }

-- Application code: one message model, whatever the provider ------------------

local function welcome(account, user)
  local msg = {
    from = SENDER,
    to = { { email = user.email, name = user.name } },
    subject = "Welcome, {{ name }}!",
    text = "Hi {{ name }}, your {{ plan }} plan is ready.",
    html = "<p>Hi {{ name }}, your <b>{{ plan }}</b> plan is ready.</p>",
    tags = { "welcome" },
    headers = { ["X-Customer-Id"] = user.id },
    recipient_variables = { [user.email] = { name = user.name, plan = user.plan } },
    attachments = { { data = "Getting started\n1. Log in\n2. Invite your team\n", filename = "start.txt" } },
  }
  -- a dry run where the provider has one, a real send elsewhere
  if account:supports("test_mode") then msg.test_mode = true end
  return account:send(msg)
end

local function newsletter(account, readers)
  return account:send_batch({
    from = SENDER,
    subject = "What's new this month, {{ name }}",
    text = "Hi {{ name }}, here is what changed in {{ month }}.",
    tags = { "newsletter" },
  }, readers)
end

-- Wiring: the provider comes from configuration -----------------------------------

local function run(name)
  local account = unified.connect(CONFIG[name])
  local res, err = welcome(account, { id = "c_1001", email = "ann@example.com", name = "Ann", plan = "Pro" })
  if not res then
    io.stderr:write(name, ": welcome failed: ", tostring(err), "\n")
    return false
  end
  print(("%s: welcome accepted for %s, id %s, %d warning(s)"):format(res.provider,
    table.concat(res.accepted, ", "), tostring(res.id), #res.warnings))

  local readers = {}
  for i = 1, 3 do
    readers[i] = { email = ("reader%d@example.com"):format(i), name = "Reader " .. i,
                   variables = { name = "Reader " .. i, month = "November" } }
  end
  local report
  report, err = newsletter(account, readers)
  if not report then
    io.stderr:write(name, ": newsletter refused: ", tostring(err), "\n")
    return false
  end
  print(("%s: newsletter %d/%d recipients in %d call(s), %d failed"):format(report.provider,
    report.sent, report.total, #report.calls, report.failed))

  -- a feature the provider lacks is an error, never silently dropped
  local _, nerr = account:send({ from = SENDER, to = "ann@example.com", subject = "AMP", text = "x",
                                 amp_html = "<html amp4email></html>" })
  print(("%s: amp_html -> %s"):format(name, nerr and nerr.kind or "sent"))
  account:close()
  return report.ok
end

local chosen = env("EMAIL_PROVIDER")
local names = chosen and { chosen } or { "mailgun", "mailersend" }
local ok = true
for _, name in ipairs(names) do
  if not CONFIG[name] then
    io.stderr:write("EMAIL_PROVIDER must be mailgun or mailersend\n")
    os.exit(2)
  end
  ok = run(name) and ok
end
os.exit(ok and 0 or 1)
