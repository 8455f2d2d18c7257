-- Maps a friendly message table onto the JSON body of POST /email (and of
-- each message of POST /bulk-email), and checks it before anything is sent:
-- recipients per field, tags, sizes, files, header injection, unknown
-- fields. Every failure is nil, err with err.kind = "invalid" and err.field.
--
--   from, reply_to          "a@x.org", "Ann <a@x.org>" or {email=, name=}
--   to, cc, bcc             one address as above or a list of them
--   subject, text, html, template_id
--   personalization         {{email=, data={...}}, ...} or {["a@x.org"] = {...}}
--   attachments             {{path=} | {data=, filename=} | {content=base64, filename=},
--                             disposition=, id=}
--   inline                  as attachments, with id= (for cid:id); sent as disposition inline
--   tags                    a string or a list (at most 5)
--   send_at                 epoch seconds or a date string (ISO 8601, RFC 2822)
--   in_reply_to, references (a string or a list), settings {track_clicks=, track_opens=,
--   track_content=}, headers ({Name = value} or {{name=, value=}}), precedence_bulk,
--   list_unsubscribe
local dates = require("mailgun.engine.dates")
local errors = require("mailgun.engine.errors")
local json = require("mailgun.engine.json")
local files = require("mailgun.engine.files")

local type, pairs, ipairs, next, tostring, floor, io_open, sort =
  type, pairs, ipairs, next, tostring, math.floor, io.open, table.sort

local _M = {}

_M.MAX_TO = 50
_M.MAX_CC = 10
_M.MAX_BCC = 10
_M.MAX_TAGS = 5
_M.MAX_SUBJECT = 998
_M.MAX_BODY_BYTES = 2 * 1024 * 1024 -- text and html, each
_M.MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024 -- all attachments of a message, decoded
_M.MAX_BULK = 500 -- messages per /bulk-email call

local FIELDS = {
  from = true, to = true, cc = true, bcc = true, reply_to = true, subject = true, text = true,
  html = true, template_id = true, personalization = true, attachments = true, inline = true,
  tags = true, send_at = true, in_reply_to = true, references = true, settings = true,
  headers = true, precedence_bulk = true, list_unsubscribe = true,
}

local function fail(message, field)
  return nil, errors.invalid(message, { field = field })
end

local function has_crlf(s)
  return s:find("[\r\n]") ~= nil
end

local function text_field(msg, field)
  local v = msg[field]
  if v ~= nil and type(v) ~= "string" then
    return fail("'" .. field .. "' must be a string, got " .. type(v), field)
  end
  return true
end

-- {email=, name=} from "a@x", "Name <a@x>" or a table; strict = recipient
-- names, where MailerSend refuses ';' and ','.
local function address(v, field, strict)
  local email, name
  if type(v) == "string" then
    local n, e = v:match("^%s*(.-)%s*<([^<>]+)>%s*$")
    if e then
      email = e
      if n ~= "" then name = n:match('^"(.*)"$') or n end
    else
      email = v:match("^%s*(.-)%s*$")
    end
  elseif type(v) == "table" then
    email, name = v.email or v.address, v.name
    if name ~= nil and type(name) ~= "string" then
      return fail("'" .. field .. "' has a name that is not a string", field)
    end
  else
    return fail("'" .. field .. "' must be an address string or {email=, name=}, got " .. type(v), field)
  end
  if type(email) ~= "string" or email == "" then
    return fail("'" .. field .. "' has an entry without an email address", field)
  end
  if has_crlf(email) or (name and has_crlf(name)) then
    return fail("'" .. field .. "' contains CR or LF", field)
  end
  if not email:find("^[^@%s]+@[^@%s]+$") then
    return fail("'" .. field .. "' has an invalid email address '" .. email .. "'", field)
  end
  if strict and name and name:find("[;,]") then
    return fail("'" .. field .. "' has a name with ';' or ',' ('" .. name .. "'), which MailerSend refuses",
      field)
  end
  if name == "" then name = nil end
  return { email = email, name = name }
end
_M.address = address

