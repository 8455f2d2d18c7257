-- The checks every message model shares (Mailgun's messages:send,
-- MailerSend's email:send, the unified model), configured by each provider
-- with its own facts; the mapping onto the provider's wire fields stays in
-- the provider.
--   local check = message.checker{provider=, label=, fields = {name = type},
--     open = function(name) -> true for an open family of names,
--     limits = {to=, cc=, bcc=, tags=, subject=}, name_rule = function(name) -> reason,
--     header_name = {pattern=, text=}}
--   check:fields(msg)                -- raises: not a table, unknown name, wrong type
--   check:fail(text, field)          -> nil, err (kind "invalid", the provider named)
--   check:address(v, field)          -> {email=, name=, text=} | nil, err
--   check:addresses(v, field)        -> {entry...} | nil, err (limits[field] applies)
--   check:single_line(msg, names)    -> true | nil, err (CR/LF in a header-bound text)
--   check:strings(v, field, max)     -> {string...} | nil, err (tags, references)
--   check:headers(v)                 -> {{name=, value=}...} | nil, err
--   check:files(v, field)            -> {entry...} | nil, err (shape of attachments)
-- Programmer mistakes raise (see options.lua); values a user could not
-- know in advance (a bad address, a CR in a subject, too many tags) are
-- nil, err with err.field.
local options = require("mailgun.engine.options")
local address = require("mailgun.engine.address")
local errors = require("mailgun.engine.errors")
local fields = require("mailgun.engine.fields")

local type, ipairs, pairs, tostring, error, setmetatable, next, sort =
  type, ipairs, pairs, tostring, error, setmetatable, next, table.sort

local _M = {}

local Checker = {}
Checker.__index = Checker

function _M.checker(cfg)
  return setmetatable({
    provider = cfg.provider, label = cfg.label, known = cfg.fields, open = cfg.open,
    limits = cfg.limits or {}, name_rule = cfg.name_rule,
    header_name = cfg.header_name,
    errors = errors.bound(cfg.provider),
  }, Checker)
end

-- Raises unless msg is a table of known fields of the declared types.
-- level: as error()'s, seen from the caller (default 2: its caller).
function Checker:fields(msg, level, label)
  level = (level or 2) + 1
  label = label or self.label
  if type(msg) ~= "table" then
    error("bad argument #1 to '" .. label .. "' (a message must be a table, got " .. type(msg) .. ")",
      level)
  end
  if options.clean(msg, self.known, self.open) then return msg end
  options.check(msg, self.known, label, { noun = "message field", prefix = "msg", open = self.open,
                                          level = level })
  return msg
end

function Checker:fail(text, field)
  return nil, self.errors.invalid(text, { field = field })
end

function Checker:address(v, field)
  local entry, reason = address.parse(v)
  if not entry then return self:fail("'" .. field .. "' " .. reason, field) end
  if self.name_rule and entry.name then
    local why = self.name_rule(entry.name)
    if why then return self:fail("'" .. field .. "' " .. why, field) end
  end
  return entry
end

function Checker:addresses(v, field)
  local list, reason = address.list(v)
  if not list then return self:fail("'" .. field .. "' " .. reason, field) end
  local rule = self.name_rule
  if rule then
    for i = 1, #list do
      local name = list[i].name
      local why = name and rule(name)
      if why then return self:fail("'" .. field .. "' " .. why, field) end
    end
  end
  local max = self.limits[field]
  if max and #list > max then
    return self:fail("'" .. field .. "' has " .. #list .. " addresses; at most " .. max .. " are allowed",
      field)
  end
  return list
end

-- Text fields that end up in a header must be one line.
function Checker:single_line(msg, names)
  for i = 1, #names do
    local field = names[i]
    local v = msg[field]
    if type(v) == "string" and fields.has_line_break(v) then
      return self:fail("'" .. field .. "' contains CR or LF", field)
    end
  end
  local max = self.limits.subject
  if max and type(msg.subject) == "string" and #msg.subject > max then
    return self:fail("'subject' is " .. #msg.subject .. " characters; at most " .. max .. " are allowed",
      "subject")
  end
  return true
end

-- A string or a list of non-empty one-line strings, at most max of them.
function Checker:strings(v, field, max)
  local items = type(v) == "table" and v or { v }
  local out = {}
  for i, item in ipairs(items) do
    if type(item) ~= "string" or item == "" then
      return self:fail("'" .. field .. "' must hold non-empty strings", field)
    end
    if fields.has_line_break(item) then return self:fail("'" .. field .. "' contains CR or LF", field) end
    out[i] = item
  end
  max = max or self.limits[field]
  if max and #out > max then
    return self:fail("'" .. field .. "' has " .. #out .. " entries; at most " .. max .. " are allowed",
      field)
  end
  return out
end

-- {Name = value} or {{name=, value=}} -> a list sorted by name (a map) or
-- in order (a list); names are RFC 7230 tokens (engine/fields.lua) that
-- also match cfg.header_name when the provider narrows them, values one
-- line of text.
function Checker:headers(v)
  local list = {}
  if v[1] ~= nil then
    for _, h in ipairs(v) do
      if type(h) ~= "table" then return self:fail("'headers' entries must be {name=, value=}", "headers") end
      list[#list + 1] = { name = h.name, value = h.value }
    end
  else
    for k, val in pairs(v) do list[#list + 1] = { name = k, value = val } end
    sort(list, function(a, b) return tostring(a.name) < tostring(b.name) end)
  end
  local narrow = self.header_name
  for _, h in ipairs(list) do
    if narrow and type(h.name) == "string" and not h.name:find(narrow.pattern) then
      return self:fail("header name '" .. h.name:gsub("%c", " ") .. "' must be " .. narrow.text, "headers")
    end
    local text, why = fields.header(h.name, h.value) -- an RFC 7230 token, a one-line value
    if not text then return self:fail(why, "headers") end
    h.value = text
  end
  return list
end

-- Attachments: one entry or a list; an entry is a table with path= or
-- data= (content= when the provider takes base64); filename a one-line
-- string. A string is a path. Reading the files is the provider's job.
function Checker:files(v, field, content_ok)
  if type(v) == "string" then v = { v } end
  if v[1] == nil and next(v) ~= nil then v = { v } end
  local out = {}
  for i, a in ipairs(v) do
    if type(a) == "string" then a = { path = a } end
    if type(a) ~= "table" then
      return self:fail("'" .. field .. "' entries must be tables ({path=} or {data=, filename=})", field)
    end
    if a.path ~= nil and type(a.path) ~= "string" then
      return self:fail("'" .. field .. "' path must be a string", field)
    end
    if a.path == nil and type(a.data) ~= "string" and not (content_ok and type(a.content) == "string") then
      return self:fail("'" .. field .. "' entries need " .. (content_ok and "path=, data= or content= (base64)"
        or "a path or data (a string)"), field)
    end
    local name = a.filename
    if name ~= nil and (type(name) ~= "string" or name == "" or name:find("%c")) then
      return self:fail("'" .. field .. "' has a bad filename", field)
    end
    out[i] = a
  end
  return out
end

-- Whether any of names is set (a body, a template ...).
function _M.any(msg, names)
  for _, n in ipairs(names) do
    if msg[n] ~= nil then return true end
  end
  return false
end

return _M
