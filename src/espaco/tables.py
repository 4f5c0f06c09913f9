"""Piccolo tables: the whole portal's schema.

Money is integer centavos (SQLite's NUMERIC is a float); documents are stored normalised
(upper-case, no punctuation); every client-owned row carries its client so that every portal
query filters on it. Composite and unique indexes that Piccolo columns cannot express are created
by the migrations (see ``espaco.db.schema``).
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class StaffRole(StrEnum):
    master = "master"
    planejamento = "planejamento"


class StaffUser(Table, tablename="staff_user"):
    """A person of the provider who uses the back-office."""

    id: Serial  # added by Piccolo; declared for type checkers
    username = Varchar(length=80, unique=True)
    name = Varchar(length=200, default="")
    email = Varchar(length=254, default="")
    role = Varchar(length=20, choices=StaffRole)
    password_hash = Text()
    totp_secret = Varchar(length=64, null=True, default=None)
    totp_enabled = Boolean(default=False)
    # The time step of the last code accepted: a code is good once (RFC 6238, section 5.2).
    totp_last_step = BigInt(null=True, default=None)
    active = Boolean(default=True)
    session_epoch = Integer(default=0)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)


class ClientGroup(Table, tablename="client_group"):
    """A matriz and its filiais: clients that one access code opens together (each member keeps
    its own code, which opens that member alone)."""

    id: Serial  # added by Piccolo; declared for type checkers
    # The ERP's key when the group came in through the import (``clients[].group``); a group a
    # master user made in the back-office has none.
    external_id = Varchar(length=80, null=True, default=None, unique=True)
    name = Varchar(length=200)
    access_code_hash = Text(null=True, default=None)
    code_generated_at = Timestamptz(null=True, default=None)
    # Bumped when the group's code is regenerated or its members change: older sessions die.
    session_epoch = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ClientGroupEmail(Table, tablename="client_group_email"):
    """One address of a group's E-mail list (receives the group's access code)."""

    id: Serial  # added by Piccolo; declared for type checkers
    client_group = ForeignKey(ClientGroup, null=False, on_delete=OnDelete.cascade)
    address = Varchar(length=254)


class Client(Table, tablename="client"):
    """A customer of the provider: a company (CNPJ) or a person (CPF)."""

    id: Serial  # added by Piccolo; declared for type checkers
    external_id = Varchar(length=80, unique=True)
    document = Varchar(length=14, unique=True)
    name = Varchar(length=200)
    trade_name = Varchar(length=200, default="")
    active = Boolean(default=True)
    access_code_hash = Text(null=True, default=None)
    code_generated_at = Timestamptz(null=True, default=None)
    # Bumped when the code is regenerated or the client deactivated: older sessions die.
    session_epoch = Integer(default=0)
    # Bumped by triggers on any change to the client's collections: the key of the in-process
    # caches of what they hold (docs/collection-summary.md).
    data_version = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # The weekly pendências e-mail: the client may turn it off; ``pendencias_checked_at`` is
    # when its pendências were last looked at for it (sent or not), so it comes once a week.
    pendencias_email = Boolean(default=True)
    pendencias_checked_at = Timestamptz(null=True, default=None)
    # The group (matriz e filiais) the client belongs to, at most one.
    client_group = ForeignKey(ClientGroup, null=True, default=None, on_delete=OnDelete.set_null)
    # The e-mail for each collection done (opt-in: off until the client turns it on).
    collection_done_email = Boolean(default=False)
    # The private calendar feed: the SHA-256 of its secret token (unique index, migration
    # 2026-12-06T08:40:01), never the token itself; renewing replaces it.
    calendar_token_hash = Varchar(length=64, null=True, default=None)
    calendar_token_at = Timestamptz(null=True, default=None)


class EmailKind(StrEnum):
    access = "access"
    invoice = "invoice"


class ClientEmail(Table, tablename="client_email"):
    """One address of a client's E-mail list (access code) or E-mail NF list (invoice notices)."""

    id: Serial  # added by Piccolo; declared for type checkers
    client = ForeignKey(Client, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=10, choices=EmailKind)
    address = Varchar(length=254)


