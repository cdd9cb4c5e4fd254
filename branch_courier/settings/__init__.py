"""Settings split: base (dev when DEBUG), production, test."""
