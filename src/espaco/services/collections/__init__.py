"""Coletas: the listing, its filters and summary, the pendências,
the Relatório de resíduos and the Dossiê.
"""
