-- Mailgun webhook signatures: hex HMAC-SHA256(key = the webhook signing
-- key, msg = timestamp .. token); stale timestamps and replayed tokens are
-- refused. Compares in constant time and never raises on a malformed
-- input: returns true, or false and a reason.
local json = require("mailgun.engine.json")
local signature = require("mailgun.engine.signature")
local clock = require("mailgun.engine.clock")
local options = require("mailgun.engine.options")

local type, tostring, tonumber, error = type, tostring, tonumber, error
local abs = math.abs

local _M = {}


-- Reads the signature fields from args, a decoded payload or its JSON text.
local function mailgun_fields(args)
  local sig = args
  local payload = args.payload or args.body
  if type(payload) == "string" then payload = json.decode(payload) end
  if type(payload) == "table" then
    sig = type(payload.signature) == "table" and payload.signature or payload
  elseif type(args.signature) == "table" then
    sig = args.signature
  end
  return sig.timestamp, sig.token, sig.signature
end

-- mailgun.webhooks.verify{signing_key=, timestamp=, token=, signature=,
--   tolerance=300, seen=function(token) -> true if seen before (and records it),
--   now=seconds} or {signing_key=, payload = decoded JSON or raw body}
-- -> true | false, reason
-- the names verify takes; the request's values (payload, signature...) may
-- be anything a client sent, so only names and settings are checked.
_M.VERIFY_ARGS = { signing_key = "any", timestamp = "any", token = "any", signature = "any",
                   payload = "any", body = "any", tolerance = "number|boolean", seen = "function",
                   now = "number" }

function _M.verify(args)
  options.check(args, _M.VERIFY_ARGS, "webhooks.verify")
  local key = args.signing_key
  if type(key) ~= "string" or key == "" then
    error("bad argument 'signing_key' to 'webhooks.verify' (the webhook signing key is required;"
      .. " it is not the API key)", 2)
  end
  local timestamp, token, sig = mailgun_fields(args)
  if type(timestamp) == "number" then timestamp = tostring(math.floor(timestamp)) end
  if type(timestamp) ~= "string" or type(token) ~= "string" or type(sig) ~= "string" then
    return false, "missing timestamp, token or signature"
  end
  local ts = tonumber(timestamp)
  if not ts then return false, "timestamp is not a number" end
  local tolerance = args.tolerance == nil and 300 or args.tolerance
  if tolerance and tolerance > 0 and abs((args.now or clock.epoch()) - ts) > tolerance then
    return false, "stale timestamp"
  end
  if not signature.hmac_matches(key, timestamp .. token, sig) then
    return false, "signature mismatch"
  end
  if args.seen and args.seen(token) then
    return false, "token already seen (replay)"
  end
  return true
end

-- mailgun.webhooks.replay_guard(ttl) -> seen(token): see engine/signature.
_M.replay_guard = signature.replay_guard

return _M
