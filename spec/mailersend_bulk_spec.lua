-- Bulk sending: client.email:send_bulk splits messages into /bulk-email
-- calls, reports every call in the one report shape of
-- mailgun.engine.chunked ({index, first, count, id | error, uncertain}),
-- resumes;
-- client.bulk:send is one call; client.bulk:wait polls the status.
local support = require("mailersend_support")

local function messages(n)
  local list = {}
  for i = 1, n do
    list[i] = { from = "news@sandbox.test", to = "r" .. i .. "@example.test", subject = "Hi " .. i, text = "t" }
  end
  return list
end

-- Answers every bulk call with a new bulk_email_id, or with `fail` for the
-- calls whose number is listed in fails.
local function bulk_server(fails)
  local n = 0
  return function(req)
    if req.method ~= "POST" then return { body = { data = { id = "x", state = "completed" } } } end
    n = n + 1
    if fails and fails[n] then return fails[n] end
    return { status = 202, body = { message = "The bulk email is being processed.",
                                    bulk_email_id = "bulk-" .. n } }
  end
end

describe("client.email:send_bulk", function()
  it("splits 1,201 messages into calls of at most 500 and reports every bulk_email_id", function()
    local client, t = support.client(bulk_server())
    local progress = {}
    local report = assert(client.email:send_bulk(messages(1201), {
      progress = function(r, call) progress[#progress + 1] = { r.sent, call.count, call.id } end,
    }))
    assert.equal(3, #t.sent)
    assert.equal(500, #t.sent[1].json)
    assert.equal(500, #t.sent[2].json)
    assert.equal(201, #t.sent[3].json)
    assert.equal("r501@example.test", t.sent[2].json[1].to[1].email)
    assert.equal("/v1/bulk-email", t.sent[1].path)
    assert.same({ "bulk-1", "bulk-2", "bulk-3" }, report.bulk_email_ids)
    assert.equal(1201, report.sent)
    assert.equal(0, report.failed)
    assert.equal(3, #report.calls)
    assert.equal(1201, report.total)
    assert.is_true(report.ok)
    assert.same({ { 500, 500, "bulk-1" }, { 1000, 500, "bulk-2" }, { 1201, 201, "bulk-3" } }, progress)
    assert.equal("bulk-2", report.calls[2].id)
    assert.equal(501, report.calls[2].first)
    assert.equal(500, report.calls[2].count)
  end)

  it("takes a smaller size", function()
    local client, t = support.client(bulk_server())
    local report = assert(client.email:send_bulk(messages(5), { size = 2 }))
    assert.equal(3, #t.sent)
    assert.equal(3, #report.calls)
    assert.same({ 5, 1 }, { report.calls[3].first, report.calls[3].count })
  end)

  it("keeps each call's error, never retries a 5xx (uncertain), and resumes only what failed", function()
    local fails = {
      [2] = { status = 500, body = { message = "Server Error" } },
      [3] = { status = 422, body = { message = "Too many.", errors = { ["0"] = { "Too many. #MS42229" } } } },
    }
    local client, t = support.client(bulk_server(fails))
    local list = messages(7)
    local report = assert(client.email:send_bulk(list, { size = 3 }))
    assert.equal(3, #t.sent)
    assert.is_false(report.ok)
    assert.equal(3, report.sent)
    assert.equal(3, report.uncertain) -- the 5xx: the server may have accepted it
    assert.equal(1, report.failed)    -- the 422: provably not
    assert.equal(500, report.calls[2].error.status)
    assert.is_true(report.calls[2].uncertain)
    assert.is_true(report.calls[2].error.uncertain)
    assert.equal("MS42229", report.calls[3].error.code)
    assert.is_nil(report.calls[3].uncertain)
    assert.same({ "bulk-1" }, report.bulk_email_ids)

    -- resume sends the failed call only; the uncertain one stays reported
    local again = assert(client.email:send_bulk(list, { size = 3, resume = report }))
    assert.equal(4, #t.sent)
    assert.same({ 7, 1 }, { again.calls[3].first, again.calls[3].count })
    assert.equal(3, again.skipped)
    assert.equal(1, again.sent)
    assert.equal(3, again.uncertain)
    assert.is_false(again.ok)
    -- asked for, the uncertain call goes again
    local third = assert(client.email:send_bulk(list, { size = 3, resume = again, resend_uncertain = true }))
    assert.equal(5, #t.sent)
    assert.same({ 4, 3 }, { third.calls[2].first, third.calls[2].count })
    assert.equal(4, third.skipped)
    assert.equal(3, third.sent)
    assert.is_true(third.ok)
    assert.same({ "bulk-1", "bulk-5", "bulk-4" }, third.bulk_email_ids)
  end)

  it("checks every message before sending any and names the bad one", function()
    local client, t = support.client({})
    local list = messages(3)
    list[2].tags = { "1", "2", "3", "4", "5", "6" }
    local report, err = client.email:send_bulk(list)
    assert.is_nil(report)
    assert.equal("invalid", err.kind)
    assert.equal(2, err.index)
    assert.truthy(err.message:find("^message #2: "))
    assert.equal(0, #t.sent)
  end)

  it("raises on a bad size or a report of another list", function()
    local client = support.client(bulk_server())
    assert.has_error(function() client.email:send_bulk(messages(1), { size = 501 }) end,
      "bad argument 'size' to 'email:send_bulk' (1 to 500)")
    assert.has_error(function() client.email:send_bulk(messages(1), { paralel = 2 }) end,
      "bad argument #2 to 'email:send_bulk' (unknown option 'paralel' (did you mean 'parallel'?))")
    assert.has_error(function() client.email:send_bulk(messages(1), { size = "2" }) end,
      "bad argument 'opts.size' to 'email:send_bulk' (number expected, got string)")
    local report = assert(client.email:send_bulk(messages(2)))
    assert.has_error(function() client.email:send_bulk(messages(3), { resume = report }) end)
  end)

  it("falls back to one call after another when the transport has no loop", function()
    local client, t = support.client(bulk_server())
    local report = assert(client.email:send_bulk(messages(4), { size = 1, parallel = 3 }))
    assert.equal(4, #t.sent)
    assert.equal(4, report.sent)
  end)
end)

describe("client.bulk", function()
  it("sends one call of friendly messages, at most 500", function()
    local client, t = support.client(bulk_server())
    local res = assert(client.bulk:send(messages(2)))
    assert.equal("bulk-1", res.bulk_email_id)
    assert.equal(2, #t.sent[1].json)
    local _, err = client.bulk:send(messages(501))
    assert.equal("invalid", err.kind)
    assert.truthy(err.message:find("at most 500", 1, true))
  end)

  it("polls the status until completed, sleeping through the transport", function()
    local states = { "queued", "processing", "completed" }
    local client, t = support.client(function()
      local state = table.remove(states, 1)
      return { body = { data = { id = "b1", state = state, total_recipients_count = 2,
                                 validation_errors_count = 0 } } }
    end)
    local seen = {}
    local res = assert(client.bulk:wait("b1", { interval = 2, timeout = 60,
      progress = function(s) seen[#seen + 1] = s.data.state end }))
    assert.equal("completed", res.data.state)
    assert.same({ "queued", "processing", "completed" }, seen)
    assert.same({ 2, 2 }, t.slept)
    assert.equal("/v1/bulk-email/b1", t.sent[3].path)
  end)

  it("gives up after the timeout with the last status", function()
    local client, t = support.client(function()
      return { body = { data = { id = "b1", state = "processing" } } }
    end)
    local res, err = client.bulk:wait("b1", { interval = 5, timeout = 12 })
    assert.is_nil(res)
    assert.equal("timeout", err.kind)
    assert.equal("processing", err.last.data.state)
    assert.truthy(tostring(err):find("still 'processing'", 1, true))
    assert.equal(3, #t.sent)
  end)

  it("returns a status error as it is", function()
    local client = support.client({ { status = 404, body = { message = "Not found." } } })
    local _, err = client.bulk:wait("nope", { interval = 1 })
    assert.equal("not_found", err.kind)
    assert.has_error(function() client.bulk:wait(nil) end)
  end)
end)
