-- Mailgun inbound messages: what a route's forward() POSTs (urlencoded, or
-- multipart with attachment-N files; the raw-MIME variant, body-mime, for
-- URLs ending in "mime"), the store(notify=) POST, and the stored-message
-- JSON fetched from the storage URL, all read into one message shape:
--   {provider, recipient, sender, from, to, cc, subject, text, html,
--    stripped_text, stripped_html, headers, message_id, in_reply_to,
--    references, attachments = {{filename, content_type, size, path | data,
--    content_id}}, raw, storage_url, timestamp}
-- Signatures (timestamp, token, signature) are verified by default.
local json = require("mailgun.engine.json")
local errors = require("mailgun.engine.errors")
local options = require("mailgun.engine.options")
local mime = require("mailgun.engine.mime_reader")
local multipart = require("mailgun.engine.multipart")
local webhooks = require("mailgun.webhooks")

local type, error, pairs, ipairs, tonumber, tostring, pcall =
  type, error, pairs, ipairs, tonumber, tostring, pcall
local concat, sort, char = table.concat, table.sort, string.char

local _M = {}

local OPTIONS = { content_type = "string", body = "string", reader = "function",
  signing_key = "string", verify = "boolean", tolerance = "number", seen = "function",
  now = "number", dir = "string", threshold = "number", max_size = "number",
  max_parts = "number", max_header_size = "number", max_part_size = "number",
  max_field_size = "number" }

local function fail(kind, code, message)
  return nil, errors.new{ provider = "mailgun", kind = kind, code = code, message = message }
end

local function check(args)
  options.check(args, OPTIONS, "inbound.parse", { level = 3 })
  if (args.body == nil) == (args.reader == nil) then
    error("bad argument 'opts.body' to 'inbound.parse' (give body or reader, one of them)", 3)
  end
  if args.verify ~= false and not args.signing_key then
    error("bad argument 'opts.signing_key' to 'inbound.parse' (the webhook signing key is required"
      .. " unless verify = false)", 3)
  end
end

