-- Requests that do not block: submitted to the C core's multi handle and
-- finished by poll(timeout_ms), which a host calls from its own loop (each
-- frame, with 0 = never wait). Retries wait on a timer checked by poll, not
-- in a sleep. Callbacks receive res, err exactly as the blocking call
-- returns them.
-- One queue: requests beyond max_connections wait in the C core's multi
-- (it starts them as slots free up), never in Lua.
local core = require("mailgun.engine.native").core()
local clock = require("mailgun.engine.clock")
local defaults = require("mailgun.engine.defaults")

local setmetatable, pairs, ipairs, type, pcall, error =
  setmetatable, pairs, ipairs, type, pcall, error
local min, floor = math.min, math.floor
local remove = table.remove

local _M = {}

local Loop = {}
Loop.__index = Loop

-- A submitted request, also the handle async calls return: cancel(),
-- status() ("waiting" | "done" | "cancelled"), result() -> res, err.
local Job = {}
Job.__index = Job
_M.Job = Job

function Job:cancel()
  return self.loop:cancel(self)
end

function Job:status()
  if not self.done then return "waiting" end
  return self.cancelled and "cancelled" or "done"
end

function Job:result()
  if self.done then return self.res, self.err end
end

-- deadlines and waits: the monotonic clock
local now, sleep = clock.monotonic, clock.sleep
_M.now, _M.sleep = now, sleep

-- Loops alive, for mailgun.poll() (weak: a dropped loop is collected).
local loops = setmetatable({}, { __mode = "k" })

-- opts: max_connections, and the curl session options (timeout and
-- connect_timeout in seconds, verify, cafile, capath, proxy, user_agent).
function _M.new(opts)
  opts = opts or {}
  local multi = core.multi({
    max_connections = opts.max_connections or 8,
    timeout = (opts.timeout or defaults.timeout) * 1000,
    connect_timeout = (opts.connect_timeout or defaults.connect_timeout) * 1000,
    verify = opts.verify, cafile = opts.cafile, capath = opts.capath,
    proxy = opts.proxy, user_agent = opts.user_agent, max_body = opts.max_body or defaults.max_body,
  })
  -- count: jobs not finished; owned: those of them a scheduler task waits
  -- for (the task is what mailgun.pending() counts)
  local loop = setmetatable({ multi = multi, jobs = {}, timers = {}, count = 0, owned = 0,
                              errors = {}, backlog = {}, request = {} }, Loop)
  loops[loop] = true
  return loop
end

local function start(loop, job)
  local req = job.req
  if req.form and job.attempt > 1 then req.form:rewind() end
  if job.engine.arm then job.engine:arm(req) end
  local timeout = req.timeout
  -- the C core reads the fields it knows (copying them at once); only a
  -- timeout needs converting, in the loop's one request table
  local r = req
  if timeout ~= nil then
    r = loop.request
    r.method, r.url, r.headers, r.body, r.form = req.method, req.url, req.headers, req.body, req.form
    r.timeout, r.once = timeout * 1000, req.once or nil
  end
  local id = loop.multi:add(r)
  if r ~= req then r.url, r.headers, r.body, r.form = nil, nil, nil, nil end
  job.id = id
  loop.jobs[id] = job
end

