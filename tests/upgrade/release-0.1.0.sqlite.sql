BEGIN TRANSACTION;
CREATE TABLE "api_idempotency" ("id" INTEGER PRIMARY KEY NOT NULL, "key" VARCHAR(300) UNIQUE NOT NULL DEFAULT '', "body_hash" VARCHAR(64) NOT NULL DEFAULT '', "status_code" INTEGER NOT NULL DEFAULT 0, "response" TEXT NOT NULL DEFAULT '', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp);
CREATE TABLE "api_rate_window" ("id" INTEGER PRIMARY KEY NOT NULL, "key" VARCHAR(40) UNIQUE NOT NULL DEFAULT '', "requests" INTEGER NOT NULL DEFAULT 0, "window_start" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp);
CREATE TABLE "api_token" ("id" INTEGER PRIMARY KEY NOT NULL, "name" VARCHAR(100) NOT NULL DEFAULT '', "prefix" VARCHAR(12) NOT NULL DEFAULT '', "token_hash" VARCHAR(64) UNIQUE NOT NULL DEFAULT '', "scopes" VARCHAR(100) NOT NULL DEFAULT '', "created_by" INTEGER REFERENCES "staff_user" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "last_used_at" TIMESTAMPTZ DEFAULT null, "revoked_at" TIMESTAMPTZ DEFAULT null);
CREATE TABLE "audit_event" ("id" INTEGER PRIMARY KEY NOT NULL, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "action" VARCHAR(60) NOT NULL DEFAULT '', "actor" VARCHAR(120) NOT NULL DEFAULT '', "ip" VARCHAR(45) NOT NULL DEFAULT '', "client" INTEGER REFERENCES "client" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null, "details" JSON NOT NULL DEFAULT '{}');
CREATE TABLE "boleto" ("id" INTEGER PRIMARY KEY NOT NULL, "invoice" INTEGER UNIQUE NOT NULL REFERENCES "invoice" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "bank_code" VARCHAR(3) NOT NULL DEFAULT '', "bank_name" VARCHAR(100) NOT NULL DEFAULT '', "barcode" VARCHAR(44) NOT NULL DEFAULT '', "digitable_line" VARCHAR(47) NOT NULL DEFAULT '', "pix_copy_paste" TEXT DEFAULT null);
INSERT INTO "boleto" VALUES(1,1,'341','Itaú','34196162600001234570000000000000000000000001','34190000090000000000000000000018616260000123457','00020126360014br.gov.bcb.pix01141122233300018152040000530398654071234.575802BR5911VERDE CAMPO6008CAMPINAS62080504FAT16304DF9B');
INSERT INTO "boleto" VALUES(2,2,'341','Itaú','34191162600001234580000000000000000000000002','34190000090000000000000000000026116260000123458','00020126360014br.gov.bcb.pix01141122233300018152040000530398654071234.585802BR5911VERDE CAMPO6008CAMPINAS62080504FAT26304DDBB');
CREATE TABLE "certificate" ("id" INTEGER PRIMARY KEY NOT NULL, "client" INTEGER NOT NULL REFERENCES "client" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "external_id" VARCHAR(80) UNIQUE NOT NULL DEFAULT '', "number" VARCHAR(40) NOT NULL DEFAULT '', "issued_on" DATE NOT NULL DEFAULT CURRENT_DATE, "period_start" DATE NOT NULL DEFAULT CURRENT_DATE, "period_end" DATE NOT NULL DEFAULT CURRENT_DATE, "receiver" VARCHAR(200) NOT NULL DEFAULT '', "mtr_numbers" JSON NOT NULL DEFAULT '[]', "pdf_path" VARCHAR(200) DEFAULT null, "mtr_count" INTEGER NOT NULL DEFAULT 0);
INSERT INTO "certificate" VALUES(1,1,'CDF-1','0001/2026','2026-11-05','2026-10-01','2026-10-31','Aterro Sanitário Exemplo Ltda','["260010679501"]',NULL,1);
INSERT INTO "certificate" VALUES(2,2,'CDF-2','0002/2026','2026-11-05','2026-10-01','2026-10-31','Aterro Sanitário Exemplo Ltda','["260010679501"]',NULL,1);
CREATE TABLE "certificate_mtr" ("id" INTEGER PRIMARY KEY NOT NULL, "certificate" INTEGER NOT NULL REFERENCES "certificate" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "client" INTEGER NOT NULL REFERENCES "client" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "mtr_number" VARCHAR(30) NOT NULL DEFAULT '');
INSERT INTO "certificate_mtr" VALUES(1,1,1,'260010679501');
INSERT INTO "certificate_mtr" VALUES(2,2,2,'260010679501');
CREATE TABLE "client" ("id" INTEGER PRIMARY KEY NOT NULL, "external_id" VARCHAR(80) UNIQUE NOT NULL DEFAULT '', "document" VARCHAR(14) UNIQUE NOT NULL DEFAULT '', "name" VARCHAR(200) NOT NULL DEFAULT '', "trade_name" VARCHAR(200) NOT NULL DEFAULT '', "active" BOOLEAN NOT NULL DEFAULT true, "access_code_hash" TEXT DEFAULT null, "code_generated_at" TIMESTAMPTZ DEFAULT null, "session_epoch" INTEGER NOT NULL DEFAULT 0, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "data_version" INTEGER NOT NULL DEFAULT 0);
INSERT INTO "client" VALUES(1,'CLI-1','00001001000150','Cliente 1 Ltda','Cliente 1',1,NULL,NULL,0,'2026-11-28 12:00:00+00:00','2026-11-28 12:00:00+00:00',2);
INSERT INTO "client" VALUES(2,'CLI-2','00001002000103','Cliente 2 Ltda','Cliente 2',1,NULL,NULL,0,'2026-11-28 12:00:00+00:00','2026-11-28 12:00:00+00:00',1);
CREATE TABLE "client_email" ("id" INTEGER PRIMARY KEY NOT NULL, "client" INTEGER NOT NULL REFERENCES "client" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "kind" VARCHAR(10) NOT NULL DEFAULT '', "address" VARCHAR(254) NOT NULL DEFAULT '');
INSERT INTO "client_email" VALUES(1,1,'access','compras1@cliente.com.br');
INSERT INTO "client_email" VALUES(2,1,'invoice','financeiro1@cliente.com.br');
INSERT INTO "client_email" VALUES(3,2,'access','compras2@cliente.com.br');
INSERT INTO "client_email" VALUES(4,2,'invoice','financeiro2@cliente.com.br');
CREATE TABLE "collection" ("id" INTEGER PRIMARY KEY NOT NULL, "client" INTEGER NOT NULL REFERENCES "client" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "location" INTEGER NOT NULL REFERENCES "location" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "external_id" VARCHAR(80) UNIQUE NOT NULL DEFAULT '', "request" INTEGER REFERENCES "collection_request" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null, "scheduled_on" DATE DEFAULT null, "performed_at" TIMESTAMPTZ DEFAULT null, "event_on" DATE NOT NULL DEFAULT CURRENT_DATE, "status" VARCHAR(10) NOT NULL DEFAULT '', "service" VARCHAR(200) NOT NULL DEFAULT '', "waste_description" VARCHAR(200) NOT NULL DEFAULT '', "waste_class" VARCHAR(10) NOT NULL DEFAULT '', "waste_ibama_code" VARCHAR(20) NOT NULL DEFAULT '', "quantity" VARCHAR(20) NOT NULL DEFAULT '', "unit" VARCHAR(10) NOT NULL DEFAULT '', "mtr_number" VARCHAR(30) DEFAULT null, "mtr_status" VARCHAR(40) DEFAULT null, "driver" VARCHAR(200) NOT NULL DEFAULT '', "vehicle_plate" VARCHAR(10) NOT NULL DEFAULT '', "received_by" VARCHAR(200) NOT NULL DEFAULT '', "received_by_cpf" VARCHAR(11) DEFAULT null, "refusal" TEXT DEFAULT null, "notes" TEXT NOT NULL DEFAULT '', "signature_path" VARCHAR(200) DEFAULT null, "content_hash" VARCHAR(64) NOT NULL DEFAULT '', quantity_milli INTEGER GENERATED ALWAYS AS (CASE WHEN quantity = '' THEN 0 WHEN quantity NOT GLOB '*[^0-9.]*' AND quantity GLOB '[0-9]*' AND quantity NOT GLOB '*.*.*' AND quantity NOT GLOB '*.' AND (instr(quantity, '.') = 0 OR length(quantity) - instr(quantity, '.') <= 3) THEN CAST(round(CAST(quantity AS REAL) * 1000) AS INTEGER) END) VIRTUAL);
INSERT INTO "collection" VALUES(1,1,1,'COL-1',NULL,'2026-10-05','2026-10-05 12:32:00+00:00','2026-10-05','validated','Troca de caçamba 5 m³','Resíduo de construção civil','II-B','17 09 04','5','m3','260010679501','Recebido','José da Silva','ABC1D23','Maria Souza','12345600110',NULL,'Caçamba retirada sem excesso.',NULL,'b8bd5adf791e0e6e9affa943dc46e9fe8b33f531ab39c7d93b9b9bcda675979b');
INSERT INTO "collection" VALUES(2,1,1,'COL-2',NULL,'2026-10-05','2026-10-05 12:32:00+00:00','2026-10-05','validated','Troca de caçamba 5 m³','Resíduo de construção civil','II-B','17 09 04','5','m3','260010679502','Recebido','José da Silva','ABC1D23','Maria Souza','12345600209',NULL,'Caçamba retirada sem excesso.',NULL,'452901d6aecd7b8a1804bd2b0190ac0ca05ff61fbd512a2cd30282cf122caeb4');
INSERT INTO "collection" VALUES(3,2,2,'COL-3',NULL,'2026-10-05','2026-10-05 12:32:00+00:00','2026-10-05','validated','Troca de caçamba 5 m³','Resíduo de construção civil','II-B','17 09 04','5','m3','260010679503','Recebido','José da Silva','ABC1D23','Maria Souza','12345600381',NULL,'Caçamba retirada sem excesso.',NULL,'ebc3397ac1a843eb1075a8b3ca1a53b44141dc665a2976c5ab02294460c63317');
CREATE TABLE collection_month ( client INTEGER NOT NULL REFERENCES client (id) ON DELETE CASCADE, month DATE NOT NULL, status VARCHAR(10) NOT NULL, unit VARCHAR(10) NOT NULL, location INTEGER NOT NULL, n INTEGER NOT NULL, milli INTEGER NOT NULL, inexact INTEGER NOT NULL, PRIMARY KEY (client, month, status, unit, location)) WITHOUT ROWID;
INSERT INTO "collection_month" VALUES(1,'2026-10-01','validated','m3',1,2,10000,0);
INSERT INTO "collection_month" VALUES(2,'2026-10-01','validated','m3',2,1,5000,0);
CREATE TABLE "collection_photo" ("id" INTEGER PRIMARY KEY NOT NULL, "collection" INTEGER NOT NULL REFERENCES "collection" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "position" INTEGER NOT NULL DEFAULT 0, "stage" VARCHAR(10) NOT NULL DEFAULT '', "path" VARCHAR(200) NOT NULL DEFAULT '', "width" INTEGER NOT NULL DEFAULT 0, "height" INTEGER NOT NULL DEFAULT 0, "taken_at" TIMESTAMPTZ DEFAULT null, "latitude" DOUBLE PRECISION DEFAULT null, "longitude" DOUBLE PRECISION DEFAULT null);
CREATE TABLE "collection_request" ("id" INTEGER PRIMARY KEY NOT NULL, "client" INTEGER NOT NULL REFERENCES "client" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "location" INTEGER NOT NULL REFERENCES "location" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "protocol" VARCHAR(20) UNIQUE NOT NULL DEFAULT '', "intended_on" DATE NOT NULL DEFAULT CURRENT_DATE, "description" TEXT NOT NULL DEFAULT '', "status" VARCHAR(10) NOT NULL DEFAULT 'pending', "submission_key" VARCHAR(64) UNIQUE NOT NULL DEFAULT '', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "decided_at" TIMESTAMPTZ DEFAULT null, "decided_by" INTEGER REFERENCES "staff_user" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null, "scheduled_on" DATE DEFAULT null, "refusal_reason" TEXT DEFAULT null);
CREATE TABLE "fiscal_document" ("id" INTEGER PRIMARY KEY NOT NULL, "invoice" INTEGER UNIQUE NOT NULL REFERENCES "invoice" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "client" INTEGER NOT NULL REFERENCES "client" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "kind" VARCHAR(5) NOT NULL DEFAULT '', "number" VARCHAR(20) NOT NULL DEFAULT '', "series" VARCHAR(5) NOT NULL DEFAULT '', "access_key" VARCHAR(50) NOT NULL DEFAULT '', "issued_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "amount_cents" INTEGER NOT NULL DEFAULT 0, "items" JSON NOT NULL DEFAULT '[]', "pdf_path" VARCHAR(200) DEFAULT null, "xml_path" VARCHAR(200) DEFAULT null, "notified_at" TIMESTAMPTZ DEFAULT null);
INSERT INTO "fiscal_document" VALUES(1,1,1,'nfe','1','1','35261011222333000181550010000000011000000010','2026-11-01 13:15:00+00:00',123457,'[{"description":"Coleta de resíduo classe II-A","quantity":"1","unit":"un","unit_price_cents":123457,"amount_cents":123457}]',NULL,NULL,'2026-11-28 12:00:00+00:00');
INSERT INTO "fiscal_document" VALUES(2,2,2,'nfe','2','1','35261011222333000181550010000000021000000026','2026-11-01 13:15:00+00:00',123458,'[{"description":"Coleta de resíduo classe II-A","quantity":"1","unit":"un","unit_price_cents":123458,"amount_cents":123458}]',NULL,NULL,'2026-11-28 12:00:00+00:00');
CREATE TABLE "invoice" ("id" INTEGER PRIMARY KEY NOT NULL, "client" INTEGER NOT NULL REFERENCES "client" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "external_id" VARCHAR(80) UNIQUE NOT NULL DEFAULT '', "reference_start" DATE NOT NULL DEFAULT CURRENT_DATE, "reference_end" DATE NOT NULL DEFAULT CURRENT_DATE, "issued_on" DATE NOT NULL DEFAULT CURRENT_DATE, "due_on" DATE NOT NULL DEFAULT CURRENT_DATE, "amount_cents" INTEGER NOT NULL DEFAULT 0, "status" VARCHAR(10) NOT NULL DEFAULT '', "paid_on" DATE DEFAULT null, "paid_amount_cents" INTEGER DEFAULT null, "description" TEXT NOT NULL DEFAULT '', "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp);
INSERT INTO "invoice" VALUES(1,1,'FAT-1','2026-10-01','2026-10-31','2026-11-01','2026-11-10',123457,'open',NULL,NULL,'Coleta e destinação de resíduos — outubro/2026','2026-11-28 12:00:00+00:00');
INSERT INTO "invoice" VALUES(2,2,'FAT-2','2026-10-01','2026-10-31','2026-11-01','2026-11-10',123458,'open',NULL,NULL,'Coleta e destinação de resíduos — outubro/2026','2026-11-28 12:00:00+00:00');
CREATE TABLE "location" ("id" INTEGER PRIMARY KEY NOT NULL, "client" INTEGER NOT NULL REFERENCES "client" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "external_id" VARCHAR(80) UNIQUE NOT NULL DEFAULT '', "label" VARCHAR(200) NOT NULL DEFAULT '', "street" VARCHAR(200) NOT NULL DEFAULT '', "number" VARCHAR(20) NOT NULL DEFAULT '', "complement" VARCHAR(100) NOT NULL DEFAULT '', "district" VARCHAR(100) NOT NULL DEFAULT '', "city" VARCHAR(100) NOT NULL DEFAULT '', "state" VARCHAR(2) NOT NULL DEFAULT '', "cep" VARCHAR(8) NOT NULL DEFAULT '', "active" BOOLEAN NOT NULL DEFAULT true);
INSERT INTO "location" VALUES(1,1,'LOC-1','Matriz','Rua das Flores','120','Fundos','Centro','Campinas','SP','13010050',1);
INSERT INTO "location" VALUES(2,2,'LOC-2','Matriz','Rua das Flores','120','Fundos','Centro','Campinas','SP','13010050',1);
CREATE TABLE "login_throttle" ("id" INTEGER PRIMARY KEY NOT NULL, "key" VARCHAR(80) UNIQUE NOT NULL DEFAULT '', "failures" INTEGER NOT NULL DEFAULT 0, "window_start" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "last_failure_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "locked_until" TIMESTAMPTZ DEFAULT null);
CREATE TABLE "migration" ("id" INTEGER PRIMARY KEY NOT NULL, "name" VARCHAR(200) NOT NULL DEFAULT '', "app_name" VARCHAR(200) NOT NULL DEFAULT '', "ran_on" TIMESTAMP NOT NULL DEFAULT current_timestamp);
INSERT INTO "migration" VALUES(1,'2026-11-28T11:54:48:085346','espaco','2026-12-06 05:24:43.512192');
INSERT INTO "migration" VALUES(2,'2026-11-28T11:54:49:000000','espaco','2026-12-06 05:24:43.516352');
INSERT INTO "migration" VALUES(3,'2026-11-28T12:33:57:841192','espaco','2026-12-06 05:24:43.519486');
INSERT INTO "migration" VALUES(4,'2026-11-28T13:55:00:000000','espaco','2026-12-06 05:24:43.521540');
INSERT INTO "migration" VALUES(5,'2026-11-28T14:57:59:065157','espaco','2026-12-06 05:24:43.523315');
INSERT INTO "migration" VALUES(6,'2026-11-28T14:58:00:000000','espaco','2026-12-06 05:24:43.525417');
INSERT INTO "migration" VALUES(7,'2026-11-28T15:30:00:000000','espaco','2026-12-06 05:24:43.529014');
INSERT INTO "migration" VALUES(8,'2026-11-28T16:04:07:670686','espaco','2026-12-06 05:24:43.534129');
INSERT INTO "migration" VALUES(9,'2026-11-28T16:30:00:000000','espaco','2026-12-06 05:24:43.536608');
INSERT INTO "migration" VALUES(10,'2026-11-28T17:30:00:000000','espaco','2026-12-06 05:24:43.538864');
INSERT INTO "migration" VALUES(11,'2026-11-28T17:41:00:000000','espaco','2026-12-06 05:24:43.543203');
INSERT INTO "migration" VALUES(12,'2026-11-28T17:41:01:000000','espaco','2026-12-06 05:24:43.547445');
CREATE TABLE "outbox_email" ("id" INTEGER PRIMARY KEY NOT NULL, "kind" VARCHAR(40) NOT NULL DEFAULT '', "message_id" VARCHAR(200) UNIQUE NOT NULL DEFAULT '', "recipients" TEXT NOT NULL DEFAULT '', "subject" VARCHAR(300) NOT NULL DEFAULT '', "body_text" TEXT NOT NULL DEFAULT '', "body_html" TEXT NOT NULL DEFAULT '', "status" VARCHAR(10) NOT NULL DEFAULT 'pending', "attempts" INTEGER NOT NULL DEFAULT 0, "next_attempt_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "last_error" TEXT DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "sent_at" TIMESTAMPTZ DEFAULT null, "client" INTEGER REFERENCES "client" ("id") ON DELETE SET NULL ON UPDATE CASCADE DEFAULT null);
INSERT INTO "outbox_email" VALUES(1,'nf_notice','<5cffc369a4fe4e78a7bfeca941dd1fbb@espaco>','financeiro1@cliente.com.br','NF-e nº 1 emitida — Espaço do Cliente','Olá, Cliente 1 Ltda.

Espaço do Cliente emitiu uma NF-e para você:

  NF-e nº 1
  Valor: R$ 1.234,57
  Vencimento: 10/11/2026

Veja a nota, o PDF, o XML e o boleto no Espaço do Cliente:
http://127.0.0.1:8000/financeiro/1/nota

—
Mensagem automática de Espaço do Cliente. Por favor, não responda.
','<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NF-e nº 1 — Espaço do Cliente</title>
</head>
<body>
<p>Olá, Cliente 1 Ltda.</p>
<p>Espaço do Cliente emitiu uma NF-e para você:</p>
<table>
<tr><th scope="row">NF-e</th><td>nº 1</td></tr>
<tr><th scope="row">Valor</th><td>R$ 1.234,57</td></tr>
<tr><th scope="row">Vencimento</th><td>10/11/2026</td></tr>
</table>
<p><a href="http://127.0.0.1:8000/financeiro/1/nota">Ver a nota, o PDF, o XML e o boleto no Espaço do Cliente</a></p>
<hr>
<p><small>Mensagem automática de Espaço do Cliente. Por favor, não responda.</small></p>
</body>
</html>
','pending',0,'2026-11-28 12:00:00+00:00',NULL,'2026-11-28 12:00:00+00:00',NULL,1);
INSERT INTO "outbox_email" VALUES(2,'nf_notice','<333afd47718d4e0698006d7f8aa5864f@espaco>','financeiro2@cliente.com.br','NF-e nº 2 emitida — Espaço do Cliente','Olá, Cliente 2 Ltda.

Espaço do Cliente emitiu uma NF-e para você:

  NF-e nº 2
  Valor: R$ 1.234,58
  Vencimento: 10/11/2026

Veja a nota, o PDF, o XML e o boleto no Espaço do Cliente:
http://127.0.0.1:8000/financeiro/2/nota

—
Mensagem automática de Espaço do Cliente. Por favor, não responda.
','<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NF-e nº 2 — Espaço do Cliente</title>
</head>
<body>
<p>Olá, Cliente 2 Ltda.</p>
<p>Espaço do Cliente emitiu uma NF-e para você:</p>
<table>
<tr><th scope="row">NF-e</th><td>nº 2</td></tr>
<tr><th scope="row">Valor</th><td>R$ 1.234,58</td></tr>
<tr><th scope="row">Vencimento</th><td>10/11/2026</td></tr>
</table>
<p><a href="http://127.0.0.1:8000/financeiro/2/nota">Ver a nota, o PDF, o XML e o boleto no Espaço do Cliente</a></p>
<hr>
<p><small>Mensagem automática de Espaço do Cliente. Por favor, não responda.</small></p>
</body>
</html>
','pending',0,'2026-11-28 12:00:00+00:00',NULL,'2026-11-28 12:00:00+00:00',NULL,2);
CREATE TABLE "staff_user" ("id" INTEGER PRIMARY KEY NOT NULL, "username" VARCHAR(80) UNIQUE NOT NULL DEFAULT '', "name" VARCHAR(200) NOT NULL DEFAULT '', "email" VARCHAR(254) NOT NULL DEFAULT '', "role" VARCHAR(20) NOT NULL DEFAULT '', "password_hash" TEXT NOT NULL DEFAULT '', "totp_secret" VARCHAR(64) DEFAULT null, "totp_enabled" BOOLEAN NOT NULL DEFAULT false, "active" BOOLEAN NOT NULL DEFAULT true, "session_epoch" INTEGER NOT NULL DEFAULT 0, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "last_login_at" TIMESTAMPTZ DEFAULT null, "totp_last_step" INTEGER DEFAULT null);
INSERT INTO "staff_user" VALUES(1,'operador','','','master','$argon2id$v=19$m=65536,t=3,p=4$T+85ZW60Jil0193ZoyalKA$XZAr1oaLilmmBXyumDygi5xa3Ym+EqPGwnb6UAXUx64',NULL,0,1,0,'2026-11-28 12:00:00+00:00',NULL,NULL);
CREATE TABLE "web_session" ("id" INTEGER PRIMARY KEY NOT NULL, "id_hash" VARCHAR(64) UNIQUE NOT NULL DEFAULT '', "client" INTEGER REFERENCES "client" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "staff" INTEGER REFERENCES "staff_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, "epoch" INTEGER NOT NULL DEFAULT 0, "csrf_token" VARCHAR(64) NOT NULL DEFAULT '', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "last_seen_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "ip" VARCHAR(45) NOT NULL DEFAULT '');
CREATE UNIQUE INDEX client_email_unique ON client_email (client, kind, address);
CREATE INDEX location_client ON location (client, label);
CREATE INDEX invoice_client_due ON invoice (client, due_on);
CREATE INDEX fiscal_document_client ON fiscal_document (client);
CREATE INDEX collection_client_event ON collection (client, event_on, id);
CREATE INDEX collection_client_location_event ON collection (client, location, event_on);
CREATE INDEX collection_client_mtr ON collection (client, mtr_number);
CREATE INDEX collection_photo_collection ON collection_photo (collection, position);
CREATE INDEX collection_request_status ON collection_request (status, created_at);
CREATE INDEX collection_request_client ON collection_request (client, created_at);
CREATE INDEX certificate_client ON certificate (client, issued_on);
CREATE INDEX outbox_email_due ON outbox_email (status, next_attempt_at);
CREATE INDEX audit_event_created ON audit_event (created_at);
CREATE INDEX audit_event_client ON audit_event (client, created_at);
CREATE INDEX web_session_client ON web_session (client);
CREATE INDEX web_session_staff ON web_session (staff);
CREATE INDEX collection_client_status_event_quantity ON collection (client, status, event_on, unit, quantity);
CREATE TRIGGER collection_inserted AFTER INSERT ON collection BEGIN UPDATE client SET data_version = data_version + 1 WHERE id = NEW.client; END;
CREATE TRIGGER collection_updated AFTER UPDATE ON collection BEGIN UPDATE client SET data_version = data_version + 1 WHERE id IN (OLD.client, NEW.client); END;
CREATE TRIGGER collection_deleted AFTER DELETE ON collection BEGIN UPDATE client SET data_version = data_version + 1 WHERE id = OLD.client; END;
CREATE INDEX certificate_mtr_certificate ON certificate_mtr (certificate, mtr_number);
CREATE INDEX collection_client_status_unit_quantity ON collection (client, status, unit, event_on, location, quantity);
CREATE TRIGGER collection_month_inserted AFTER INSERT ON collection BEGIN INSERT INTO collection_month (client, month, status, unit, location, n, milli, inexact) VALUES (NEW.client, date(NEW.event_on, 'start of month'), NEW.status, NEW.unit, NEW.location, 1, COALESCE(NEW.quantity_milli, 0), NEW.quantity_milli IS NULL) ON CONFLICT (client, month, status, unit, location) DO UPDATE SET n = n + 1, milli = milli + excluded.milli, inexact = inexact + excluded.inexact; END;
CREATE TRIGGER collection_month_updated AFTER UPDATE OF client, event_on, status, unit, location, quantity ON collection BEGIN UPDATE collection_month SET n = n - 1, milli = milli - COALESCE(OLD.quantity_milli, 0), inexact = inexact - (OLD.quantity_milli IS NULL) WHERE client = OLD.client AND month = date(OLD.event_on, 'start of month') AND status = OLD.status AND unit = OLD.unit AND location = OLD.location; INSERT INTO collection_month (client, month, status, unit, location, n, milli, inexact) VALUES (NEW.client, date(NEW.event_on, 'start of month'), NEW.status, NEW.unit, NEW.location, 1, COALESCE(NEW.quantity_milli, 0), NEW.quantity_milli IS NULL) ON CONFLICT (client, month, status, unit, location) DO UPDATE SET n = n + 1, milli = milli + excluded.milli, inexact = inexact + excluded.inexact; END;
CREATE TRIGGER collection_month_deleted AFTER DELETE ON collection BEGIN UPDATE collection_month SET n = n - 1, milli = milli - COALESCE(OLD.quantity_milli, 0), inexact = inexact - (OLD.quantity_milli IS NULL) WHERE client = OLD.client AND month = date(OLD.event_on, 'start of month') AND status = OLD.status AND unit = OLD.unit AND location = OLD.location; END;
CREATE INDEX certificate_mtr_client ON certificate_mtr (client, mtr_number, certificate);
CREATE TRIGGER certificate_mtr_inserted AFTER INSERT ON certificate_mtr BEGIN UPDATE certificate SET mtr_count = mtr_count + 1 WHERE id = NEW.certificate; END;
CREATE TRIGGER certificate_mtr_deleted AFTER DELETE ON certificate_mtr BEGIN UPDATE certificate SET mtr_count = mtr_count - 1 WHERE id = OLD.certificate; END;
CREATE TRIGGER certificate_mtr_moved AFTER UPDATE OF certificate ON certificate_mtr BEGIN UPDATE certificate SET mtr_count = mtr_count - 1 WHERE id = OLD.certificate; UPDATE certificate SET mtr_count = mtr_count + 1 WHERE id = NEW.certificate; END;
COMMIT;
