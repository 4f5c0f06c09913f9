"""Coletas: the listing, its filters and summary, the pendências,
the Relatório de resíduos and the Dossiê, and the client's notices about its collections (the
coleta realizada e-mail, the calendar feed of its agendadas).
"""
