-- Competitor intelligence names its region by a code of the reference list (0031, FT_CODE), as
-- customers and leads do since 0032, so it can be read beside the customers of that province or
-- city: the server maps the free text it held to codes at start (refdata_fix_values); text that
-- names nothing ("华东") moves to this column, shown on the record until someone picks the code.
-- (Market research keeps free text: a study covers an area such as 长三角 that is no division.)
ALTER TABLE competitors ADD COLUMN region_text TEXT;
