"""Names, places and services the demo data is drawn from.

Fictional companies and people; streets, districts and IBGE codes are real
places around Campinas so the portal looks like it does in production. Waste
codes are those of the Lista Brasileira de Resíduos Sólidos (IN IBAMA 13/2012).
"""

from __future__ import annotations

from typing import NamedTuple

PROVIDER_NAME = "Verde Campo Ambiental Ltda"
PIX_NAME = "Verde Campo Ambiental"  # the BR Code takes 25 characters
PROVIDER_CNPJ = "11222333000181"
PROVIDER_CITY = "Campinas"
PROVIDER_IBGE_CITY = "3509502"  # Campinas, where the provider's NFS-e are issued
PROVIDER_UF_CODE = "35"  # São Paulo, first two digits of an NF-e key

BANKS: dict[str, str] = {"341": "Itaú", "001": "Banco do Brasil", "237": "Bradesco"}


class Profile(NamedTuple):
    """One demo client: who it is and what it throws away."""

    name: str
    trade_name: str | None
    kind: str  # a key of SERVICES and BILLING
    domain: str  # e-mail domain
    cities: tuple[str, ...]  # one location per city, the first is the Matriz
    alphanumeric: bool  # CNPJ with letters (IN RFB 2.229/2024)
    nfe: bool  # billed with NF-e instead of NFS-e


PROFILES: tuple[Profile, ...] = (
    Profile(
        "Padaria e Confeitaria Pão Quente Ltda",
        "Pão Quente",
        "padaria",
        "paoquente.com.br",
        ("Campinas", "Campinas", "Valinhos"),
        True,
        False,
    ),
    Profile(
        "Hospital Santa Clara de Campinas S.A.",
        "Hospital Santa Clara",
        "hospital",
        "hsantaclara.com.br",
        ("Campinas", "Campinas"),
        False,
        False,
    ),
    Profile(
        "Construtora Horizonte Engenharia Ltda",
        "Horizonte Engenharia",
        "construtora",
        "horizonteeng.com.br",
        ("Campinas", "Campinas", "Valinhos", "Jundiaí"),
        False,
        True,
    ),
    Profile(
        "Supermercado Bom Preço Campinas Ltda",
        "Bom Preço",
        "supermercado",
        "bompreco.com.br",
        ("Campinas", "Campinas"),
        False,
        True,
    ),
    Profile(
        "Cantina Bella Napoli Restaurante Ltda",
        "Cantina Bella Napoli",
        "restaurante",
        "bellanapoli.com.br",
        ("São Paulo",),
        False,
        False,
    ),
    Profile(
        "Clínica Odontológica Sorriso Pleno Ltda",
        "Sorriso Pleno",
        "clinica",
        "sorrisopleno.com.br",
        ("Jundiaí",),
        True,
        False,
    ),
    Profile(
        "Auto Mecânica Irmãos Ferreira Ltda",
        "Oficina Irmãos Ferreira",
        "oficina",
        "irmaosferreira.com.br",
        ("Sorocaba",),
        False,
        True,
    ),
    Profile(
        "Condomínio Residencial Parque das Árvores",
        "Parque das Árvores",
        "condominio",
        "parquedasarvores.com.br",
        ("Campinas",),
        False,
        False,
    ),
    Profile(
        "Churrascaria Brasa Viva Ltda",
        "Brasa Viva",
        "restaurante",
        "brasaviva.com.br",
        ("Valinhos",),
        False,
        False,
    ),
    Profile(
        "Hortifruti Vale Verde Comércio de Alimentos Ltda",
        "Hortifruti Vale Verde",
        "supermercado",
        "valeverde.com.br",
        ("Campinas",),
        True,
        False,
    ),
    Profile(
        "Mariana Albuquerque Ramos", None, "reforma", "email.com.br", ("Valinhos",), False, False
    ),
    Profile("Carlos Eduardo Nogueira", None, "chacara", "email.com.br", ("Jundiaí",), False, False),
    # Two filiais of the Pão Quente (client 0, the matriz): each its own CNPJ and client.
    Profile(
        "Padaria e Confeitaria Pão Quente Ltda",
        "Pão Quente Valinhos",
        "padaria",
        "paoquente.com.br",
        ("Valinhos",),
        False,
        False,
    ),
    Profile(
        "Padaria e Confeitaria Pão Quente Ltda",
        "Pão Quente Jundiaí",
        "padaria",
        "paoquente.com.br",
        ("Jundiaí",),
        False,
        False,
    ),
)
# The demo's group (matriz e filiais): its ERP key, name and the indexes of its clients.
DEMO_GROUP = ("GRP-0001", "Rede Pão Quente", (0, 12, 13))
INACTIVE_CLIENT = 8  # the churrascaria closed its doors
INACTIVE_LOCATION = (2, 3)  # (client, location): a finished construction site


