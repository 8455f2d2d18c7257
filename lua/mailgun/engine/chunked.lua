-- The one chunked-sending runner (Mailgun batches, MailerSend bulk, the
-- unified batch): items drawn from a source one call at a time (never all
-- held), one call of an endpoint per `size` items, at most `parallel` in
-- flight, and one report shape:
--   report = {calls = {{index = i, first = n, count = k, at = epoch,
--                       id = ... | error = err, uncertain = true?}, ...},
--             sent = n, failed = n, uncertain = n (items, this run),
--             skipped = n (items of calls sent in an earlier run), total = n
--             (items drawn), size = k, ok = bool, source_error = err?,
--             total_calls = n (a list only)}
-- Every call ends sent (an id), failed (provably not accepted) or
-- uncertain (it may have been: err.uncertain, or a 2xx without an id).
-- resume = report (or journal = path) sends only the calls that did not
-- succeed, re-reading the source in the same order; an uncertain call is
-- sent again only with resend_uncertain = true.
local errors = require("mailgun.engine.errors")
local journal_mod = require("mailgun.engine.journal")

local type, ipairs, pcall, error, require, tostring = type, ipairs, pcall, error, require, tostring
local sort = table.sort
local time = os.time

local _M = {}

-- An item source over a list (nil holes are the caller's to refuse).
function _M.from_list(list)
  local i = 0
  return function()
    i = i + 1
    return list[i]
  end
end

local function tally(report, call, sign)
  local k = call.count * (sign or 1)
  if call.id then
    report.sent = report.sent + k
  elseif call.uncertain then
    report.uncertain = report.uncertain + k
  else
    report.failed = report.failed + k
  end
end

local function finish_report(report)
  sort(report.calls, function(a, b) return a.index < b.index end)
  report.ok = report.failed == 0 and report.uncertain == 0 and report.source_error == nil
  return report
end

-- The uncertain calls of a report.
function _M.uncertain_calls(report)
  local out = {}
  for _, c in ipairs(report.calls or {}) do
    if c.uncertain then out[#out + 1] = c end
  end
  return out
end

-- Runs a chunked send. spec: engine, endpoint, label, provider, size,
-- next_item() -> item[, extra] | nil at the end (it may raise: reported as
-- source_error, nothing else lost; extra: a second value kept in a list
-- beside the items, so an item needs no table of its own) or list (the
-- items, read in place), build(items, call, extras) -> params | nil, err
-- (err: that call fails, nothing sent), id_of(res) -> id | nil,
-- count (the items of a list, when known), kind + fingerprint (journal
-- header), sum_of(items, call, extras) (what the journal
-- checks on resume; default the items), opts = {parallel, progress,
-- resume, resend_uncertain, journal}.
-- -> report | nil, err (a journal that is corrupt or of another batch).
function _M.run(spec)
  local opts, size, provider = spec.opts or {}, spec.size, spec.provider
  if opts.resume ~= nil and opts.journal ~= nil then
    error("bad argument to '" .. spec.label .. "' (give resume or journal, not both)", 3)
  end
  local prior = {}
  local journal
  local report = { calls = {}, sent = 0, failed = 0, uncertain = 0, skipped = 0, total = 0, size = size }
  -- a list's call count is known in advance (a source's is not)
  if spec.count then report.total_calls = math.ceil(spec.count / size) end
  if opts.resume ~= nil then
    if type(opts.resume) ~= "table" or type(opts.resume.calls) ~= "table" then
      error("bad argument 'resume' to '" .. spec.label .. "' (a report expected)", 3)
    end
    if opts.resume.size and opts.resume.size ~= size then
      error("bad argument 'resume' to '" .. spec.label .. "' (the report was sent with size "
        .. tostring(opts.resume.size) .. ", not " .. tostring(size) .. ")", 3)
    end
    for _, c in ipairs(opts.resume.calls) do prior[c.index] = c end
  elseif opts.journal ~= nil then
    local calls
    journal, calls = journal_mod.open(opts.journal, { kind = spec.kind, fingerprint = spec.fingerprint,
      size = size }, provider)
    if not journal then return nil, calls end
    for _, c in ipairs(calls) do prior[c.index] = c end
    report.journal = opts.journal
  end
  local resend_uncertain = opts.resend_uncertain
  local sum_of = spec.sum_of or function(items) return items end
  local ended, index, position = false, 0, 0

  local function stop(err)
    ended = true
    report.source_error = report.source_error or err
  end

  -- Draws the next call to send: calls that already succeeded (or stay
  -- uncertain) are read from the source and carried into the report.
  -- one protected call draws a whole call's items (a pcall per item costs
  -- as much as the rest of the batch's Lua work); true at the end
  local next_item, list = spec.next_item, spec.list
  local function draw(items, extras)
    if list then
      for k = 1, size do
        local item = list[position + k]
        if item == nil then return true end
        items[k] = item
      end
      return false
    end
    for k = 1, size do
      local item, extra = next_item()
      if item == nil then return true end
      items[k], extras[k] = item, extra
    end
    return false
  end

  local function next_call()
    while not ended do
      local items, extras = {}, {}
      local ok, last = pcall(draw, items, extras)
      if not ok then
        -- a partial call is not sent: its items are drawn again on resume
        local k = #items + 1
        stop(errors.new({ kind = "source", provider = provider, position = position + k,
          message = "the source raised at item " .. (position + k) .. ": " .. tostring(last) }))
        return nil
      end
      if last then ended = true end
      if #items == 0 then return nil end
      index = index + 1
      local call = { index = index, first = position + 1, count = #items }
      position = position + #items
      report.total = position
      local before = prior[index]
      local sum = journal and journal_mod.sum(sum_of(items, call, extras))
      if before and (before.first ~= call.first or before.count ~= call.count
          or (sum and before.sum and before.sum ~= sum)) then
        report.total = position - #items
        stop(errors.new({ kind = "journal", provider = provider, index = index,
          message = "call " .. index .. " of the source differs from the one recorded ("
            .. (opts.journal and ("journal '" .. opts.journal .. "'") or "resume report")
            .. "): not the same recipients in the same order" }))
        return nil
      end
      if before and (before.id or (before.uncertain and not resend_uncertain)) then
        local carried = { index = index, first = call.first, count = call.count, at = before.at,
          id = before.id, error = before.error, uncertain = before.uncertain, recipient = before.recipient }
        report.calls[#report.calls + 1] = carried
        if carried.id then
          report.skipped = report.skipped + carried.count
        else
          report.uncertain = report.uncertain + carried.count
        end
      else
        call.sum = sum
        return call, items, extras
      end
    end
  end

  local engine, ep, label = spec.engine, spec.endpoint, spec.label
  local function send(call, items, extras)
    call.at = time()
    local params, err = spec.build(items, call, extras)
    local res
    if params then
      if journal then journal:start(call, call.sum) end
      res, err = engine:call(ep, params, { label = label })
      if res then
        call.id = spec.id_of(res)
        if not call.id then
          err = errors.new({ kind = "http", provider = provider, uncertain = true,
            message = "the answer has no id: the call may have been accepted" })
        end
      end
      if err then
        call.error = err
        call.uncertain = err.uncertain or nil
      end
      if journal then journal:finish(call) end
    else
      call.error = err
    end
    call.sum = nil
    tally(report, call)
    report.calls[#report.calls + 1] = call
    if opts.progress then opts.progress(report, call) end
  end

  -- the scheduler given to the engine (every engine has one)
  local scheduler = engine.scheduler or require("mailgun.engine.scheduler")
  local function worker()
    while true do
      local call, items, extras = next_call()
      if not call then return end
      send(call, items, extras)
      local me = scheduler and scheduler.current()
      if me and me.cancelled then return end
    end
  end

  local parallel = opts.parallel or 1
  local ok, err
  if parallel > 1 then
    local workers = {}
    for i = 1, parallel do workers[i] = i end
    ok, err = pcall(scheduler.each, workers, parallel, worker)
  else
    ok, err = pcall(worker)
  end
  if journal then journal:close() end
  if not ok then error(err, 0) end
  for _, c in ipairs(report.calls) do c.sum = nil end
  return finish_report(report)
end

-- Settles uncertain calls with what the provider knows: check(call) ->
-- "sent", id | "failed", err | nil (still unknown). Updates the report
-- (and its journal) in place; returns the calls it settled.
function _M.reconcile(report, check)
  local settled = {}
  for _, call in ipairs(report.calls) do
    if call.uncertain then
      local verdict, value = check(call)
      if verdict == "sent" or verdict == "failed" then
        tally(report, call, -1)
        call.uncertain = nil
        if verdict == "sent" then
          call.id, call.error = value, nil
        else
          call.error = value or call.error
          if type(call.error) == "table" then call.error.uncertain = nil end
        end
        tally(report, call)
        settled[#settled + 1] = call
      end
    end
  end
  if report.journal and #settled > 0 then journal_mod.append(report.journal, settled) end
  finish_report(report)
  return settled
end

return _M
