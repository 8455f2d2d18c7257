-- A stored template with a version, then a message that renders it with
-- variables (sent as t:variables).
local mailgun = require("mailgun")

local client = mailgun.new({
  api_key = os.getenv("MAILGUN_API_KEY") or "key-sandbox",
  domain = os.getenv("MAILGUN_DOMAIN") or "sandbox.test",
  region = os.getenv("MAILGUN_REGION"),
  base_url = os.getenv("MAILGUN_BASE_URL"),
})

local name = "order-shipped"
local _, err = client.templates:create({
  name = name,
  description = "Sent when an order leaves the warehouse",
  template = "<p>Hello {{customer}}, order {{order}} is on its way.</p>",
  tag = "v1",
  comment = "first version",
})
if err and err.status ~= 409 then -- 409: it exists already
  io.stderr:write(tostring(err), "\n")
  os.exit(1)
end

local res, serr = client.messages:send({
  from = "Shop <shop@" .. client.domain .. ">",
  to = "ann@example.com",
  subject = "Your order has shipped",
  template = name,
  variables = { customer = "Ann", order = "#1042" },
})
if not res then
  io.stderr:write(tostring(serr), "\n")
  os.exit(1)
end
print("sent with template '" .. name .. "': " .. res.id)

local t = assert(client.templates:get({ template_name = name, active = "yes" }))
print("active version: " .. tostring(t.template and t.template.version and t.template.version.tag))
