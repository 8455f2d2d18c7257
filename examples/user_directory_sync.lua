-- User directory sync: reads the users of a Mailgun and a MailerSend
-- account page by page and prints them in one shape, as a platform would
-- mirror them into its own directory. The cursor of each page could be
-- stored and the sync resumed later.
--   MAILGUN_API_KEY, MAILGUN_DOMAIN, MAILGUN_BASE_URL
--   MAILERSEND_TOKEN, MAILERSEND_BASE_URL
--   PAGE_SIZE (default 4), ROLE (a role id to filter on, e.g. admin)
-- Without variables it runs against the bundled sandbox.
local unified = require("mailgun.unified")
local json = require("mailgun.engine.json")

local env = os.getenv
local SANDBOX = env("SANDBOX_URL") or "http://127.0.0.1:8025"

local accounts = {
  unified.connect({ provider = "mailgun", api_key = env("MAILGUN_API_KEY") or "key-sandbox",
                    domain = env("MAILGUN_DOMAIN") or "sandbox.test",
                    base_url = env("MAILGUN_BASE_URL") or SANDBOX }),
  unified.connect({ provider = "mailersend", token = env("MAILERSEND_TOKEN") or "mlsn.sandbox",
                    base_url = env("MAILERSEND_BASE_URL") or (SANDBOX .. "/v1") }),
}
local limit = tonumber(env("PAGE_SIZE") or "") or 4
local role = env("ROLE")

local function roles_of(user)
  local names = {}
  for i, r in ipairs(user.roles) do names[i] = r.id end
  return table.concat(names, "+")
end

local failed = false
for _, account in ipairs(accounts) do
  local roles = {}
  for i, r in ipairs(account.roles:list().result) do roles[i] = r.id .. "=" .. r.name end
  print(("== %s (roles: %s)"):format(account.provider, table.concat(roles, ", ")))
  local cursor, pages, count, first = nil, 0, 0, nil
  repeat
    local page, err = account.users:list({ limit = limit, cursor = cursor, role = role })
    if not page then
      io.stderr:write(account.provider, ": ", tostring(err), "\n")
      failed = true
      break
    end
    pages = pages + 1
    for _, u in ipairs(page.result) do
      count = count + 1
      first = first or u
      print(("%-10s %-26s %-20s %-30s %-8s %-12s 2fa=%s"):format(account.provider, u.id,
        u.name or "", u.emails[1] and u.emails[1].email or "", u.status, roles_of(u),
        tostring(u.is_2fa_enabled)))
    end
    cursor = page.next_cursor
  until not cursor
  print(("%s: %d users in %d pages of at most %d"):format(account.provider, count, pages, limit))
  if first then
    local shown = {}
    for k, v in pairs(first) do shown[k] = v end
    shown.remote_data = "(the provider's own record)"
    print(account.provider .. " user: " .. json.encode(shown))
  end
  account:close()
end
os.exit(failed and 1 or 0)
