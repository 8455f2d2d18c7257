-- The script of examples/c_host/host.c: loaded once (the client is created
-- here), then frame(n) is called 60 times a second. Nothing here waits on
-- the network: mailgun.poll(0, 2) advances requests and runs callbacks
-- for about 2 ms at most per frame.
--   MAILGUN_BASE_URL (e.g. a sandbox URL), MAILGUN_API_KEY, MAILGUN_DOMAIN
local mailgun = require("mailgun")

local client = mailgun.new({
  api_key = os.getenv("MAILGUN_API_KEY") or "key-sandbox",
  domain = os.getenv("MAILGUN_DOMAIN") or "sandbox.test",
  base_url = os.getenv("MAILGUN_BASE_URL"),
})

local game = { sent = 0, failed = 0 }
local WANTED = 10

function game.frame(n)
  -- every 5th frame the player unlocks something: one mail, no waiting
  if n % 5 == 0 and n <= 5 * WANTED then
    client.messages:send_async({
      from = "Game <game@" .. client.domain .. ">", to = "player" .. n .. "@example.com",
      subject = "Achievement " .. n / 5, text = "Well played!",
    }, function(res, err)
      if res then game.sent = game.sent + 1 else game.failed = game.failed + 1; print(tostring(err)) end
    end)
  end
  mailgun.poll(0, 2)
  if game.sent + game.failed == WANTED then
    print(("game: %d sent, %d failed"):format(game.sent, game.failed))
    return false
  end
  return true
end

return game