class Street(NamedTuple):
    street: str
    district: str
    cep_prefix: str  # five digits; the suffix is drawn


STREETS: dict[str, tuple[Street, ...]] = {
    "Campinas": (
        Street("Rua Barão de Jaguara", "Centro", "13015"),
        Street("Avenida Francisco Glicério", "Centro", "13012"),
        Street("Rua Coronel Quirino", "Cambuí", "13025"),
        Street("Rua Maria Monteiro", "Cambuí", "13025"),
        Street("Avenida José de Souza Campos", "Nova Campinas", "13092"),
        Street("Avenida Orosimbo Maia", "Vila Itapura", "13023"),
        Street("Avenida Heitor Penteado", "Taquaral", "13087"),
        Street("Avenida Albino J. B. de Oliveira", "Barão Geraldo", "13084"),
        Street("Avenida John Boyd Dunlop", "Jardim Ipaussurama", "13060"),
        Street("Rua Dr. Sales de Oliveira", "Vila Industrial", "13035"),
    ),
    "São Paulo": (
        Street("Rua Teodoro Sampaio", "Pinheiros", "05405"),
        Street("Rua Augusta", "Consolação", "01305"),
        Street("Rua da Mooca", "Mooca", "03104"),
    ),
    "Jundiaí": (
        Street("Avenida Nove de Julho", "Anhangabaú", "13208"),
        Street("Rua Barão de Jundiaí", "Centro", "13201"),
        Street("Avenida Antônio Frederico Ozanam", "Vila Rio Branco", "13215"),
    ),
    "Sorocaba": (
        Street("Avenida General Carneiro", "Vila Lucy", "18043"),
        Street("Avenida Itavuvu", "Vila Olímpia", "18078"),
    ),
    "Valinhos": (
        Street("Avenida Independência", "Vila Santana", "13276"),
        Street("Rua Treze de Maio", "Centro", "13270"),
        Street("Avenida dos Esportes", "Jardim Pinheiros", "13274"),
    ),
}

# Where the route app's GPS puts a photo taken in each city.
CITY_COORDINATES: dict[str, tuple[float, float]] = {
    "Campinas": (-22.90556, -47.06083),
    "São Paulo": (-23.55052, -46.63331),
    "Jundiaí": (-23.18639, -46.88417),
    "Sorocaba": (-23.50167, -47.45806),
    "Valinhos": (-22.97056, -46.99583),
}

LOCATION_LABELS: dict[str, tuple[str, ...]] = {
    "construtora": (
        "Escritório",
        "Obra Residencial Jardim das Palmeiras",
        "Obra Galpão Logístico Valinhos",
        "Obra Edifício Vila Arens",
    ),
    "hospital": ("Hospital", "Centro de Diagnóstico {district}"),
    "supermercado": ("Loja {district}", "Loja {district}"),
    "reforma": ("Residência",),
    "chacara": ("Chácara",),
}
DEFAULT_LABELS = ("Matriz", "Filial {district}", "Filial {district}", "Filial {district}")
COMPLEMENTS: tuple[str | None, ...] = (None, None, None, "Fundos", "Galpão 2", "Loja 1", "Bloco B")

FIRST_NAMES = (
    "Ana", "Bruno", "Camila", "Diego", "Eduarda", "Felipe", "Gabriela", "Henrique",
    "Isabela", "João", "Juliana", "Lucas", "Marcos", "Patrícia", "Rafael", "Renata",
    "Sérgio", "Tatiane", "Vinícius", "Aparecida",
)  # fmt: skip
LAST_NAMES = (
    "Silva", "Souza", "Oliveira", "Santos", "Pereira", "Lima", "Carvalho", "Ferreira",
    "Rodrigues", "Almeida", "Costa", "Gomes", "Martins", "Araújo", "Barbosa", "Ribeiro",
)  # fmt: skip

