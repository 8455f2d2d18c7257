-- Bulk sending through POST /bulk-email, in the style of mailgun/batch.lua:
--   local report = client.email:send_bulk(messages, {size = 500, parallel = 2,
--                                                     progress = fn})
-- Any number of friendly messages (see mailersend/email.lua) become calls
-- of at most `size` messages. The report lists every call with the indexes
-- of its messages and its bulk_email_id; sending the same list again with
-- {resume = report} sends only what did not succeed.
--   client.bulk:wait(id, {interval = 5, timeout = 600}) polls status(id)
-- until the bulk email is completed (or failed).
local email = require("mailersend.email")
local errors = require("mailgun.engine.errors")
local chunked = require("mailgun.engine.chunked")

local type, ipairs, error, tostring = type, ipairs, error, tostring

local _M = {}

local FINAL = { completed = true, failed = true }

local function bulk_id(res)
  if type(res) ~= "table" then return nil end
  return res.bulk_email_id or (type(res.data) == "table" and res.data.bulk_email_id) or nil
end
_M.bulk_id = bulk_id

-- opts: size (1..500), parallel (calls in flight, default 1), progress =
-- function(report, call), resume = an earlier report of the same list.
-- Returns the report: {calls = {{messages = {indexes}, id = bulk_email_id,
-- bulk_email_id =, error = err}}, bulk_email_ids = {...}, sent = n
-- messages, failed = n, skipped = n, total_calls = n, count = #list, ok =
-- bool}. A failed call keeps its error in the report; send_bulk itself
-- returns nil, err only for bad input (err.index names the message).
function _M.send(client, list, opts)
  opts = opts or {}
  if type(list) ~= "table" then
    error("bad argument #1 to 'email:send_bulk' (list of messages expected, got " .. type(list) .. ")", 3)
  end
  local size = opts.size or email.MAX_BULK
  if type(size) ~= "number" or size < 1 or size > email.MAX_BULK then
    error("bad argument 'size' to 'email:send_bulk' (1 to " .. email.MAX_BULK .. ")", 3)
  end
  local resume = opts.resume
  if resume and resume.count ~= #list then
    error("bad argument 'resume' to 'email:send_bulk' (the report is for a list of "
      .. tostring(resume.count) .. " messages, not " .. #list .. ")", 3)
  end
  -- every message is checked before anything is sent
  local bodies, err = email.to_bodies(list)
  if not bodies then return nil, err end

  local report = { calls = {}, bulk_email_ids = {}, sent = 0, failed = 0, skipped = 0, count = #list }
  local done = {}
  for _, call in ipairs(resume and resume.calls or {}) do
    if call.id then
      report.calls[#report.calls + 1] = call
      report.bulk_email_ids[#report.bulk_email_ids + 1] = call.id
      report.skipped = report.skipped + #call.messages
      for _, i in ipairs(call.messages) do done[i] = true end
    end
  end
  local todo = {}
  for i = 1, #bodies do
    if not done[i] then todo[#todo + 1] = i end
  end
  local chunks = chunked.chunks(todo, size)
  report.total_calls = #chunks

  local send_ep = client.bulk._endpoints.send
  local function params(chunk)
    local body = {}
    for k, i in ipairs(chunk) do body[k] = bodies[i] end
    return { body = body }
  end
  local function record(chunk, res, cerr)
    local call = { messages = chunk }
    local id = res and bulk_id(res)
    if res and id then
      call.id, call.bulk_email_id = id, id
      report.sent = report.sent + #chunk
      report.bulk_email_ids[#report.bulk_email_ids + 1] = id
    else
      call.error = cerr or errors.new({ kind = "http", provider = "mailersend",
        message = "the answer to POST /bulk-email has no bulk_email_id" })
      report.failed = report.failed + #chunk
    end
    report.calls[#report.calls + 1] = call
    if opts.progress then opts.progress(report, call) end
  end

  chunked.run(client.engine, send_ep, chunks, params, record, opts.parallel, "email:send_bulk")
  report.ok = report.failed == 0
  return report
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
