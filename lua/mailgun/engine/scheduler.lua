-- A small cooperative scheduler: code run by scheduler.spawn(fn) is a task
-- (a coroutine) in which the ordinary, blocking-looking calls
-- (client.messages:send(...), client.bounces:list(), batch:send{...})
-- yield instead of blocking: the engine hands the request to the client's
-- non-blocking loop (mailgun.async, the C core's multi) and the task goes
-- on when the answer is in. The host drives everything with
-- scheduler.step(timeout_ms) (= mailgun.poll) from its own loop, or
-- scheduler.run() to finish all tasks.
--
--   local scheduler = require("mailgun.engine.scheduler")
--   scheduler.spawn(function()
--     local res, err = client.messages:send(msg)   -- yields here
--     ...
--   end)
--   while scheduler.pending() > 0 do scheduler.step(0); draw_frame() end
--
-- How the engine uses it: each engine is given a scheduler (this module
-- unless its configuration names another); Engine:perform asks
-- scheduler.perform(engine, req) first when scheduler.current() is a task;
-- that returns false when the engine has no loop (engine:loop(): its
-- transport declares none), and the blocking path runs. Retries wait on
-- timers of the loop, sleeps (engine:sleep) on timers of the scheduler:
-- never in a real sleep while other tasks could run.
--
-- Inside nginx (the OpenResty transport) there is no loop to drive: the
-- async helpers (start, each) use ngx.thread instead, and nginx's own event
-- loop does the driving.
local errors = require("mailgun.engine.errors")
local clockmod = require("mailgun.engine.clock")

local setmetatable, type, error, pairs, ipairs, select, tostring, pcall, rawget =
  setmetatable, type, error, pairs, ipairs, select, tostring, pcall, rawget
local co_create, co_resume, co_yield, co_running, co_status =
  coroutine.create, coroutine.resume, coroutine.yield, coroutine.running, coroutine.status
local unpack = table.unpack or rawget(_G, "unpack")
local remove = table.remove
local min, floor = math.min, math.floor
local traceback = debug.traceback

local _M = { _VERSION = require("mailgun.engine.version") }

local WAIT = {} -- yielded by our own waits (anything else is a plain yield)

local Task = {}
Task.__index = Task

local by_coroutine = setmetatable({}, { __mode = "k" }) -- coroutine -> task
local live = {}       -- unfinished tasks (strong: a waiting task must live)
local live_count = 0
local ready = {}      -- tasks that yielded plainly: resumed by the next step
local timers = {}     -- {due=, task=} for sleeping tasks
local raised = {}     -- errors raised by tasks or callbacks, re-raised by step

local function pack(...)
  return { n = select("#", ...), ... }
end

local function clock()
  local ngx = rawget(_G, "ngx")
  if type(ngx) == "table" and ngx.now then
    ngx.update_time()
    return ngx.now()
  end
  return clockmod.monotonic()
end
_M.clock = clock

local function cancelled_error(message)
  return errors.new({ kind = "cancelled", message = message or "the request was cancelled" })
end
_M.cancelled_error = cancelled_error

-- The task running now, or nil outside of one (also inside a coroutine the
-- task itself started: that one runs its calls the blocking way).
function _M.current()
  local co = co_running()
  return co and by_coroutine[co] or nil
end

local function collect_error(err)
  raised[#raised + 1] = err
end

-- Ends a task once: its callback gets the results (nil, err{kind=
-- "cancelled"} for a cancelled task) unless `silent`.
local function finish(task, results, silent)
  if task.done then return end
  task.done = true
  task.waiting = nil
  if live[task] then
    live[task] = nil
    live_count = live_count - 1
  end
  if task.cancelled then
    results = pack(nil, task.cancel_error or cancelled_error())
  end
  task.results = results
  local callback = task.callback
  if callback and not silent then
    local ok, err = pcall(callback, unpack(results, 1, results.n))
    if not ok then collect_error(err) end
  end
end

-- Runs the task until it waits, yields or ends. Errors raised by the task
-- are kept for step() (or, during spawn, raised to the caller).
local function resume(task, ...)
  local out = pack(co_resume(task.co, ...))
  if co_status(task.co) == "dead" then
    if out[1] then
      finish(task, pack(unpack(out, 2, out.n)))
    else
      -- the error is raised by spawn (while starting) or by the next step;
      -- the callback still hears of it, so the host's books balance
      local err = out[2]
      task.failed = true
      if task.starting then
        task.start_error = err
      else
        collect_error(type(err) == "string" and traceback(task.co, err) or err)
      end
      finish(task, pack(nil, errors.new({ kind = "error", message = tostring(err) })), task.starting)
    end
  elseif out[2] ~= WAIT then
    -- a plain coroutine.yield(): go on at the next step
    ready[#ready + 1] = task
  end
end

-- Wakes a waiting task with values for its wait to return.
local function wake(task, ...)
  if task.done then return end
  task.wake = pack(...)
  task.waiting = nil
  if co_status(task.co) == "suspended" then resume(task) end
end

-- Inside a task: yields until wake(task, ...) and returns its values.
local function wait(task, what)
  task.waiting = what
  while task.wake == nil do co_yield(WAIT) end
  local values = task.wake
  task.wake = nil
  return unpack(values, 1, values.n)
end

-- Starts fn(...) as a task at once; it runs until its first wait. opts:
-- callback(...) receives what fn returns (or nil, err{kind="cancelled"});
-- A programming error raised before the first wait is raised here.
local function start(fn, args, callback)
  if type(fn) ~= "function" then
    error("bad argument #1 to 'spawn' (function expected, got " .. type(fn) .. ")", 3)
  end
  local task = setmetatable({ co = co_create(fn), callback = callback, engines = {} }, Task)
  by_coroutine[task.co] = task
  live[task] = true
  live_count = live_count + 1
  task.starting = true
  resume(task, unpack(args, 1, args.n))
  task.starting = nil
  if task.start_error ~= nil then
    local e = task.start_error
    task.start_error = nil
    error(e, 0)
  end
  return task
end

-- scheduler.spawn(fn, ...) -> task: runs fn(...) as a task.
function _M.spawn(fn, ...)
  return start(fn, pack(...))
end

-- scheduler.start(fn, args, callback) -> task; callback gets fn's results.
function _M.start(fn, args, callback)
  return start(fn, args or pack(), callback)
end

-- Task ---------------------------------------------------------------------

-- "waiting" | "ready" | "done" | "cancelled"
function Task:status()
  if self.done then return self.cancelled and "cancelled" or "done" end
  if self.waiting then return "waiting" end
  return "ready"
end

-- What the task's function returned (nil, err when cancelled), or nothing
-- while it runs.
function Task:result()
  if not self.results then return end
  return unpack(self.results, 1, self.results.n)
end

-- Cancels the task: a request in flight is abandoned, a sleep ends, and
-- the callback runs now with nil, err{kind="cancelled"}. false when the
-- task had already finished.
function Task:cancel(err)
  if self.done then return false end
  self.cancelled = true
  self.cancel_error = err or cancelled_error()
  for _, child in ipairs(self.children or {}) do child:cancel(self.cancel_error) end
  local w = self.waiting
  if w and w.loop then
    w.loop:cancel(w.job) -- its callback wakes the task with nil, cancelled
  elseif w and w.timer then
    for i, t in ipairs(timers) do
      if t == w.timer then remove(timers, i) break end
    end
    wake(self)
  elseif w then
    wake(self)
  end
  if not self.done then
    -- it is the running task (it cancelled itself) or it waits again: it
    -- ends here; whatever it still does goes nowhere
    w = self.waiting
    finish(self, pack())
    if w and w.loop then w.loop:cancel(w.job) end
  end
  return true
end

-- The engine's hook -----------------------------------------------------------

-- Called by Engine:perform. -> true, res, err when the request ran through
-- the loop; false when the blocking path must run.
function _M.perform(engine, req)
  local task = _M.current()
  if not task then return false end
  if task.cancelled or task.done or engine.closed then
    if req.form and not req.keep_form then req.form:close() end
    return true, nil, task.cancel_error or cancelled_error("the client was closed")
  end
  local loop = engine:loop()
  if not loop then return false end
  task.engines[engine] = true
  local job = loop:submit(engine, req, function(res, err) wake(task, res, err) end, task)
  return true, wait(task, { loop = loop, job = job })
end

-- Engine:sleep: inside a task of a loop-driven client the task waits on a
-- timer of the scheduler (other tasks run meanwhile); elsewhere the
-- transport sleeps (ngx.sleep in nginx). Returns false when the task was
-- cancelled.
function _M.sleep(engine, seconds)
  local task = _M.current()
  if not task or task.done or not engine:loop() then
    if seconds > 0 then engine.transport:sleep(seconds) end
    return true
  end
  if task.cancelled then return false end
  local timer = { due = clock() + seconds, task = task }
  timers[#timers + 1] = timer
  wait(task, { timer = timer })
  return not task.cancelled
end

-- Cancels the unfinished tasks that used engine (its client is closing).
function _M.cancel_engine(engine, err)
  local list = {}
  for task in pairs(live) do
    if task.engines[engine] then list[#list + 1] = task end
  end
  for _, task in ipairs(list) do task:cancel(err) end
end

-- Running in parallel ---------------------------------------------------------

local function ngx_threads()
  local ngx = rawget(_G, "ngx")
  if type(ngx) ~= "table" or not ngx.thread or not ngx.get_phase then return nil end
  local phase = ngx.get_phase()
  if phase == "rewrite" or phase == "access" or phase == "content" or phase == "timer" then
    return ngx
  end
  return nil
end

-- Calls fn(item) for every item with at most `parallel` running at once and
-- returns when all are done. Inside a task the calls are child tasks and
-- the task waits; outside, the calls are tasks driven here until they end
-- (other tasks make progress too). In nginx, light threads.
function _M.each(items, parallel, fn)
  parallel = parallel or 1
  if parallel < 1 then parallel = 1 end
  local nxt = 1
  local function worker()
    while nxt <= #items do
      local item = items[nxt]
      nxt = nxt + 1
      fn(item)
      local me = _M.current()
      if me and me.cancelled then return end
    end
  end
  local workers = min(parallel, #items)
  local ngx = _M.current() == nil and ngx_threads()
  if ngx then
    local threads = {}
    for i = 1, workers do threads[i] = ngx.thread.spawn(worker) end
    for i = 1, workers do
      local ok, err = ngx.thread.wait(threads[i])
      if not ok then error(err, 0) end
    end
    return
  end
  local parent = _M.current()
  local children, started, finished, all_started = {}, 0, 0, false
  local function child_done()
    finished = finished + 1
    if all_started and finished == started and parent then wake(parent) end
  end
  if parent then parent.children = children end
  for i = 1, workers do
    -- in a task, one worker starts per step: each prepares a call at once
    if parent and i > 1 then
      _M.pause()
      if parent.cancelled or nxt > #items then break end
    end
    started = started + 1
    children[i] = start(worker, pack(), child_done)
    for engine in pairs(parent and parent.engines or {}) do children[i].engines[engine] = true end
  end
  all_started = true
  local left = started - finished
  if parent then
    if left > 0 and not parent.cancelled then wait(parent, { join = true }) end
    parent.children = nil
    if parent.cancelled then
      for _, c in ipairs(children) do c:cancel() end
    end
  else
    while finished < started do _M.step(100) end
  end
end

-- Driving ---------------------------------------------------------------------

local function raise_collected()
  if #raised > 0 then
    local e = raised[1]
    raised = {}
    error(e, 0)
  end
end

-- Unfinished tasks.
function _M.pending()
  return live_count
end

-- One turn: resumes tasks that yielded, wakes sleepers whose time has come,
-- runs what the loops have finished, waiting at most timeout_ms
-- (0 = never wait; nothing waits when there is nothing to wait for).
-- budget_ms (optional): once callbacks took that long, the completions left
-- wait for the next step (bounded work per frame).
-- Returns the number of completions handled. A task or callback that raised
-- is reported here, after the others ran.
function _M.step(timeout_ms, budget_ms)
  timeout_ms = timeout_ms or 0
  if _M.current() then error("mailgun.poll/scheduler.step called from inside a task", 2) end
  local async = require("mailgun.engine.async")
  local started = clock()
  local done = 0
  if #ready > 0 then
    -- with a budget, tasks left when it is used up go on at the next step
    local batch = ready
    ready = {}
    for i, task in ipairs(batch) do
      if budget_ms and done > 0 and (clock() - started) * 1000 >= budget_ms then
        for j = i, #batch do ready[#ready + 1] = batch[j] end
        break
      end
      if not task.done then resume(task); done = done + 1 end
    end
  end
  local function fire_timers()
    if #timers == 0 then return end
    local now = clock()
    local due = {}
    local i = 1
    while i <= #timers do
      if timers[i].due <= now then
        due[#due + 1] = remove(timers, i)
      else
        i = i + 1
      end
    end
    for _, t in ipairs(due) do
      wake(t.task)
      done = done + 1
    end
  end
  fire_timers()
  local wait_ms = (#ready > 0 or done > 0) and 0 or timeout_ms
  local elapsed = (clock() - started) * 1000
  wait_ms = wait_ms - elapsed
  local next_due
  for _, t in ipairs(timers) do
    if not next_due or t.due < next_due then next_due = t.due end
  end
  if next_due then wait_ms = min(wait_ms, (next_due - clock()) * 1000) end
  if wait_ms < 0 then wait_ms = 0 end
  if async.pending_all() > 0 then
    local share = budget_ms and budget_ms - (clock() - started) * 1000
    if share and share < 0 then share = 0 end
    done = done + async.poll_all(floor(wait_ms), share)
  elseif wait_ms > 0 and #timers > 0 then
    clockmod.sleep(wait_ms / 1000) -- only sleepers: wait for the first
  end
  fire_timers()
  raise_collected()
  return done
end

-- Steps until every task has finished (or `timeout` seconds passed: then
-- false). Blocking: for scripts and tests.
function _M.run(timeout)
  local deadline = timeout and clock() + timeout
  while live_count > 0 or require("mailgun.engine.async").pending_all() > 0 do
    if deadline and clock() >= deadline then return false end
    _M.step(50)
  end
  return true
end

-- Async views -------------------------------------------------------------------

-- A handle for a request started in nginx on a light thread.
local NgxHandle = {}
NgxHandle.__index = NgxHandle

function NgxHandle:cancel()
  if self.done then return false end
  self.done, self.cancelled = true, true
  self.ngx.thread.kill(self.thread)
  local ok, err = pcall(self.callback, nil, cancelled_error())
  if not ok then self.ngx.log(self.ngx.ERR, "mailgun callback: ", tostring(err)) end
  return true
end

function NgxHandle:status()
  return self.done and (self.cancelled and "cancelled" or "done") or "waiting"
end

-- Inside a task: lets the host's frame end here and goes on at the next
-- step (mailgun.poll); outside a task it does nothing. Long work (a batch
-- preparing its calls) calls it between pieces so no poll runs it all.
function _M.pause()
  if _M.current() then co_yield() end
end

-- Runs method(obj, ...) without waiting; callback(res, err) when done.
-- Returns a handle with :cancel(). With a loop-driven client, the host's
-- poll() runs the callback; in nginx a light thread does. defer = true:
-- nothing of method runs now, it starts at the next step (a batch started
-- from a frame costs that frame only this call).
function _M.call_async(use_ngx, method, obj, args, callback, label, defer)
  if type(callback) ~= "function" then
    error("bad argument #" .. (args.n + 1) .. " to '" .. (label or "async call")
      .. "' (the last argument must be the callback function, got " .. type(callback) .. ")", 3)
  end
  local ngx = use_ngx and ngx_threads()
  if ngx then
    local handle = setmetatable({ ngx = ngx, callback = callback }, NgxHandle)
    handle.thread = ngx.thread.spawn(function()
      local out = pack(method(obj, unpack(args, 1, args.n)))
      if handle.done then return end
      handle.done = true
      local ok, err = pcall(callback, unpack(out, 1, out.n))
      if not ok then ngx.log(ngx.ERR, "mailgun callback: ", tostring(err)) end
    end)
    return handle
  end
  return start(function()
    if defer then co_yield() end
    return method(obj, unpack(args, 1, args.n))
  end, pack(), callback)
end

_M.pack = pack

return _M
