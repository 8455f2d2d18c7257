-- Every Mailgun operation of the reference data (spec/fixtures/mailgun-endpoints.tsv,
-- written by tools/extract-endpoints: the 213 operations of Mailgun's OpenAPI
-- file and the 29 rows of the extra list) is declared exactly once by the
-- resource modules, with its method, its path text and its deprecated flag.
-- Loads the modules directly: no client, no network.
local coverage = require("fixtures.endpoint_coverage")

-- Endpoints that exist but are not in the reference data: "METHOD path" = true.
local NOT_IN_REFERENCE = {}

-- Names the client object uses itself (lua/mailgun/init.lua).
local RESERVED = { engine = true, transport = true, domain = true, region = true,
                   base_url = true, batch = true, request = true, close = true }

local rows = coverage.read_fixture("mailgun-endpoints.tsv", { "deprecated", "source" })
local specs, load_problems = coverage.load_resources("mailgun.resources")

local function ok(problems)
  assert(#problems == 0, coverage.report(problems))
end

describe("Mailgun endpoint coverage", function()
  it("reads the whole fixture", function()
    local openapi, extra, deprecated = 0, 0, 0
    for _, row in ipairs(rows) do
      if row.source == "openapi" then openapi = openapi + 1 end
      if row.source == "extra" then extra = extra + 1 end
      if row.deprecated == "yes" then deprecated = deprecated + 1 end
    end
    assert.are.equal(213, openapi)
    assert.are.equal(29, extra)
    assert.are.equal(24, deprecated)
  end)

  it("loads every resource module named by mailgun.resources", function()
    ok(load_problems)
  end)

  it("declares well-formed endpoints with unique method names per resource", function()
    ok(coverage.check_shapes(specs, {
      paging = { url = true, skip = true, body_token = true, body_skip = true },
      path_pattern = "^/v%d+/",
      reserved = RESERVED,
    }))
  end)

  it("declares every operation exactly once, with the reference's method and deprecation", function()
    ok(coverage.check_coverage(specs, rows, { deprecated = true,
                                              allowed_extra = NOT_IN_REFERENCE }))
    local extra = 0
    for _ in pairs(NOT_IN_REFERENCE) do extra = extra + 1 end
    assert.are.equal(#rows + extra, coverage.count(specs))
  end)

  it("marks sends, and only sends, as never retried", function()
    local problems = {}
    local want = {
      ["POST /v3/{domain_name}/messages"] = true,
      ["POST /v3/{domain_name}/messages.mime"] = true,
      ["POST /v3/domains/{domain_name}/messages/{storage_key}"] = true,
    }
    for _, spec in ipairs(specs) do
      for _, ep in ipairs(spec.endpoints) do
        local k = ep.method .. " " .. ep.path
        if (ep.send == true) ~= (want[k] == true) then
          problems[#problems + 1] = spec.name .. "." .. ep.name .. ": send should be "
            .. tostring(want[k] == true)
        end
      end
    end
    ok(problems)
  end)

  it("sends stored-message and envelope calls to the storage host", function()
    local problems = {}
    for _, spec in ipairs(specs) do
      for _, ep in ipairs(spec.endpoints) do
        local storage = ep.path:find("/messages/{storage_key}", 1, true) ~= nil
          or ep.path:find("/envelopes$") ~= nil
        if storage ~= (ep.base == "storage") then
          problems[#problems + 1] = spec.name .. "." .. ep.name .. ": base should be "
            .. (storage and '"storage"' or "nil")
        end
      end
    end
    ok(problems)
  end)

  it("lists each resource through mailgun.resources and nothing else", function()
    local names = require("mailgun.resources")
    local seen = {}
    for _, spec in ipairs(specs) do seen[spec.name] = true end
    for _, name in ipairs(names) do assert.is_true(seen[name], name) end
    assert.are.equal(#names, #specs)
  end)
end)
