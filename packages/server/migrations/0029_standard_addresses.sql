-- Standard addresses (标准地址): the parts of an address, its code, aliases and former names, and
-- the indexes the geocoder needs. pg_trgm ships with PostgreSQL's contrib and with PGlite
-- (@electric-sql/pglite/contrib/pg_trgm, registered in db/pglite.ts); both compare Chinese text
-- by trigrams of characters.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SEQUENCE addresses_code_seq;

ALTER TABLE addresses
  -- A file's own code when it has one (a city's 标准地址编码), else SA + a serial number.
  ADD COLUMN code text NOT NULL DEFAULT ('SA' || lpad(nextval('addresses_code_seq')::text, 10, '0')),
  -- The names as the file or the text gave them: an address whose district has no polygon yet
  -- is still found by its district's name.
  ADD COLUMN district_name text,
  ADD COLUMN street_name text,
  ADD COLUMN road text,
  ADD COLUMN road_stem text,
  ADD COLUMN lane text,
  ADD COLUMN branch text,
  ADD COLUMN number text,
  ADD COLUMN building text,
  ADD COLUMN unit text,
  ADD COLUMN room text,
  ADD COLUMN place text,
  -- Where on its road the address lies (the lane number, else the door number): interpolation.
  ADD COLUMN road_no integer,
  -- 黄浦区南京东路100号: district and the standard key; what a person is shown.
  ADD COLUMN std_text text,
  -- The standard key (road, numbers, place) followed by the aliases and former names: what
  -- trigram similarity compares a typed address with.
  ADD COLUMN search text,
  ADD COLUMN aliases text[] NOT NULL DEFAULT '{}',
  ADD COLUMN former_names text[] NOT NULL DEFAULT '{}';

UPDATE addresses SET std_text = address, search = address;
ALTER TABLE addresses ALTER COLUMN std_text SET NOT NULL, ALTER COLUMN search SET NOT NULL;
ALTER TABLE addresses ADD CONSTRAINT addresses_code_key UNIQUE (code);

-- The same text names different places in different districts (人民路 is in several).
ALTER TABLE addresses DROP CONSTRAINT addresses_address_key;
CREATE UNIQUE INDEX addresses_text_key ON addresses ((coalesce(district_name, '')), address);
CREATE INDEX addresses_address_idx ON addresses (address);

-- GiST, not GIN: it orders by distance (`search <-> q`), so the nearest texts come first
-- without a similarity threshold.
CREATE INDEX addresses_search_trgm_idx ON addresses USING gist (search gist_trgm_ops);
CREATE INDEX addresses_road_idx ON addresses (road_stem, road_no);
CREATE INDEX addresses_district_idx ON addresses (district_code);
CREATE INDEX addresses_street_idx ON addresses (street_code);
