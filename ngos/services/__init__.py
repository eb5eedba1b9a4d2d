"""Writes on NGOs, split by workflow: profile, verification, capabilities, imports (memberships:
the members app)."""
