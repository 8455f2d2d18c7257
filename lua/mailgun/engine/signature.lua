-- Signature checks shared by the providers' webhook and inbound helpers:
-- a hex HMAC-SHA256 compared in constant time, and a replay guard.
-- Never raises on malformed input.
local core = require("mailgun.core")
local clock = require("mailgun.engine.clock")

local type, pairs = type, pairs

local _M = {}

-- true when signature (hex, any case) is HMAC-SHA256(key, text).
function _M.hmac_matches(key, text, signature)
  if type(signature) ~= "string" or #signature ~= 64 then return false end
  return core.equal(core.hmac_sha256(key, text), signature:lower())
end

-- A small in-memory replay guard: seen(token) is true when the token was
-- seen in the last ttl seconds, and records it otherwise.
function _M.replay_guard(ttl)
  ttl = ttl or 600
  local tokens, count = {}, 0
  return function(token)
    local t = clock.epoch()
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

return _M
