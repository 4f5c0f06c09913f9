--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: public; Type: SCHEMA; Schema: -; Owner: -
--

-- *not* creating schema, since initdb creates it


--
-- Name: certificate_mtr_add(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.certificate_mtr_add() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN UPDATE certificate c SET mtr_count = c.mtr_count + d.n FROM (SELECT certificate, COUNT(*) AS n FROM new_rows GROUP BY certificate) d WHERE c.id = d.certificate; RETURN NULL; END $$;


--
-- Name: certificate_mtr_move(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.certificate_mtr_move() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN UPDATE certificate c SET mtr_count = c.mtr_count - d.n FROM (SELECT certificate, COUNT(*) AS n FROM old_rows GROUP BY certificate) d WHERE c.id = d.certificate;UPDATE certificate c SET mtr_count = c.mtr_count + d.n FROM (SELECT certificate, COUNT(*) AS n FROM new_rows GROUP BY certificate) d WHERE c.id = d.certificate; RETURN NULL; END $$;


--
-- Name: certificate_mtr_subtract(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.certificate_mtr_subtract() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN UPDATE certificate c SET mtr_count = c.mtr_count - d.n FROM (SELECT certificate, COUNT(*) AS n FROM old_rows GROUP BY certificate) d WHERE c.id = d.certificate; RETURN NULL; END $$;


--
-- Name: collection_bump_both(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.collection_bump_both() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
      UPDATE client SET data_version = data_version + 1
       WHERE id IN (SELECT client FROM new_rows UNION SELECT client FROM old_rows);
      RETURN NULL;
    END $$;


--
-- Name: collection_bump_new(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.collection_bump_new() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
      UPDATE client SET data_version = data_version + 1
       WHERE id IN (SELECT DISTINCT client FROM new_rows);
      RETURN NULL;
    END $$;


--
-- Name: collection_bump_old(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.collection_bump_old() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
      UPDATE client SET data_version = data_version + 1
       WHERE id IN (SELECT DISTINCT client FROM old_rows);
      RETURN NULL;
    END $$;


--
-- Name: collection_month_add(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.collection_month_add() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO collection_month (client, month, status, unit, location, n, milli, inexact) SELECT client, date_trunc('month', event_on::timestamp)::date AS month, status, unit, location, COUNT(*) AS n, COALESCE(SUM(quantity_milli), 0) AS milli, COUNT(*) - COUNT(quantity_milli) AS inexact FROM new_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5 ON CONFLICT (client, month, status, unit, location) DO UPDATE SET n = collection_month.n + excluded.n, milli = collection_month.milli + excluded.milli, inexact = collection_month.inexact + excluded.inexact; RETURN NULL; END $$;


--
-- Name: collection_month_move(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.collection_month_move() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN UPDATE collection_month m SET n = m.n - o.n, milli = m.milli - o.milli, inexact = m.inexact - o.inexact FROM (SELECT client, date_trunc('month', event_on::timestamp)::date AS month, status, unit, location, COUNT(*) AS n, COALESCE(SUM(quantity_milli), 0) AS milli, COUNT(*) - COUNT(quantity_milli) AS inexact FROM old_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5) o WHERE m.client = o.client AND m.month = o.month AND m.status = o.status AND m.unit = o.unit AND m.location = o.location; INSERT INTO collection_month (client, month, status, unit, location, n, milli, inexact) SELECT client, date_trunc('month', event_on::timestamp)::date AS month, status, unit, location, COUNT(*) AS n, COALESCE(SUM(quantity_milli), 0) AS milli, COUNT(*) - COUNT(quantity_milli) AS inexact FROM new_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5 ON CONFLICT (client, month, status, unit, location) DO UPDATE SET n = collection_month.n + excluded.n, milli = collection_month.milli + excluded.milli, inexact = collection_month.inexact + excluded.inexact; RETURN NULL; END $$;


--
-- Name: collection_month_subtract(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.collection_month_subtract() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN UPDATE collection_month m SET n = m.n - o.n, milli = m.milli - o.milli, inexact = m.inexact - o.inexact FROM (SELECT client, date_trunc('month', event_on::timestamp)::date AS month, status, unit, location, COUNT(*) AS n, COALESCE(SUM(quantity_milli), 0) AS milli, COUNT(*) - COUNT(quantity_milli) AS inexact FROM old_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5) o WHERE m.client = o.client AND m.month = o.month AND m.status = o.status AND m.unit = o.unit AND m.location = o.location; RETURN NULL; END $$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_idempotency; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_idempotency (
    id integer NOT NULL,
    key character varying(300) DEFAULT ''::character varying NOT NULL,
    body_hash character varying(64) DEFAULT ''::character varying NOT NULL,
    status_code integer DEFAULT 0 NOT NULL,
    response text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);


--
-- Name: api_idempotency_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.api_idempotency_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: api_idempotency_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.api_idempotency_id_seq OWNED BY public.api_idempotency.id;


--
-- Name: api_rate_window; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_rate_window (
    id integer NOT NULL,
    key character varying(40) DEFAULT ''::character varying NOT NULL,
    requests integer DEFAULT 0 NOT NULL,
    window_start timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);


--
-- Name: api_rate_window_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.api_rate_window_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: api_rate_window_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.api_rate_window_id_seq OWNED BY public.api_rate_window.id;


--
-- Name: api_token; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_token (
    id integer NOT NULL,
    name character varying(100) DEFAULT ''::character varying NOT NULL,
    prefix character varying(12) DEFAULT ''::character varying NOT NULL,
    token_hash character varying(64) DEFAULT ''::character varying NOT NULL,
    scopes character varying(100) DEFAULT ''::character varying NOT NULL,
    created_by integer,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone
);


--
-- Name: api_token_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.api_token_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: api_token_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.api_token_id_seq OWNED BY public.api_token.id;


--
-- Name: audit_event; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_event (
    id integer NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    action character varying(60) DEFAULT ''::character varying NOT NULL,
    actor character varying(120) DEFAULT ''::character varying NOT NULL,
    ip character varying(45) DEFAULT ''::character varying NOT NULL,
    client integer,
    details json DEFAULT '{}'::json NOT NULL
);


--
-- Name: audit_event_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_event_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_event_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_event_id_seq OWNED BY public.audit_event.id;


--
-- Name: boleto; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.boleto (
    id integer NOT NULL,
    invoice integer NOT NULL,
    bank_code character varying(3) DEFAULT ''::character varying NOT NULL,
    bank_name character varying(100) DEFAULT ''::character varying NOT NULL,
    barcode character varying(44) DEFAULT ''::character varying NOT NULL,
    digitable_line character varying(47) DEFAULT ''::character varying NOT NULL,
    pix_copy_paste text
);


--
-- Name: boleto_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.boleto_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: boleto_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.boleto_id_seq OWNED BY public.boleto.id;


--
-- Name: certificate; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.certificate (
    id integer NOT NULL,
    client integer NOT NULL,
    external_id character varying(80) DEFAULT ''::character varying NOT NULL,
    number character varying(40) DEFAULT ''::character varying NOT NULL,
    issued_on date DEFAULT CURRENT_DATE NOT NULL,
    period_start date DEFAULT CURRENT_DATE NOT NULL,
    period_end date DEFAULT CURRENT_DATE NOT NULL,
    receiver character varying(200) DEFAULT ''::character varying NOT NULL,
    mtr_numbers json DEFAULT '[]'::json NOT NULL,
    pdf_path character varying(200) DEFAULT NULL::character varying,
    mtr_count integer DEFAULT 0 NOT NULL
);


--
-- Name: certificate_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.certificate_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: certificate_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.certificate_id_seq OWNED BY public.certificate.id;


--
-- Name: certificate_mtr; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.certificate_mtr (
    id integer NOT NULL,
    certificate integer NOT NULL,
    client integer NOT NULL,
    mtr_number character varying(30) DEFAULT ''::character varying NOT NULL
);


--
-- Name: certificate_mtr_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.certificate_mtr_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: certificate_mtr_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.certificate_mtr_id_seq OWNED BY public.certificate_mtr.id;


--
-- Name: client; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.client (
    id integer NOT NULL,
    external_id character varying(80) DEFAULT ''::character varying NOT NULL,
    document character varying(14) DEFAULT ''::character varying NOT NULL,
    name character varying(200) DEFAULT ''::character varying NOT NULL,
    trade_name character varying(200) DEFAULT ''::character varying NOT NULL,
    active boolean DEFAULT true NOT NULL,
    access_code_hash text,
    code_generated_at timestamp with time zone,
    session_epoch integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    data_version integer DEFAULT 0 NOT NULL
);


--
-- Name: client_email; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.client_email (
    id integer NOT NULL,
    client integer NOT NULL,
    kind character varying(10) DEFAULT ''::character varying NOT NULL,
    address character varying(254) DEFAULT ''::character varying NOT NULL
);


--
-- Name: client_email_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.client_email_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: client_email_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.client_email_id_seq OWNED BY public.client_email.id;


--
-- Name: client_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.client_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: client_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.client_id_seq OWNED BY public.client.id;


--
-- Name: collection; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.collection (
    id integer NOT NULL,
    client integer NOT NULL,
    location integer NOT NULL,
    external_id character varying(80) DEFAULT ''::character varying NOT NULL,
    request integer,
    scheduled_on date,
    performed_at timestamp with time zone,
    event_on date DEFAULT CURRENT_DATE NOT NULL,
    status character varying(10) DEFAULT ''::character varying NOT NULL,
    service character varying(200) DEFAULT ''::character varying NOT NULL,
    waste_description character varying(200) DEFAULT ''::character varying NOT NULL,
    waste_class character varying(10) DEFAULT ''::character varying NOT NULL,
    waste_ibama_code character varying(20) DEFAULT ''::character varying NOT NULL,
    quantity character varying(20) DEFAULT ''::character varying NOT NULL,
    unit character varying(10) DEFAULT ''::character varying NOT NULL,
    mtr_number character varying(30) DEFAULT NULL::character varying,
    mtr_status character varying(40) DEFAULT NULL::character varying,
    driver character varying(200) DEFAULT ''::character varying NOT NULL,
    vehicle_plate character varying(10) DEFAULT ''::character varying NOT NULL,
    received_by character varying(200) DEFAULT ''::character varying NOT NULL,
    received_by_cpf character varying(11) DEFAULT NULL::character varying,
    refusal text,
    notes text DEFAULT ''::text NOT NULL,
    signature_path character varying(200) DEFAULT NULL::character varying,
    content_hash character varying(64) DEFAULT ''::character varying NOT NULL,
    quantity_milli bigint GENERATED ALWAYS AS (
CASE
    WHEN ((quantity)::text = ''::text) THEN (0)::bigint
    WHEN ((quantity)::text ~ '^[0-9]+(\.[0-9]{1,3})?$'::text) THEN (((quantity)::numeric * (1000)::numeric))::bigint
    ELSE NULL::bigint
END) STORED
);


--
-- Name: collection_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.collection_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: collection_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.collection_id_seq OWNED BY public.collection.id;


--
-- Name: collection_month; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.collection_month (
    client integer NOT NULL,
    month date NOT NULL,
    status character varying(10) NOT NULL,
    unit character varying(10) NOT NULL,
    location integer NOT NULL,
    n integer NOT NULL,
    milli bigint NOT NULL,
    inexact integer NOT NULL
);


--
-- Name: collection_photo; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.collection_photo (
    id integer NOT NULL,
    collection integer NOT NULL,
    "position" integer DEFAULT 0 NOT NULL,
    stage character varying(10) DEFAULT ''::character varying NOT NULL,
    path character varying(200) DEFAULT ''::character varying NOT NULL,
    width integer DEFAULT 0 NOT NULL,
    height integer DEFAULT 0 NOT NULL,
    taken_at timestamp with time zone,
    latitude double precision,
    longitude double precision
);


--
-- Name: collection_photo_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.collection_photo_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: collection_photo_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.collection_photo_id_seq OWNED BY public.collection_photo.id;


--
-- Name: collection_request; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.collection_request (
    id integer NOT NULL,
    client integer NOT NULL,
    location integer NOT NULL,
    protocol character varying(20) DEFAULT ''::character varying NOT NULL,
    intended_on date DEFAULT CURRENT_DATE NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    status character varying(10) DEFAULT 'pending'::character varying NOT NULL,
    submission_key character varying(64) DEFAULT ''::character varying NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    decided_at timestamp with time zone,
    decided_by integer,
    scheduled_on date,
    refusal_reason text
);


--
-- Name: collection_request_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.collection_request_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: collection_request_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.collection_request_id_seq OWNED BY public.collection_request.id;


--
-- Name: fiscal_document; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.fiscal_document (
    id integer NOT NULL,
    invoice integer NOT NULL,
    client integer NOT NULL,
    kind character varying(5) DEFAULT ''::character varying NOT NULL,
    number character varying(20) DEFAULT ''::character varying NOT NULL,
    series character varying(5) DEFAULT ''::character varying NOT NULL,
    access_key character varying(50) DEFAULT ''::character varying NOT NULL,
    issued_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    amount_cents bigint DEFAULT 0 NOT NULL,
    items json DEFAULT '[]'::json NOT NULL,
    pdf_path character varying(200) DEFAULT NULL::character varying,
    xml_path character varying(200) DEFAULT NULL::character varying,
    notified_at timestamp with time zone
);


--
-- Name: fiscal_document_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.fiscal_document_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: fiscal_document_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.fiscal_document_id_seq OWNED BY public.fiscal_document.id;


--
-- Name: invoice; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invoice (
    id integer NOT NULL,
    client integer NOT NULL,
    external_id character varying(80) DEFAULT ''::character varying NOT NULL,
    reference_start date DEFAULT CURRENT_DATE NOT NULL,
    reference_end date DEFAULT CURRENT_DATE NOT NULL,
    issued_on date DEFAULT CURRENT_DATE NOT NULL,
    due_on date DEFAULT CURRENT_DATE NOT NULL,
    amount_cents bigint DEFAULT 0 NOT NULL,
    status character varying(10) DEFAULT ''::character varying NOT NULL,
    paid_on date,
    paid_amount_cents bigint,
    description text DEFAULT ''::text NOT NULL,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);


--
-- Name: invoice_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.invoice_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: invoice_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.invoice_id_seq OWNED BY public.invoice.id;


--
-- Name: location; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.location (
    id integer NOT NULL,
    client integer NOT NULL,
    external_id character varying(80) DEFAULT ''::character varying NOT NULL,
    label character varying(200) DEFAULT ''::character varying NOT NULL,
    street character varying(200) DEFAULT ''::character varying NOT NULL,
    number character varying(20) DEFAULT ''::character varying NOT NULL,
    complement character varying(100) DEFAULT ''::character varying NOT NULL,
    district character varying(100) DEFAULT ''::character varying NOT NULL,
    city character varying(100) DEFAULT ''::character varying NOT NULL,
    state character varying(2) DEFAULT ''::character varying NOT NULL,
    cep character varying(8) DEFAULT ''::character varying NOT NULL,
    active boolean DEFAULT true NOT NULL
);


--
-- Name: location_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.location_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: location_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.location_id_seq OWNED BY public.location.id;


--
-- Name: login_throttle; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_throttle (
    id integer NOT NULL,
    key character varying(80) DEFAULT ''::character varying NOT NULL,
    failures integer DEFAULT 0 NOT NULL,
    window_start timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    last_failure_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    locked_until timestamp with time zone
);


--
-- Name: login_throttle_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.login_throttle_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: login_throttle_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.login_throttle_id_seq OWNED BY public.login_throttle.id;


--
-- Name: migration; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.migration (
    id integer NOT NULL,
    name character varying(200) DEFAULT ''::character varying NOT NULL,
    app_name character varying(200) DEFAULT ''::character varying NOT NULL,
    ran_on timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);


--
-- Name: migration_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.migration_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: migration_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.migration_id_seq OWNED BY public.migration.id;


--
-- Name: outbox_email; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox_email (
    id integer NOT NULL,
    kind character varying(40) DEFAULT ''::character varying NOT NULL,
    message_id character varying(200) DEFAULT ''::character varying NOT NULL,
    recipients text DEFAULT ''::text NOT NULL,
    subject character varying(300) DEFAULT ''::character varying NOT NULL,
    body_text text DEFAULT ''::text NOT NULL,
    body_html text DEFAULT ''::text NOT NULL,
    status character varying(10) DEFAULT 'pending'::character varying NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    last_error text,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    sent_at timestamp with time zone,
    client integer
);


--
-- Name: outbox_email_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.outbox_email_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: outbox_email_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.outbox_email_id_seq OWNED BY public.outbox_email.id;


--
-- Name: staff_user; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.staff_user (
    id integer NOT NULL,
    username character varying(80) DEFAULT ''::character varying NOT NULL,
    name character varying(200) DEFAULT ''::character varying NOT NULL,
    email character varying(254) DEFAULT ''::character varying NOT NULL,
    role character varying(20) DEFAULT ''::character varying NOT NULL,
    password_hash text DEFAULT ''::text NOT NULL,
    totp_secret character varying(64) DEFAULT NULL::character varying,
    totp_enabled boolean DEFAULT false NOT NULL,
    active boolean DEFAULT true NOT NULL,
    session_epoch integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    last_login_at timestamp with time zone,
    totp_last_step bigint
);


--
-- Name: staff_user_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.staff_user_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: staff_user_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.staff_user_id_seq OWNED BY public.staff_user.id;


--
-- Name: web_session; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.web_session (
    id integer NOT NULL,
    id_hash character varying(64) DEFAULT ''::character varying NOT NULL,
    client integer,
    staff integer,
    epoch integer DEFAULT 0 NOT NULL,
    csrf_token character varying(64) DEFAULT ''::character varying NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    last_seen_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    ip character varying(45) DEFAULT ''::character varying NOT NULL
);


--
-- Name: web_session_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.web_session_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: web_session_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.web_session_id_seq OWNED BY public.web_session.id;


--
-- Name: api_idempotency id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_idempotency ALTER COLUMN id SET DEFAULT nextval('public.api_idempotency_id_seq'::regclass);


--
-- Name: api_rate_window id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_rate_window ALTER COLUMN id SET DEFAULT nextval('public.api_rate_window_id_seq'::regclass);


--
-- Name: api_token id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token ALTER COLUMN id SET DEFAULT nextval('public.api_token_id_seq'::regclass);


--
-- Name: audit_event id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_event ALTER COLUMN id SET DEFAULT nextval('public.audit_event_id_seq'::regclass);


--
-- Name: boleto id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.boleto ALTER COLUMN id SET DEFAULT nextval('public.boleto_id_seq'::regclass);


--
-- Name: certificate id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.certificate ALTER COLUMN id SET DEFAULT nextval('public.certificate_id_seq'::regclass);


--
-- Name: certificate_mtr id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.certificate_mtr ALTER COLUMN id SET DEFAULT nextval('public.certificate_mtr_id_seq'::regclass);


--
-- Name: client id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client ALTER COLUMN id SET DEFAULT nextval('public.client_id_seq'::regclass);


--
-- Name: client_email id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_email ALTER COLUMN id SET DEFAULT nextval('public.client_email_id_seq'::regclass);


--
-- Name: collection id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection ALTER COLUMN id SET DEFAULT nextval('public.collection_id_seq'::regclass);


--
-- Name: collection_photo id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_photo ALTER COLUMN id SET DEFAULT nextval('public.collection_photo_id_seq'::regclass);


--
-- Name: collection_request id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_request ALTER COLUMN id SET DEFAULT nextval('public.collection_request_id_seq'::regclass);


--
-- Name: fiscal_document id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.fiscal_document ALTER COLUMN id SET DEFAULT nextval('public.fiscal_document_id_seq'::regclass);


--
-- Name: invoice id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice ALTER COLUMN id SET DEFAULT nextval('public.invoice_id_seq'::regclass);


--
-- Name: location id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.location ALTER COLUMN id SET DEFAULT nextval('public.location_id_seq'::regclass);


--
-- Name: login_throttle id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_throttle ALTER COLUMN id SET DEFAULT nextval('public.login_throttle_id_seq'::regclass);


--
-- Name: migration id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.migration ALTER COLUMN id SET DEFAULT nextval('public.migration_id_seq'::regclass);


--
-- Name: outbox_email id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_email ALTER COLUMN id SET DEFAULT nextval('public.outbox_email_id_seq'::regclass);


--
-- Name: staff_user id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.staff_user ALTER COLUMN id SET DEFAULT nextval('public.staff_user_id_seq'::regclass);


--
-- Name: web_session id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.web_session ALTER COLUMN id SET DEFAULT nextval('public.web_session_id_seq'::regclass);


--
-- Data for Name: api_idempotency; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: api_rate_window; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: api_token; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: audit_event; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: boleto; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.boleto VALUES (1, 1, '341', 'Itaú', '34196162600001234570000000000000000000000001', '34190000090000000000000000000018616260000123457', '00020126360014br.gov.bcb.pix01141122233300018152040000530398654071234.575802BR5911VERDE CAMPO6008CAMPINAS62080504FAT16304DF9B');
INSERT INTO public.boleto VALUES (2, 2, '341', 'Itaú', '34191162600001234580000000000000000000000002', '34190000090000000000000000000026116260000123458', '00020126360014br.gov.bcb.pix01141122233300018152040000530398654071234.585802BR5911VERDE CAMPO6008CAMPINAS62080504FAT26304DDBB');


--
-- Data for Name: certificate; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.certificate VALUES (1, 1, 'CDF-1', '0001/2026', '2026-11-05', '2026-10-01', '2026-10-31', 'Aterro Sanitário Exemplo Ltda', '["260010679501"]', NULL, 1);
INSERT INTO public.certificate VALUES (2, 2, 'CDF-2', '0002/2026', '2026-11-05', '2026-10-01', '2026-10-31', 'Aterro Sanitário Exemplo Ltda', '["260010679501"]', NULL, 1);


--
-- Data for Name: certificate_mtr; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.certificate_mtr VALUES (1, 1, 1, '260010679501');
INSERT INTO public.certificate_mtr VALUES (2, 2, 2, '260010679501');


--
-- Data for Name: client; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.client VALUES (1, 'CLI-1', '00001001000150', 'Cliente 1 Ltda', 'Cliente 1', true, NULL, NULL, 0, '2026-11-28 12:00:00+00', '2026-11-28 12:00:00+00', 1);
INSERT INTO public.client VALUES (2, 'CLI-2', '00001002000103', 'Cliente 2 Ltda', 'Cliente 2', true, NULL, NULL, 0, '2026-11-28 12:00:00+00', '2026-11-28 12:00:00+00', 1);


--
-- Data for Name: client_email; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.client_email VALUES (1, 1, 'access', 'compras1@cliente.com.br');
INSERT INTO public.client_email VALUES (2, 1, 'invoice', 'financeiro1@cliente.com.br');
INSERT INTO public.client_email VALUES (3, 2, 'access', 'compras2@cliente.com.br');
INSERT INTO public.client_email VALUES (4, 2, 'invoice', 'financeiro2@cliente.com.br');


--
-- Data for Name: collection; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.collection VALUES (1, 1, 1, 'COL-1', NULL, '2026-10-05', '2026-10-05 12:32:00+00', '2026-10-05', 'validated', 'Troca de caçamba 5 m³', 'Resíduo de construção civil', 'II-B', '17 09 04', '5', 'm3', '260010679501', 'Recebido', 'José da Silva', 'ABC1D23', 'Maria Souza', '12345600110', NULL, 'Caçamba retirada sem excesso.', NULL, 'b8bd5adf791e0e6e9affa943dc46e9fe8b33f531ab39c7d93b9b9bcda675979b', DEFAULT);
INSERT INTO public.collection VALUES (2, 1, 1, 'COL-2', NULL, '2026-10-05', '2026-10-05 12:32:00+00', '2026-10-05', 'validated', 'Troca de caçamba 5 m³', 'Resíduo de construção civil', 'II-B', '17 09 04', '5', 'm3', '260010679502', 'Recebido', 'José da Silva', 'ABC1D23', 'Maria Souza', '12345600209', NULL, 'Caçamba retirada sem excesso.', NULL, '452901d6aecd7b8a1804bd2b0190ac0ca05ff61fbd512a2cd30282cf122caeb4', DEFAULT);
INSERT INTO public.collection VALUES (3, 2, 2, 'COL-3', NULL, '2026-10-05', '2026-10-05 12:32:00+00', '2026-10-05', 'validated', 'Troca de caçamba 5 m³', 'Resíduo de construção civil', 'II-B', '17 09 04', '5', 'm3', '260010679503', 'Recebido', 'José da Silva', 'ABC1D23', 'Maria Souza', '12345600381', NULL, 'Caçamba retirada sem excesso.', NULL, 'ebc3397ac1a843eb1075a8b3ca1a53b44141dc665a2976c5ab02294460c63317', DEFAULT);


--
-- Data for Name: collection_month; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.collection_month VALUES (1, '2026-10-01', 'validated', 'm3', 1, 2, 10000, 0);
INSERT INTO public.collection_month VALUES (2, '2026-10-01', 'validated', 'm3', 2, 1, 5000, 0);


--
-- Data for Name: collection_photo; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: collection_request; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: fiscal_document; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.fiscal_document VALUES (1, 1, 1, 'nfe', '1', '1', '35261011222333000181550010000000011000000010', '2026-11-01 13:15:00+00', 123457, '[{"description":"Coleta de resíduo classe II-A","quantity":"1","unit":"un","unit_price_cents":123457,"amount_cents":123457}]', NULL, NULL, '2026-11-28 12:00:00+00');
INSERT INTO public.fiscal_document VALUES (2, 2, 2, 'nfe', '2', '1', '35261011222333000181550010000000021000000026', '2026-11-01 13:15:00+00', 123458, '[{"description":"Coleta de resíduo classe II-A","quantity":"1","unit":"un","unit_price_cents":123458,"amount_cents":123458}]', NULL, NULL, '2026-11-28 12:00:00+00');


--
-- Data for Name: invoice; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.invoice VALUES (1, 1, 'FAT-1', '2026-10-01', '2026-10-31', '2026-11-01', '2026-11-10', 123457, 'open', NULL, NULL, 'Coleta e destinação de resíduos — outubro/2026', '2026-11-28 12:00:00+00');
INSERT INTO public.invoice VALUES (2, 2, 'FAT-2', '2026-10-01', '2026-10-31', '2026-11-01', '2026-11-10', 123458, 'open', NULL, NULL, 'Coleta e destinação de resíduos — outubro/2026', '2026-11-28 12:00:00+00');


--
-- Data for Name: location; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.location VALUES (1, 1, 'LOC-1', 'Matriz', 'Rua das Flores', '120', 'Fundos', 'Centro', 'Campinas', 'SP', '13010050', true);
INSERT INTO public.location VALUES (2, 2, 'LOC-2', 'Matriz', 'Rua das Flores', '120', 'Fundos', 'Centro', 'Campinas', 'SP', '13010050', true);


--
-- Data for Name: login_throttle; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: migration; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.migration VALUES (1, '2026-11-28T11:54:48:085346', 'espaco', '2026-12-06 05:24:43.917338');
INSERT INTO public.migration VALUES (2, '2026-11-28T11:54:49:000000', 'espaco', '2026-12-06 05:24:43.944015');
INSERT INTO public.migration VALUES (3, '2026-11-28T12:33:57:841192', 'espaco', '2026-12-06 05:24:43.955822');
INSERT INTO public.migration VALUES (4, '2026-11-28T13:55:00:000000', 'espaco', '2026-12-06 05:24:43.962778');
INSERT INTO public.migration VALUES (5, '2026-11-28T14:57:59:065157', 'espaco', '2026-12-06 05:24:43.97041');
INSERT INTO public.migration VALUES (6, '2026-11-28T14:58:00:000000', 'espaco', '2026-12-06 05:24:43.982307');
INSERT INTO public.migration VALUES (7, '2026-11-28T15:30:00:000000', 'espaco', '2026-12-06 05:24:43.992151');
INSERT INTO public.migration VALUES (8, '2026-11-28T16:04:07:670686', 'espaco', '2026-12-06 05:24:43.994187');
INSERT INTO public.migration VALUES (9, '2026-11-28T16:30:00:000000', 'espaco', '2026-12-06 05:24:44.007921');
INSERT INTO public.migration VALUES (10, '2026-11-28T17:30:00:000000', 'espaco', '2026-12-06 05:24:44.022706');
INSERT INTO public.migration VALUES (11, '2026-11-28T17:41:00:000000', 'espaco', '2026-12-06 05:24:44.024654');
INSERT INTO public.migration VALUES (12, '2026-11-28T17:41:01:000000', 'espaco', '2026-12-06 05:24:44.029144');


--
-- Data for Name: outbox_email; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.outbox_email VALUES (1, 'nf_notice', '<3f4909996b8448819722fe435f35d658@espaco>', 'financeiro1@cliente.com.br', 'NF-e nº 1 emitida — Espaço do Cliente', 'Olá, Cliente 1 Ltda.

Espaço do Cliente emitiu uma NF-e para você:

  NF-e nº 1
  Valor: R$ 1.234,57
  Vencimento: 10/11/2026

Veja a nota, o PDF, o XML e o boleto no Espaço do Cliente:
http://127.0.0.1:8000/financeiro/1/nota

—
Mensagem automática de Espaço do Cliente. Por favor, não responda.
', '<!doctype html>
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
', 'pending', 0, '2026-11-28 12:00:00+00', NULL, '2026-11-28 12:00:00+00', NULL, 1);
INSERT INTO public.outbox_email VALUES (2, 'nf_notice', '<3bd82f7e67a14bf2a512393f57832c08@espaco>', 'financeiro2@cliente.com.br', 'NF-e nº 2 emitida — Espaço do Cliente', 'Olá, Cliente 2 Ltda.

Espaço do Cliente emitiu uma NF-e para você:

  NF-e nº 2
  Valor: R$ 1.234,58
  Vencimento: 10/11/2026

Veja a nota, o PDF, o XML e o boleto no Espaço do Cliente:
http://127.0.0.1:8000/financeiro/2/nota

—
Mensagem automática de Espaço do Cliente. Por favor, não responda.
', '<!doctype html>
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
', 'pending', 0, '2026-11-28 12:00:00+00', NULL, '2026-11-28 12:00:00+00', NULL, 2);


--
-- Data for Name: staff_user; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.staff_user VALUES (1, 'operador', '', '', 'master', '$argon2id$v=19$m=65536,t=3,p=4$qsQiFDJJg/olt95+ju57MA$0WOTlr8qCKX/y1dHtqwbQLyfYnImXRicbyexmVIjOp4', NULL, false, true, 0, '2026-11-28 12:00:00+00', NULL, NULL);


--
-- Data for Name: web_session; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Name: api_idempotency_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.api_idempotency_id_seq', 1, false);


--
-- Name: api_rate_window_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.api_rate_window_id_seq', 1, false);


--
-- Name: api_token_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.api_token_id_seq', 1, false);


--
-- Name: audit_event_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_event_id_seq', 1, false);


--
-- Name: boleto_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.boleto_id_seq', 2, true);


--
-- Name: certificate_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.certificate_id_seq', 2, true);


--
-- Name: certificate_mtr_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.certificate_mtr_id_seq', 2, true);


--
-- Name: client_email_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.client_email_id_seq', 4, true);


--
-- Name: client_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.client_id_seq', 2, true);


--
-- Name: collection_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.collection_id_seq', 3, true);


--
-- Name: collection_photo_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.collection_photo_id_seq', 1, false);


--
-- Name: collection_request_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.collection_request_id_seq', 1, false);


--
-- Name: fiscal_document_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.fiscal_document_id_seq', 2, true);


--
-- Name: invoice_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.invoice_id_seq', 2, true);


--
-- Name: location_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.location_id_seq', 2, true);


--
-- Name: login_throttle_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.login_throttle_id_seq', 1, false);


--
-- Name: migration_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.migration_id_seq', 12, true);


--
-- Name: outbox_email_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.outbox_email_id_seq', 2, true);


--
-- Name: staff_user_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.staff_user_id_seq', 1, true);


--
-- Name: web_session_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.web_session_id_seq', 1, false);


--
-- Name: api_idempotency api_idempotency_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_idempotency
    ADD CONSTRAINT api_idempotency_key_key UNIQUE (key);


--
-- Name: api_idempotency api_idempotency_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_idempotency
    ADD CONSTRAINT api_idempotency_pkey PRIMARY KEY (id);


--
-- Name: api_rate_window api_rate_window_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_rate_window
    ADD CONSTRAINT api_rate_window_key_key UNIQUE (key);


--
-- Name: api_rate_window api_rate_window_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_rate_window
    ADD CONSTRAINT api_rate_window_pkey PRIMARY KEY (id);


--
-- Name: api_token api_token_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token
    ADD CONSTRAINT api_token_pkey PRIMARY KEY (id);


--
-- Name: api_token api_token_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token
    ADD CONSTRAINT api_token_token_hash_key UNIQUE (token_hash);


--
-- Name: audit_event audit_event_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_event
    ADD CONSTRAINT audit_event_pkey PRIMARY KEY (id);


--
-- Name: boleto boleto_invoice_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.boleto
    ADD CONSTRAINT boleto_invoice_key UNIQUE (invoice);


--
-- Name: boleto boleto_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.boleto
    ADD CONSTRAINT boleto_pkey PRIMARY KEY (id);


--
-- Name: certificate certificate_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.certificate
    ADD CONSTRAINT certificate_external_id_key UNIQUE (external_id);


--
-- Name: certificate_mtr certificate_mtr_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.certificate_mtr
    ADD CONSTRAINT certificate_mtr_pkey PRIMARY KEY (id);


--
-- Name: certificate certificate_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.certificate
    ADD CONSTRAINT certificate_pkey PRIMARY KEY (id);


--
-- Name: client client_document_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client
    ADD CONSTRAINT client_document_key UNIQUE (document);


--
-- Name: client_email client_email_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_email
    ADD CONSTRAINT client_email_pkey PRIMARY KEY (id);


--
-- Name: client client_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client
    ADD CONSTRAINT client_external_id_key UNIQUE (external_id);


--
-- Name: client client_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client
    ADD CONSTRAINT client_pkey PRIMARY KEY (id);


--
-- Name: collection collection_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection
    ADD CONSTRAINT collection_external_id_key UNIQUE (external_id);


--
-- Name: collection_month collection_month_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_month
    ADD CONSTRAINT collection_month_pkey PRIMARY KEY (client, month, status, unit, location);


--
-- Name: collection_photo collection_photo_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_photo
    ADD CONSTRAINT collection_photo_pkey PRIMARY KEY (id);


--
-- Name: collection collection_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection
    ADD CONSTRAINT collection_pkey PRIMARY KEY (id);


--
-- Name: collection_request collection_request_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_request
    ADD CONSTRAINT collection_request_pkey PRIMARY KEY (id);


--
-- Name: collection_request collection_request_protocol_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_request
    ADD CONSTRAINT collection_request_protocol_key UNIQUE (protocol);


--
-- Name: collection_request collection_request_submission_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_request
    ADD CONSTRAINT collection_request_submission_key_key UNIQUE (submission_key);


--
-- Name: fiscal_document fiscal_document_invoice_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.fiscal_document
    ADD CONSTRAINT fiscal_document_invoice_key UNIQUE (invoice);


--
-- Name: fiscal_document fiscal_document_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.fiscal_document
    ADD CONSTRAINT fiscal_document_pkey PRIMARY KEY (id);


--
-- Name: invoice invoice_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice
    ADD CONSTRAINT invoice_external_id_key UNIQUE (external_id);


--
-- Name: invoice invoice_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice
    ADD CONSTRAINT invoice_pkey PRIMARY KEY (id);


--
-- Name: location location_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.location
    ADD CONSTRAINT location_external_id_key UNIQUE (external_id);


--
-- Name: location location_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.location
    ADD CONSTRAINT location_pkey PRIMARY KEY (id);


--
-- Name: login_throttle login_throttle_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_throttle
    ADD CONSTRAINT login_throttle_key_key UNIQUE (key);


--
-- Name: login_throttle login_throttle_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_throttle
    ADD CONSTRAINT login_throttle_pkey PRIMARY KEY (id);


--
-- Name: migration migration_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.migration
    ADD CONSTRAINT migration_pkey PRIMARY KEY (id);


--
-- Name: outbox_email outbox_email_message_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_email
    ADD CONSTRAINT outbox_email_message_id_key UNIQUE (message_id);


--
-- Name: outbox_email outbox_email_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_email
    ADD CONSTRAINT outbox_email_pkey PRIMARY KEY (id);


--
-- Name: staff_user staff_user_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.staff_user
    ADD CONSTRAINT staff_user_pkey PRIMARY KEY (id);


--
-- Name: staff_user staff_user_username_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.staff_user
    ADD CONSTRAINT staff_user_username_key UNIQUE (username);


--
-- Name: web_session web_session_id_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.web_session
    ADD CONSTRAINT web_session_id_hash_key UNIQUE (id_hash);


--
-- Name: web_session web_session_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.web_session
    ADD CONSTRAINT web_session_pkey PRIMARY KEY (id);


--
-- Name: audit_event_client; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_event_client ON public.audit_event USING btree (client, created_at);


--
-- Name: audit_event_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_event_created ON public.audit_event USING btree (created_at);


--
-- Name: certificate_client; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX certificate_client ON public.certificate USING btree (client, issued_on);


--
-- Name: certificate_mtr_certificate; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX certificate_mtr_certificate ON public.certificate_mtr USING btree (certificate, mtr_number);


--
-- Name: certificate_mtr_client; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX certificate_mtr_client ON public.certificate_mtr USING btree (client, mtr_number, certificate);


--
-- Name: client_email_unique; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX client_email_unique ON public.client_email USING btree (client, kind, address);


--
-- Name: collection_client_event; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX collection_client_event ON public.collection USING btree (client, event_on, id);


--
-- Name: collection_client_location_event; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX collection_client_location_event ON public.collection USING btree (client, location, event_on);


--
-- Name: collection_client_mtr; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX collection_client_mtr ON public.collection USING btree (client, mtr_number);


--
-- Name: collection_client_status_event_quantity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX collection_client_status_event_quantity ON public.collection USING btree (client, status, event_on, unit, quantity);


--
-- Name: collection_client_status_unit_quantity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX collection_client_status_unit_quantity ON public.collection USING btree (client, status, unit, event_on, location, quantity);


--
-- Name: collection_photo_collection; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX collection_photo_collection ON public.collection_photo USING btree (collection, "position");


--
-- Name: collection_request_client; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX collection_request_client ON public.collection_request USING btree (client, created_at);


--
-- Name: collection_request_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX collection_request_status ON public.collection_request USING btree (status, created_at);


--
-- Name: fiscal_document_client; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX fiscal_document_client ON public.fiscal_document USING btree (client);


--
-- Name: invoice_client_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invoice_client_due ON public.invoice USING btree (client, due_on);


--
-- Name: location_client; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX location_client ON public.location USING btree (client, label);


--
-- Name: outbox_email_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_email_due ON public.outbox_email USING btree (status, next_attempt_at);


--
-- Name: web_session_client; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX web_session_client ON public.web_session USING btree (client);


--
-- Name: web_session_staff; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX web_session_staff ON public.web_session USING btree (staff);


--
-- Name: certificate_mtr certificate_mtr_deleted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER certificate_mtr_deleted AFTER DELETE ON public.certificate_mtr REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.certificate_mtr_subtract();


--
-- Name: certificate_mtr certificate_mtr_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER certificate_mtr_inserted AFTER INSERT ON public.certificate_mtr REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.certificate_mtr_add();


--
-- Name: certificate_mtr certificate_mtr_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER certificate_mtr_updated AFTER UPDATE ON public.certificate_mtr REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.certificate_mtr_move();


--
-- Name: collection collection_deleted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER collection_deleted AFTER DELETE ON public.collection REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.collection_bump_old();


--
-- Name: collection collection_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER collection_inserted AFTER INSERT ON public.collection REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.collection_bump_new();


--
-- Name: collection collection_month_deleted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER collection_month_deleted AFTER DELETE ON public.collection REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.collection_month_subtract();


--
-- Name: collection collection_month_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER collection_month_inserted AFTER INSERT ON public.collection REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.collection_month_add();


--
-- Name: collection collection_month_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER collection_month_updated AFTER UPDATE ON public.collection REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.collection_month_move();


--
-- Name: collection collection_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER collection_updated AFTER UPDATE ON public.collection REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.collection_bump_both();


--
-- Name: api_token api_token_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_token
    ADD CONSTRAINT api_token_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.staff_user(id) ON UPDATE CASCADE ON DELETE SET NULL;


--
-- Name: audit_event audit_event_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_event
    ADD CONSTRAINT audit_event_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON UPDATE CASCADE ON DELETE SET NULL;


--
-- Name: boleto boleto_invoice_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.boleto
    ADD CONSTRAINT boleto_invoice_fkey FOREIGN KEY (invoice) REFERENCES public.invoice(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: certificate certificate_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.certificate
    ADD CONSTRAINT certificate_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: certificate_mtr certificate_mtr_certificate_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.certificate_mtr
    ADD CONSTRAINT certificate_mtr_certificate_fkey FOREIGN KEY (certificate) REFERENCES public.certificate(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: certificate_mtr certificate_mtr_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.certificate_mtr
    ADD CONSTRAINT certificate_mtr_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: client_email client_email_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.client_email
    ADD CONSTRAINT client_email_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: collection collection_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection
    ADD CONSTRAINT collection_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: collection collection_location_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection
    ADD CONSTRAINT collection_location_fkey FOREIGN KEY (location) REFERENCES public.location(id) ON UPDATE CASCADE ON DELETE RESTRICT;


--
-- Name: collection_month collection_month_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_month
    ADD CONSTRAINT collection_month_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON DELETE CASCADE;


--
-- Name: collection_photo collection_photo_collection_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_photo
    ADD CONSTRAINT collection_photo_collection_fkey FOREIGN KEY (collection) REFERENCES public.collection(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: collection_request collection_request_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_request
    ADD CONSTRAINT collection_request_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: collection_request collection_request_decided_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_request
    ADD CONSTRAINT collection_request_decided_by_fkey FOREIGN KEY (decided_by) REFERENCES public.staff_user(id) ON UPDATE CASCADE ON DELETE SET NULL;


--
-- Name: collection collection_request_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection
    ADD CONSTRAINT collection_request_fkey FOREIGN KEY (request) REFERENCES public.collection_request(id) ON UPDATE CASCADE ON DELETE SET NULL;


--
-- Name: collection_request collection_request_location_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_request
    ADD CONSTRAINT collection_request_location_fkey FOREIGN KEY (location) REFERENCES public.location(id) ON UPDATE CASCADE ON DELETE RESTRICT;


--
-- Name: fiscal_document fiscal_document_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.fiscal_document
    ADD CONSTRAINT fiscal_document_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: fiscal_document fiscal_document_invoice_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.fiscal_document
    ADD CONSTRAINT fiscal_document_invoice_fkey FOREIGN KEY (invoice) REFERENCES public.invoice(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: invoice invoice_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice
    ADD CONSTRAINT invoice_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: location location_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.location
    ADD CONSTRAINT location_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: outbox_email outbox_email_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_email
    ADD CONSTRAINT outbox_email_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON UPDATE CASCADE ON DELETE SET NULL;


--
-- Name: web_session web_session_client_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.web_session
    ADD CONSTRAINT web_session_client_fkey FOREIGN KEY (client) REFERENCES public.client(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: web_session web_session_staff_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.web_session
    ADD CONSTRAINT web_session_staff_fkey FOREIGN KEY (staff) REFERENCES public.staff_user(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


