-- Authorization: which provider a request is for, and whether its
-- credentials are good. Basic -> Mailgun (user "api", password a key);
-- Bearer -> MailerSend (a token).
local store = require("sandbox.store")

local type = type

local _M = {}

-- -> "basic", user, password | "bearer", token | nil
function _M.parse(header)
  if type(header) ~= "string" then return nil end
  local scheme, cred = header:match("^%s*(%a+)%s+(%S+)%s*$")
  if not scheme then return nil end
  scheme = scheme:lower()
  if scheme == "basic" then
    local dec = ngx.decode_base64(cred)
    if not dec then return "basic" end
    local user, pass = dec:match("^([^:]*):(.*)$")
    return "basic", user, pass
  elseif scheme == "bearer" then
    return "bearer", cred
  end
  return scheme
end

-- Mailgun: -> key record | nil
function _M.mailgun(user, pass)
  if user ~= "api" or not pass then return nil end
  return store.mg.key_by_secret[pass]
end

-- A domain sending key may only send for its own domain.
function _M.mailgun_allowed(key, method, path)
  if key.role ~= "sending" then return true end
  if method ~= "POST" then return false end
  local dom = path:match("^/v3/([^/]+)/messages$") or path:match("^/v3/([^/]+)/messages%.mime$")
  return dom ~= nil and dom == key.domain_name
end

function _M.mailersend(token)
  local t = token and store.ms.tokens[token]
  if t and t.status ~= "pause" then return t end
end

return _M
