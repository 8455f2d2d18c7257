-- Request bodies: read (memory or nginx's temp file), then parse
-- multipart/form-data, application/x-www-form-urlencoded or JSON into
--   { fields = {name = value | {values}}, order = {{name, value}}, files = {...},
--     json = decoded | nil, raw = string }
-- A file: {field, filename, content_type, size, sha256, data}.
local crypto = require("sandbox.crypto")
local util = require("sandbox.util")

local type, io_open = type, io.open
local find, sub, lower, gsub = string.find, string.sub, string.lower, string.gsub

local _M = {}

function _M.read()
  ngx.req.read_body()
  local data = ngx.req.get_body_data()
  if data then return data end
  local path = ngx.req.get_body_file()
  if not path then return "" end
  local f = io_open(path, "rb")
  if not f then return "" end
  data = f:read("*a")
  f:close()
  return data or ""
end

local function add_field(res, name, value)
  local cur = res.fields[name]
  if cur == nil then
    res.fields[name] = value
  elseif type(cur) == "table" then
    cur[#cur + 1] = value
  else
    res.fields[name] = { cur, value }
  end
  res.order[#res.order + 1] = { name, value }
end
_M.add_field = add_field

local function unescape(s)
  return ngx.unescape_uri((gsub(s, "+", " ")))
end

function _M.parse_urlencoded(raw, res)
  for pair in raw:gmatch("[^&]+") do
    local k, v = pair:match("^([^=]*)=(.*)$")
    if not k then k, v = pair, "" end
    add_field(res, unescape(k), unescape(v))
  end
end

local function header_param(h, name)
  return h:match(';%s*' .. name .. '="([^"]*)"') or h:match(";%s*" .. name .. "=([^;%s]+)")
end

function _M.parse_multipart(raw, boundary, res)
  local delim = "--" .. boundary
  local pos = find(raw, delim, 1, true)
  if not pos then return nil, "no boundary in body" end
  pos = pos + #delim
  while true do
    if sub(raw, pos, pos + 1) == "--" then break end
    -- skip the CRLF after the delimiter
    local hstart = find(raw, "\r\n", pos, true)
    if not hstart then break end
    hstart = hstart + 2
    local hend = find(raw, "\r\n\r\n", hstart, true)
    if not hend then return nil, "truncated part headers" end
    local headers = sub(raw, hstart, hend - 1)
    local cstart = hend + 4
    local nextd = find(raw, "\r\n" .. delim, cstart, true)
    if not nextd then return nil, "truncated part" end
    local content = sub(raw, cstart, nextd - 1)
    pos = nextd + 2 + #delim
    local disp, ctype = "", nil
    for line in headers:gmatch("[^\r\n]+") do
      local k, v = line:match("^([^:]+):%s*(.*)$")
      if k then
        k = lower(k)
        if k == "content-disposition" then disp = v
        elseif k == "content-type" then ctype = v end
      end
    end
    local name = header_param(disp, "name") or ""
    local filename = header_param(disp, "filename")
    if filename then
      res.files[#res.files + 1] = {
        field = name, filename = filename, content_type = ctype or "application/octet-stream",
        size = #content, sha256 = crypto.sha256(content), data = content,
      }
    else
      add_field(res, name, content)
    end
  end
  return true
end

-- Parse the current request's body according to its Content-Type.
function _M.parse(raw, content_type)
  local res = { fields = {}, order = {}, files = {}, raw = raw }
  content_type = content_type or ""
  local ct = lower(content_type)
  if raw == "" then return res end
  if find(ct, "multipart/form-data", 1, true) then
    local boundary = header_param(content_type, "boundary")
    if not boundary then return nil, "multipart body without a boundary" end
    local ok, err = _M.parse_multipart(raw, boundary, res)
    if not ok then return nil, err end
  elseif find(ct, "application/x-www-form-urlencoded", 1, true) then
    _M.parse_urlencoded(raw, res)
  elseif find(ct, "json", 1, true) then
    local v, err = util.decode(raw)
    if v == nil then return nil, "invalid JSON body: " .. tostring(err) end
    res.json = v
  else
    -- unknown: try JSON, then a form
    local v = util.decode(raw)
    if v ~= nil then res.json = v
    elseif find(raw, "=", 1, true) then _M.parse_urlencoded(raw, res) end
  end
  return res
end

return _M
