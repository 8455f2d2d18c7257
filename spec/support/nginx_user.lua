-- The "user" line for the nginx configs specs write: started as root,
-- nginx would run its workers as nobody, who may not read a checkout under
-- /root (CI) nor signal the master; as another user nothing is needed.
local p = io.popen("id -u")
local uid = p and p:read("*l")
if p then p:close() end
return uid == "0" and "user root root;\n" or ""
