-- Follows the domain's event log (Mailgun's Logs API) into a JSON-lines
-- file, one event per line, and saves the follower's cursor after each
-- line: run it again (from cron, or with FOLLOW_POLL=seconds to keep
-- going) and it resumes where it stopped, without gaps or repeats, late
-- events included.
--   EVENTS_FILE=events.jsonl MAILGUN_API_KEY=... MAILGUN_DOMAIN=... lua5.4 examples/follow_events.lua
local mailgun = require("mailgun")
local cjson = require("cjson")

local client = mailgun.new({
  api_key = os.getenv("MAILGUN_API_KEY") or "key-sandbox",
  domain = os.getenv("MAILGUN_DOMAIN") or "sandbox.test",
  region = os.getenv("MAILGUN_REGION"),
  base_url = os.getenv("MAILGUN_BASE_URL"),
})

local out_path = os.getenv("EVENTS_FILE") or (os.tmpname() .. ".jsonl")
local cursor_path = out_path .. ".cursor"

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

-- written next to the file, then renamed over it: a crash never leaves half a cursor
local function save_cursor(cursor)
  local tmp = cursor_path .. ".tmp"
  local f = assert(io.open(tmp, "wb"))
  assert(f:write(cursor))
  assert(f:close())
  assert(os.rename(tmp, cursor_path))
end

local cursor = read(cursor_path)
local opts = { poll = tonumber(os.getenv("FOLLOW_POLL") or "") }
if cursor then opts.cursor = cursor else opts.start = os.time() - 3600 end

local out = assert(io.open(out_path, "ab"))
local count = 0
for event, err, next_cursor in client.logs:follow(opts) do
  if not event then
    io.stderr:write("follow: ", tostring(err), "\n")
    os.exit(1)
  end
  -- the line first, then the cursor: after a crash between the two the
  -- event is written again on restart (at least once, never lost)
  out:write(cjson.encode(event), "\n")
  out:flush()
  save_cursor(next_cursor)
  count = count + 1
end
out:close()
print(("%d new events in %s (%s)"):format(count, out_path, cursor and "resumed" or "from the last hour"))
