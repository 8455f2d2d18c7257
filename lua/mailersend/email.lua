-- Maps a friendly message table onto the JSON body of POST /email (and of
-- each message of POST /bulk-email), and checks it before anything is sent:
-- recipients per field, tags, sizes, files, header injection. The checks
-- shared with Mailgun are mailgun/engine/message.lua's. Unknown fields and
-- wrong types raise (a bug in the program); a bad value is nil, err with
-- err.kind = "invalid", err.field and err.provider = "mailersend".
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
local json = require("mailgun.engine.json")
local files = require("mailgun.engine.files")
local checker = require("mailgun.engine.message")

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

-- message field -> type (mailgun/engine/options.lua: unknown names and
-- wrong types raise)
local ADDRESS = "string|table"
_M.FIELDS = {
  from = ADDRESS, to = ADDRESS, cc = ADDRESS, bcc = ADDRESS, reply_to = ADDRESS, subject = "string",
  text = "string", html = "string", template_id = "string", personalization = "table",
  attachments = "table", inline = "table", tags = "string|table", send_at = "number|string",
  in_reply_to = "string", references = "string|table", settings = "table", headers = "table",
  precedence_bulk = "boolean", list_unsubscribe = "string",
}

-- MailerSend refuses ';' and ',' in recipient names.
local function name_rule(name)
  if name:find("[;,]") then
    return "has a name with ';' or ',' ('" .. name .. "'), which MailerSend refuses"
  end
end

local check = checker.checker({
  provider = "mailersend", label = "email:send", fields = _M.FIELDS,
  limits = { to = _M.MAX_TO, cc = _M.MAX_CC, bcc = _M.MAX_BCC, tags = _M.MAX_TAGS,
             subject = _M.MAX_SUBJECT },
  header_name = { pattern = "^[%w%-]+$", text = "letters, digits and '-'" },
})
-- recipients get MailerSend's name rule; from and reply_to do not
local strict = checker.checker({
  provider = "mailersend", label = "email:send", fields = _M.FIELDS, limits = check.limits,
  name_rule = name_rule,
})

local function fail(message, field)
  return check:fail(message, field)
end

-- A list of the JSON body, marked as an array only when empty: a list with
-- items encodes as one anyway, and json.encode walks a body looking for
-- empty marked arrays only while any marked array is alive.
local function json_list(t)
  if t[1] == nil then return json.array(t) end
  return t
end

-- {email=, name=} from "a@x", "Name <a@x>" or a table.
local function address(v, field)
  local entry, err = check:address(v, field)
  if not entry then return nil, err end
  return { email = entry.email, name = entry.name }
end
_M.address = address

local function address_list(v, field)
  local list, err = strict:addresses(v, field)
  if not list then return nil, err end
  local out = {}
  for i = 1, #list do
    local entry = list[i]
    out[i] = { email = entry.email, name = entry.name }
  end
  return json_list(out)
end

local function string_list(v, field)
  local list, err = check:strings(v, field)
  if not list then return nil, err end
  local out = {}
  for i, item in ipairs(list) do out[i] = item end
  return json_list(out)
end

