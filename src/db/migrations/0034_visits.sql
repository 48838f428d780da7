-- Visit plans and visit records (回访计划/回访记录, R-VIS-1..7; modules/visits.c): plans per
-- region or product line with items per customer, routed approval (the 7-day rule), revisions;
-- visit records with the six sections, four ratings, check-in and findings; periodic reviews.
CREATE TABLE visit_plans (
  id              {{id}},
  version         INTEGER NOT NULL DEFAULT 1,
  owner_id        BIGINT,
  org_unit_id     BIGINT,
  state           TEXT NOT NULL DEFAULT 'draft',
  number          TEXT,                 -- VP-2026-000001
  title           TEXT NOT NULL,
  scope           TEXT NOT NULL,        -- region | product_line
  region          TEXT,                 -- the region planned (scope region)
  product_line    TEXT,                 -- the product line planned (scope product_line)
  period_start    TEXT NOT NULL,        -- YYYY-MM-DD, first day of the plan's period
  period_end      TEXT NOT NULL,        -- YYYY-MM-DD, last day
  drafted_by      BIGINT,               -- users.id: the customer-service specialist who helped draft
  first_visit_on  TEXT,                 -- computed: earliest planned_on of the items
  item_count      INTEGER,              -- computed: number of items
  submitted_at    BIGINT,               -- first submission (epoch)
  lead_days       INTEGER,              -- days from the first submission to the first visit
  late            INTEGER NOT NULL DEFAULT 0, -- submitted less than visit.plan.lead_days before it
  note            TEXT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  created_by      BIGINT,
  updated_by      BIGINT,
  deleted_at      BIGINT
);
CREATE INDEX visit_plans_owner ON visit_plans(owner_id, id);
CREATE INDEX visit_plans_unit ON visit_plans(org_unit_id);
CREATE INDEX visit_plans_state ON visit_plans(state);
CREATE INDEX visit_plans_number ON visit_plans(number);
CREATE INDEX visit_plans_period ON visit_plans(period_start);
CREATE INDEX visit_plans_created ON visit_plans(created_at);

CREATE TABLE visit_plan_items (
  id           {{id}},
  parent_id    BIGINT NOT NULL,        -- visit_plans.id
  idx          INTEGER NOT NULL,
  customer_id  BIGINT NOT NULL,        -- customers.id: the visit target
  planned_on   TEXT NOT NULL,          -- YYYY-MM-DD
  method       TEXT NOT NULL,          -- phone | on_site | wechat | email | video (R-VIS-2)
  rep_id       BIGINT,                 -- users.id: the responsible rep
  content      TEXT                    -- what the visit is about
);
CREATE INDEX visit_plan_items_parent ON visit_plan_items(parent_id, idx);
CREATE INDEX visit_plan_items_customer ON visit_plan_items(customer_id);