# The provider's fleet: driver and the Mercosul plate of the truck they drive.
FLEET: tuple[tuple[str, str], ...] = (
    ("José Aparecido da Silva", "FQA3C21"),
    ("Antônio Carlos Moreira", "GHT7B45"),
    ("Edson Luiz Pereira", "EZK2J88"),
    ("Reginaldo Santos Lima", "DSM5F62"),
    ("Cláudio Roberto Dias", "FJX8H04"),
    ("Valdir Batista Rocha", "QPL4A73"),
)


class Waste(NamedTuple):
    description: str
    waste_class: str  # NBR 10004: I, II-A, II-B
    ibama_code: str  # IN IBAMA 13/2012; the asterisk marks a hazardous waste
    scene: str  # which demo photo shows it
    physical_state: str
    treatment: str  # the final destination's technology, as the MTR names it


WASTES: dict[str, Waste] = {
    "organico": Waste("Resíduos biodegradáveis de cozinha", "II-A", "20 01 08", "sacos",
                      "sólido", "Compostagem"),
    "oleo": Waste("Óleo de cozinha usado", "II-A", "20 01 25", "bombonas", "líquido",
                  "Reciclagem"),
    "reciclaveis": Waste("Embalagens de papel, papelão e plástico", "II-A", "15 01 06", "sacos",
                         "sólido", "Reciclagem"),
    "gordura": Waste("Resíduo de caixa de gordura", "II-A", "19 08 09", "bombonas",
                     "semissólido", "Tratamento biológico"),
    "rejeito": Waste("Resíduos urbanos misturados (rejeito)", "II-A", "20 03 01", "sacos",
                     "sólido", "Aterro sanitário"),
    "saude_a": Waste("Resíduo infectante de serviço de saúde (Grupo A)", "I", "18 01 03*",
                     "saude", "sólido", "Incineração"),
    "saude_b": Waste("Resíduo químico de serviço de saúde (Grupo B)", "I", "18 01 06*", "saude",
                     "sólido", "Incineração"),
    "saude_e": Waste("Materiais perfurocortantes (Grupo E)", "I", "18 01 01", "saude", "sólido",
                     "Incineração"),
    "lampadas": Waste("Lâmpadas fluorescentes", "I", "20 01 21*", "sacos", "sólido",
                      "Descontaminação de lâmpadas"),
    "rcc": Waste("Resíduo de construção civil (misturas)", "II-B", "17 09 04", "cacamba",
                 "sólido", "Reciclagem de RCC"),
    "madeira": Waste("Madeira de construção", "II-A", "17 02 01", "cacamba", "sólido",
                     "Reciclagem"),
    "concreto": Waste("Concreto e alvenaria", "II-B", "17 01 07", "cacamba", "sólido",
                      "Reciclagem de RCC"),
    "poda": Waste("Resíduos de poda e jardinagem", "II-A", "20 02 01", "cacamba", "sólido",
                  "Compostagem"),
    "lubrificante": Waste("Óleo lubrificante usado", "I", "13 02 05*", "bombonas", "líquido",
                          "Rerrefino"),
    "estopas": Waste("Estopas e panos contaminados com óleo", "I", "15 02 02*", "sacos",
                     "sólido", "Coprocessamento"),
    "filtros": Waste("Filtros de óleo usados", "I", "16 01 07*", "bombonas", "sólido",
                     "Coprocessamento"),
    "sucata": Waste("Sucata de metais ferrosos", "II-B", "16 01 17", "cacamba", "sólido",
                    "Reciclagem"),
}  # fmt: skip


class Service(NamedTuple):
    name: str
    waste: str  # a key of WASTES
    unit: str
    low: float  # quantity range; equal bounds for a fixed quantity
    high: float
    decimals: int
    weight: int  # how often, relative to the client's other services


def _svc(name: str, waste: str, unit: str, low: float, high: float, dec: int, w: int) -> Service:
    return Service(name, waste, unit, low, high, dec, w)


