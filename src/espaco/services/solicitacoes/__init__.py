"""Collection requests: the client's side (solicitacoes) and the
planejamento queue (planning).
"""
