-- 0045 — a source's customers newest first (issue 11; bench/FINDINGS.md 55). A list filtered by source
-- in the default order (-created_at) read customers_source and sorted every customer of that source
-- the user sees (199,000 referrals at bench scale 10), or walked customers_created past every newer
-- customer of another source; with (source, created_at) it walks the source's newest and stops at
-- the page's end. It leads as the index it replaces, so the filter alone is answered as before.
DROP INDEX customers_source;
CREATE INDEX customers_source_created ON customers(source, created_at);
