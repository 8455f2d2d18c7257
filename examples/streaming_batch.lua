-- A campaign streamed from a CSV file: recipients are read one call at a
-- time (never all in memory), with a journal, so that running the script
-- again after a crash (even kill -9) continues where it stopped and never
-- sends a finished call twice. Calls whose outcome is uncertain (the
-- server may have accepted them) are settled from Mailgun's events log
-- with batch:reconcile, never blindly resent.
--   lua5.4 examples/streaming_batch.lua [subscribers.csv] [campaign.journal]
local mailgun = require("mailgun")

local csv = arg[1] or "examples/data/subscribers.csv"
local journal = arg[2] or os.tmpname()

local client = mailgun.new({
  api_key = os.getenv("MAILGUN_API_KEY") or "key-sandbox",
  domain = os.getenv("MAILGUN_DOMAIN") or "sandbox.test",
  region = os.getenv("MAILGUN_REGION"),
  base_url = os.getenv("MAILGUN_BASE_URL"),
})

local batch = client:batch({
  from = "Newsletter <news@" .. client.domain .. ">",
  subject = "Your %recipient.plan% plan, %recipient.first%",
  text = "Hi %recipient.first%,\nthanks for reading.",
})

-- source() -> address, vars for the next line of the file; nil at the end.
-- A new source for every run: it re-reads the file from the top, in order.
local function csv_source(path)
  local lines = assert(io.lines(path))
  lines() -- the header: email,first,plan
  return function()
    local line = lines()
    if not line then return nil end
    local email, first, plan = line:match("^([^,]*),([^,]*),([^,]*)$")
    return email or line, { first = first, plan = plan }
  end
end

local report, err = batch:send({ source = csv_source(csv), size = 500, parallel = 2, journal = journal,
  source_id = csv,
  progress = function(_, call)
    print(("call %d: recipients %d-%d -> %s"):format(call.index, call.first, call.first + call.count - 1,
      call.id or (call.uncertain and "uncertain: " or "failed: ") .. tostring(call.error)))
  end })
if not report then
  io.stderr:write(tostring(err), "\n") -- e.g. the journal belongs to another campaign
  os.exit(1)
end
if report.uncertain > 0 then
  -- Mailgun's events say whether they were accepted; settle = 0 only
  -- because the sandbox's log is immediate (Mailgun's may lag: keep the default)
  batch:reconcile(report, { settle = tonumber(os.getenv("SETTLE") or "1800") })
end
if not report.ok and report.uncertain == 0 then
  report = assert(batch:send({ source = csv_source(csv), size = 500, journal = journal, source_id = csv }))
end
print(("campaign: %d recipients, %d sent now, %d sent before, %d failed, %d uncertain; journal %s")
  :format(report.total, report.sent, report.skipped, report.failed, report.uncertain, journal))
if report.ok and not arg[2] then os.remove(journal) end -- a finished campaign needs it no more
os.exit(report.ok and 0 or 1)
