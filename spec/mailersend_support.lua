-- Helpers of the MailerSend specs: a transport that answers from a script
-- and records what it was asked, and a client on it.
local json = require("mailgun.engine.json")
local url = require("mailgun.engine.url")

local _M = {}

_M.BASE = "https://api.mailersend.test/v1"
_M.NOW = 1700000000

-- answers: list of {status=, headers=, body= (string or table: JSON), word=, detail=}
-- or a function(req) -> such an answer. Each sent request is recorded as
-- {method, url, path, query, headers, body, json}.
function _M.transport(answers)
  local t = { sent = {}, slept = {}, clock = _M.NOW }
  function t:request(req)
    local origin_path = req.url:match("^[^?]*")
    local path = origin_path:gsub("^https?://[^/]+", "")
    local query = url.parse_query(req.url:match("%?(.*)$"))
    local rec = { method = req.method, url = req.url, path = path, query = query,
                  headers = req.headers, body = req.body,
                  json = req.body and json.decode(req.body) or nil }
    self.sent[#self.sent + 1] = rec
    local a
    if type(answers) == "function" then a = answers(rec)
    else a = table.remove(answers, 1) end
    assert(a, "unexpected request " .. req.method .. " " .. req.url)
    if a.word then return nil, a.word, a.detail end
    local body = a.body
    if type(body) == "table" then body = json.encode(body) end
    local headers = a.headers or {}
    if body and body ~= "" and not headers["content-type"] then
      headers["content-type"] = "application/json"
    end
    return { status = a.status or 200, headers = headers, body = body or "" }
  end
  function t:sleep(s)
    self.slept[#self.slept + 1] = s
    self.clock = self.clock + s
  end
  function t:now() return self.clock end
  return t
end

-- A client on a scripted transport: client, transport.
function _M.client(answers, opts)
  local t = _M.transport(answers or {})
  opts = opts or {}
  opts.token = opts.token or "mlsn.secret-token-1234"
  opts.base_url = opts.base_url or _M.BASE
  opts.transport = t
  opts.backoff = opts.backoff or { base = 0.01, max = 0.02 }
  return require("mailersend").new(opts), t
end

-- A MailerSend list page: data, links.next when more follows, meta.
function _M.page(items, page, last)
  return {
    data = items,
    links = { first = _M.BASE .. "?page=1", next = page < last and (_M.BASE .. "?page=" .. (page + 1))
      or json.null },
    meta = { current_page = page, last_page = last, per_page = 25 },
  }
end

return _M
