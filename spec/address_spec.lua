-- The one address parser and formatter (mailgun/engine/address.lua) with
-- the CR/LF rule, used by Mailgun, MailerSend and the unified layer.
local address = require("mailgun.engine.address")

describe("address.parse", function()
  it("reads strings and tables", function()
    assert.same({ email = "a@x.org", text = "a@x.org" }, address.parse(" a@x.org "))
    assert.same({ email = "a@x.org", name = "Ann", text = "Ann <a@x.org>" }, address.parse("Ann <a@x.org>"))
    assert.same({ email = "a@x.org", name = "Doe, Ann", text = '"Doe, Ann" <a@x.org>' },
      address.parse('"Doe, Ann" <a@x.org>'))
    assert.same({ email = "a@x.org", name = 'Team "A"', text = 'Team "A" <a@x.org>' },
      address.parse('Team "A" <a@x.org>'))
    assert.same({ email = "a@x.org", name = "Ann" }, address.parse({ email = "a@x.org", name = "Ann" }))
    assert.same({ email = "a@x.org" }, address.parse({ address = "a@x.org", name = "" }))
  end)

  local BAD = {
    { "CR/LF in a string", "Ann <a@x.org>\r\nBcc: b@y.org", "CR or LF" },
    { "LF in a name", { email = "a@x.org", name = "A\nB" }, "CR or LF" },
    { "a NUL in an email", { email = "a\0@x.org" }, "control character" },
    { "a tab in a name", { email = "a@x.org", name = "A\tB" }, "control character" },
    { "no @", "not-an-address", "invalid email address" },
    { "two @", "a@b@x.org", "invalid email address" },
    { "a space", "a b@x.org", "invalid email address" },
    { "empty", "  ", "empty address" },
    { "a table without email", { name = "Ann" }, "without an email address" },
    { "a name not a string", { email = "a@x.org", name = 1 }, "not a string" },
    { "a number", 42, "got number" },
  }
  for _, case in ipairs(BAD) do
    it("refuses " .. case[1], function()
      local entry, reason = address.parse(case[2])
      assert.is_nil(entry)
      assert.truthy(reason:find(case[3], 1, true), reason)
    end)
  end
end)

describe("address.list", function()
  it("takes one entry, a list, or comma-joined strings counted by their addresses", function()
    assert.equal(1, #address.list("a@x.org"))
    assert.equal(1, #address.list({ email = "a@x.org" }))
    assert.equal(3, #address.list({ "a@x.org, b@x.org", { email = "c@x.org" } }))
    local list = address.list('"Doe, Ann" <a@x.org>, b@x.org,')
    assert.equal(2, #list)
    assert.equal("Doe, Ann", list[1].name)
    assert.same({}, address.list(nil))
    assert.same({}, address.list({}))
  end)
  it("refuses the whole list for one bad entry", function()
    local list, reason = address.list({ "a@x.org", "b@x.org\r\nBcc: c@y.org" })
    assert.is_nil(list)
    assert.truthy(reason:find("CR or LF", 1, true))
  end)
end)

describe("address.format and email_of", function()
  it("quotes names and escapes quotes and backslashes", function()
    assert.equal("a@x.org", address.format({ email = "a@x.org" }))
    assert.equal('"Bob Stone" <b@x.org>', address.format({ email = "b@x.org", name = "Bob Stone" }))
    assert.equal('"A \\"B\\" \\\\" <b@x.org>', address.format({ email = "b@x.org", name = 'A "B" \\' }))
  end)
  it("reads the bare email of an entry", function()
    assert.equal("a@x.org", address.email_of("Ann <a@x.org>"))
    assert.equal("a@x.org", address.email_of(" a@x.org "))
    assert.equal("a@x.org", address.email_of({ address = "a@x.org" }))
    assert.is_nil(address.email_of(1))
  end)
end)

-- The fast paths (a bare address, 'Name <a@x>') answer exactly as the
-- general pattern path did before them: these are that path's answers.
describe("address.parse fast paths", function()
  local cases = {
    { "Ann <a@x.org>", "a@x.org", "Ann", "Ann <a@x.org>" },
    { "Ann  <a@x.org>", "a@x.org", "Ann", "Ann  <a@x.org>" },
    { " Ann <a@x.org>", "a@x.org", "Ann", "Ann <a@x.org>" },
    { "Ann <a@x.org> ", "a@x.org", "Ann", "Ann <a@x.org>" },
    { "<a@x.org>", "a@x.org", nil, "<a@x.org>" },
    { " <a@x.org>", "a@x.org", nil, "<a@x.org>" },
    { '"Doe, Ann" <a@x.org>', "a@x.org", "Doe, Ann", '"Doe, Ann" <a@x.org>' },
    { "A<nn <a@x.org>", "a@x.org", "A<nn", "A<nn <a@x.org>" },
    { "Ann < a@x.org >", "a@x.org", "Ann", "Ann < a@x.org >" },
    { "Jo (x) <a@x.org>", "a@x.org", "Jo (x)", "Jo (x) <a@x.org>" },
    { 'A"B <a@x.org>', "a@x.org", 'A"B', 'A"B <a@x.org>' },
    { "Ann> <a@x.org>", "a@x.org", "Ann>", "Ann> <a@x.org>" },
    { "a@x.org", "a@x.org", nil, "a@x.org" },
    { "jos\195\169@x.org", "jos\195\169@x.org", nil, "jos\195\169@x.org" },
  }
  it("read names and addresses as the general path does", function()
    for _, c in ipairs(cases) do
      assert.same({ email = c[2], name = c[3], text = c[4] }, address.parse(c[1]), c[1])
    end
  end)

  it("refuse what the general path refuses", function()
    for _, s in ipairs({ "Ann <a@x.org>>", "Ann <a b@x.org>", "Ann <@x.org>", "Ann\t<a@x.org>",
                         "Ann <a@x.org", "Ann", "Ann <a@x@y>", "a@x.org\r\n", "" }) do
      assert.is_nil(address.parse(s), s)
    end
  end)

  it("list: a bare address is one entry", function()
    assert.same({ { email = "a@x.org", text = "a@x.org" } }, address.list("a@x.org"))
    assert.equal(2, #address.list("a@x.org, Bob <b@x.org>"))
  end)
end)
