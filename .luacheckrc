std = "lua54"
self = false
max_line_length = 120
files["sandbox"] = { std = "ngx_lua" }
files["lua/mailgun/engine/transport/resty.lua"] = { std = "ngx_lua" }
files["spec"] = { std = "+busted", unused_args = false }
exclude_files = { "build", "lua_modules" }
