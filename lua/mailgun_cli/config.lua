-- The CLI's configuration: flags, then the environment, then a config file
-- (--config FILE, $MAILGUN_CONFIG, or ~/.config/mailgun-lua/config) of
-- `key = value` lines (# comments). Keys: api_key, domain, region, base_url,
-- mailersend_token, mailersend_base_url, signing_key, smtp_host, smtp_port,
-- smtp_username, smtp_password, smtp_cafile, smtp_allow_insecure.
local _M = {}

local ENV = {
  api_key = "MAILGUN_API_KEY", domain = "MAILGUN_DOMAIN", region = "MAILGUN_REGION",
  base_url = "MAILGUN_BASE_URL", mailersend_token = "MAILERSEND_TOKEN",
  mailersend_base_url = "MAILERSEND_BASE_URL", signing_key = "MAILGUN_WEBHOOK_SIGNING_KEY",
  smtp_host = "MAILGUN_SMTP_HOST", smtp_port = "MAILGUN_SMTP_PORT",
  smtp_username = "MAILGUN_SMTP_USERNAME", smtp_password = "MAILGUN_SMTP_PASSWORD",
  smtp_cafile = "MAILGUN_SMTP_CAFILE", smtp_allow_insecure = "MAILGUN_SMTP_ALLOW_INSECURE",
}
_M.ENV = ENV

local function read_file(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local values = {}
  local n = 0
  for line in f:lines() do
    n = n + 1
    local text = line:gsub("^%s+", ""):gsub("%s+$", "")
    if text ~= "" and not text:find("^#") then
      local k, v = text:match("^([%w_]+)%s*=%s*(.-)$")
      if not k or not ENV[k] then
        f:close()
        return nil, path .. ":" .. n .. ": expected `key = value` with a known key"
      end
      values[k] = v:match('^"(.*)"$') or v
    end
  end
  f:close()
  return values
end

-- The merged configuration, or nil, message (a bad config file).
function _M.load(args)
  local path = args.config or os.getenv("MAILGUN_CONFIG")
  local explicit = path ~= nil
  if not path and os.getenv("HOME") then
    path = os.getenv("HOME") .. "/.config/mailgun-lua/config"
  end
  local file = {}
  if path then
    local values, err = read_file(path)
    if err then return nil, err end
    if not values and explicit then return nil, "cannot read the config file " .. path end
    file = values or {}
  end
  local c = {}
  for key, env in pairs(ENV) do
    local v = os.getenv(env)
    if v == nil or v == "" then v = file[key] end
    c[key] = v
  end
  if args.base_url then
    if args.provider == "mailersend" then c.mailersend_base_url = args.base_url
    else c.base_url = args.base_url end
  end
  c.provider = args.provider or "mailgun"
  return c
end

-- The HTTP client of the chosen provider, or nil, message.
function _M.client(c)
  if c.provider == "mailersend" then
    if not c.mailersend_token then return nil, "MAILERSEND_TOKEN is not set" end
    return require("mailersend").new{ token = c.mailersend_token, base_url = c.mailersend_base_url }
  end
  if not c.api_key then return nil, "MAILGUN_API_KEY is not set" end
  return require("mailgun").new{ api_key = c.api_key, domain = c.domain,
                                 region = c.region, base_url = c.base_url }
end

-- The SMTP client of the chosen provider, or nil, message.
function _M.smtp(c)
  if not c.smtp_username or not c.smtp_password then
    return nil, "MAILGUN_SMTP_USERNAME and MAILGUN_SMTP_PASSWORD are needed for --smtp"
  end
  local o = { username = c.smtp_username, password = c.smtp_password, host = c.smtp_host,
              port = tonumber(c.smtp_port), cafile = c.smtp_cafile,
              allow_insecure = c.smtp_allow_insecure == "yes" or c.smtp_allow_insecure == "true"
                or nil }
  return require(c.provider == "mailersend" and "mailersend" or "mailgun").smtp(o)
end

return _M
