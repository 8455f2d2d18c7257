-- Verifies a Mailgun webhook delivery and prints the event. Use it as a CGI
-- handler, or pipe a body into it:  lua5.4 webhook_receiver.lua < body.json
-- MAILGUN_WEBHOOK_SIGNING_KEY is the HTTP webhook signing key (Mailgun's
-- dashboard, or client.account:get_signing_key()), not the API key.
local mailgun = require("mailgun")
local json = require("cjson.safe")

local signing_key = os.getenv("MAILGUN_WEBHOOK_SIGNING_KEY")
if not signing_key then
  io.stderr:write("set MAILGUN_WEBHOOK_SIGNING_KEY\n")
  os.exit(2)
end

-- remembers tokens for 10 minutes: a replayed delivery is refused
local seen = mailgun.webhooks.replay_guard(600)

local function handle(body)
  local payload = json.decode(body)
  if type(payload) ~= "table" then return 400, "not JSON" end
  local ok, why = mailgun.webhooks.verify({ signing_key = signing_key, payload = payload,
                                            tolerance = 300, seen = seen })
  if not ok then return 406, why end
  local event = payload["event-data"] or {}
  return 200, ("%s for %s"):format(tostring(event.event), tostring(event.recipient))
end

local body = io.read("*a")
local status, text = handle(body)
print(status, text)
-- the same delivery again is a replay
if status == 200 then print(handle(body)) end
os.exit(status == 200 and 0 or 1)
