-- The geocoder's fast path: most typed addresses, once parsed, name their road or their standard
-- key exactly, and a B-tree answers those in microseconds. Trigrams are for the rest (typos,
-- aliases, names the parser cannot split), through GIN and `%`: on Chinese text every string is
-- one long "word", GiST signatures fill up, and its KNN scan read ~5x more than GIN (measured,
-- docs/decisions.md).
ALTER TABLE addresses ADD COLUMN skey text;
UPDATE addresses SET skey = split_part(search, ' ', 1);
ALTER TABLE addresses ALTER COLUMN skey SET NOT NULL;
CREATE INDEX addresses_skey_idx ON addresses (skey);

DROP INDEX addresses_search_trgm_idx;
CREATE INDEX addresses_search_trgm_idx ON addresses USING gin (search gin_trgm_ops);
