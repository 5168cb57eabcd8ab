"""The domain: models, scoring and rules. Imports nothing of the layers above."""
