-- Opaque list cursors: base64url(JSON) of a versioned state
--   {v = 1, p = provider, r = resource, pos = {...}, f = {...filters}}
-- `pos` is where the next page starts (provider-specific); `f` holds the
-- filters the list was started with. A cursor decodes only for the same
-- provider and resource, and only with the same filters: anything else is
-- err.kind = "invalid" (nothing sent).
local core = require("mailgun.core")
local json = require("mailgun.engine.json")
local errors = require("mailgun.engine.errors")

local type, pairs, tostring, next = type, pairs, tostring, next

local _M = {}

_M.VERSION = 1

local function b64url_encode(s)
  return (core.base64_encode(s):gsub("[+/=]", { ["+"] = "-", ["/"] = "_", ["="] = "" }))
end

local function b64url_decode(s)
  if s:find("[^%w%-_]") then return nil end
  s = s:gsub("[-_]", { ["-"] = "+", ["_"] = "/" })
  local pad = #s % 4
  if pad == 1 then return nil end
  if pad > 0 then s = s .. ("="):rep(4 - pad) end
  return core.base64_decode(s)
end
_M.b64url_encode, _M.b64url_decode = b64url_encode, b64url_decode

-- Filters compare as JSON scalars; nil and json.null are the same.
local function clean(filters)
  local out = {}
  for k, v in pairs(filters or {}) do
    if v ~= nil and v ~= json.null then out[tostring(k)] = v end
  end
  return out
end

local function same(a, b)
  for k, v in pairs(a) do
    local w = b[k]
    if type(v) == "table" and type(w) == "table" then
      if not same(v, w) or not same(w, v) then return false end
    elseif v ~= w then
      return false
    end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end
_M.same = same

-- Encodes a position; nil position (the end) gives nil.
function _M.encode(provider, resource, pos, filters)
  if pos == nil then return nil end
  local s = json.encode({ v = _M.VERSION, p = provider, r = resource, pos = pos, f = clean(filters) })
  return b64url_encode(s)
end

local function bad(msg, provider)
  return nil, errors.invalid("invalid cursor: " .. msg, { field = "cursor", provider = provider })
end

-- Decodes a cursor for provider/resource/filters -> pos | nil, err.
function _M.decode(cursor, provider, resource, filters)
  if type(cursor) ~= "string" or cursor == "" then return bad("not a cursor string", provider) end
  local raw = b64url_decode(cursor)
  local state = raw and json.decode(raw)
  if type(state) ~= "table" or type(state.pos) ~= "table" then return bad("malformed", provider) end
  if state.v ~= _M.VERSION then return bad("version " .. tostring(state.v) .. " is not supported", provider) end
  if state.p ~= provider then
    return bad("it belongs to provider '" .. tostring(state.p) .. "', not '" .. provider .. "'", provider)
  end
  if state.r ~= resource then return bad("it belongs to another list", provider) end
  local f = type(state.f) == "table" and state.f or {}
  if not same(clean(f), clean(filters)) then
    return bad("it was issued with other filters; keep the filters the same across pages", provider)
  end
  if next(state.pos) == nil then return bad("empty position", provider) end
  return state.pos
end

return _M
