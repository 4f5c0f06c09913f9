"""Who gets in: client and staff login, throttling, sessions, access codes,
API tokens, sealed secrets, and the back-office's client records (cadastros).
"""
