-- `mailgun send` and `mailgun batch`: a message from flags, sent over HTTP
-- or SMTP; a CSV campaign through client:batch, journaled after every call
-- so an interrupted run resumes without mailing anybody twice.
local json = require("mailgun.engine.json")
local config = require("mailgun_cli.config")
local csv = require("mailgun_cli.csv")
local out = require("mailgun_cli.output")

local EXIT = out.EXIT
local _M = {}

-- the message flags of send and batch
function _M.add_message_flags(cmd, single)
  cmd:option("--from", "Sender, \"Name <address>\" or an address.")
  if single then
    cmd:option("--to", "Recipient (repeatable)."):count("*")
    cmd:option("--cc", "Copy recipient (repeatable)."):count("*")
    cmd:option("--bcc", "Blind copy recipient (repeatable)."):count("*")
    cmd:option("--message", "A ready MIME message file (Mailgun HTTP only).")
  end
  cmd:option("--subject", "Subject.")
  cmd:option("--text", "Plain-text body (@FILE reads a file).")
  cmd:option("--html", "HTML body (@FILE reads a file).")
  cmd:option("--attach", "Attach FILE (repeatable)."):count("*"):argname("FILE")
  cmd:option("--inline", "Inline image FILE, cid:<file name> (repeatable)."):count("*")
    :argname("FILE")
  cmd:option("--tag", "Tag (repeatable)."):count("*")
  cmd:flag("--test-mode", "Accepted but not delivered (Mailgun test mode).")
  cmd:flag("--smtp", "Send over SMTP (MAILGUN_SMTP_* settings) instead of the HTTP API.")
end

local function body(value)
  if value and value:sub(1, 1) == "@" then
    local f, err = io.open(value:sub(2), "rb")
    if not f then out.fail(EXIT.usage, "cannot read " .. value:sub(2) .. ": " .. tostring(err)) end
    local s = f:read("*a")
    f:close()
    return s
  end
  return value
end

local function basename(path)
  return path:match("([^/]+)$") or path
end

-- the provider's message table from the flags
function _M.message(args, provider)
  local msg = { from = args.from, subject = args.subject, text = body(args.text),
                html = body(args.html) }
  for _, field in ipairs({ "to", "cc", "bcc" }) do
    if args[field] and #args[field] > 0 then msg[field] = args[field] end
  end
  if #args.attach > 0 then
    msg.attachments = {}
    for i, path in ipairs(args.attach) do msg.attachments[i] = { path = path } end
  end
  if #args.inline > 0 then
    msg.inline = {}
    for i, path in ipairs(args.inline) do
      msg.inline[i] = { path = path, filename = basename(path), id = provider == "mailersend"
        and basename(path) or nil }
    end
  end
  if #args.tag > 0 then msg.tags = args.tag end
  if args.test_mode then
    if provider == "mailersend" then out.fail(EXIT.usage, "--test-mode is Mailgun's") end
    msg.testmode = true
  end
  return msg
end

local function exit_for(err)
  if err.kind == "invalid" or err.kind == "not_supported" then return EXIT.usage end
  return EXIT.failed
end

function _M.send(args, c)
  local msg = _M.message(args, c.provider)
  local res, err
  if args.smtp then
    if args.message then out.fail(EXIT.usage, "--message cannot be combined with --smtp") end
    local smtp, cerr = config.smtp(c)
    if not smtp then out.fail(EXIT.config, cerr) end
    res, err = smtp:send(msg)
  else
    local client, cerr = config.client(c)
    if not client then out.fail(EXIT.config, cerr) end
    if args.message then
      if c.provider ~= "mailgun" then out.fail(EXIT.usage, "--message is for Mailgun") end
      res, err = client.messages:send_mime{ to = msg.to, cc = msg.cc, bcc = msg.bcc,
                                            message = { path = args.message } }
    elseif c.provider == "mailersend" then
      res, err = client.email:send(msg)
    else
      res, err = client.messages:send(msg)
    end
  end
  if not res then out.fail(exit_for(err), err) end
  local id = res.id or res.message_id
  if args.json then
    out.json({ id = id, provider = c.provider, transport = args.smtp and "smtp" or "http" })
  else
    out.line("sent " .. tostring(id))
  end
  return EXIT.ok
