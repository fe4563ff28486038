"""Accounts: registration by mobile number, login, password change and reset, roles."""
