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

-- the addresses of the calls of a report that match pick(call)
local function recipients_of(report, rows, pick)
  local list = json.array()
  for _, call in ipairs(report.calls) do
    if pick(call) then
      for i = call.first, call.first + call.count - 1 do list[#list + 1] = rows[i] and rows[i].email end
    end
  end
  return list
end

-- batch:send with journal = FILE: the journal records each call before it
-- starts and after it ends; a run started again sends only the calls that
-- did not succeed, and not a call that was in flight when a run was cut
-- short (uncertain) unless --retry-uncertain.
function _M.batch(args, c)
  if c.provider ~= "mailgun" or args.smtp then
    out.fail(EXIT.usage, "batch sends through Mailgun's HTTP API (recipient variables)")
  end
  local rows, cerr = csv.read_recipients(args.csv)
  if not rows then out.fail(EXIT.usage, cerr) end
  local client, err = config.client(c)
  if not client then out.fail(EXIT.config, err) end
  local size = tonumber(args.size)
  if not size or size < 1 or size > 1000 or size % 1 ~= 0 then
    out.fail(EXIT.usage, "--size must be 1 to 1000")
  end
  local journal_path = args.journal or (args.csv .. ".journal")
  local batch = client:batch(_M.message(args, "mailgun"))
  for _, r in ipairs(rows) do batch:add(r.email, r.vars) end
  local progress = out.progress(args.json)
  local report, berr = batch:send{ size = size, journal = journal_path,
    resend_uncertain = args.retry_uncertain or nil,
    progress = function(rep, call)
      progress(rep.skipped + rep.sent + rep.failed + rep.uncertain, #rows,
        call.id and ("sent " .. call.count) or ("failed: " .. tostring(call.error)))
    end }
  if not report then
    out.fail(berr.kind == "journal" and EXIT.usage or exit_for(berr), berr)
  end
  local uncertain = recipients_of(report, rows, function(call) return call.uncertain end)
  local failed = recipients_of(report, rows, function(call) return not call.id and not call.uncertain end)
  local summary = { sent = report.sent, failed = report.failed, skipped = report.skipped,
                    uncertain = uncertain, failed_recipients = failed, total = #rows,
                    journal = journal_path }
  if args.json then
    out.json({ summary = summary })
  else
    out.line(("sent %d, failed %d, already sent %d, uncertain %d of %d (journal %s)"):format(
      report.sent, report.failed, report.skipped, #uncertain, #rows, journal_path))
    if #uncertain > 0 then
      out.line("uncertain (in flight when a run was interrupted; not re-sent unless"
        .. " --retry-uncertain): " .. table.concat(uncertain, ", "))
    end
  end
  if report.failed > 0 or #uncertain > 0 then return EXIT.partial end
  return EXIT.ok
end

return _M
