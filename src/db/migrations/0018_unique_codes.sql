-- 0018 — fields declared unique (F_UNIQUE) get a unique index over live rows, so two concurrent
-- creates cannot both pass the application's check (issue 9: products.code, org_units.code).
CREATE UNIQUE INDEX products_code_live ON products(code) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX org_units_code_live ON org_units(code) WHERE deleted_at IS NULL;