class Location(Table, tablename="location"):
    """A place of a client where collections happen."""

    id: Serial  # added by Piccolo; declared for type checkers
    client = ForeignKey(Client, null=False, on_delete=OnDelete.cascade)
    external_id = Varchar(length=80, unique=True)
    label = Varchar(length=200)
    street = Varchar(length=200, default="")
    number = Varchar(length=20, default="")
    complement = Varchar(length=100, default="")
    district = Varchar(length=100, default="")
    city = Varchar(length=100, default="")
    state = Varchar(length=2, default="")
    cep = Varchar(length=8, default="")
    active = Boolean(default=True)


class InvoiceStatus(StrEnum):
    open = "open"
    paid = "paid"
    cancelled = "cancelled"


class Invoice(Table, tablename="invoice"):
    """A billing closure (período de fechamento) of a client."""

    id: Serial  # added by Piccolo; declared for type checkers
    client = ForeignKey(Client, null=False, on_delete=OnDelete.cascade)
    external_id = Varchar(length=80, unique=True)
    reference_start = Date()
    reference_end = Date()
    issued_on = Date()
    due_on = Date()
    amount_cents = BigInt()
    status = Varchar(length=10, choices=InvoiceStatus)
    paid_on = Date(null=True, default=None)
    paid_amount_cents = BigInt(null=True, default=None)
    description = Text(default="")
    updated_at = Timestamptz()


class FiscalKind(StrEnum):
    nfe = "nfe"
    nfse = "nfse"


class FiscalDocument(Table, tablename="fiscal_document"):
    """The NF-e or NFS-e issued for an invoice."""

    id: Serial  # added by Piccolo; declared for type checkers
    invoice = ForeignKey(Invoice, null=False, on_delete=OnDelete.cascade, unique=True)
    client = ForeignKey(Client, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=5, choices=FiscalKind)
    number = Varchar(length=20)
    series = Varchar(length=5, default="")
    access_key = Varchar(length=50)
    issued_at = Timestamptz()
    amount_cents = BigInt()
    # [{"description", "quantity", "unit", "unit_price_cents", "amount_cents"}]
    items = JSON(default=[])
    pdf_path = Varchar(length=200, null=True, default=None)
    xml_path = Varchar(length=200, null=True, default=None)
    notified_at = Timestamptz(null=True, default=None)


class Boleto(Table, tablename="boleto"):
    """The bank slip of an invoice, with its optional PIX BR Code."""

    id: Serial  # added by Piccolo; declared for type checkers
    invoice = ForeignKey(Invoice, null=False, on_delete=OnDelete.cascade, unique=True)
    bank_code = Varchar(length=3)
    bank_name = Varchar(length=100, default="")
    barcode = Varchar(length=44)
    digitable_line = Varchar(length=47)
    pix_copy_paste = Text(null=True, default=None)


class RequestStatus(StrEnum):
    pending = "pending"
    scheduled = "scheduled"
    refused = "refused"
    cancelled = "cancelled"


class CollectionRequest(Table, tablename="collection_request"):
    """A client's request for a collection, worked by Planejamento."""

    id: Serial  # added by Piccolo; declared for type checkers
    client = ForeignKey(Client, null=False, on_delete=OnDelete.cascade)
    location = ForeignKey(Location, null=False, on_delete=OnDelete.restrict)
    protocol = Varchar(length=20, unique=True)
    intended_on = Date()
    description = Text()
    status = Varchar(length=10, choices=RequestStatus, default=RequestStatus.pending)
    # The form's one-time token: a repeated submission finds the request it already made.
    submission_key = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(StaffUser, null=True, default=None, on_delete=OnDelete.set_null)
    scheduled_on = Date(null=True, default=None)
    refusal_reason = Text(null=True, default=None)


class CollectionStatus(StrEnum):
    scheduled = "scheduled"
    done = "done"
    validated = "validated"
    cancelled = "cancelled"