CREATE TABLE visits (
  id               {{id}},
  version          INTEGER NOT NULL DEFAULT 1,
  owner_id         BIGINT,
  org_unit_id      BIGINT,
  state            TEXT NOT NULL DEFAULT 'draft',
  number           TEXT,               -- VR-2026-000001
  customer_id      BIGINT NOT NULL,    -- customers.id
  contact_id       BIGINT,             -- contacts.id: who was met
  plan_id          BIGINT,             -- visit_plans.id, NULL for an ad hoc visit
  plan_item_id     BIGINT,             -- visit_plan_items.id the visit completes
  visited_at       BIGINT NOT NULL,    -- when (epoch, never in the future)
  visit_date       TEXT,               -- computed: visited_at's date in the company zone
  method           TEXT NOT NULL,      -- phone | on_site | wechat | email | video
  participants     TEXT,               -- who took part, both sides
  basic_info       TEXT,               -- products bought, when, usage
  needs_current    TEXT,
  needs_future     TEXT,
  needs_latent     TEXT,
  product_usage    TEXT,               -- operation, faults, repairs, effect
  rating_quality   INTEGER,            -- 1..5 product quality
  rating_attitude  INTEGER,            -- 1..5 service attitude
  rating_speed     INTEGER,            -- 1..5 response speed
  rating_solving   INTEGER,            -- 1..5 problem-solving ability
  satisfaction_x100 INTEGER,           -- computed: mean of the four ratings × 100
  complaints_raised TEXT,              -- complaints the customer raised
  market_info      TEXT,               -- market information heard
  result           TEXT,               -- outcome
  arrived_at       BIGINT,             -- on-site check-in: server time of arrival
  lat_e6           BIGINT,             -- check-in latitude, micro-degrees
  lng_e6           BIGINT,             -- check-in longitude, micro-degrees
  accuracy_m       INTEGER,            -- reported accuracy, metres
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  created_by       BIGINT,
  updated_by       BIGINT,
  deleted_at       BIGINT
);
CREATE INDEX visits_owner ON visits(owner_id, id);
CREATE INDEX visits_unit ON visits(org_unit_id);
CREATE INDEX visits_state ON visits(state);
CREATE INDEX visits_number ON visits(number);
CREATE INDEX visits_customer ON visits(customer_id, visited_at);
CREATE INDEX visits_plan ON visits(plan_id);
CREATE INDEX visits_plan_item ON visits(plan_item_id);
CREATE INDEX visits_visited ON visits(visited_at);
CREATE INDEX visits_method ON visits(method);
CREATE INDEX visits_created ON visits(created_at);

-- Problems found in a visit (R-VIS-4): each routed to a department, tracked to closure, and
-- later turned into a complaint or a service ticket through a link.
CREATE TABLE visit_findings (
  id           {{id}},
  parent_id    BIGINT NOT NULL,        -- visits.id
  idx          INTEGER NOT NULL,
  kind         TEXT NOT NULL,          -- complaint | service | finding
  department   TEXT NOT NULL,          -- product | technical | service | sales
  description  TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'open', -- open | closed
  closing_note TEXT
);
CREATE INDEX visit_findings_parent ON visit_findings(parent_id, idx);

-- Market information of a visit (R-VIS-5): each line becomes a competitor record on submission.
CREATE TABLE visit_market (
  id            {{id}},
  parent_id     BIGINT NOT NULL,       -- visits.id
  idx           INTEGER NOT NULL,
  competitor    TEXT NOT NULL,         -- competitor's name
  products      TEXT,
  price_level   TEXT,                  -- higher | similar | lower
  note          TEXT,
  competitor_id BIGINT                 -- competitors.id made from this line
);
CREATE INDEX visit_market_parent ON visit_market(parent_id, idx);

-- Periodic reviews of visit records by the manager, deputy director and director (R-VIS-3).
CREATE TABLE visit_reviews (
  id            {{id}},
  version       INTEGER NOT NULL DEFAULT 1,
  owner_id      BIGINT,
  org_unit_id   BIGINT,
  period_start  TEXT NOT NULL,         -- YYYY-MM-DD
  period_end    TEXT NOT NULL,
  visit_count   INTEGER,               -- computed: visit records of the reviewer's scope in the period
  conclusion    TEXT NOT NULL,
  actions       TEXT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  created_by    BIGINT,
  updated_by    BIGINT,
  deleted_at    BIGINT
);
CREATE INDEX visit_reviews_owner ON visit_reviews(owner_id, id);
CREATE INDEX visit_reviews_unit ON visit_reviews(org_unit_id);
CREATE INDEX visit_reviews_period ON visit_reviews(period_start);
CREATE INDEX visit_reviews_created ON visit_reviews(created_at);

-- EXIF of JPEG attachments (attach.c): when and where a photo was taken, shown beside a check-in.
ALTER TABLE attachments ADD COLUMN exif_taken_at BIGINT;  -- DateTimeOriginal read as company-zone local time
ALTER TABLE attachments ADD COLUMN exif_lat_e6 BIGINT;    -- GPS latitude, micro-degrees
ALTER TABLE attachments ADD COLUMN exif_lng_e6 BIGINT;    -- GPS longitude, micro-degrees

