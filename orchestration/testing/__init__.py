"""Test helpers shared by apps (fake servers that speak real wire formats)."""
