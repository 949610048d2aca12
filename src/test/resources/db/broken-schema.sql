-- For DatabaseTest: the second statement fails on every database.
CREATE TABLE IF NOT EXISTS schema_probe (id INTEGER);
CREATE TABLE broken_probe (id NO_SUCH_TYPE);
