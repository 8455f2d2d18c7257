-- busted helper (named in .busted): make spec/support/* requirable as
-- "support.x" whatever the working directory's package.path holds.
if not package.path:find("spec/?.lua", 1, true) then
  package.path = "spec/?.lua;" .. package.path
end
