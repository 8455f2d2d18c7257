-- The journal of a chunked send: one JSON object per line, appended and
-- flushed before each call starts and after it ends, so that a run stopped
-- anywhere (kill -9, a crash, a power cut after the OS wrote the file) can
-- be continued without sending a finished call again.
--   {"journal":1,"kind":"mailgun-batch","fingerprint":"…","size":1000}   header
--   {"start":3,"first":2001,"count":1000,"sum":"…","at":1700000000}      before call 3
--   {"end":3,"id":"<…>"} | {"end":3,"error":{…},"uncertain":true}         after it
-- A later "end" for the same call (batch:reconcile) replaces the earlier one.
-- f:flush() hands each line to the OS; plain Lua cannot fsync, so a power
-- cut may lose the last lines: such a call then reads as never started.
local json = require("mailgun.engine.json")
local errors = require("mailgun.engine.errors")

local type, tostring, ipairs, pairs, setmetatable, open = type, tostring, ipairs, pairs, setmetatable, io.open
local concat, sort = table.concat, table.sort

local _M = {}

local Journal = {}
Journal.__index = Journal

local function refuse(path, why, provider)
  return nil, errors.new({ kind = "journal", provider = provider, path = path,
    message = "journal '" .. path .. "' " .. why })
end

-- The error of a call as the journal keeps it (no body, no headers).
local function small_error(err)
  if type(err) ~= "table" then return { kind = "error", message = tostring(err) } end
  return { kind = err.kind, status = err.status, code = err.code, reason = err.reason,
    message = err.message and tostring(err.message) or nil, index = err.index }
end

-- Reads the records of an existing journal: calls by index, as report
-- entries. A last line cut short (the process died writing it) is dropped:
-- a cut "start" means the call never began, a cut "end" leaves it started.
local function read(path, header, provider)
  local f = open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  if text == "" then return nil end
  local lines = {}
  for line in text:gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  local tail = text:match("([^\n]*)$")
  local torn = tail ~= ""
  if #lines == 0 then return nil, nil, true end -- the header itself was cut short: no call began
  local head = json.decode(lines[1])
  if type(head) ~= "table" or head.journal ~= 1 then
    return refuse(path, "is not a journal of this library (corrupt or another file)", provider)
  end
  if head.kind ~= header.kind or head.fingerprint ~= header.fingerprint then
    return refuse(path, "belongs to another batch (its message, recipients or source differ);"
      .. " use a new journal file for a new batch", provider)
  end
  if head.size ~= header.size then
    return refuse(path, "was written with size " .. tostring(head.size) .. ", not " .. tostring(header.size),
      provider)
  end
  local calls = {}
  for n = 2, #lines do
    local r = json.decode(lines[n])
    if type(r) ~= "table" then return refuse(path, "is corrupt at line " .. n, provider) end
    if r.start then
      calls[r.start] = { index = r.start, first = r.first, count = r.count, sum = r.sum, at = r.at,
        recipient = r.rcpt,
        uncertain = true, started = true,
        error = errors.new({ kind = "interrupted", uncertain = true, provider = provider,
          message = "the run stopped while this call was in flight: it may have been accepted" }) }
    elseif r["end"] then
      local c = calls[r["end"]]
      if not c then return refuse(path, "is corrupt at line " .. n .. " (an end without a start)", provider) end
      c.started, c.uncertain, c.error, c.id = nil, nil, nil, nil
      if r.id then
        c.id = r.id
      else
        c.error = errors.new(r.error or { kind = "error" })
        c.error.provider = c.error.provider or provider
        c.uncertain = r.uncertain or nil
        c.error.uncertain = c.uncertain
      end
    else
      return refuse(path, "is corrupt at line " .. n, provider)
    end
  end
  local list = {}
  for _, c in pairs(calls) do list[#list + 1] = c end
  sort(list, function(a, b) return a.index < b.index end)
  return list, torn and text:sub(1, #text - #tail) or nil
end

-- Opens (or creates) the journal at path for header = {kind=, fingerprint=,
-- size=}. -> journal, calls (list of report entries found, may be empty)
-- | nil, err{kind="journal"} for a corrupt or foreign file.
function _M.open(path, header, provider)
  if type(path) ~= "string" or path == "" then
    error("bad argument 'journal' (file name expected, got " .. type(path) .. ")", 3)
  end
  local calls, whole, restart = read(path, header, provider)
  if calls == nil and whole ~= nil then return nil, whole end -- refused
  if calls and whole then
    -- drop the line cut short: rewrite the whole lines, then swap the files
    local tmp = path .. ".tmp"
    local w = open(tmp, "wb")
    if not w or not w:write(whole) or not w:close() or not os.rename(tmp, path) then
      return refuse(path, "ends in a line cut short and cannot be rewritten", provider)
    end
  end
  local f, ferr = open(path, restart and "wb" or "ab")
  if not f then return refuse(path, "cannot be opened: " .. tostring(ferr), provider) end
  local j = setmetatable({ f = f, path = path }, Journal)
  if not calls then
    j:write({ journal = 1, kind = header.kind, fingerprint = header.fingerprint, size = header.size })
  end
  return j, calls or {}
end

function Journal:write(record)
  local line = json.encode(record)
  self.f:write(line, "\n")
  self.f:flush()
end

function Journal:start(call, sum)
  self:write({ start = call.index, first = call.first, count = call.count, sum = sum, at = call.at,
    rcpt = call.recipient })
end

function Journal:finish(call)
  if call.id then
    self:write({ ["end"] = call.index, id = call.id })
  else
    self:write({ ["end"] = call.index, error = small_error(call.error), uncertain = call.uncertain })
  end
end

function Journal:close()
  if self.f then self.f:close() end
  self.f = nil
end

-- Appends the new outcome of calls already finished (after reconcile).
function _M.append(path, calls)
  local f = open(path, "ab")
  if not f then return nil end
  local j = setmetatable({ f = f, path = path }, Journal)
  for _, c in ipairs(calls) do j:finish(c) end
  j:close()
  return true
end

-- A checksum of any Lua value (sorted keys, exact numbers): what a call
-- carried, so a resumed run can tell that it reads the same recipients.
local function canon(v, out)
  local t = type(v)
  if t == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    sort(keys, function(a, b)
      local ta, tb = type(a), type(b)
      if ta ~= tb then return ta < tb end
      return a < b
    end)
    out[#out + 1] = "{"
    for _, k in ipairs(keys) do
      canon(k, out)
      out[#out + 1] = "="
      canon(v[k], out)
      out[#out + 1] = ";"
    end
    out[#out + 1] = "}"
  elseif t == "number" then
    out[#out + 1] = ("n%.17g"):format(v)
  elseif t == "string" then
    out[#out + 1] = ("s%d:"):format(#v)
    out[#out + 1] = v
  else
    out[#out + 1] = t:sub(1, 1) .. tostring(v)
  end
  return out
end

function _M.sum(v)
  local core = require("mailgun.core")
  return core.sha256(concat(canon(v, {}))):sub(1, 32)
end

return _M
