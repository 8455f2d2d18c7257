-- Webhook signature checks for both providers.
--
-- Mailgun: hex HMAC-SHA256(key = the webhook signing key, msg = timestamp ..
-- token); stale timestamps and replayed tokens are refused.
-- MailerSend: header Signature = hex HMAC-SHA256(key = the webhook's secret,
-- msg = the raw body).
-- Both compare in constant time and never raise on a malformed input:
-- they return true, or false and a reason.
local core = require("mailgun.core")
local json = require("mailgun.json")

local type, tostring, tonumber, error = type, tostring, tonumber, error
local abs = math.abs

local _M = {}

-- The fixed, public secret MailerSend signs its "webhook.test" pings with.
_M.MAILERSEND_TEST_SECRET = "test_Am3L1GuOIc4blLUuHqAPxxwkZaJyEk8G"

local function now()
  return core.now and core.now() or os.time()
end

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
function _M.verify(args)
  if type(args) ~= "table" then
    error("bad argument #1 to 'webhooks.verify' (table expected, got " .. type(args) .. ")", 2)
  end
  local key = args.signing_key
  if type(key) ~= "string" or key == "" then
    error("bad argument 'signing_key' to 'webhooks.verify' (the webhook signing key is required;"
      .. " it is not the API key)", 2)
  end
  local timestamp, token, signature = mailgun_fields(args)
  if type(timestamp) == "number" then timestamp = tostring(math.floor(timestamp)) end
  if type(timestamp) ~= "string" or type(token) ~= "string" or type(signature) ~= "string" then
    return false, "missing timestamp, token or signature"
  end
  local ts = tonumber(timestamp)
  if not ts then return false, "timestamp is not a number" end
  local tolerance = args.tolerance == nil and 300 or args.tolerance
  if tolerance and tolerance > 0 and abs((args.now or now()) - ts) > tolerance then
    return false, "stale timestamp"
  end
  local expected = core.hmac_sha256(key, timestamp .. token)
  if not core.equal(expected, signature:lower()) then
    return false, "signature mismatch"
  end
  if args.seen and args.seen(token) then
    return false, "token already seen (replay)"
  end
  return true
end

-- A small in-memory replay guard: seen(token) records tokens for ttl seconds.
function _M.replay_guard(ttl)
  ttl = ttl or 600
  local tokens, count = {}, 0
  return function(token)
    local t = now()
    if tokens[token] and t - tokens[token] <= ttl then return true end
    tokens[token] = t
    count = count + 1
    if count > 10000 then -- forget what has expired
      for k, v in pairs(tokens) do if t - v > ttl then tokens[k] = nil end end
      count = 0
    end
    return false
  end
end

-- mailersend.webhooks.verify{secret=, signature=, body=}: true | false, reason.
-- A "webhook.test" ping signed with the public test secret is accepted, and
-- that secret is refused for every other event type.
function _M.verify_mailersend(args)
  if type(args) ~= "table" then
    error("bad argument #1 to 'webhooks.verify' (table expected, got " .. type(args) .. ")", 2)
  end
  local body, signature, secret = args.body, args.signature, args.secret
  if type(body) ~= "string" then
    error("bad argument 'body' to 'webhooks.verify' (the raw request body, a string)", 2)
  end
  if type(secret) ~= "string" or secret == "" then
    error("bad argument 'secret' to 'webhooks.verify' (the webhook's signing secret)", 2)
  end
  if type(signature) ~= "string" or #signature ~= 64 then
    return false, "missing or malformed signature"
  end
  signature = signature:lower()
  if core.equal(core.hmac_sha256(secret, body), signature) then
    if secret == _M.MAILERSEND_TEST_SECRET then
      local payload = json.decode(body)
      if type(payload) ~= "table" or payload.type ~= "webhook.test" then
        return false, "the public test secret is only valid for webhook.test"
      end
    end
    return true
  end
  if core.equal(core.hmac_sha256(_M.MAILERSEND_TEST_SECRET, body), signature) then
    local payload = json.decode(body)
    if type(payload) == "table" and payload.type == "webhook.test" then return true end
    return false, "the public test secret is only valid for webhook.test"
  end
  return false, "signature mismatch"
end

-- Deduplicates MailerSend deliveries on data.id: returns true the first time.
function _M.dedupe(ttl)
  local seen = _M.replay_guard(ttl or 3 * 86400)
  return function(payload)
    if type(payload) == "string" then payload = json.decode(payload) end
    local id = type(payload) == "table" and type(payload.data) == "table" and payload.data.id
    if not id then return true end
    return not seen(tostring(id))
  end
end

return _M
