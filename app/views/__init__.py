"""Blueprints, one per area; each module exposes `bp`."""
