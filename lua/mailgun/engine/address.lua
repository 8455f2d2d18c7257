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
local find, match, sub, byte = string.find, string.match, string.sub, string.byte

local _M = {}

local CONTROL = "contains CR or LF (or another control character)"

-- The C core's scans (csrc/scan.c), loaded with the first address: a Lua
-- pattern costs ~150 machine instructions a byte, and every message and
-- batch recipient goes through here.
local plain_address, has_control
local function load_scans()
  local core = require("mailgun.engine.native").core()
  plain_address, has_control = core.plain_address, core.has_control
end

local function bad_text(s)
  if not has_control then load_scans() end
  return has_control(s)
end

-- Whether s is a bare address with nothing to trim, split or unquote (one
-- "@", no space, control character or any of "<>,()\): the common case,
-- answered in one pass; it implies every rule of check below.
function _M.is_plain(s)
  if not plain_address then load_scans() end
  return plain_address(s)
end
local is_plain = _M.is_plain

-- checked: the email and name come from a string already checked whole
local function check(email, name, checked)
  if type(email) ~= "string" or email == "" then return nil, "has an entry without an email address" end
  if name ~= nil and type(name) ~= "string" then return nil, "has a name that is not a string" end
  if not checked and (bad_text(email) or (name and bad_text(name))) then return nil, CONTROL end
  if not is_plain(email) and not find(email, "^[^@%s]+@[^@%s]+$") then
    return nil, "has an invalid email address '" .. email .. "'"
  end
  return true
end

local GT, SPACE = byte(">"), byte(" ")

-- 'Name <a@x.org>' with nothing to trim, unquote or split (no control
-- character: checked by the caller), as the general path below reads it:
-- the entry, else nil.
local function named_plain(v)
  local lt = find(v, "<", 1, true)
  if not lt or lt == 1 or byte(v, -1) ~= GT or byte(v, 1) == SPACE then return nil end
  local email = sub(v, lt + 1, -2)
  if not is_plain(email) then return nil end
  local last = lt - 1
  while byte(v, last) == SPACE do last = last - 1 end
  if last == 0 then return nil end
  local name = sub(v, 1, last)
  if find(name, '[<>"]') then return nil end
  return { email = email, name = name, text = v }
end

function _M.parse(v)
  local email, name, text
  if type(v) == "string" then
    if is_plain(v) then return { email = v, text = v } end
    if bad_text(v) then return nil, CONTROL end
    local named = named_plain(v)
    if named then return named end
    text = match(v, "^%s*(.*%S)")
    if not text then return nil, "has an empty address" end
    local n, e = match(text, "^(.-)%s*<([^<>]*)>$")
    if e then
      email = match(e, "^%s*(.*%S)") or ""
      if n ~= "" then name = n:match('^"(.*)"$') or n end
    else
      email = text
    end
  elseif type(v) == "table" then
    email, name = v.email or v.address, v.name
  else
    return nil, "must be an address string or {email=, name=}, got " .. type(v)
  end
  local ok, reason = check(email, name, text ~= nil)
  if not ok then return nil, reason end
  if name == "" then name = nil end
  return { email = email, name = name, text = text }
end

-- Splits a string at the commas outside quotes and angle brackets (jumping
-- from one of \\ " < > , to the next).
local function split(s)
  if not find(s, ",", 1, true) then return { s } end
  local parts, start, quoted, angle = {}, 1, false, false
  local i = find(s, '[\\"<>,]')
  while i do
    local c = sub(s, i, i)
    if c == "\\" and quoted then
      i = i + 1
    elseif c == '"' then
      quoted = not quoted
    elseif c == "<" and not quoted then
      angle = true
    elseif c == ">" and not quoted then
      angle = false
    elseif c == "," and not quoted and not angle then
      parts[#parts + 1] = sub(s, start, i - 1)
      start = i + 1
    end
    i = find(s, '[\\"<>,]', i + 1)
  end
  parts[#parts + 1] = sub(s, start)
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
  if type(v) == "string" and is_plain(v) then return { { email = v, text = v } } end
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
