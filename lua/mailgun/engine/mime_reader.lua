-- mime_reader: a minimal RFC 5322 / MIME reader shared by the providers' inbound
-- helpers: header sections, parameters (RFC 2231 too), encoded words
-- (RFC 2047), quoted-printable and base64 bodies, addresses, message ids,
-- and a whole message into text, html and attachments.  Multipart bodies
-- are split by the C core's strict parser.
local core = require("mailgun.core")

local type, tonumber, ipairs, pairs, pcall, tostring, error, assert =
  type, tonumber, ipairs, pairs, pcall, tostring, error, assert
local char, concat, lower = string.char, table.concat, string.lower

local _M = {}

-- ISO-8859-1 (and, close enough, windows-1252 and us-ascii) to UTF-8.
local function latin1_to_utf8(s)
  return (s:gsub("[\128-\255]", function(c)
    local b = c:byte()
    return char(0xC0 + math.floor(b / 64), 0x80 + b % 64)
  end))
end

local LATIN1 = { ["iso-8859-1"] = true, ["latin1"] = true, ["windows-1252"] = true,
  ["iso-8859-15"] = true, ["us-ascii"] = false, ["utf-8"] = false, ["utf8"] = false }

-- Text in charset as UTF-8 (other charsets are left as they are).
function _M.to_utf8(s, charset)
  if charset and LATIN1[lower(charset)] then return latin1_to_utf8(s) end
  return s
end

function _M.qp_decode(s)
  s = s:gsub("[ \t]+(\r?\n)", "%1"):gsub("=\r?\n", "")
  return (s:gsub("=(%x%x)", function(h) return char(tonumber(h, 16)) end))
end

local function b64(s)
  return core.base64_decode(s) or s
end
_M.base64_decode = b64

-- RFC 2047 encoded words; white space between adjacent ones is dropped.
function _M.decode_words(s)
  if type(s) ~= "string" or not s:find("=?", 1, true) then return s end
  s = s:gsub("(%?=)%s+(=%?)", "%1%2")
  return (s:gsub("=%?([^?]+)%?([bBqQ])%?([^?]*)%?=", function(charset, enc, text)
    charset = charset:gsub("%*.*$", "") -- RFC 2231 language suffix
    local raw
    if enc == "b" or enc == "B" then
      raw = core.base64_decode(text)
      if not raw then return nil end
    else
      raw = text:gsub("_", " "):gsub("=(%x%x)", function(h) return char(tonumber(h, 16)) end)
    end
    return _M.to_utf8(raw, charset)
  end))
end