class Collection(Table, tablename="collection"):
    """A collection done or planned for a client at one of its places."""

    id: Serial  # added by Piccolo; declared for type checkers
    client = ForeignKey(Client, null=False, on_delete=OnDelete.cascade)
    location = ForeignKey(Location, null=False, on_delete=OnDelete.restrict)
    external_id = Varchar(length=80, unique=True)
    request = ForeignKey(CollectionRequest, null=True, default=None, on_delete=OnDelete.set_null)
    scheduled_on = Date(null=True, default=None)
    performed_at = Timestamptz(null=True, default=None)
    # The day the portal files it under: performed date (local), else the scheduled date.
    event_on = Date()
    status = Varchar(length=10, choices=CollectionStatus)
    service = Varchar(length=200)
    waste_description = Varchar(length=200, default="")
    waste_class = Varchar(length=10, default="")
    waste_ibama_code = Varchar(length=20, default="")
    # The MTR's fields, optional in the import: sólido | líquido | semissólido | gasoso, the
    # transporter, and the final destination (receiver and treatment), for the Relatório.
    waste_physical_state = Varchar(length=12, default="")
    transporter_name = Varchar(length=200, default="")
    transporter_document = Varchar(length=14, default="")
    receiver_name = Varchar(length=200, default="")
    receiver_document = Varchar(length=14, default="")
    treatment = Varchar(length=100, default="")
    quantity = Varchar(length=20, default="")
    # Not declared here, so that Piccolo never writes them: the generated ``quantity_milli``
    # and the trigger-kept table ``collection_month`` (docs/collection-summary.md).
    unit = Varchar(length=10, default="")
    mtr_number = Varchar(length=30, null=True, default=None)
    mtr_status = Varchar(length=40, null=True, default=None)
    driver = Varchar(length=200, default="")
    vehicle_plate = Varchar(length=10, default="")
    received_by = Varchar(length=200, default="")
    received_by_cpf = Varchar(length=11, null=True, default=None)
    refusal = Text(null=True, default=None)
    notes = Text(default="")
    signature_path = Varchar(length=200, null=True, default=None)
    # Hash of everything the ticket PDF shows: the rendered PDF is cached under it.
    content_hash = Varchar(length=64, default="")
    # When its "coleta realizada" notice was settled (sent or not): set once, by the one
    # transaction that saw it become done (services/collections/done_email.py).
    done_noticed_at = Timestamptz(null=True, default=None)


class PhotoStage(StrEnum):
    before = "before"
    after = "after"


class CollectionPhoto(Table, tablename="collection_photo"):
    """A photo the driver took before or after a collection, stored downscaled."""

    id: Serial  # added by Piccolo; declared for type checkers
    collection = ForeignKey(Collection, null=False, on_delete=OnDelete.cascade)
    position = Integer(default=0)
    stage = Varchar(length=10, choices=PhotoStage)
    path = Varchar(length=200)
    width = Integer()
    height = Integer()
    taken_at = Timestamptz(null=True, default=None)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)


class Certificate(Table, tablename="certificate"):
    """A CDF (Certificado de Destinação Final) issued by the final receiver."""

    id: Serial  # added by Piccolo; declared for type checkers
    client = ForeignKey(Client, null=False, on_delete=OnDelete.cascade)
    external_id = Varchar(length=80, unique=True)
    number = Varchar(length=40)
    issued_on = Date()
    period_start = Date()
    period_end = Date()
    receiver = Varchar(length=200)
    mtr_numbers = JSON(default=[])
    pdf_path = Varchar(length=200, null=True, default=None)
    # Its ``certificate_mtr`` rows, counted by triggers (docs/collection-summary.md).
    mtr_count = Integer(default=0)


class CertificateMtr(Table, tablename="certificate_mtr"):
    """One MTR number a certificate covers (to link collections to their CDF)."""

    id: Serial  # added by Piccolo; declared for type checkers
    certificate = ForeignKey(Certificate, null=False, on_delete=OnDelete.cascade)
    client = ForeignKey(Client, null=False, on_delete=OnDelete.cascade)
    mtr_number = Varchar(length=30)


