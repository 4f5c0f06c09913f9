import pickle

from espaco.domain.errors import DomainError


def test_domain_error_reads_as_its_portuguese_message():
    err = DomainError("check_digit", "CNPJ com dígito verificador inválido")
    assert str(err) == "CNPJ com dígito verificador inválido"
    assert err.code == "check_digit"
    assert err.message == "CNPJ com dígito verificador inválido"


def test_domain_error_is_a_value_error():
    assert isinstance(DomainError("format", "x"), ValueError)


def test_domain_error_keeps_its_code_across_pickling():
    data = pickle.dumps(DomainError("length", "Tamanho inválido"))
    copy = pickle.loads(data)  # noqa: S301 - bytes we just made
    assert (copy.code, copy.message) == ("length", "Tamanho inválido")
