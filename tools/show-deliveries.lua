-- Prints the messages the sandbox delivered (GET /sandbox/messages).
local core = require("mailgun.core")
local json = require("cjson")

local base = assert(arg[1], "usage: show-deliveries.lua SANDBOX_URL")
local session = core.session({ timeout = 5000 })
local res = assert(session:request({ method = "GET", url = base .. "/sandbox/messages" }))
assert(res.status == 200, "sandbox answered " .. res.status)
local data = json.decode(res.body)
local list = data.items or data.messages or data
for _, m in ipairs(list) do
  print(("-- [%s] to %s"):format(m.provider or "?", m.recipient or m.to or "?"))
  print("   subject: " .. tostring(m.subject))
  local text = tostring(m.text or m.html or ""):gsub("\n", "\n   ")
  print("   " .. text)
end
print(("%d messages delivered"):format(#list))
