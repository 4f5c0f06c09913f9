"""What keeps the install running: backup, restore, verificar, media
storage and pruning, the audit trail and the e-mail outbox.
"""