class ApiToken(Table, tablename="api_token"):
    """A bearer token the provider's ERP uses; only its hash is kept."""

    id: Serial  # added by Piccolo; declared for type checkers
    name = Varchar(length=100)
    prefix = Varchar(length=12)
    token_hash = Varchar(length=64, unique=True)
    scopes = Varchar(length=100)
    created_by = ForeignKey(StaffUser, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class ApiIdempotency(Table, tablename="api_idempotency"):
    """An ``Idempotency-Key`` an API token used: the body it came with and the first answer."""

    id: Serial  # added by Piccolo; declared for type checkers
    # "<token id>:<the client's key>": keys of different tokens never meet.
    key = Varchar(length=300, unique=True)
    body_hash = Varchar(length=64)
    # 0 while the first request is still running, then its HTTP status.
    status_code = Integer(default=0)
    response = Text(default="")
    created_at = Timestamptz()


class ApiRateWindow(Table, tablename="api_rate_window"):
    """Requests one API token made in one minute (fixed window), shared by every worker."""

    id: Serial  # added by Piccolo; declared for type checkers
    # "<token id>:<minute since the epoch>"
    key = Varchar(length=40, unique=True)
    requests = Integer(default=0)
    window_start = Timestamptz()


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class OutboxEmail(Table, tablename="outbox_email"):
    """An e-mail waiting to be sent, sent, or given up on; written with the change it reports."""

    id: Serial  # added by Piccolo; declared for type checkers
    kind = Varchar(length=40)
    message_id = Varchar(length=200, unique=True)
    recipients = Text()
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text(default="")
    # The secret the bodies mask (an access code), sealed (services/access/sealing.py); wiped once
    # the message is sent or given up.
    sealed_secret = Text(null=True, default=None)
    status = Varchar(length=10, choices=OutboxStatus, default=OutboxStatus.pending)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    last_error = Text(null=True, default=None)
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    client = ForeignKey(Client, null=True, default=None, on_delete=OnDelete.set_null)


class AuditEvent(Table, tablename="audit_event"):
    """Something a person or program did that the provider may need to account for."""

    id: Serial  # added by Piccolo; declared for type checkers
    created_at = Timestamptz()  # indexed (audit_event_created): the access-record purge walks it
    action = Varchar(length=60)
    actor = Varchar(length=120, default="")
    ip = Varchar(length=45, default="")
    client = ForeignKey(Client, null=True, default=None, on_delete=OnDelete.set_null)
    details = JSON(default={})


class LoginThrottle(Table, tablename="login_throttle"):
    """Failed logins per key (a keyed hash of a document, or an IP) in the current window."""

    id: Serial  # added by Piccolo; declared for type checkers
    key = Varchar(length=80, unique=True)
    failures = Integer(default=0)
    window_start = Timestamptz()
    last_failure_at = Timestamptz()
    locked_until = Timestamptz(null=True, default=None)


class StaffLoginStep(Table, tablename="staff_login_step"):
    """A staff login half done: the password was checked, the TOTP code (or its enrolment) is
    next. The browser holds a random token; the row only its SHA-256, for five minutes, once."""

    id: Serial  # added by Piccolo; declared for type checkers
    token_hash = Varchar(length=64, unique=True)
    staff = ForeignKey(StaffUser, null=False, on_delete=OnDelete.cascade)
    # The user's session epoch at the password check: bumping it voids the step.
    epoch = Integer(default=0)
    step = Varchar(length=10)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class WebSession(Table, tablename="web_session"):
    """A logged-in browser, client or staff; the cookie holds the id, the row everything else."""

    id: Serial  # added by Piccolo; declared for type checkers
    id_hash = Varchar(length=64, unique=True)
    client = ForeignKey(Client, null=True, default=None, on_delete=OnDelete.cascade)
    staff = ForeignKey(StaffUser, null=True, default=None, on_delete=OnDelete.cascade)
    # A group's session: ``client`` is the member whose document logged in, ``epoch`` the
    # group's; the session sees every member of the group.
    client_group = ForeignKey(ClientGroup, null=True, default=None, on_delete=OnDelete.cascade)
    epoch = Integer(default=0)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    ip = Varchar(length=45, default="")


ALL_TABLES: list[type[Table]] = [
    StaffUser,
    ClientGroup,
    ClientGroupEmail,
    Client,
    ClientEmail,
    Location,
    Invoice,
    FiscalDocument,
    Boleto,
    CollectionRequest,
    Collection,
    CollectionPhoto,
    Certificate,
    CertificateMtr,
    ApiToken,
    ApiIdempotency,
    ApiRateWindow,
    OutboxEmail,
    AuditEvent,
    LoginThrottle,
    StaffLoginStep,
    WebSession,
]