local function address_list(v, field, max)
  local items = v
  if type(v) ~= "table" or v[1] == nil then items = { v } end
  if type(v) == "table" and v[1] == nil and next(v) == nil then items = {} end
  local out = json.array()
  for i, item in ipairs(items) do
    local a, err = address(item, field, true)
    if not a then return nil, err end
    out[i] = a
  end
  if #out > max then
    return fail("'" .. field .. "' has " .. #out .. " addresses; at most " .. max .. " are allowed", field)
  end
  return out
end

local function string_list(v, field, max)
  local items = type(v) == "table" and v or { v }
  local out = json.array()
  for i, item in ipairs(items) do
    if type(item) ~= "string" or item == "" then
      return fail("'" .. field .. "' must hold non-empty strings", field)
    end
    if has_crlf(item) then return fail("'" .. field .. "' contains CR or LF", field) end
    out[i] = item
  end
  if max and #out > max then
    return fail("'" .. field .. "' has " .. #out .. " entries; at most " .. max .. " are allowed", field)
  end
  return out
end

local function personalization(v)
  if type(v) ~= "table" then
    return fail("'personalization' must be a list of {email=, data=} or a map of email -> data",
      "personalization")
  end
  local out = json.array()
  if v[1] ~= nil then
    for _, p in ipairs(v) do
      if type(p) ~= "table" or type(p.email) ~= "string" or type(p.data) ~= "table" then
        return fail("'personalization' entries need email (a string) and data (a table)", "personalization")
      end
      out[#out + 1] = { email = p.email, data = p.data }
    end
    return out
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    if type(k) ~= "string" or type(v[k]) ~= "table" then
      return fail("'personalization' maps an email address to a table of data", "personalization")
    end
    out[#out + 1] = { email = k, data = v[k] }
  end
  return out
end

local function read_file(path)
  local regular, why = files.check_regular(path)
  if not regular then return nil, why end
  local f, msg = io_open(path, "rb")
  if not f then return nil, msg end
  local data = f:read("*a")
  f:close()
  return data or ""
end

local function basename(path)
  return path:match("([^/\\]+)$") or path
end

local function base64(s)
  return require("mailgun.core").base64_encode(s)
end

-- One attachment -> {content=, filename=, disposition=, id=}, decoded size.
local function attachment(a, field, inline)
  if type(a) ~= "table" then
    return fail("'" .. field .. "' entries must be tables ({path=} or {data=, filename=})", field)
  end
  local filename = a.filename
  local content, size
  if filename ~= nil and (type(filename) ~= "string" or filename == "" or has_crlf(filename)) then
    return fail("'" .. field .. "' has a bad filename", field)
  end
  if type(a.path) == "string" then
    local data, msg = read_file(a.path)
    if not data then
      return fail("cannot read attachment '" .. a.path .. "': " .. tostring(msg), field)
    end
    content, size = base64(data), #data
    filename = filename or basename(a.path)
  elseif type(a.data) == "string" then
    content, size = base64(a.data), #a.data
  elseif type(a.content) == "string" then
    content = a.content:gsub("%s+", "") -- already base64
    size = floor(#content * 3 / 4)
  else
    return fail("'" .. field .. "' entries need path=, data= or content= (base64)", field)
  end
  if not filename then
    return fail("'" .. field .. "' entry without a path needs a filename", field)
  end
  local disposition = a.disposition or (inline and "inline") or (a.inline and "inline") or "attachment"
  if disposition ~= "attachment" and disposition ~= "inline" then
    return fail("'" .. field .. "' disposition must be 'attachment' or 'inline'", field)
  end
  local id = a.id
  if id ~= nil and (type(id) ~= "string" or id == "" or has_crlf(id)) then
    return fail("'" .. field .. "' has a bad id", field)
  end
  if disposition == "inline" and not id then
    return fail("inline attachment '" .. filename .. "' needs an id (used as cid:<id> in the html)", field)
  end
  return { content = content, filename = filename, disposition = disposition, id = id }, size
end

local function attachments(msg)
  local out, total = json.array(), 0
  for _, field in ipairs({ "attachments", "inline" }) do
    local list = msg[field]
    if list ~= nil then
      if type(list) ~= "table" then return fail("'" .. field .. "' must be a list", field) end
      if list[1] == nil and next(list) ~= nil then list = { list } end
      for _, a in ipairs(list) do
        local item, size = attachment(a, field, field == "inline")
        if not item then return nil, size end
        total = total + size
        out[#out + 1] = item
      end
    end
  end
  if total > _M.MAX_ATTACHMENT_BYTES then
    return fail(("attachments add up to %d bytes; at most %d (25 MB) are allowed"):format(total,
      _M.MAX_ATTACHMENT_BYTES), "attachments")
  end
  return out
end

local function headers(v)
  if type(v) ~= "table" then return fail("'headers' must be a table", "headers") end
  local list = {}
  if v[1] ~= nil then
    for _, h in ipairs(v) do
      if type(h) ~= "table" then return fail("'headers' entries must be {name=, value=}", "headers") end
      list[#list + 1] = { name = h.name, value = h.value }
    end
  else
    for k, val in pairs(v) do list[#list + 1] = { name = k, value = val } end
    sort(list, function(a, b) return tostring(a.name) < tostring(b.name) end)
  end
  local out = json.array()
  for _, h in ipairs(list) do
    if type(h.name) ~= "string" or not h.name:find("^[%w%-]+$") then
      return fail("header name '" .. tostring(h.name) .. "' must be letters, digits and '-'", "headers")
    end
    if type(h.value) ~= "string" and type(h.value) ~= "number" then
      return fail("header '" .. h.name .. "' needs a string value", "headers")
    end
    local value = tostring(h.value)
    if has_crlf(value) then return fail("header '" .. h.name .. "' contains CR or LF", "headers") end
    out[#out + 1] = { name = h.name, value = value }
  end
  return out
end

local function check_sizes(msg)
  for _, field in ipairs({ "subject", "text", "html", "template_id", "in_reply_to", "list_unsubscribe" }) do
    local ok, err = text_field(msg, field)
    if not ok then return nil, err end
  end
  if msg.subject then
    if has_crlf(msg.subject) then return fail("'subject' contains CR or LF", "subject") end
    if #msg.subject > _M.MAX_SUBJECT then
      return fail("'subject' is " .. #msg.subject .. " characters; at most 998 are allowed", "subject")
    end
  end
  for _, field in ipairs({ "text", "html" }) do
    if msg[field] and #msg[field] > _M.MAX_BODY_BYTES then
      return fail("'" .. field .. "' is " .. #msg[field] .. " bytes; at most 2 MB are allowed", field)
    end
  end
  for _, field in ipairs({ "in_reply_to", "list_unsubscribe", "template_id" }) do
    if msg[field] and has_crlf(msg[field]) then
      return fail("'" .. field .. "' contains CR or LF", field)
    end
  end
  return true
end

-- The JSON body (a table) of one message, or nil, err.
function _M.to_body(msg)
  if type(msg) ~= "table" then
    return fail("a message must be a table, got " .. type(msg))
  end
  for k in pairs(msg) do
    if not FIELDS[k] then
      return fail("unknown message field '" .. tostring(k) .. "'", tostring(k))
    end
  end
  local ok, err = check_sizes(msg)
  if not ok then return nil, err end
  local body = {}
  local templated = msg.template_id ~= nil and msg.template_id ~= ""

  if msg.from ~= nil then
    body.from, err = address(msg.from, "from")
    if not body.from then return nil, err end
  elseif not templated then
    return fail("'from' is required (unless the template has a default sender)", "from")
  end
  if msg.to == nil then return fail("'to' is required", "to") end
  body.to, err = address_list(msg.to, "to", _M.MAX_TO)
  if not body.to then return nil, err end
  if #body.to == 0 then return fail("'to' needs at least one address", "to") end
  for _, field in ipairs({ "cc", "bcc" }) do
    if msg[field] ~= nil then
      body[field], err = address_list(msg[field], field, field == "cc" and _M.MAX_CC or _M.MAX_BCC)
      if not body[field] then return nil, err end
    end
  end
  if msg.reply_to ~= nil then
    body.reply_to, err = address(msg.reply_to, "reply_to")
    if not body.reply_to then return nil, err end
  end

  if not msg.subject and not templated then
    return fail("'subject' is required (unless the template has a default subject)", "subject")
  end
  if not (msg.text or msg.html or templated) then
    return fail("one of 'text', 'html' or 'template_id' is required", "text")
  end
  body.subject, body.text, body.html = msg.subject, msg.text, msg.html
  body.template_id = msg.template_id
  body.in_reply_to, body.list_unsubscribe = msg.in_reply_to, msg.list_unsubscribe

  if msg.personalization ~= nil then
    body.personalization, err = personalization(msg.personalization)
    if not body.personalization then return nil, err end
  end
  if msg.attachments ~= nil or msg.inline ~= nil then
    body.attachments, err = attachments(msg)
    if not body.attachments then return nil, err end
  end
  if msg.tags ~= nil then
    body.tags, err = string_list(msg.tags, "tags", _M.MAX_TAGS)
    if not body.tags then return nil, err end
  end
  if msg.references ~= nil then
    body.references, err = string_list(msg.references, "references")
    if not body.references then return nil, err end
  end
  if msg.send_at ~= nil then
    local t, terr = dates.to_epoch(msg.send_at)
    if not t then return fail("'send_at': " .. tostring(terr), "send_at") end
    body.send_at = floor(t)
  end
  if msg.settings ~= nil then
    if type(msg.settings) ~= "table" then return fail("'settings' must be a table", "settings") end
    body.settings = msg.settings
  end
  if msg.headers ~= nil then
    body.headers, err = headers(msg.headers)
    if not body.headers then return nil, err end
  end
  if msg.precedence_bulk ~= nil then
    if type(msg.precedence_bulk) ~= "boolean" then
      return fail("'precedence_bulk' must be a boolean", "precedence_bulk")
    end
    body.precedence_bulk = msg.precedence_bulk
  end
  return body
end

-- The bodies of a list of messages (at most max), or nil, err naming the
-- message (err.index) that failed.
function _M.to_bodies(list, max)
  if type(list) ~= "table" or (list[1] == nil and next(list) ~= nil) then
    return fail("a list of messages is expected")
  end
  if max and #list > max then
    return fail("at most " .. max .. " messages per bulk call, got " .. #list)
  end
  local out = json.array()
  for i, msg in ipairs(list) do
    local body, err = _M.to_body(msg)
    if not body then
      err.index = i
      err.message = "message #" .. i .. ": " .. err.message
      return nil, err
    end
    out[i] = body
  end
  return out
end

return _M
