-- Records merged into others (POST /api/v1/:entity/:id/merge, model/merge.c): the merged record is
-- soft-deleted and its history is read with the record it went into.
CREATE TABLE record_merges (
  entity   TEXT NOT NULL,      -- entity name of both records
  from_id  BIGINT NOT NULL,    -- the record merged away (soft-deleted)
  into_id  BIGINT NOT NULL,    -- the record kept
  at       BIGINT NOT NULL,
  by_user  BIGINT,
  PRIMARY KEY (entity, from_id)
);
CREATE INDEX record_merges_into ON record_merges(entity, into_id);
