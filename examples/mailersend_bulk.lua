-- A newsletter to 1,200 readers through /bulk-email: split into calls of at
-- most 500 messages, sent two calls at a time, with a progress bar; then
-- waits until MailerSend has processed every bulk and prints its state. A
-- failed call is resumed with {resume = report}: only its messages go again.
--   MAILERSEND_BASE_URL (default: the local sandbox), MAILERSEND_TOKEN,
--   MAILERSEND_FROM, READERS (default 1200)
local mailersend = require("mailersend")

-- MAILERSEND_BASE_URL, else the bundled sandbox started for this run
local sandbox = dofile((arg[0]:match("^(.*)/") or ".") .. "/mailersend_sandbox.lua")
local client = mailersend.new({
  token = os.getenv("MAILERSEND_TOKEN") or "mlsn.sandbox",
  base_url = sandbox.base_url(),
})
local from = os.getenv("MAILERSEND_FROM") or "news@sandbox.test"

local messages = {}
for i = 1, tonumber(os.getenv("READERS") or "1200") do
  local to = ("reader%04d@example.com"):format(i)
  messages[i] = {
    from = { email = from, name = "Newsletter" },
    to = to,
    subject = "November news for {{ first }}",
    text = "Hi {{ first }},\nHere is what happened this month.",
    personalization = { [to] = { first = "Reader " .. i } },
    tags = { "newsletter" },
  }
end

local report, err = client.email:send_bulk(messages, {
  size = 500,
  parallel = 2,
  progress = function(r, call)
    print(("call %d/%d: %d messages sent, %d failed%s"):format(#r.calls, r.total_calls, r.sent,
      r.failed, call.error and " (" .. call.error.kind .. ")" or ""))
  end,
})
if not report then -- a message was refused before sending (err.index says which)
  io.stderr:write(tostring(err), "\n")
  sandbox.exit(1)
end
if not report.ok then
  for _, call in ipairs(report.calls) do
    if call.error then print("call failed: " .. tostring(call.error)) end
  end
  report = client.email:send_bulk(messages, { resume = report })
end
print(("%d messages in %d bulk calls: %s"):format(report.sent + report.skipped, #report.calls,
  table.concat(report.bulk_email_ids, ", ")))

for _, id in ipairs(report.bulk_email_ids) do
  local status, werr = client.bulk:wait(id, { interval = 1, timeout = 60 })
  if not status then
    io.stderr:write(tostring(werr), "\n")
    sandbox.exit(1)
  end
  local data = status.data or status
  print(("%s: %s, %.0f recipients, %.0f suppressed, %.0f validation errors"):format(id,
    tostring(data.state), data.total_recipients_count or 0, data.suppressed_recipients_count or 0,
    data.validation_errors_count or 0))
end
sandbox.exit(report.ok and 0 or 1)
