-- Requests that do not block: submitted to the C core's multi handle and
-- finished by poll(timeout_ms), which a host calls from its own loop (each
-- frame, with 0 = never wait). Retries wait on a timer checked by poll, not
-- in a sleep. Callbacks receive res, err exactly as the blocking call
-- returns them.
local core = require("mailgun.core")
local defaults = require("mailgun.engine.defaults")

local setmetatable, pairs, ipairs, type, pcall, error, tonumber =
  setmetatable, pairs, ipairs, type, pcall, error, tonumber
local min, floor = math.min, math.floor
local remove = table.remove

local _M = {}

local Loop = {}
Loop.__index = Loop

-- Wall-clock seconds and a real sleep: the C core's now/sleep, else
-- luasystem (installed with busted), else LuaJIT's FFI, else os.time.
local function pick_clock()
  if core.now and core.sleep then return core.now, core.sleep end
  local ok, system = pcall(require, "system")
  if ok and type(system) == "table" and system.gettime and system.sleep then
    return system.gettime, system.sleep
  end
  local has_ffi, ffi = pcall(require, "ffi")
  if has_ffi then
    pcall(ffi.cdef, [[
      struct mailgun_timeval { long tv_sec; long tv_usec; };
      int gettimeofday(struct mailgun_timeval *tv, void *tz);
      int poll(void *fds, unsigned long nfds, int timeout);
    ]])
    local tv = ffi.new("struct mailgun_timeval")
    return function()
      ffi.C.gettimeofday(tv, nil)
      return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6
    end, function(seconds)
      ffi.C.poll(nil, 0, floor(seconds * 1000 + 0.5))
    end
  end
  return os.time, function(seconds)
    local t = os.time() + seconds
    repeat until os.time() >= t
  end
end
local now, sleep = pick_clock()
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
  -- jobs wait in `queue` while `limit` are in the multi: a poll then
  -- finishes at most `limit` transfers, which keeps each poll short
  local loop = setmetatable({ multi = multi, jobs = {}, timers = {}, count = 0, errors = {},
                              backlog = {}, queue = {}, active = 0,
                              limit = opts.max_connections or 8 }, Loop)
  loops[loop] = true
  return loop
end

local function start(loop, job)
  if loop.active >= loop.limit then
    loop.queue[#loop.queue + 1] = job
    return
  end
  local req = job.req
  if req.form and job.attempt > 1 then req.form:rewind() end
  if job.engine.arm then job.engine:arm(req) end
  local id = loop.multi:add({ method = req.method, url = req.url, headers = req.headers,
    body = req.body, form = req.form, timeout = req.timeout and req.timeout * 1000 or nil,
    once = req.once or nil })
  job.id = id
  loop.jobs[id] = job
  loop.active = loop.active + 1
end

-- A job left the multi: start queued ones in its place.
local function release(loop)
  loop.active = loop.active - 1
  while loop.active < loop.limit and #loop.queue > 0 do
    local job = remove(loop.queue, 1)
    if not job.done then start(loop, job) end
  end
end

local function finish(loop, job, res, err)
  loop.count = loop.count - 1
  job.done = true
  local req = job.req
  if req.form and not req.keep_form then req.form:close() end
  local ok, cerr = pcall(job.callback, res, err)
  if not ok then loop.errors[#loop.errors + 1] = cerr end
end

-- Submits a prepared engine request; callback(res, err) runs inside a
-- later poll. Returns a handle for cancel().
-- On a closed loop the callback runs at once with nil, err{kind="cancelled"}.
function Loop:submit(engine, req, callback)
  if type(callback) ~= "function" then
    error("bad argument #3 to 'submit' (function expected, got " .. type(callback) .. ")", 2)
  end
  local job = { engine = engine, req = req, attempt = 1, callback = callback }
  self.count = self.count + 1
  if self.closed then
    local errors = require("mailgun.engine.errors")
    finish(self, job, nil, errors.new({ kind = "cancelled", message = "the client was closed" }))
    return job
  end
  start(self, job)
  return job
end

-- Cancels a pending request: its callback runs with nil, {kind="cancelled"}.
function Loop:cancel(job)
  if job.done then return false end
  if job.id and self.jobs[job.id] == job then
    self.multi:cancel(job.id)
    self.jobs[job.id] = nil
    release(self)
  end
  for i, t in ipairs(self.timers) do
    if t.job == job then remove(self.timers, i) break end
  end
  local errors = require("mailgun.engine.errors")
  finish(self, job, nil, errors.new({ kind = "cancelled", message = "the request was cancelled" }))
  return true
end

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
  self.backlog = {}
  if #list == 0 and self.multi:pending() == 0 then
    if wait > 0 and #self.timers > 0 then sleep(wait / 1000) end
    return 0
  end
  if self.multi:pending() > 0 then
    for _, c in ipairs(self.multi:poll(#list > 0 and 0 or wait)) do list[#list + 1] = c end
  end
  for k, c in ipairs(list) do
    if deadline and ran > 0 and now() >= deadline then
      for j = k, #list do self.backlog[#self.backlog + 1] = list[j] end
      break
    end
    local job = self.jobs[c.id]
    if job then
      self.jobs[c.id] = nil
      release(self)
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
  for _, job in ipairs(self.queue) do list[#list + 1] = job end
  self.queue = {}
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

-- Requests in flight or waiting for a retry, over every live loop.
function _M.pending_all()
  local n = 0
  for loop in pairs(loops) do n = n + loop.count end
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
