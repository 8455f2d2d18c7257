-- What the CLI prints: JSON (--json, and JSON lines for streams), plain
-- text otherwise, a progress bar when stderr is a terminal; the exit codes.
local json = require("mailgun.engine.json")

local _M = {}

-- exit codes scripts can rely on
_M.EXIT = {
  ok = 0,          -- done
  failed = 1,      -- the provider or the network refused (nothing or not all sent)
  usage = 2,       -- bad flags or bad input; nothing sent
  config = 3,      -- missing or bad configuration (keys, config file)
  partial = 4,     -- batch: some recipients failed or are uncertain; resumable
  invalid = 5,     -- webhooks verify: the request is not authentic
}

local function is_terminal(fd)
  local ok = os.execute("[ -t " .. fd .. " ]")
  return ok == true or ok == 0
end
_M.is_terminal = is_terminal

function _M.json(v)
  io.stdout:write(json.encode(v), "\n")
  io.stdout:flush()
end

function _M.line(s)
  io.stdout:write(s, "\n")
  io.stdout:flush()
end

-- An error message on stderr (never a secret: errors never carry one), then
-- exit with code.
function _M.fail(code, message)
  io.stderr:write("mailgun: ", tostring(message), "\n")
  os.exit(code)
end

-- progress(done, total, note): a bar redrawn on a terminal's stderr,
-- plain lines on stdout otherwise (or JSON lines with --json)
function _M.progress(as_json)
  local tty = not as_json and is_terminal(2)
  return function(done, total, note)
    if as_json then
      _M.json({ progress = { done = done, total = total, note = note } })
    elseif tty then
      local width = 30
      local filled = total > 0 and math.floor(width * done / total) or width
      io.stderr:write(("\r[%s%s] %d/%d %s"):format(("#"):rep(filled), ("."):rep(width - filled),
        done, total, note or ""))
      if done >= total then io.stderr:write("\n") end
      io.stderr:flush()
    else
      _M.line(("%d/%d %s"):format(done, total, note or ""))
    end
  end
end

return _M
