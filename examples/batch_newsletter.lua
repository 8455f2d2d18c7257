-- A newsletter to 2,500 subscribers: one batch, split into calls of at most
-- 1,000 recipients, each personalized with %recipient.*% variables, sent two
-- calls at a time, with a progress bar. A failed call can be resumed.
local mailgun = require("mailgun")

local client = mailgun.new({
  api_key = os.getenv("MAILGUN_API_KEY") or "key-sandbox",
  domain = os.getenv("MAILGUN_DOMAIN") or "sandbox.test",
  region = os.getenv("MAILGUN_REGION"),
  base_url = os.getenv("MAILGUN_BASE_URL"),
})

local batch = client:batch({
  from = "Newsletter <news@" .. client.domain .. ">",
  subject = "November news for %recipient.first%",
  text = "Hi %recipient.first%,\nHere is what happened this month.\n"
    .. "Unsubscribe: %unsubscribe_url%",
  tags = { "newsletter", "2026-11" },
})
local count = tonumber(os.getenv("SUBSCRIBERS") or "2500")
for i = 1, count do
  batch:add(("reader%04d@example.com"):format(i), { first = "Reader " .. i, id = i })
end

local function bar(done, total)
  local width = 30
  local filled = math.floor(width * done / total + 0.5)
  io.write(("\r[%s%s] %d/%d calls"):format(("#"):rep(filled), ("."):rep(width - filled), done, total))
  io.flush()
end

local report = assert(batch:send({
  size = 1000,
  parallel = 2,
  progress = function(r) bar(#r.calls, r.total_calls) end,
}))
io.write("\n")
if not report.ok then
  print(("%d recipients failed; resuming"):format(report.failed))
  report = assert(batch:send({ resume = report }))
end
print(("newsletter: %d recipients in %d calls, %d failed"):format(report.sent, #report.calls, report.failed))
for _, call in ipairs(report.calls) do
  print(("  %4d recipients -> %s"):format(call.count, call.id or tostring(call.error)))
end
os.exit(report.ok and 0 or 1)
