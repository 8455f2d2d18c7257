-- Attachments from a path (streamed from disk while sending, whatever the
-- size), from bytes in memory, and an inline image referenced as cid:.
--   MAILGUN_API_KEY, MAILGUN_DOMAIN, MAILGUN_BASE_URL or MAILGUN_REGION
local mailgun = require("mailgun")

local client = mailgun.new({
  api_key = os.getenv("MAILGUN_API_KEY") or "key-sandbox",
  domain = os.getenv("MAILGUN_DOMAIN") or "sandbox.test",
  region = os.getenv("MAILGUN_REGION"),
  base_url = os.getenv("MAILGUN_BASE_URL"),
})

-- a report on disk, as an application would have it
local path = os.tmpname()
local f = assert(io.open(path, "wb"))
for i = 1, 1000 do f:write(("line %d of the monthly report\n"):format(i)) end
f:close()

local pixel = "\137PNG\r\n\26\n" .. ("\0"):rep(32) -- any bytes will do

local res, err = client.messages:send({
  from = "Reports <reports@" .. client.domain .. ">",
  to = "ann@example.com",
  subject = "Your monthly report",
  text = "The report is attached.",
  html = '<p>The report is attached.</p><img src="cid:logo.png">',
  attachments = {
    { path = path, filename = "report.txt", content_type = "text/plain" },
    { data = "name,total\nann,42\n", filename = "totals.csv", content_type = "text/csv" },
  },
  inline = { { data = pixel, filename = "logo.png", content_type = "image/png" } },
})
os.remove(path)
if not res then
  io.stderr:write(tostring(err), "\n")
  os.exit(1)
end
print("sent with attachments: " .. res.id)

-- a missing file is refused before anything is sent
local _, missing = client.messages:send({
  from = "reports@" .. client.domain, to = "ann@example.com", subject = "x", text = "x",
  attachments = { { path = "/nonexistent/report.pdf" } },
})
print("missing file: " .. missing.kind .. ": " .. missing.message)