end

-- ---- batch ----

local function load_journal(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  local j = json.decode(text)
  if type(j) ~= "table" then out.fail(EXIT.usage, "the journal " .. path .. " is not readable JSON") end
  return j
end

-- written to a temporary file then renamed: a kill never leaves half a journal
local function save_journal(path, j)
  local tmp = path .. ".tmp"
  local f = assert(io.open(tmp, "w"))
  f:write(json.encode(j))
  f:close()
  assert(os.rename(tmp, path))
end

local function slice(list, from, count)
  local s = json.array()
  for i = from, math.min(#list, from + count - 1) do s[#s + 1] = list[i] end
  return s
end

function _M.batch(args, c)
  if c.provider ~= "mailgun" or args.smtp then
    out.fail(EXIT.usage, "batch sends through Mailgun's HTTP API (recipient variables)")
  end
  local rows, cerr = csv.read_recipients(args.csv)
  if not rows then out.fail(EXIT.usage, cerr) end
  local client, err = config.client(c)
  if not client then out.fail(EXIT.config, err) end
  local size = tonumber(args.size) or 1000
  local journal_path = args.journal or (args.csv .. ".journal")
  local j = load_journal(journal_path) or { calls = json.array(), uncertain = json.array() }
  -- done: a call with an id; uncertain: in flight when a run was cut short
  local done, uncertain = {}, {}
  for _, call in ipairs(j.calls) do
    if call.id then for _, a in ipairs(call.recipients) do done[a] = true end end
  end
  for _, a in ipairs(j.pending or {}) do
    if not done[a] then j.uncertain[#j.uncertain + 1] = a end
  end
  j.pending = nil
  if args.retry_uncertain then j.uncertain = json.array() end
  for _, a in ipairs(j.uncertain) do uncertain[a] = true end

  local batch = client:batch(_M.message(args, "mailgun"))
  local todo = {}
  for _, r in ipairs(rows) do
    if not uncertain[r.email] then
      batch:add(r.email, r.vars)
      if not done[r.email] then todo[#todo + 1] = r.email end
    end
  end
  local resume = { calls = {} }
  for _, call in ipairs(j.calls) do
    if call.id then resume.calls[#resume.calls + 1] = call end
  end
  local progress = out.progress(args.json)
  local calls_now, sent_before = 0, #rows - #todo - #j.uncertain
  j.pending = slice(todo, 1, size)
  save_journal(journal_path, j)
  local report, berr = batch:send{ size = size, resume = resume, progress = function(rep, call)
    calls_now = calls_now + 1
    j.calls = json.array()
    for i, one in ipairs(rep.calls) do
      j.calls[i] = { recipients = one.recipients, id = one.id,
                     error = one.error and tostring(one.error) or nil }
    end
    j.pending = slice(todo, calls_now * size + 1, size)
    save_journal(journal_path, j)
    progress(sent_before + rep.sent + rep.failed, #rows - #j.uncertain,
      call.id and ("sent " .. #call.recipients) or ("failed: " .. tostring(call.error)))
  end }
  if not report then out.fail(exit_for(berr), berr) end
  j.pending = nil
  save_journal(journal_path, j)
  local summary = { sent = report.sent, failed = report.failed, skipped = report.skipped,
                    uncertain = j.uncertain, total = #rows, journal = journal_path }
  if args.json then
    out.json({ summary = summary })
  else
    out.line(("sent %d, failed %d, already sent %d, uncertain %d of %d (journal %s)"):format(
      report.sent, report.failed, report.skipped, #j.uncertain, #rows, journal_path))
    if #j.uncertain > 0 then
      out.line("uncertain (in flight when a run was interrupted; not re-sent unless"
        .. " --retry-uncertain): " .. table.concat(j.uncertain, ", "))
    end
  end
  if report.failed > 0 or #j.uncertain > 0 then return EXIT.partial end
  return EXIT.ok
end

return _M
