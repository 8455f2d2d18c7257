-- Bulk sending through POST /bulk-email, in the style of mailgun/batch.lua:
--   local report = client.email:send_bulk(messages, {size = 500, parallel = 2,
--                                                     progress = fn, journal = "bulk.journal"})
--   client.email:send_bulk(iterator, opts)  -- iterator() -> next message | nil
-- Any number of friendly messages (see mailersend/email.lua) become calls
-- of at most `size` messages, with the one report of mailgun.engine.chunked
-- (call.id = bulk_email_id; bulk_email_ids lists them); sending the same
-- list again with {resume = report} (or the same journal) sends only the
-- calls that did not succeed, never an uncertain one unless
-- resend_uncertain = true. client.email:reconcile_bulk(report, opts)
-- settles uncertain calls from the activity log.
--   client.bulk:wait(id, {interval = 5, timeout = 600}) polls status(id)
-- until the bulk email is completed (or failed).
local email = require("mailersend.email")
local json = require("mailgun.engine.json")
local errors = require("mailgun.engine.errors")
local chunked = require("mailgun.engine.chunked")
local options = require("mailgun.engine.options")
local journal = require("mailgun.engine.journal")

local type, ipairs, pairs, error, tostring = type, ipairs, pairs, error, tostring

local _M = {}

local FINAL = { completed = true, failed = true }

local function bulk_id(res)
  if type(res) ~= "table" then return nil end
  local id = res.bulk_email_id or (type(res.data) == "table" and res.data.bulk_email_id) or nil
  return type(id) == "string" and id ~= "" and id or nil
end
_M.bulk_id = bulk_id

-- The JSON body of one friendly message, or nil, err naming its position.
local function body_of(msg, i)
  local body, err = email.to_body(msg)
  if body then
    local ok, why = json.check(body, "message")
    if not ok then err = errors.invalid("cannot be sent: " .. why, { provider = "mailersend" }) end
    if ok then return body end
  end
  err.index = i
  err.message = "message #" .. i .. ": " .. err.message
  return nil, err
end

-- email:send_bulk options (checked by the method, see mailersend/init.lua)
_M.OPTIONS = options.with(options.CHUNKED, { source_id = "string" })

