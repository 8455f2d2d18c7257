-- MailerSend webhook signatures: header Signature = hex HMAC-SHA256(key =
-- the webhook's secret, msg = the raw body), compared in constant time.
-- Never raises on a malformed input: returns true, or false and a reason.
local json = require("mailgun.engine.json")
local signature = require("mailgun.engine.signature")
local options = require("mailgun.engine.options")

local type, tostring, error = type, tostring, error

local _M = {}

-- The fixed, public secret MailerSend signs its "webhook.test" pings with.
_M.TEST_SECRET = "test_Am3L1GuOIc4blLUuHqAPxxwkZaJyEk8G"

-- mailersend.webhooks.verify{secret=, signature=, body=}: true | false, reason.
-- A "webhook.test" ping signed with the public test secret is accepted, and
-- that secret is refused for every other event type.
-- the names verify takes (values as received: a bad signature is false)
_M.VERIFY_ARGS = { secret = "any", signature = "any", body = "any" }

function _M.verify(args)
  options.check(args, _M.VERIFY_ARGS, "webhooks.verify")
  local body, sig, secret = args.body, args.signature, args.secret
  if type(body) ~= "string" then
    error("bad argument 'body' to 'webhooks.verify' (the raw request body, a string)", 2)
  end
  if type(secret) ~= "string" or secret == "" then
    error("bad argument 'secret' to 'webhooks.verify' (the webhook's signing secret)", 2)
  end
  if type(sig) ~= "string" or #sig ~= 64 then
    return false, "missing or malformed signature"
  end
  if signature.hmac_matches(secret, body, sig) then
    if secret == _M.TEST_SECRET then
      local payload = json.decode(body)
      if type(payload) ~= "table" or payload.type ~= "webhook.test" then
        return false, "the public test secret is only valid for webhook.test"
      end
    end
    return true
  end
  if signature.hmac_matches(_M.TEST_SECRET, body, sig) then
    local payload = json.decode(body)
    if type(payload) == "table" and payload.type == "webhook.test" then return true end
    return false, "the public test secret is only valid for webhook.test"
  end
  return false, "signature mismatch"
end

-- Deduplicates MailerSend deliveries on data.id: returns true the first time.
function _M.dedupe(ttl)
  local seen = signature.replay_guard(ttl or 3 * 86400)
  return function(payload)
    if type(payload) == "string" then payload = json.decode(payload) end
    local id = type(payload) == "table" and type(payload.data) == "table" and payload.data.id
    if not id then return true end
    return not seen(tostring(id))
  end
end

return _M
