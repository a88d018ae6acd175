"""People, their accounts, logins and invitations."""
