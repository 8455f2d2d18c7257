-- The one email address parser and formatter of both providers.
--   address.parse(v)  -> {email=, name=, text=} | nil, reason
--     v: "a@x.org", "Ann <a@x.org>", '"Doe, Ann" <a@x.org>', or a table
--     {email=, name=} / {address=, name=}; text is the string as given
--     (trimmed), nil for a table.
--   address.list(v)   -> {entry...} | nil, reason
--     one address as above, a list of them, or a comma-joined string
--     ("a@x.org, Bob <b@x.org>": counted as two).
--   address.format(entry) -> "a@x.org" | '"Ann" <a@x.org>'
--   address.email_of(v)   -> the bare email of an entry (no checks)
-- The CR/LF rule: an email or a name holding CR, LF or any other control
-- character is refused (a header injection), and so is an email without
-- exactly one "@" or with spaces. A reason is a short text to put after
-- the field name ("contains CR or LF ...").
local type, ipairs = type, ipairs

local _M = {}

local CONTROL = "contains CR or LF (or another control character)"

local function bad_text(s)
  return s:find("%c") ~= nil
end

local function check(email, name)
  if type(email) ~= "string" or email == "" then return nil, "has an entry without an email address" end
  if name ~= nil and type(name) ~= "string" then return nil, "has a name that is not a string" end
  if bad_text(email) or (name and bad_text(name)) then return nil, CONTROL end
  if not email:find("^[^@%s]+@[^@%s]+$") then
    return nil, "has an invalid email address '" .. email .. "'"
  end
  return true
end

function _M.parse(v)
  local email, name, text
  if type(v) == "string" then
    if bad_text(v) then return nil, CONTROL end
    text = v:match("^%s*(.-)%s*$")
    if text == "" then return nil, "has an empty address" end
    local n, e = text:match("^(.-)%s*<([^<>]*)>$")
    if e then
      email = e:match("^%s*(.-)%s*$")
      if n ~= "" then name = n:match('^"(.*)"$') or n end
    else
      email = text
    end
  elseif type(v) == "table" then
    email, name = v.email or v.address, v.name
  else
    return nil, "must be an address string or {email=, name=}, got " .. type(v)
  end
  local ok, reason = check(email, name)
  if not ok then return nil, reason end
  if name == "" then name = nil end
  return { email = email, name = name, text = text }
end

-- Splits a string at the commas outside quotes and angle brackets.
local function split(s)
  local parts, start, quoted, angle = {}, 1, false, false
  local i, n = 1, #s
  while i <= n do
    local c = s:sub(i, i)
    if c == "\\" and quoted then
      i = i + 1
    elseif c == '"' then
      quoted = not quoted
    elseif c == "<" and not quoted then
      angle = true
    elseif c == ">" and not quoted then
      angle = false
    elseif c == "," and not quoted and not angle then
      parts[#parts + 1] = s:sub(start, i - 1)
      start = i + 1
    end
    i = i + 1
  end
  parts[#parts + 1] = s:sub(start)
  local kept = {}
  for _, p in ipairs(parts) do
    if p:find("%S") then kept[#kept + 1] = p end
  end
  return #kept > 0 and kept or { s }
end

-- Whether v is one address table (not a list of them).
local function is_entry(v)
  return type(v) == "table" and v[1] == nil and (v.email ~= nil or v.address ~= nil)
end

function _M.list(v)
  if v == nil then return {} end
  local items
  if type(v) == "string" then
    items = split(v)
  elseif is_entry(v) or type(v) ~= "table" then
    items = { v }
  else
    items = {}
    for _, item in ipairs(v) do
      if type(item) == "string" then
        for _, part in ipairs(split(item)) do items[#items + 1] = part end
      else
        items[#items + 1] = item
      end
    end
  end
  local out = {}
  for _, item in ipairs(items) do
    local entry, reason = _M.parse(item)
    if not entry then return nil, reason end
    out[#out + 1] = entry
  end
  return out
end

function _M.format(entry)
  if entry.name and entry.name ~= "" then
    return '"' .. entry.name:gsub('[\\"]', "\\%0") .. '" <' .. entry.email .. ">"
  end
  return entry.email
end

function _M.email_of(v)
  if type(v) == "table" then return v.email or v.address end
  if type(v) ~= "string" then return nil end
  return v:match("<([^<>]+)>%s*$") or v:match("^%s*(.-)%s*$")
end

return _M
