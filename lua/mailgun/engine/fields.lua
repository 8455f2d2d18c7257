-- Checks on text that ends up in a header or a form field's head: no CR or
-- LF anywhere (header injection), header names as RFC 7230 tokens, and
-- only strings or numbers as header values (a table would reach the wire
-- as "table: 0x..."). Addresses have their own parser (engine/address.lua).
local type, pairs, ipairs, tostring = type, pairs, ipairs, tostring
local find, sub = string.find, string.sub

local _M = {}

-- (two plain searches: much faster than one with a character class)
function _M.has_line_break(s)
  return find(s, "\n", 1, true) ~= nil or find(s, "\r", 1, true) ~= nil
end
local has_line_break = _M.has_line_break

-- RFC 7230: token = 1*tchar
function _M.is_token(s)
  return type(s) == "string" and find(s, "^[!#$%%&'*+%-.^_`|~%w]+$") ~= nil
end

local function shown(s)
  return (tostring(s):gsub("%c", "?"))
end

-- The text of one header value, or nil, message.
function _M.header_value(name, value)
  if type(value) ~= "string" and type(value) ~= "number" then
    return nil, "header '" .. shown(name) .. "' has a " .. type(value) .. " value (a string is expected)"
  end
  local text = tostring(value)
  if has_line_break(text) then return nil, "header '" .. shown(name) .. "' contains CR or LF" end
  return text
end

-- One header: name a token, value as above; -> text | nil, message
function _M.header(name, value)
  if not _M.is_token(name) then
    return nil, "header name '" .. shown(name) .. "' is not an RFC 7230 token"
      .. " (letters, digits and !#$%&'*+-.^_`|~ only)"
  end
  return _M.header_value(name, value)
end

-- Form fields whose values reach a header or a one-line setting.
local ONE_LINE = { subject = true, template = true }

local UNSENDABLE = { ["function"] = true, userdata = true, thread = true }

-- The check of one value of a field (a list's items one by one).
local function check_value(key, prefix, v)
  if UNSENDABLE[type(v)] then
    return nil, "field '" .. key .. "' has a " .. type(v) .. " value, which cannot be sent", key
  end
  if prefix == "h:" then
    local ok, msg = _M.header(sub(key, 3), v)
    if not ok then return nil, msg, key end
  elseif (prefix == "o:" or prefix == "t:" or ONE_LINE[key]) and type(v) == "string" and has_line_break(v) then
    return nil, "field '" .. key .. "' contains CR or LF", key
  end
  return true
end

-- Checks the form params of a message (o:, h:, t:, v: names and values,
-- template, subject) before anything is sent; names in `checked` (a set)
-- hold values the caller made and checked itself and are skipped.
-- -> true | nil, message, field
function _M.check_form(params, checked)
  for key, value in pairs(params) do
    if type(key) == "string" and not (checked and checked[key]) then
      if has_line_break(key) then
        return nil, "field '" .. shown(key) .. "' contains CR or LF in its name", key
      end
      local prefix = sub(key, 1, 2)
      if type(value) == "table" and value[1] ~= nil then
        for _, v in ipairs(value) do
          local ok, msg, field = check_value(key, prefix, v)
          if not ok then return nil, msg, field end
        end
      elseif prefix == "h:" and type(value) == "table" then
        return nil, "header '" .. sub(key, 3) .. "' has a table value (a string is expected)", key
      else
        local ok, msg, field = check_value(key, prefix, value)
        if not ok then return nil, msg, field end
      end
    end
  end
  return true
end

return _M
