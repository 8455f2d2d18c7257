-- Recipients on hold after repeated failures: list and remove only.
return require("mailersend.resources._suppression")("on_hold", "on-hold-list", false)
