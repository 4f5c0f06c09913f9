"""Financeiro: the page's reads and the NF e-mail notice."""