_ORGANIC = _svc("Coleta de resíduo orgânico", "organico", "kg", 60, 320, 1, 6)
_OIL = _svc("Recolhimento de óleo de cozinha usado", "oleo", "L", 20, 80, 0, 2)
_RECYCLABLE = _svc("Coleta de recicláveis", "reciclaveis", "kg", 20, 180, 1, 3)
_GREASE = _svc("Limpeza de caixa de gordura", "gordura", "m3", 0.5, 2, 1, 1)
_CACAMBA_5 = _svc("Troca de caçamba 5 m³", "rcc", "m3", 5, 5, 0, 5)
_CACAMBA_3 = _svc("Troca de caçamba 3 m³", "rcc", "m3", 3, 3, 0, 2)
_HEALTH_A = _svc("Coleta de resíduo de serviço de saúde (Grupo A)", "saude_a", "kg", 8, 420, 1, 6)

SERVICES: dict[str, tuple[Service, ...]] = {
    "padaria": (_ORGANIC, _OIL, _RECYCLABLE, _GREASE),
    "restaurante": (_ORGANIC, _OIL, _GREASE, _RECYCLABLE),
    "hospital": (
        _HEALTH_A,
        _svc("Coleta de perfurocortantes (Grupo E)", "saude_e", "kg", 5, 70, 1, 3),
        _svc("Coleta de resíduo químico (Grupo B)", "saude_b", "kg", 2, 40, 1, 2),
        _RECYCLABLE,
        _svc("Recolhimento de lâmpadas fluorescentes", "lampadas", "un", 20, 120, 0, 1),
    ),
    "clinica": (
        _HEALTH_A,
        _svc("Coleta de perfurocortantes (Grupo E)", "saude_e", "kg", 1, 6, 1, 2),
    ),
    "construtora": (
        _CACAMBA_5,
        _CACAMBA_3,
        _svc("Retirada de caçamba de madeira 5 m³", "madeira", "m3", 5, 5, 0, 1),
        _svc("Coleta de entulho a granel", "concreto", "t", 2, 8, 2, 1),
    ),
    "supermercado": (
        _ORGANIC,
        _RECYCLABLE,
        _OIL,
        _svc("Coleta de rejeito comum", "rejeito", "t", 0.5, 2.5, 2, 2),
    ),
    "oficina": (
        _svc("Coleta de óleo lubrificante usado", "lubrificante", "L", 100, 400, 0, 4),
        _svc("Coleta de estopas e panos contaminados", "estopas", "kg", 10, 60, 1, 3),
        _svc("Recolhimento de filtros de óleo usados", "filtros", "un", 10, 60, 0, 2),
        _svc("Coleta de sucata metálica", "sucata", "kg", 100, 600, 0, 1),
    ),
    "condominio": (
        _svc("Coleta de rejeito comum", "rejeito", "t", 0.8, 2.5, 2, 5),
        _RECYCLABLE,
        _OIL,
        _svc("Recolhimento de lâmpadas fluorescentes", "lampadas", "un", 10, 40, 0, 1),
    ),
    "reforma": (_CACAMBA_5, _CACAMBA_3),
    "chacara": (
        _svc("Coleta de resíduo de poda e jardinagem", "poda", "m3", 2, 6, 1, 3),
        _CACAMBA_3,
    ),
}


class BillingItem(NamedTuple):
    description: str
    unit: str
    unit_price_cents: int
    low: float  # monthly quantity range
    high: float
    decimals: int


