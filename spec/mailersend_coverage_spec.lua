-- Every MailerSend v1 endpoint of the reference data (spec/fixtures/mailersend-endpoints.tsv,
-- written by tools/extract-endpoints) is declared exactly once by the
-- lua/mailersend/resources modules, with its method and path text.
-- Pending until lua/mailersend/resources/init.lua exists.
local coverage = require("fixtures.endpoint_coverage")

-- Endpoints that exist but are not in the reference data: "METHOD path" = true.
local NOT_IN_REFERENCE = {}

-- Names the client object uses itself (lua/mailersend/init.lua, lua/mailgun/client.lua).
local RESERVED = { engine = true, transport = true, base_url = true, request = true, loop = true,
                   close = true, limits = true }

-- The calls that send mail or SMS: never retried on 5xx.
local SENDS = { ["POST /email"] = true, ["POST /bulk-email"] = true, ["POST /sms"] = true }

local function resources_present()
  if package.searchpath then
    return package.searchpath("mailersend.resources", package.path) ~= nil
  end
  local f = io.open("lua/mailersend/resources/init.lua", "r")
  if f then f:close() end
  return f ~= nil
end

local function ok(problems)
  assert(#problems == 0, coverage.report(problems))
end

describe("MailerSend endpoint coverage", function()
  if not resources_present() then
    pending("lua/mailersend/resources/init.lua does not exist yet")
    return
  end

  local rows = coverage.read_fixture("mailersend-endpoints.tsv")
  local specs, load_problems = coverage.load_resources("mailersend.resources")

  it("reads the whole fixture", function()
    assert.are.equal(128, #rows)
  end)

  it("loads every resource module named by mailersend.resources", function()
    ok(load_problems)
  end)

  it("declares well-formed endpoints with unique method names per resource", function()
    ok(coverage.check_shapes(specs, {
      paging = { page = true, skip = true, url = true },
      path_pattern = "^/[%w]",
      reserved = RESERVED,
    }))
  end)

  it("declares every endpoint exactly once, with the reference's method", function()
    ok(coverage.check_coverage(specs, rows, { allowed_extra = NOT_IN_REFERENCE }))
    local extra = 0
    for _ in pairs(NOT_IN_REFERENCE) do extra = extra + 1 end
    assert.are.equal(#rows + extra, coverage.count(specs))
  end)

  -- fn(spec, ep) -> a problem or nil, for every declared endpoint
  local function each_problem(fn)
    local problems = {}
    for _, spec in ipairs(specs) do
      for _, ep in ipairs(spec.endpoints) do
        local p = fn(spec, ep)
        if p then problems[#problems + 1] = spec.name .. "." .. ep.name .. ": " .. p end
      end
    end
    return problems
  end

  it("marks sends, and only sends, as never retried", function()
    ok(each_problem(function(_, ep)
      local want = SENDS[ep.method .. " " .. ep.path] == true
      if (ep.send == true) ~= want then return "send should be " .. tostring(want) end
    end))
  end)

  it("sends a JSON body on the suppression deletes", function()
    ok(each_problem(function(_, ep)
      if ep.method == "DELETE" and ep.path:match("^/suppressions/") and ep.encoding ~= "json" then
        return "encoding should be json"
      end
    end))
  end)

  it("pages every list whose items are in data", function()
    ok(each_problem(function(_, ep)
      if ep.name == "list" and (ep.paging ~= "page" or ep.items ~= "data") then
        return "paging should be page over data"
      end
    end))
  end)

  it("names no endpoint *_async (every method X gets an X_async form)", function()
    ok(each_problem(function(_, ep)
      if ep.name:find("_async$") then return "the name is taken by an async form" end
    end))
  end)

  it("lists each resource through mailersend.resources and nothing else", function()
    local names = require("mailersend.resources")
    assert.are.equal(#names, #specs)
  end)
end)
