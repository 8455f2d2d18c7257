-- URL pieces: percent-escaping, query strings, path templates.
local type, tostring, pairs, ipairs, format, byte = type, tostring, pairs, ipairs, string.format, string.byte
local concat, sort = table.concat, table.sort
local floor = math.floor

local _M = {}

-- A value as wire text: integral numbers without a fraction ("5", never
-- "5.0" nor "1e+15"), whatever Lua made of them (cjson, division).
local function text(v)
  if type(v) == "number" and v == floor(v) and v > -2^53 and v < 2^53 then
    return format("%d", v)
  end
  return tostring(v)
end
_M.text = text

local function hex(c)
  return format("%%%02X", byte(c))
end

-- Escapes everything but RFC 3986 unreserved characters.
function _M.escape(s)
  return (text(s):gsub("[^%w%-%._~]", hex))
end

-- Escapes for a path segment: '@' and ':' stay readable, '/' is escaped.
function _M.escape_segment(s)
  return (text(s):gsub("[^%w%-%._~@:!$&'()*+,;=]", hex))
end

function _M.unescape(s)
  return (s:gsub("+", " "):gsub("%%(%x%x)", function(h)
    return string.char(tonumber(h, 16))
  end))
end

-- Scalar to text: booleans by the caller's style.
local function scalar(v, bool)
  if type(v) == "boolean" then return bool(v) end
  return text(v)
end

local function truefalse(v) return v and "true" or "false" end

-- Flattens params into an ordered list of {name, text} pairs: lists repeat
-- the name, keys sorted so requests are reproducible. encode_table turns a
-- map value into text (JSON); bool turns a boolean into text.
function _M.pairs_of(params, bool, encode_table)
  bool = bool or truefalse
  local keys = {}
  for k in pairs(params) do
    if type(k) == "string" then keys[#keys + 1] = k end
  end
  sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v = params[k]
    if type(v) == "table" then
      if v[1] ~= nil or next(v) == nil then
        for _, item in ipairs(v) do
          if type(item) == "table" then
            out[#out + 1] = { k, encode_table(item) }
          else
            out[#out + 1] = { k, scalar(item, function(b) return bool(b, k) end) }
          end
        end
      else
        out[#out + 1] = { k, encode_table(v) }
      end
    else
      out[#out + 1] = { k, scalar(v, function(b) return bool(b, k) end) }
    end
  end
  return out
end

-- "a=1&b=2" from a list of {name, text} pairs.
function _M.encode_pairs(list)
  local out = {}
  for i, p in ipairs(list) do
    out[i] = _M.escape(p[1]) .. "=" .. _M.escape(p[2])
  end
  return concat(out, "&")
end

function _M.with_query(url, query)
  if not query or query == "" then return url end
  return url .. (url:find("?", 1, true) and "&" or "?") .. query
end

-- Placeholder names of a path template, in order.
function _M.placeholders(path)
  local names = {}
  for name in path:gmatch("{([^}]+)}") do names[#names + 1] = name end
  return names
end

-- Fills {placeholders} from values (escaped); returns the path, or nil,
-- the name of the first bad placeholder and why: "missing" (nil or empty)
-- or "dot" ("." and ".." are dot segments that URL normalisation removes:
-- bounces/{address} with "." would become the delete-all path).
function _M.expand(path, values)
  local bad, why
  local out = path:gsub("{([^}]+)}", function(name)
    local v = values[name]
    if v == nil or v == "" then
      bad, why = bad or name, why or "missing"
      return ""
    end
    local seg = text(v)
    if seg == "." or seg == ".." then
      bad, why = bad or name, why or "dot"
      return ""
    end
    return _M.escape_segment(seg)
  end)
  if bad then return nil, bad, why end
  return out
end

-- Splits "scheme://host:port/path?query" into origin and the rest.
function _M.split(url)
  local origin, rest = url:match("^(%a[%w+.-]*://[^/?#]+)(.*)$")
  if not origin then return nil end
  if rest == "" then rest = "/" end
  return origin, rest
end

function _M.parse_query(q)
  local out = {}
  for pair in (q or ""):gmatch("[^&]+") do
    local k, v = pair:match("^([^=]*)=?(.*)$")
    k, v = _M.unescape(k), _M.unescape(v)
    local cur = out[k]
    if cur == nil then out[k] = v
    elseif type(cur) == "table" then cur[#cur + 1] = v
    else out[k] = { cur, v } end
  end
  return out
end

return _M
