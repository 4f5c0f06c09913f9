"""The domain layer's own conventions: standard library and stdnum only, and
no clock or file access, so every rule runs in microseconds without setup."""

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "espaco" / "domain"
MODULES = sorted(DOMAIN.rglob("*.py"))
ALLOWED_THIRD_PARTY = {"stdnum"}
CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter"}
IO_CALLS = {"open", "print", "input"}


def _imported_modules(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _is_allowed(module: str) -> bool:
    top = module.split(".")[0]
    if top == "espaco":
        return module == "espaco.domain" or module.startswith("espaco.domain.")
    return top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY


def test_the_domain_package_has_modules_to_check():
    assert len(MODULES) >= 8


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_module_imports_only_the_standard_library_and_stdnum(path):
    forbidden = [m for m in _imported_modules(ast.parse(path.read_text())) if not _is_allowed(m)]
    assert forbidden == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_module_never_reads_the_clock_or_does_io(path):
    offending = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in CLOCK_CALLS:
            offending.append(f"line {node.lineno}: .{func.attr}()")
        if isinstance(func, ast.Name) and func.id in IO_CALLS:
            offending.append(f"line {node.lineno}: {func.id}()")
    assert offending == []


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("datetime", True),
        ("stdnum.br.cnpj", True),
        ("espaco.domain.errors", True),
        ("espaco.tables", False),
        ("litestar", False),
        ("piccolo.table", False),
    ],
)
def test_the_import_rule_itself_tells_allowed_from_forbidden(module, allowed):
    assert _is_allowed(module) is allowed