-- Satisfaction surveys (满意度调查, R-SUR-1..3; modules/surveys.c): templates with questions,
-- runs sent to chosen customers, one response per customer answered through a public link.
CREATE TABLE survey_templates (
  id          {{id}},
  version     INTEGER NOT NULL DEFAULT 1,
  owner_id    BIGINT,
  org_unit_id BIGINT,
  name        TEXT NOT NULL,
  intro       TEXT,                    -- shown above the questions
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  created_by  BIGINT,
  updated_by  BIGINT,
  deleted_at  BIGINT
);
CREATE INDEX survey_templates_owner ON survey_templates(owner_id, id);
CREATE INDEX survey_templates_unit ON survey_templates(org_unit_id);
CREATE INDEX survey_templates_created ON survey_templates(created_at);

CREATE TABLE survey_questions (
  id         {{id}},
  parent_id  BIGINT NOT NULL,          -- survey_templates.id
  idx        INTEGER NOT NULL,
  text       TEXT NOT NULL,
  kind       TEXT NOT NULL,            -- rating | single | multiple | text
  options    TEXT,                     -- choices separated by |
  dimension  TEXT,                     -- the dimension a rating scores
  weight     INTEGER NOT NULL DEFAULT 1,
  required   INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX survey_questions_parent ON survey_questions(parent_id, idx);

CREATE TABLE survey_runs (
  id          {{id}},
  version     INTEGER NOT NULL DEFAULT 1,
  owner_id    BIGINT,
  org_unit_id BIGINT,
  state       TEXT NOT NULL DEFAULT 'draft',
  title       TEXT NOT NULL,
  template_id BIGINT NOT NULL,         -- survey_templates.id
  tier        TEXT,                    -- customers of this tier only
  region      TEXT,                    -- customers of this region only
  sent_at     BIGINT,
  sent_count  INTEGER,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  created_by  BIGINT,
  updated_by  BIGINT,
  deleted_at  BIGINT
);
CREATE INDEX survey_runs_owner ON survey_runs(owner_id, id);
CREATE INDEX survey_runs_unit ON survey_runs(org_unit_id);
CREATE INDEX survey_runs_state ON survey_runs(state);
CREATE INDEX survey_runs_created ON survey_runs(created_at);

CREATE TABLE survey_responses (
  id               {{id}},
  version          INTEGER NOT NULL DEFAULT 1,
  owner_id         BIGINT,             -- the customer's owner
  org_unit_id      BIGINT,
  run_id           BIGINT NOT NULL,    -- survey_runs.id
  customer_id      BIGINT NOT NULL,    -- customers.id
  title            TEXT,               -- the template's name when sent
  intro            TEXT,
  questions        TEXT,               -- the template's questions when sent (JSON array)
  answers          TEXT,               -- JSON array, one answer per question
  answered_at      BIGINT,
  answered_on      TEXT,               -- answered_at's date in the company zone
  overall_x100     INTEGER,            -- weighted mean of the ratings × 100
  dimension_scores TEXT,               -- JSON {dimension: weighted mean × 100}
  low              INTEGER NOT NULL DEFAULT 0, -- a low score (settings survey.low.*)
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  created_by       BIGINT,
  updated_by       BIGINT,
  deleted_at       BIGINT
);
CREATE INDEX survey_responses_owner ON survey_responses(owner_id, id);
CREATE INDEX survey_responses_unit ON survey_responses(org_unit_id);
CREATE INDEX survey_responses_run ON survey_responses(run_id);
CREATE INDEX survey_responses_customer ON survey_responses(customer_id);
CREATE INDEX survey_responses_answered ON survey_responses(answered_at);
CREATE INDEX survey_responses_answered_on ON survey_responses(answered_on);
CREATE INDEX survey_responses_created ON survey_responses(created_at);
