"""The terminal app (Textual). Only `okrtui` without a command, and `demo`, import this."""
