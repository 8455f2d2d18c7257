-- Keeps a local "do not mail" set in step with Mailgun's suppression lists:
-- imports local unsubscribes in bulk, then walks every bounce, unsubscribe
-- and complaint across pages.
local mailgun = require("mailgun")

local client = mailgun.new({
  api_key = os.getenv("MAILGUN_API_KEY") or "key-sandbox",
  domain = os.getenv("MAILGUN_DOMAIN") or "sandbox.test",
  region = os.getenv("MAILGUN_REGION"),
  base_url = os.getenv("MAILGUN_BASE_URL"),
})

-- 1. push what the application knows (a JSON list of up to 1,000 records per call)
local local_unsubscribes = {}
for i = 1, 25 do
  local_unsubscribes[i] = { address = ("left%02d@example.com"):format(i), tags = { "*" } }
end
assert(client.unsubscribes:create(local_unsubscribes))
assert(client.bounces:create({ { address = "gone@example.com", code = "550", error = "No such user" } }))

-- 2. pull everything Mailgun has, page by page
local do_not_mail = {}
for _, list in ipairs({ "bounces", "unsubscribes", "complaints" }) do
  local n = 0
  for record, err in client[list]:each({ limit = 10 }) do
    if not record then
      io.stderr:write(list, ": ", tostring(err), "\n")
      os.exit(1)
    end
    do_not_mail[record.address] = list
    n = n + 1
  end
  print(("%-12s %d addresses"):format(list, n))
end
local total = 0
for _ in pairs(do_not_mail) do total = total + 1 end
print("do-not-mail set: " .. total .. " addresses")