local function finish(loop, job, res, err)
  loop.count = loop.count - 1
  if job.owner then loop.owned = loop.owned - 1 end
  job.done = true
  job.res, job.err = res, err
  local req = job.req
  if req.form and not req.keep_form then req.form:close() end
  local ok, cerr = pcall(job.callback, res, err)
  if not ok then loop.errors[#loop.errors + 1] = cerr end
end

-- Submits a prepared engine request; callback(res, err) runs inside a
-- later poll. owner (optional): the task waiting for it, so the pair counts
-- once in pending. Returns a handle for cancel().
-- On a closed loop the callback runs at once with nil, err{kind="cancelled"}.
function Loop:submit(engine, req, callback, owner)
  if type(callback) ~= "function" then
    error("bad argument #3 to 'submit' (function expected, got " .. type(callback) .. ")", 2)
  end
  -- (the fields set later named here too: the table is made at its size)
  local job = setmetatable({ loop = self, engine = engine, req = req, attempt = 1, callback = callback,
                             owner = owner, id = nil, done = nil, res = nil, err = nil,
                             cancelled = nil }, Job)
  self.count = self.count + 1
  if owner then self.owned = self.owned + 1 end
  if self.closed then
    local errors = require("mailgun.engine.errors")
    finish(self, job, nil, errors.new({ kind = "cancelled", message = "the client was closed" }))
    return job
  end
  start(self, job)
  return job
end

-- Cancels a pending request: its callback runs with nil, err (default
-- {kind="cancelled"}).
function Loop:cancel(job, err)
  if job.done then return false end
  job.cancelled = true
  if job.id and self.jobs[job.id] == job then
    self.multi:cancel(job.id)
    self.jobs[job.id] = nil
  end
  for i, t in ipairs(self.timers) do
    if t.job == job then remove(self.timers, i) break end
  end
  local errors = require("mailgun.engine.errors")
  finish(self, job, nil, err or errors.new({ kind = "cancelled", message = "the request was cancelled" }))
  return true
end

-- Cancels the requests of one engine (its client is closing): the loop is
-- shared by the clients of a transport and goes on for the others.
function Loop:cancel_engine(engine, err)
  local list = {}
  for _, job in pairs(self.jobs) do
    if job.engine == engine then list[#list + 1] = job end
  end
  for _, timer in ipairs(self.timers) do
    if timer.job.engine == engine then list[#list + 1] = timer.job end
  end
  for _, job in ipairs(list) do self:cancel(job, err) end
end

-- Requests not finished (with those a task waits for).
function Loop:pending()
  return self.count
end

-- Runs what has finished, waiting at most timeout_ms (0: never wait).
-- budget_ms (optional) bounds the work: once that much time went into
-- callbacks, the completions left wait for the next poll (a frame's share).
-- Returns the number of callbacks run. A callback that raises does not
-- stop the others; its error is raised after the batch.
function Loop:poll(timeout_ms, budget_ms)
  timeout_ms = timeout_ms or 0
  local t = now()
  local deadline = budget_ms and t + budget_ms / 1000
  local ran = 0
  -- retries whose wait is over
  local i = 1
  while i <= #self.timers do
    local timer = self.timers[i]
    if timer.due <= t then
      remove(self.timers, i)
      start(self, timer.job)
    else
      i = i + 1
    end
  end
  local wait = timeout_ms
  for _, timer in ipairs(self.timers) do
    wait = min(wait, floor((timer.due - t) * 1000))
  end
  if wait < 0 then wait = 0 end
  local list = self.backlog
  local busy = self.multi:pending() > 0
  if #list == 0 and not busy then
    if wait > 0 and #self.timers > 0 then sleep(wait / 1000) end
    return 0
  end
  if #list > 0 then self.backlog = {} end
  if busy then
    local polled = self.multi:poll(#list > 0 and 0 or wait)
    if #list == 0 then
      list = polled
    else
      for _, c in ipairs(polled) do list[#list + 1] = c end
    end
  end
  for k, c in ipairs(list) do
    if deadline and ran > 0 and now() >= deadline then
      for j = k, #list do self.backlog[#self.backlog + 1] = list[j] end
      break
    end
    local job = self.jobs[c.id]
    if job then
      self.jobs[c.id] = nil
      local res, err, delay = job.engine:decide(job.req, job.attempt, c.res, c.err, c.detail,
        c.sent)
      if delay then
        job.attempt = job.attempt + 1
        self.timers[#self.timers + 1] = { due = now() + delay, job = job }
      else
        finish(self, job, res, err)
        ran = ran + 1
      end
    end
  end
  if #self.errors > 0 then
    local e = self.errors[1]
    self.errors = {}
    error(e, 0)
  end
  return ran
end

-- Polls until nothing is pending.
function Loop:wait()
  while self.count > 0 do
    self:poll(100)
  end
end

-- Cancels everything in flight (callbacks run with kind="cancelled") and
-- frees the multi handle. Idempotent.
function Loop:close()
  if self.closed then return end
  self.closed = true
  local list = {}
  for _, job in pairs(self.jobs) do list[#list + 1] = job end
  for _, timer in ipairs(self.timers) do list[#list + 1] = timer.job end
  for _, job in ipairs(list) do
    if not job.done then self:cancel(job) end
  end
  self.multi:close()
  loops[self] = nil
  if #self.errors > 0 then
    local e = self.errors[1]
    self.errors = {}
    error(e, 0)
  end
end

-- Requests in flight or waiting for a retry, over every live loop; with
-- counted = true only those no task waits for (mailgun.pending() counts
-- the task instead: one send_async is one).
function _M.pending_all(counted)
  local n = 0
  for loop in pairs(loops) do n = n + loop.count - (counted and loop.owned or 0) end
  return n
end

-- Polls every live loop with work; returns the number of callbacks run.
-- With several loops the wait is shared out in slices, so the whole call
-- keeps to timeout_ms; budget_ms as in Loop:poll, shared too.
function _M.poll_all(timeout_ms, budget_ms)
  timeout_ms = timeout_ms or 0
  local busy = {}
  for loop in pairs(loops) do
    if loop.count > 0 then busy[#busy + 1] = loop end
  end
  if #busy == 0 then return 0 end
  if #busy == 1 then return busy[1]:poll(timeout_ms, budget_ms) end
  local started = now()
  local deadline = started + timeout_ms / 1000
  local ran = 0
  local function share()
    if not budget_ms then return nil end
    local left = budget_ms - (now() - started) * 1000
    return left > 0 and left or 0
  end
  while true do
    for _, loop in ipairs(busy) do ran = ran + loop:poll(0, share()) end
    local left = (deadline - now()) * 1000
    if ran > 0 or left <= 0 then return ran end
    ran = ran + busy[1]:poll(min(floor(left), 5), share())
    if ran > 0 then return ran end
  end
end

return _M
