-- The library's version: the one place it is written. The Makefile passes
-- it to the C core (core._VERSION); spec/version_spec.lua checks that the
-- rockspec and CHANGELOG.md agree.
return "0.2.0"
