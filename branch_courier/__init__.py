"""Branch Courier: counter, transit and operations software for a courier's branches."""

__version__ = "0.1.0"
