"""Writes on NGOs, split by workflow: profile, membership, verification, capabilities, imports."""