BILLING: dict[str, tuple[BillingItem, ...]] = {
    "padaria": (
        BillingItem("Coleta de resíduo orgânico (classe II-A)", "kg", 85, 600, 1500, 0),
        BillingItem("Locação de bombona 50 L", "un", 3500, 2, 2, 0),
        BillingItem("Limpeza de caixa de gordura", "un", 38000, 0, 1.4, 0),
    ),
    "restaurante": (
        BillingItem("Coleta de resíduo orgânico (classe II-A)", "kg", 85, 800, 1800, 0),
        BillingItem("Limpeza de caixa de gordura", "un", 42000, 1, 1, 0),
        BillingItem("Coleta de recicláveis", "kg", 30, 200, 500, 0),
    ),
    "hospital": (
        BillingItem("Coleta e tratamento de RSS Grupo A (autoclave)", "kg", 390, 2500, 4500, 1),
        BillingItem("Coleta e incineração de perfurocortantes (Grupo E)", "kg", 450, 300, 600, 1),
        BillingItem("Coleta e incineração de resíduo químico (Grupo B)", "kg", 680, 100, 300, 1),
        BillingItem("Locação de contêiner 240 L", "un", 4500, 20, 20, 0),
    ),
    "clinica": (
        BillingItem("Coleta e tratamento de RSS Grupo A", "kg", 420, 40, 110, 1),
        BillingItem("Coleta de perfurocortantes (Grupo E)", "kg", 480, 10, 30, 1),
        BillingItem("Taxa de coleta programada", "un", 6000, 2, 2, 0),
    ),
    "construtora": (
        BillingItem("Locação e troca de caçamba 5 m³", "un", 28000, 20, 45, 0),
        BillingItem("Triagem e destinação de RCC em ATT licenciada", "m3", 1800, 100, 225, 0),
    ),
    "supermercado": (
        BillingItem("Coleta de resíduo orgânico (classe II-A)", "kg", 75, 2000, 4500, 0),
        BillingItem("Coleta de papelão e plástico para reciclagem", "kg", 30, 1500, 3000, 0),
        BillingItem("Locação de compactador de papelão", "un", 65000, 1, 1, 0),
        BillingItem("Coleta e destinação de rejeito em aterro", "t", 32000, 1.5, 3.5, 3),
    ),
    "oficina": (
        BillingItem("Coleta de estopas e EPIs contaminados (classe I)", "kg", 550, 80, 200, 1),
        BillingItem("Coleta de embalagens de óleo contaminadas", "kg", 400, 30, 80, 1),
        BillingItem("Locação de tambor 200 L", "un", 4000, 2, 2, 0),
    ),
    "condominio": (
        BillingItem("Coleta e destinação de rejeito em aterro", "t", 19000, 6, 10, 3),
        BillingItem("Coleta seletiva de recicláveis", "kg", 25, 600, 1200, 0),
    ),
    "reforma": (BillingItem("Locação e troca de caçamba 5 m³", "un", 32000, 1, 4, 0),),
    "chacara": (
        BillingItem("Coleta de resíduo de poda e jardinagem", "m3", 9500, 3, 6, 1),
        BillingItem("Taxa de deslocamento", "un", 6000, 1, 1, 0),
    ),
}

# The final receiver issuing each client's CDF, by the kind of waste it sends.
RECEIVERS: dict[str, str] = {
    "hospital": "Incineradora Paulista de Resíduos de Saúde Ltda",
    "clinica": "Incineradora Paulista de Resíduos de Saúde Ltda",
    "construtora": "ATT Recicla Entulho Campinas Ltda",
    "reforma": "ATT Recicla Entulho Campinas Ltda",
    "oficina": "Rerrefino Oleosul Indústria de Lubrificantes Ltda",
}
DEFAULT_RECEIVER = "Central de Tratamento de Resíduos Boa Vista Ltda"
# Their CNPJs, for the collections' destination (roots made up, check digits computed).
RECEIVER_ROOTS: dict[str, str] = {
    "Incineradora Paulista de Resíduos de Saúde Ltda": "214365870001",
    "ATT Recicla Entulho Campinas Ltda": "325476980001",
    "Rerrefino Oleosul Indústria de Lubrificantes Ltda": "436587090001",
    DEFAULT_RECEIVER: "547698100001",
}

COLLECTION_NOTES: tuple[str, ...] = (
    "Caçamba retirada sem excesso.",
    "Resíduo acondicionado em bombonas lacradas.",
    "Portão fechado na chegada; aguardou 15 minutos.",
    "Coleta feita pela entrada de serviço.",
    "Sacos rompidos reembalados pela equipe.",
)
CANCEL_NOTES: tuple[str, ...] = (
    "Cancelada a pedido do cliente.",
    "Local fechado; coleta reagendada.",
)
REFUSAL = "Responsável se recusou a assinar"
