-- Addresses that complained (marked mail as spam): address, created_at.
return require("mailgun.resources._suppression")("complaints", "complaints", "address", "json")
