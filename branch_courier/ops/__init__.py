"""Operations: database backup, verification and restore, and compliance checks.

Plain functions with no Django app of their own; the management commands in
branch_courier/core/management/commands are thin wrappers around them.
"""