-- list: a list of friendly messages, or an iterator function returning the
-- next message (nil at the end; drawn one call at a time). opts: size
-- (1..500), parallel (calls in flight, default 1), progress =
-- function(report, call), resume = an earlier report of the same list,
-- resend_uncertain, journal = file name, source_id (an iterator's name in
-- the journal's fingerprint). Returns the report of mailgun.engine.chunked
-- (call.id = the bulk_email_id). A list is checked whole before anything
-- is sent: send_bulk returns nil, err for a bad message (err.index); from
-- an iterator a bad message fails its own call only.
function _M.send(client, list, opts)
  opts = opts or {}
  local source = type(list) == "function" and list or nil
  if not source and type(list) ~= "table" then
    error("bad argument #1 to 'email:send_bulk' (list or iterator of messages expected, got " .. type(list) .. ")", 3)
  end
  local size = opts.size or (opts.resume and opts.resume.size) or email.MAX_BULK
  if type(size) ~= "number" or size < 1 or size > email.MAX_BULK or size % 1 ~= 0 then
    error("bad argument 'size' to 'email:send_bulk' (1 to " .. email.MAX_BULK .. ")", 3)
  end
  local resume = opts.resume
  if resume and not source and resume.source_error == nil and resume.total ~= #list then
    error("bad argument 'resume' to 'email:send_bulk' (the report is for a list of "
      .. tostring(resume.total) .. " messages, not " .. #list .. ")", 3)
  end
  local next_item
  if source then
    local i = 0
    next_item = function()
      local msg = source()
      if msg == nil then return nil end
      i = i + 1
      local body, err = body_of(msg, i)
      return body or { bad = err }
    end
  else
    -- every message is checked before anything is sent
    local bodies = json.array()
    local n = 0
    for k in pairs(list) do
      if type(k) == "number" then n = n + 1 end
    end
    if n ~= #list then
      error("bad argument #1 to 'email:send_bulk' (the list has a hole (nil) after message " .. #list .. ")", 3)
    end
    for i, msg in ipairs(list) do
      local body, err = body_of(msg, i)
      if not body then return nil, err end
      bodies[i] = body
    end
    next_item = chunked.from_list(bodies)
  end
  local send_ep = client.bulk._endpoints.send
  local report, err = chunked.run({
    engine = client.engine, endpoint = send_ep, label = "email:send_bulk", provider = "mailersend",
    size = size, opts = opts, kind = "mailersend-bulk", next_item = next_item, id_of = bulk_id,
    count = not source and #list or nil,
    fingerprint = journal.sum({ "mailersend-bulk", opts.source_id or (opts.journal ~= nil and not source and list)
      or "source" }),
    build = function(items, call)
      local body = json.array()
      for k, b in ipairs(items) do
        if b.bad then return nil, b.bad end
        body[k] = b
      end
      local to = type(items[1].to) == "table" and items[1].to[1]
      call.recipient = type(to) == "table" and to.email or nil
      return { body = body }
    end,
  })
  if report then
    report.bulk_email_ids = {}
    for _, c in ipairs(report.calls) do
      if c.id then report.bulk_email_ids[#report.bulk_email_ids + 1] = c.id end
    end
  end
  return report, err
end

-- Settles the uncertain calls of a bulk report from the activity log
-- (GET /activity/{domain_id}): a call counts as accepted when its first
-- recipient has activity since the call started; with none after `settle`
-- seconds (default 1800) it was not, and resume sends it again.
-- opts: domain_id (required), settle, now.
function _M.reconcile(client, report, opts)
  opts = opts or {}
  if type(report) ~= "table" or type(report.calls) ~= "table" then
    error("bad argument #1 to 'email:reconcile_bulk' (a report of send_bulk expected)", 3)
  end
  if type(opts.domain_id) ~= "string" then
    error("bad argument 'domain_id' to 'email:reconcile_bulk' (string expected, got " .. type(opts.domain_id) .. ")", 3)
  end
  local settle, now = opts.settle or 1800, opts.now or os.time()
  local settled = chunked.reconcile(report, function(call)
    if not call.recipient or not call.at then return nil end
    local from = call.at - 60
    for page = 1, opts.max_pages or 50 do
      local res = client.activity:list({ domain_id = opts.domain_id, date_from = from,
        date_to = now > from and now or from + 1, limit = 100, page = page })
      if not res then return nil end -- unknown yet: stays uncertain
      local data = type(res.data) == "table" and res.data or {}
      for _, a in ipairs(data) do
        local e = type(a.email) == "table" and a.email or {}
        if type(e.recipient) == "table" and e.recipient.email == call.recipient then
          return "sent", "activity:" .. tostring(e.id)
        end
      end
      if #data < 100 then break end
    end
    if now - call.at >= settle then
      return "failed", errors.new({ kind = "not_accepted", provider = "mailersend",
        message = "MailerSend shows no activity for call " .. call.index .. " after "
          .. (now - call.at) .. " s: it was not accepted" })
    end
  end)
  return report, settled
end

-- Polls bulk:status(id) every opts.interval seconds (default 5) until the
-- state is final; gives up after opts.timeout seconds (default 600) with
-- err.kind = "timeout" and err.last = the last status. opts.progress =
-- function(status) is called after each poll.
function _M.wait(client, id, opts)
  opts = opts or {}
  if type(id) ~= "string" or id == "" then
    error("bad argument #1 to 'bulk:wait' (bulk_email_id expected, got " .. type(id) .. ")", 3)
  end
  local interval, timeout = opts.interval or 5, opts.timeout or 600
  local transport, engine = client.transport, client.engine
  local function now() return transport.now and transport:now() or os.time() end
  local started = now()
  while true do
    local res, err = client.bulk:status({ bulk_email_id = id })
    if not res then return nil, err end
    local data = type(res.data) == "table" and res.data or res
    if opts.progress then opts.progress(res) end
    if FINAL[data.state] then return res end
    if now() - started + interval > timeout then
      return nil, errors.new({ kind = "timeout", provider = "mailersend", last = res,
        message = ("bulk email %s is still '%s' after %s seconds"):format(id, tostring(data.state),
          timeout) })
    end
    -- through the engine: inside a scheduler task, other tasks go on meanwhile
    if engine.sleep then
      if not engine:sleep(interval) then
        return nil, errors.new({ kind = "cancelled", provider = "mailersend", message = "the wait was cancelled" })
      end
    else
      transport:sleep(interval)
    end
  end
end

return _M
