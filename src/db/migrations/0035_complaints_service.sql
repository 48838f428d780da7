-- Complaints and after-sales service (R-CMP-1..4, R-SVC-1..2; modules/complaints.c, service.c):
-- complaints with their departments and claims, the public form's challenges, service tickets
-- with their on-site records, the yearly service plan and campaigns, the communication log.
CREATE TABLE complaints (
  id                   {{id}},
  version              INTEGER NOT NULL DEFAULT 1,
  owner_id             BIGINT,
  org_unit_id          BIGINT,
  state                TEXT NOT NULL DEFAULT 'received',
  number               TEXT,                 -- CP-2026-000001
  feedback_kind        TEXT NOT NULL DEFAULT 'complaint', -- complaint | grumble | suggestion
  channel              TEXT NOT NULL DEFAULT 'phone',     -- phone | visit | email | public_form | survey | other
  severity             TEXT NOT NULL DEFAULT 'normal',    -- minor | normal | major (major: the GM approves)
  title                TEXT NOT NULL,
  content              TEXT NOT NULL,
  received_at          BIGINT,               -- when it reached the company (UTC epoch)
  customer_id          BIGINT,               -- customers.id (a public form's case is matched later)
  contact_id           BIGINT,               -- contacts.id
  reporter_name        TEXT,                 -- as the customer gave it (public form, phone)
  reporter_company     TEXT,
  reporter_phone       TEXT,
  reporter_email       TEXT,
  customer_locale      TEXT NOT NULL DEFAULT 'zh-CN',
  product_id           BIGINT,               -- products.id
  order_id             BIGINT,               -- orders.id once order to cash lands (issue 12)
  batch_no             TEXT,                 -- production batch (traceability)
  root_cause_category  TEXT,                 -- product_quality | delivery | service | documentation | price_billing | other
  root_cause           TEXT,
  solution             TEXT,
  customer_reply       TEXT,                 -- the answer for the customer, approved with the solution
  customer_message     TEXT,                 -- what the status page shows (set on acknowledge and send)
  claim_total          BIGINT,               -- computed: sum of the claims' amounts (fen)
  customer_satisfaction TEXT,                -- very_satisfied .. very_dissatisfied
  satisfaction_note    TEXT,
  is_repeat            INTEGER NOT NULL DEFAULT 0,
  repeat_of            BIGINT,               -- complaints.id repeated (same customer and cause)
  created_at           BIGINT NOT NULL,
  updated_at           BIGINT NOT NULL,
  created_by           BIGINT,
  updated_by           BIGINT,
  deleted_at           BIGINT
);
CREATE INDEX complaints_owner ON complaints(owner_id, id);
CREATE INDEX complaints_unit ON complaints(org_unit_id);
CREATE INDEX complaints_state ON complaints(state);
CREATE INDEX complaints_number ON complaints(number);
CREATE INDEX complaints_customer ON complaints(customer_id, root_cause_category, received_at);
CREATE INDEX complaints_contact ON complaints(contact_id);
CREATE INDEX complaints_product ON complaints(product_id);
CREATE INDEX complaints_order ON complaints(order_id);
CREATE INDEX complaints_batch ON complaints(batch_no);
CREATE INDEX complaints_kind ON complaints(feedback_kind);
CREATE INDEX complaints_channel ON complaints(channel);
CREATE INDEX complaints_severity ON complaints(severity);
CREATE INDEX complaints_cause ON complaints(root_cause_category);
CREATE INDEX complaints_received ON complaints(received_at);
CREATE INDEX complaints_repeat ON complaints(is_repeat);
CREATE INDEX complaints_repeat_of ON complaints(repeat_of);
CREATE INDEX complaints_satisfaction ON complaints(customer_satisfaction);
CREATE INDEX complaints_created ON complaints(created_at);

CREATE TABLE complaint_departments (
  id          {{id}},
  parent_id   BIGINT NOT NULL,        -- complaints.id
  idx         INTEGER NOT NULL,
  department  TEXT NOT NULL,          -- quality | production | tech | warehouse | logistics | sales | finance | service
  user_id     BIGINT,                 -- users.id responsible in that department
  task        TEXT,
  finding     TEXT,
  done        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX complaint_departments_parent ON complaint_departments(parent_id, idx);

CREATE TABLE complaint_claims (
  id          {{id}},
  parent_id   BIGINT NOT NULL,        -- complaints.id
  idx         INTEGER NOT NULL,
  kind        TEXT NOT NULL,          -- claim | return | exchange
  product_id  BIGINT,
  quantity    BIGINT,                 -- thousandths
  amount      BIGINT NOT NULL,        -- fen
  note        TEXT
);
CREATE INDEX complaint_claims_parent ON complaint_claims(parent_id, idx);

-- The public form's challenges (R-CMP-4): an arithmetic question the server asks, answered once.
CREATE TABLE public_challenges (
  id          {{id}},
  answer      TEXT NOT NULL,
  client_addr TEXT,
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  used_at     BIGINT
);
CREATE INDEX public_challenges_expires ON public_challenges(expires_at);

CREATE TABLE service_tickets (
  id                   {{id}},
  version              INTEGER NOT NULL DEFAULT 1,
  owner_id             BIGINT,
  org_unit_id          BIGINT,
  state                TEXT NOT NULL DEFAULT 'open',
  number               TEXT,                 -- SV-2026-000001
  kind                 TEXT NOT NULL,        -- installation | training | consultation | repair | onsite_support | spare_parts
  channel              TEXT NOT NULL DEFAULT 'phone',
  title                TEXT NOT NULL,
  content              TEXT,
  customer_id          BIGINT,
  contact_id           BIGINT,
  reporter_name        TEXT,
  reporter_company     TEXT,
  reporter_phone       TEXT,
  reporter_email       TEXT,
  customer_locale      TEXT NOT NULL DEFAULT 'zh-CN',
  product_id           BIGINT,
  order_id             BIGINT,
  complaint_id         BIGINT,               -- complaints.id it serves, if any
  assignee_id          BIGINT,               -- users.id (cs_specialist)
  resolution           TEXT,
  customer_message     TEXT,                 -- what the status page shows
  resolved_at          BIGINT,
  signed_off_by        TEXT,                 -- the customer's name on the sign-off
  signed_off_at        BIGINT,
  customer_rating      TEXT,
  sign_off_note        TEXT,
  created_at           BIGINT NOT NULL,
  updated_at           BIGINT NOT NULL,
  created_by           BIGINT,
  updated_by           BIGINT,
  deleted_at           BIGINT
);
CREATE INDEX service_tickets_owner ON service_tickets(owner_id, id);
CREATE INDEX service_tickets_unit ON service_tickets(org_unit_id);
CREATE INDEX service_tickets_state ON service_tickets(state);
CREATE INDEX service_tickets_number ON service_tickets(number);
CREATE INDEX service_tickets_kind ON service_tickets(kind);
CREATE INDEX service_tickets_customer ON service_tickets(customer_id);
CREATE INDEX service_tickets_contact ON service_tickets(contact_id);
CREATE INDEX service_tickets_product ON service_tickets(product_id);
CREATE INDEX service_tickets_order ON service_tickets(order_id);
CREATE INDEX service_tickets_complaint ON service_tickets(complaint_id);
CREATE INDEX service_tickets_assignee ON service_tickets(assignee_id, resolved_at);
CREATE INDEX service_tickets_resolved ON service_tickets(resolved_at);
CREATE INDEX service_tickets_created ON service_tickets(created_at);

CREATE TABLE service_visits (
  id          {{id}},
  parent_id   BIGINT NOT NULL,        -- service_tickets.id
  idx         INTEGER NOT NULL,
  visit_date  TEXT NOT NULL,          -- YYYY-MM-DD
  engineer_id BIGINT,                 -- users.id
  arrived_at  BIGINT,
  left_at     BIGINT,
  work_done   TEXT NOT NULL,
  parts_used  TEXT
);
CREATE INDEX service_visits_parent ON service_visits(parent_id, idx);

CREATE TABLE service_plans (
  id          {{id}},
  version     INTEGER NOT NULL DEFAULT 1,
  owner_id    BIGINT,
  org_unit_id BIGINT,
  state       TEXT NOT NULL DEFAULT 'draft',
  number      TEXT,                   -- SP-2026-000001
  kind        TEXT NOT NULL,          -- yearly_plan | campaign
  year        INTEGER NOT NULL,
  title       TEXT NOT NULL,
  scope       TEXT,
  content     TEXT,
  start_date  TEXT,
  end_date    TEXT,
  budget      BIGINT,                 -- fen
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  created_by  BIGINT,
  updated_by  BIGINT,
  deleted_at  BIGINT
);
CREATE INDEX service_plans_owner ON service_plans(owner_id, id);
CREATE INDEX service_plans_unit ON service_plans(org_unit_id);
CREATE INDEX service_plans_state ON service_plans(state);
CREATE INDEX service_plans_year ON service_plans(year);
CREATE INDEX service_plans_created ON service_plans(created_at);

-- The service communication log (R-CMP-2): every call and letter in and out.
CREATE TABLE service_communications (
  id           {{id}},
  version      INTEGER NOT NULL DEFAULT 1,
  owner_id     BIGINT,
  org_unit_id  BIGINT,
  direction    TEXT NOT NULL,         -- in | out
  medium       TEXT NOT NULL,         -- phone | letter | email | fax | visit | message
  occurred_at  BIGINT NOT NULL,
  customer_id  BIGINT,
  contact_id   BIGINT,
  counterpart  TEXT,                  -- who called or wrote, as given
  complaint_id BIGINT,
  ticket_id    BIGINT,
  subject      TEXT NOT NULL,
  content      TEXT,
  handling     TEXT,
  result       TEXT,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  created_by   BIGINT,
  updated_by   BIGINT,
  deleted_at   BIGINT
);
CREATE INDEX service_communications_owner ON service_communications(owner_id, id);
CREATE INDEX service_communications_unit ON service_communications(org_unit_id);
CREATE INDEX service_communications_customer ON service_communications(customer_id);
CREATE INDEX service_communications_complaint ON service_communications(complaint_id);
CREATE INDEX service_communications_ticket ON service_communications(ticket_id);
CREATE INDEX service_communications_occurred ON service_communications(occurred_at);
CREATE INDEX service_communications_direction ON service_communications(direction);
CREATE INDEX service_communications_created ON service_communications(created_at);
