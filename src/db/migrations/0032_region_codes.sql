-- Region and industry of customers and leads are codes of the reference lists (0031, FT_CODE):
-- the server maps the free text they held to codes at start (refdata_fix_values); text that names
-- nothing ("华东") moves to these columns, shown on the record until its owner clears it.
ALTER TABLE customers ADD COLUMN region_text TEXT;
ALTER TABLE customers ADD COLUMN industry_text TEXT;
ALTER TABLE leads ADD COLUMN region_text TEXT;
ALTER TABLE leads ADD COLUMN industry_text TEXT;