-- the whole body from body= or reader=, at most max bytes
local function read_all(args, max)
  if args.body then
    if #args.body > max then return nil, "too_large" end
    return args.body
  end
  local parts, size = {}, 0
  while true do
    local ok, chunk, err = pcall(args.reader, 65536)
    if not ok or (chunk == nil and err) then return nil, "read", tostring(ok and err or chunk) end
    if chunk == nil then break end
    size = size + #chunk
    if size > max then return nil, "too_large" end
    parts[#parts + 1] = chunk
  end
  return concat(parts)
end

local function urldecode(s)
  s = s:gsub("+", " ")
  return (s:gsub("%%(%x%x)", function(h) return char(tonumber(h, 16)) end))
end

local function form_fields(text)
  local fields = {}
  for pair in text:gmatch("[^&]+") do
    local k, v = pair:match("^([^=]*)=?(.*)$")
    fields[urldecode(k)] = urldecode(v)
  end
  return fields
end

local function remove_files(attachments)
  for _, a in ipairs(attachments or {}) do
    if a.path then os.remove(a.path) end
  end
end

-- message-headers: a JSON list of [name, value] pairs
local function header_list(fields)
  local raw = fields["message-headers"]
  local list = {}
  local decoded = type(raw) == "string" and json.decode(raw) or raw
  if type(decoded) == "table" then
    for _, h in ipairs(decoded) do
      if type(h) == "table" and type(h[1]) == "string" then
        list[#list + 1] = { h[1], tostring(h[2]) }
      end
    end
  end
  return list
end

local function first(...)
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "string" and v ~= "" then return v end
  end
end

-- The fields of a route POST, a notify POST or a stored message -> msg.
local function build(fields, files, opts)
  local headers = mime.header_map(header_list(fields))
  local msg = { provider = "mailgun", attachments = {} }
  if fields["body-mime"] then
    local store = multipart.keeper(opts.dir, opts.threshold)
    local m, err = mime.read(fields["body-mime"], { store = store })
    if not m then return nil, err end
    headers = m.headers
    msg.text, msg.html, msg.attachments = m.text, m.html, m.attachments
    msg.raw = fields["body-mime"]
  end
  local summary = mime.summary(headers)
  msg.headers = headers
  msg.recipient = first(fields.recipient, fields.recipients)
  msg.sender = first(fields.sender)
  msg.from = mime.addresses(first(fields.from, fields.From, headers.from))[1]
  msg.to = #summary.to > 0 and summary.to or mime.addresses(first(fields.To, fields.to))
  msg.cc = #summary.cc > 0 and summary.cc or mime.addresses(first(fields.Cc))
  msg.subject = mime.decode_words(first(fields.subject, headers.subject))
  msg.text = msg.text or fields["body-plain"]
  msg.html = msg.html or fields["body-html"]
  msg.stripped_text = fields["stripped-text"]
  msg.stripped_html = fields["stripped-html"]
  msg.message_id = summary.message_id or mime.message_ids(first(fields["Message-Id"]))[1]
  msg.in_reply_to = summary.in_reply_to or mime.message_ids(first(fields["In-Reply-To"]))[1]
  msg.references = #summary.references > 0 and summary.references
    or mime.message_ids(first(fields.References))
  msg.storage_url = first(fields["message-url"])
  msg.timestamp = tonumber(fields.timestamp)
  -- content-id-map: {"<cid>": "attachment-1" (a POST) or a URL (stored)}
  local cid_by_key = {}
  local map = fields["content-id-map"]
  map = type(map) == "string" and json.decode(map) or map
  if type(map) == "table" then
    for cid, key in pairs(map) do
      if type(key) == "string" then cid_by_key[key] = mime.message_ids(cid)[1] or cid end
    end
  end
  local keyed = {}
  for _, f in ipairs(files) do
    local n = f.name and tonumber(f.name:match("^attachment%-(%d+)$"))
    if n then keyed[#keyed + 1] = { n, f } end
  end
  sort(keyed, function(a, b) return a[1] < b[1] end)
  for _, k in ipairs(keyed) do
    local f = k[2]
    msg.attachments[#msg.attachments + 1] = { filename = f.filename, content_type = f.content_type,
      size = f.size, path = f.path, data = f.data, content_id = cid_by_key[f.name] }
  end
  -- the stored message lists its attachments as URLs
  if type(fields.attachments) == "table" then
    for _, a in ipairs(fields.attachments) do
      msg.attachments[#msg.attachments + 1] = { filename = a.name, content_type = a["content-type"],
        size = tonumber(a.size), url = a.url, content_id = cid_by_key[a.url] }
    end
  end
  return msg
end

-- mailgun.inbound.parse{content_type=, body= | reader=function(n), signing_key=,
--   verify=true, tolerance=300, seen=, now=, dir=, threshold=1 MiB,
--   max_size=, max_parts=, max_header_size=, max_part_size=, max_field_size=}
-- -> msg | nil, err (kind "invalid" with code = the parser's word, or "auth")
-- Attachments larger than threshold are written to files in dir (or the
-- system's temporary directory); the caller owns (and removes) them.
function _M.parse(args)
  check(args)
  local ctype = mime.params(args.content_type or "")
  local fields, files
  local max = args.max_size or multipart.DEFAULTS.max_size
  if ctype == "multipart/form-data" then
    local out, word, detail = multipart.read(args)
    if not out then
      return fail("invalid", word, "cannot read the multipart body (" .. word .. "): " .. tostring(detail))
    end
    fields, files = out.fields, out.files
  elseif ctype == "application/x-www-form-urlencoded" or ctype == "application/json" then
    local text, word, detail = read_all(args, max)
    if not text then
      return fail("invalid", word, "cannot read the body (" .. word .. ")" .. (detail and ": " .. detail or ""))
    end
    files = {}
    if ctype == "application/json" then
      fields = json.decode(text)
      if type(fields) ~= "table" then return fail("invalid", "malformed", "the body is not a JSON object") end
    else
      fields = form_fields(text)
    end
  else
    return fail("invalid", "bad_content_type", "unexpected content type " .. tostring(args.content_type))
  end
  -- a stored message is fetched with the API key: it carries no signature
  local stored = ctype == "application/json"
  if args.verify ~= false and not stored then
    local ok, why = webhooks.verify{ signing_key = args.signing_key, timestamp = fields.timestamp,
      token = fields.token, signature = fields.signature, tolerance = args.tolerance,
      seen = args.seen, now = args.now }
    if not ok then
      remove_files(files)
      return fail("auth", "signature", "inbound signature refused: " .. why)
    end
  end
  local msg, err = build(fields, files, args)
  if not msg then
    remove_files(files)
    return fail("invalid", "malformed", "cannot read the message: " .. tostring(err))
  end
  return msg
end

return _M
