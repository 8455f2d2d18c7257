-- A game loop that sends mail without ever waiting on the network: the
-- host calls mailgun.poll(0) once per frame; requests, retries and
-- backoff advance inside those calls, and callbacks run there.
--   MAILGUN_BASE_URL (default: the bundled sandbox, started for this run),
--   MAILGUN_API_KEY, MAILGUN_DOMAIN
local mailgun = require("mailgun")
local async = require("mailgun.engine.async") -- now() and sleep() for the frame pacing

local base_url = os.getenv("MAILGUN_BASE_URL")
local sandbox
if not base_url then
  sandbox = dofile((arg[0]:match("^(.*)/") or ".") .. "/mailersend_sandbox.lua")
  base_url = sandbox.base_url():gsub("/v1$", "")
end

local client = mailgun.new({
  api_key = os.getenv("MAILGUN_API_KEY") or "key-sandbox",
  domain = os.getenv("MAILGUN_DOMAIN") or "sandbox.test",
  base_url = base_url,
})

local FRAME = 1 / 60
local sent, failed, longest_poll = 0, 0, 0

-- 1. fire-and-forget with a callback: an achievement mail
local function on_achievement(player, name)
  client.messages:send_async({
    from = "Game <game@" .. client.domain .. ">", to = player .. "@example.com",
    subject = "Achievement unlocked: " .. name, text = "Well played, " .. player .. "!",
  }, function(res, err)
    if res then sent = sent + 1 else failed = failed + 1; print("not sent: " .. tostring(err)) end
  end)
end

-- 2. a task: ordinary blocking-looking code that yields instead of blocking
local digest_report
mailgun.spawn(function()
  local batch = client:batch({ from = "game@" .. client.domain,
    subject = "Your week, %recipient.name%", text = "You played %recipient.hours% hours." })
  for i = 1, 25 do batch:add("player" .. i .. "@example.com", { name = "Player " .. i, hours = i }) end
  digest_report = batch:send({ size = 10, parallel = 2 }) -- 3 calls, 2 in flight
end)

-- 3. a request the player no longer needs: cancelled, its callback says so
local handle = client:async().messages:send({ from = "game@" .. client.domain,
  to = "quitter@example.com", subject = "Come back!", text = "We miss you." },
  function(_, err) print("cancelled request: " .. err.kind) end)
handle:cancel()

local frame = 0
repeat
  frame = frame + 1
  local started = async.now()
  if frame % 10 == 0 and frame <= 100 then on_achievement("player" .. frame, "level " .. frame / 10) end
  local t = async.now()
  mailgun.poll(0, 2) -- never waits; about 2 ms of callback work at most
  longest_poll = math.max(longest_poll, (async.now() - t) * 1000)
  -- ... update the world, draw ...
  local rest = FRAME - (async.now() - started)
  if rest > 0 then async.sleep(rest) end
until frame >= 100 and mailgun.pending() == 0

print(("%d frames; %d achievement mails sent, %d failed; digest: %d recipients in %d calls;"
  .. " longest poll %.2f ms"):format(frame, sent, failed, digest_report.sent, #digest_report.calls,
  longest_poll))
client:close()
local ok = failed == 0 and sent == 10 and digest_report.ok
if sandbox then sandbox.exit(ok and 0 or 1) end
os.exit(ok and 0 or 1)
