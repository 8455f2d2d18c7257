-- MailerSend inbound messages: the JSON an inbound route forwards to a
-- webhook, verified like MailerSend's webhooks (header Signature = hex
-- HMAC-SHA256 of the raw body with the route's secret) and read into the
-- message shape mailgun.inbound.parse gives (see lua/mailgun/inbound.lua).
-- Attachments arrive base64 inside the JSON; those larger than threshold
-- are written to files.
local json = require("mailgun.engine.json")
local errors = require("mailgun.engine.errors")
local options = require("mailgun.engine.options")
local mime = require("mailgun.engine.mime_reader")
local multipart = require("mailgun.engine.multipart")
local signature = require("mailgun.engine.signature")
local core = require("mailgun.core")

local type, error, pairs, ipairs, tostring, tonumber =
  type, error, pairs, ipairs, tostring, tonumber

local _M = {}

local OPTIONS = { body = "string", secret = "string", signature = "string", verify = "boolean",
  dir = "string", threshold = "number", max_size = "number" }

local function fail(kind, code, message)
  return nil, errors.new{ provider = "mailersend", kind = kind, code = code, message = message }
end

local function check(args)
  options.check(args, OPTIONS, "inbound.parse", { level = 3 })
  if not args.body then
    error("bad argument 'opts.body' to 'inbound.parse' (the raw request body, a string)", 3)
  end
  if args.verify ~= false and not args.secret then
    error("bad argument 'opts.secret' to 'inbound.parse' (the inbound route's secret is required"
      .. " unless verify = false)", 3)
  end
end

local function address(a)
  if type(a) ~= "table" then
    return type(a) == "string" and mime.addresses(a)[1] or nil
  end
  if type(a.email) ~= "string" then return nil end
  return { email = a.email, name = type(a.name) == "string" and a.name ~= "" and a.name or nil }
end

local function address_list(v)
  local out = {}
  if type(v) == "table" and type(v.data) == "table" then v = v.data end
  if type(v) == "string" then return mime.addresses(v) end
  if type(v) == "table" then
    for _, a in ipairs(v) do out[#out + 1] = address(a) end
  end
  return out
end

-- headers: an object {Name = value | {values}} or a list of {name, value}
local function header_map(h)
  local map = {}
  if type(h) ~= "table" then return map end
  for k, v in pairs(h) do
    if type(k) == "string" then
      if type(v) == "table" then v = v[1] end
      if type(v) == "string" then map[k:lower()] = v end
    elseif type(v) == "table" and type(v.name) == "string" and map[v.name:lower()] == nil then
      map[v.name:lower()] = tostring(v.value)
    end
  end
  return map
end

local function remove_files(attachments)
  for _, a in ipairs(attachments) do
    if a.path then os.remove(a.path) end
  end
end

-- mailersend.inbound.parse{body=, secret=, signature= (the Signature header),
--   verify=true, dir=, threshold=1 MiB, max_size=} -> msg | nil, err
function _M.parse(args)
  check(args)
  local body = args.body
  if #body > (args.max_size or multipart.DEFAULTS.max_size) then
    return fail("invalid", "too_large", "the body is larger than max_size")
  end
  if args.verify ~= false then
    if type(args.signature) ~= "string" or not signature.hmac_matches(args.secret, body, args.signature) then
      return fail("auth", "signature", "inbound signature refused: "
        .. (args.signature and "signature mismatch" or "missing signature"))
    end
  end
  local payload = json.decode(body)
  if type(payload) ~= "table" then return fail("invalid", "malformed", "the body is not a JSON object") end
  local data = type(payload.data) == "table" and payload.data or payload
  local headers = header_map(data.headers)
  local summary = mime.summary(headers)
  local recipients = type(data.recipients) == "table" and data.recipients or {}
  local rcpt = address_list(recipients.rcptTo)[1]
  local sender = address(data.sender)
  local msg = {
    provider = "mailersend",
    id = data.id,
    recipient = rcpt and rcpt.email,
    sender = sender and sender.email,
    from = address(data.from) or mime.addresses(headers.from)[1],
    to = address_list(recipients.to),
    cc = address_list(recipients.cc),
    subject = data.subject or mime.decode_words(headers.subject),
    text = data.text,
    html = data.html,
    stripped_text = data.stripped_text,
    headers = headers,
    message_id = summary.message_id,
    in_reply_to = summary.in_reply_to,
    references = summary.references,
    raw = type(data.raw) == "string" and data.raw or nil,
    attachments = {},
  }
  if #msg.to == 0 then msg.to = summary.to end
  if #msg.cc == 0 then msg.cc = summary.cc end
  local store = multipart.keeper(args.dir, args.threshold)
  for _, a in ipairs(type(data.attachments) == "table" and data.attachments or {}) do
    if type(a) == "table" then
      local content = type(a.content) == "string" and (core.base64_decode(a.content) or nil)
      if a.content and not content then
        remove_files(msg.attachments)
        return fail("invalid", "malformed", "an attachment's content is not base64")
      end
      local att = { filename = a.file_name or a.filename, content_type = a.content_type,
        content_id = a.content_id and mime.message_ids(a.content_id)[1], size = tonumber(a.size) }
      if content then
        att.size = #content
        local ok, err = store(att, content)
        if not ok then
          remove_files(msg.attachments)
          return fail("invalid", "file", err)
        end
      end
      msg.attachments[#msg.attachments + 1] = att
    end
  end
  return msg
end

return _M
