std = "lua54"
max_line_length = 100
files["lua/mailgun/sandbox"] = { std = "ngx_lua" }
files["lua/mailgun/transport/resty.lua"] = { std = "ngx_lua" }
files["spec"] = { std = "+busted" }
exclude_files = { "build", "lua_modules" }