-- "value; a=b; c=\"d\"" -> lowercase value, {a = "b", c = "d"}; RFC 2231
-- continuations and charsets (name*0*=, name*=utf-8''x) are joined and decoded.
function _M.params(header)
  if type(header) ~= "string" then return nil, {} end
  local value, rest = header:match("^%s*([^;]*)(.*)$")
  local params, pieces = {}, {}
  local pos = 1
  while true do
    local s, e, name = rest:find("^%s*;%s*([^=%s;]+)%s*=%s*", pos)
    if not s then break end
    local v
    if rest:sub(e + 1, e + 1) == '"' then
      local i, buf = e + 2, {}
      while i <= #rest do
        local c = rest:sub(i, i)
        if c == "\\" then buf[#buf + 1] = rest:sub(i + 1, i + 1); i = i + 2
        elseif c == '"' then break
        else buf[#buf + 1] = c; i = i + 1 end
      end
      v, pos = concat(buf), i + 1
    else
      v = rest:match("^[^;]*", e + 1)
      pos = e + 1 + #v
      v = v:gsub("%s+$", "")
    end
    name = lower(name)
    local base, index, star = name:match("^([^*]+)%*(%d+)(%*?)$")
    if not base then base, star = name:match("^([^*]+)(%*)$") end
    if base then
      local list = pieces[base] or {}
      pieces[base] = list
      list[#list + 1] = { tonumber(index) or 0, v, star == "*" }
    else
      params[name] = v
    end
  end
  for base, list in pairs(pieces) do
    table.sort(list, function(a, b) return a[1] < b[1] end)
    local charset, out = nil, {}
    for i, p in ipairs(list) do
      local v = p[2]
      if p[3] then
        if i == 1 then
          local cs, text = v:match("^([^']*)'[^']*'(.*)$")
          if cs then charset, v = cs, text end
        end
        v = v:gsub("%%(%x%x)", function(h) return char(tonumber(h, 16)) end)
      end
      out[#out + 1] = v
    end
    params[base] = _M.to_utf8(concat(out), charset ~= "" and charset or nil)
  end
  for k, v in pairs(params) do params[k] = _M.decode_words(v) end
  return lower(value or ""), params
end

-- A header section -> {{name, value}, ...} (unfolded, values trimmed).
function _M.header_list(text)
  local list = {}
  text = text:gsub("\r?\n[ \t]", " ")
  for line in text:gmatch("[^\r\n]+") do
    local name, value = line:match("^([^:%s]+)%s*:%s*(.-)%s*$")
    if name then list[#list + 1] = { name, value } end
  end
  return list
end

-- {{name, value}} -> {lowercase name = first value}
function _M.header_map(list)
  local map = {}
  for _, h in ipairs(list) do
    local k = lower(h[1])
    if map[k] == nil then map[k] = h[2] end
  end
  return map
end

-- "A <a@x>, \"B, b\" <b@x>, c@x" -> {{email=, name=}, ...}
function _M.addresses(s)
  local out = {}
  if type(s) ~= "string" then return out end
  s = _M.decode_words(s)
  local items, buf, quoted, depth = {}, {}, false, 0
  for c in s:gmatch(".") do
    if c == '"' then quoted = not quoted end
    if not quoted and c == "<" then depth = depth + 1 end
    if not quoted and c == ">" then depth = depth - 1 end
    if c == "," and not quoted and depth <= 0 then
      items[#items + 1] = concat(buf); buf = {}
    else
      buf[#buf + 1] = c
    end
  end
  items[#items + 1] = concat(buf)
  for _, item in ipairs(items) do
    local name, email = item:match("^%s*(.-)%s*<%s*([^>]*)%s*>%s*$")
    if not email then email, name = item:match("^%s*(.-)%s*$"), "" end
    name = name:gsub('^"(.*)"$', "%1"):gsub('\\(.)', "%1")
    if email ~= "" then
      out[#out + 1] = { email = email, name = name ~= "" and name or nil }
    end
  end
  return out
end

-- "<a@x> <b@x>" -> {"a@x", "b@x"}
function _M.message_ids(s)
  local out = {}
  if type(s) ~= "string" then return out end
  for id in s:gmatch("<([^>]+)>") do out[#out + 1] = id end
  if #out == 0 and s:match("%S") then out[1] = s:match("^%s*(.-)%s*$") end
  return out
end

local function decode_body(body, cte)
  cte = lower(cte or "")
  if cte == "base64" then return b64(body) end
  if cte == "quoted-printable" then return _M.qp_decode(body) end
  return body
end

-- Splits a multipart body with the core parser: list of {header_list, body}.
local function split(body, boundary)
  local p, word = core.multipart_parser{ boundary = boundary, max_parts = 10000,
    max_header_size = 65536 }
  if not p then return nil, word end
  local parts, cur = {}, nil
  local ok, err = pcall(function()
    assert(p:feed(body))
    p:finish()
    while true do
      local ev, a, detail = p:next()
      if ev == "part" then
        cur = { headers = a }
        parts[#parts + 1] = cur
        p:sink("memory")
      elseif ev == "end" then
        cur.body = a.data
      elseif ev == "done" then
        return
      else
        error((a or "truncated") .. ": " .. tostring(detail), 0)
      end
    end
  end)
  p:close()
  if not ok then return nil, err end
  return parts
end

-- The headers the core parser hands out are a map; MIME wants the same view.
local function walk(entity, out, opts, depth)
  if depth > 20 then return nil, "MIME nesting is too deep" end
  local h = entity.headers
  local ctype, cparams = _M.params(h["content-type"] or "text/plain")
  local disp, dparams = _M.params(h["content-disposition"])
  if ctype:match("^multipart/") then
    if not cparams.boundary then return nil, "a multipart entity without a boundary" end
    local parts, err = split(entity.body, cparams.boundary)
    if not parts then return nil, "bad multipart body: " .. err end
    for _, part in ipairs(parts) do
      local ok, werr = walk(part, out, opts, depth + 1)
      if not ok then return nil, werr end
    end
    return true
  end
  local data = decode_body(entity.body, h["content-transfer-encoding"])
  local filename = dparams.filename or cparams.name
  local is_attachment = disp == "attachment" or filename ~= nil
  if not is_attachment and ctype == "text/plain" and not out.text then
    out.text = _M.to_utf8(data, cparams.charset)
  elseif not is_attachment and ctype == "text/html" and not out.html then
    out.html = _M.to_utf8(data, cparams.charset)
  else
    local cid = h["content-id"] and _M.message_ids(h["content-id"])[1]
    local att = { filename = filename, content_type = ctype, size = #data,
      content_id = cid, disposition = disp ~= "" and disp or nil }
    local ok, err = opts.store(att, data)
    if not ok then return nil, err end
    out.attachments[#out.attachments + 1] = att
  end
  return true
end

-- The threading and addressing fields of a message from its header map:
-- {to=, cc=, message_id=, in_reply_to=, references=} (addresses as {email=, name=}).
function _M.summary(headers)
  return {
    to = _M.addresses(headers.to),
    cc = _M.addresses(headers.cc),
    message_id = _M.message_ids(headers["message-id"])[1],
    in_reply_to = _M.message_ids(headers["in-reply-to"])[1],
    references = _M.message_ids(headers.references),
  }
end

-- Reads a whole RFC 5322 message (a string).  opts.store(att, data) keeps an
-- attachment (sets att.data or att.path; returns true or nil, err).
-- -> {header_list=, headers=, text=, html=, attachments=} | nil, err
function _M.read(raw, opts)
  opts = opts or {}
  opts.store = opts.store or function(att, data) att.data = data; return true end
  local head_end, body_start = raw:find("\r?\n\r?\n")
  local head = head_end and raw:sub(1, head_end - 1) or raw
  local body = body_start and raw:sub(body_start + 1) or ""
  local list = _M.header_list(head)
  local map = _M.header_map(list)
  local out = { header_list = list, headers = map, attachments = {} }
  -- the core parser wants CRLF framing; messages saved with LF get it back
  if not raw:find("\r\n", 1, true) then body = body:gsub("\n", "\r\n") end
  local ok, err = walk({ headers = map, body = body }, out, opts, 0)
  if not ok then return nil, err end
  return out
end

return _M