local function personalization(v)
  if type(v) ~= "table" then
    return fail("'personalization' must be a list of {email=, data=} or a map of email -> data",
      "personalization")
  end
  local out = {}
  if v[1] ~= nil then
    for _, p in ipairs(v) do
      if type(p) ~= "table" or type(p.email) ~= "string" or type(p.data) ~= "table" then
        return fail("'personalization' entries need email (a string) and data (a table)", "personalization")
      end
      out[#out + 1] = { email = p.email, data = p.data }
    end
    return json_list(out)
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
  return json_list(out)
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

-- One attachment (its shape checked) -> {content=, filename=,
-- disposition=, id=}, decoded size.
local function attachment(a, field, inline)
  local filename = a.filename
  local content, size
  if type(a.path) == "string" then
    local data, msg = read_file(a.path)
    if not data then
      return fail("cannot read attachment '" .. a.path .. "': " .. tostring(msg), field)
    end
    content, size = base64(data), #data
    filename = filename or basename(a.path)
  elseif type(a.data) == "string" then
    content, size = base64(a.data), #a.data
  else
    content = a.content:gsub("%s+", "") -- already base64
    size = floor(#content * 3 / 4)
  end
  if not filename then
    return fail("'" .. field .. "' entry without a path needs a filename", field)
  end
  local disposition = a.disposition or (inline and "inline") or (a.inline and "inline") or "attachment"
  if disposition ~= "attachment" and disposition ~= "inline" then
    return fail("'" .. field .. "' disposition must be 'attachment' or 'inline'", field)
  end
  local id = a.id
  if id ~= nil and (type(id) ~= "string" or id == "" or id:find("[\r\n]")) then
    return fail("'" .. field .. "' has a bad id", field)
  end
  if disposition == "inline" and not id then
    return fail("inline attachment '" .. filename .. "' needs an id (used as cid:<id> in the html)", field)
  end
  return { content = content, filename = filename, disposition = disposition, id = id }, size
end

local FILE_FIELDS = { "attachments", "inline" }

local function attachments(msg)
  local out, total = {}, 0
  for _, field in ipairs(FILE_FIELDS) do
    if msg[field] ~= nil then
      local list, err = check:files(msg[field], field, true)
      if not list then return nil, err end
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
  return json_list(out)
end

local function headers(v)
  local list, err = check:headers(v)
  if not list then return nil, err end
  local out = {}
  for i, h in ipairs(list) do out[i] = h end
  return json_list(out)
end

-- fields that end up in a header line, and the bodies limited in size
local SINGLE_LINE = { "subject", "in_reply_to", "list_unsubscribe", "template_id" }
local BODIES = { "text", "html" }
local COPIES = { "cc", "bcc" }

local function check_sizes(msg)
  local ok, err = check:single_line(msg, SINGLE_LINE)
  if not ok then return nil, err end
  for i = 1, #BODIES do
    local field = BODIES[i]
    local v = msg[field]
    if v and #v > _M.MAX_BODY_BYTES then
      return fail("'" .. field .. "' is " .. #v .. " bytes; at most 2 MB are allowed", field)
    end
  end
  return true
end

-- The common message (from, to, cc, bcc, reply_to, subject, text, html;
-- strings; addresses bare or "Name <a@x>") checked and encoded in one C
-- call (csrc/simple.c): the JSON text to_body and the engine would make.
local SIMPLE_FIELDS = {
  { name = "from", wire = "from", kind = "address" },
  { name = "to", wire = "to", kind = "recipient", refuse = ";," },
  { name = "cc", wire = "cc", kind = "recipient", refuse = ";," },
  { name = "bcc", wire = "bcc", kind = "recipient", refuse = ";," },
  { name = "reply_to", wire = "reply_to", kind = "address" },
  { name = "subject", wire = "subject", kind = "line", max = _M.MAX_SUBJECT },
  { name = "text", wire = "text", kind = "text", max = _M.MAX_BODY_BYTES },
  { name = "html", wire = "html", kind = "text", max = _M.MAX_BODY_BYTES },
}
local simple_json

-- msg -> its JSON text | nil: anything else (and any mistake) is
-- to_body's to check, explain and map.
function _M.simple_json(msg)
  if type(msg) ~= "table" or msg.from == nil or msg.to == nil or msg.subject == nil
    or (msg.text == nil and msg.html == nil) then
    return nil
  end
  if not simple_json then
    simple_json = require("mailgun.engine.native").core().simple_encoder("json", SIMPLE_FIELDS)
  end
  return (simple_json(msg))
end

-- The JSON body (a table) of one message, or nil, err.
-- Raises on a message that is not a table, an unknown field or a wrong
-- type (level: as error()'s, seen from the caller; label: the method).
function _M.to_body(msg, level, label)
  check:fields(msg, (level or 2) + 1, label)
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
  body.to, err = address_list(msg.to, "to")
  if not body.to then return nil, err end
  if #body.to == 0 then return fail("'to' needs at least one address", "to") end
  for i = 1, #COPIES do
    local field = COPIES[i]
    if msg[field] ~= nil then
      body[field], err = address_list(msg[field], field)
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
    body.tags, err = string_list(msg.tags, "tags")
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
  body.settings = msg.settings
  if msg.headers ~= nil then
    body.headers, err = headers(msg.headers)
    if not body.headers then return nil, err end
  end
  body.precedence_bulk = msg.precedence_bulk
  return body
end

-- The bodies of a list of messages (at most max), or nil, err naming the
-- message (err.index) that failed; a message that is not a table, an
-- unknown field or a wrong type raises as to_body.
function _M.to_bodies(list, max, level, label)
  if type(list) ~= "table" or (list[1] == nil and next(list) ~= nil) then
    error("bad argument #1 to '" .. (label or "bulk:send") .. "' (a list of messages expected, got "
      .. (type(list) == "table" and "a table that is not a list" or type(list)) .. ")", (level or 2) + 1)
  end
  if max and #list > max then
    return fail("at most " .. max .. " messages per bulk call, got " .. #list)
  end
  local out = json.array()
  for i, msg in ipairs(list) do
    local body, err = _M.to_body(msg, (level or 2) + 1, label)
    if not body then
      err.index = i
      err.message = "message #" .. i .. ": " .. err.message
      return nil, err
    end
    out[i] = body
  end
  return out
end

-- Raises on the first message of list that is not a table of known
-- fields of the right types (level as to_body's).
function _M.check_fields(list, level, label)
  for _, msg in ipairs(list) do check:fields(msg, (level or 2) + 1, label) end
end

return _M
