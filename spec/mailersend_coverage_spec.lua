-- Every MailerSend v1 endpoint of the reference data (spec/fixtures/mailersend-endpoints.tsv,
-- written by tools/extract-endpoints) is declared exactly once by the
-- lua/mailersend/resources modules, with its method and path text.
-- Pending until lua/mailersend/resources/init.lua exists.
local coverage = require("fixtures.endpoint_coverage")

-- Endpoints that exist but are not in the reference data: "METHOD path" = true.
local NOT_IN_REFERENCE = {}

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

  it("loads every resource module named by mailersend.resources", function()
    ok(load_problems)
  end)

  it("declares well-formed endpoints with unique method names per resource", function()
    ok(coverage.check_shapes(specs, {
      paging = { page = true, skip = true, url = true },
      path_pattern = "^/[%w]",
    }))
  end)

  it("declares every endpoint exactly once, with the reference's method", function()
    ok(coverage.check_coverage(specs, rows, { allowed_extra = NOT_IN_REFERENCE }))
  end)
end)
