"""The domain: plain functions on models, no request objects."""
