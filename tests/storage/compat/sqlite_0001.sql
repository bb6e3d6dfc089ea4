BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0001');
CREATE TABLE asset_partition_status (
	asset_key TEXT NOT NULL, 
	status VARCHAR(31) NOT NULL, 
	subset TEXT NOT NULL, 
	last_event_id BIGINT, 
	PRIMARY KEY (asset_key, status)
);
INSERT INTO "asset_partition_status" VALUES('raworders','materialized','{"keys":["__unpartitioned__"]}',2);
INSERT INTO "asset_partition_status" VALUES('regions','in_progress','{"subset":{"kind":"static","keys":["apac"]}}',5);
INSERT INTO "asset_partition_status" VALUES('regions','materialized','{"subset":{"kind":"static","keys":["us"]}}',4);
INSERT INTO "asset_partition_status" VALUES('regions','failed','{"subset":{"kind":"static","keys":["eu"]}}',5);
CREATE TABLE assets (
	asset_key TEXT NOT NULL, 
	partitions_def TEXT, 
	last_materialization_event_id BIGINT, 
	wipe_timestamp FLOAT, 
	wipe_after_event_id BIGINT, 
	PRIMARY KEY (asset_key)
);
INSERT INTO "assets" VALUES('raworders',NULL,2,NULL,NULL);
INSERT INTO "assets" VALUES('regions','{"partition_keys":["us","eu","apac"],"type":"static"}',4,NULL,NULL);
CREATE TABLE backfills (
	id INTEGER NOT NULL, 
	backfill_id VARCHAR(255) NOT NULL, 
	status VARCHAR(63) NOT NULL, 
	create_time FLOAT NOT NULL, 
	body TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (backfill_id)
);
CREATE TABLE check_executions (
	id INTEGER NOT NULL, 
	asset_key TEXT NOT NULL, 
	check_name TEXT NOT NULL, 
	partition_key TEXT NOT NULL, 
	run_id VARCHAR(255) NOT NULL, 
	status VARCHAR(31) NOT NULL, 
	passed BOOLEAN, 
	severity VARCHAR(31), 
	evaluation_event_id BIGINT, 
	materialization_event_id BIGINT, 
	timestamp FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_check_executions_per_run UNIQUE (asset_key, check_name, partition_key, run_id)
);
INSERT INTO "check_executions" VALUES(1,'raworders','not_empty','__unpartitioned__','run-1','succeeded',1,'ERROR',3,2,1700000002.0);
CREATE TABLE cursors (
	"key" TEXT NOT NULL, 
	value TEXT NOT NULL, 
	update_time FLOAT NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "cursors" VALUES('sensor:s','42',1.79551089678172755238e+09);
CREATE TABLE dynamic_partitions (
	id INTEGER NOT NULL, 
	name TEXT NOT NULL, 
	partition_key TEXT NOT NULL, 
	create_timestamp FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_dynamic_partitions_name_key UNIQUE (name, partition_key)
);
INSERT INTO "dynamic_partitions" VALUES(1,'files','a.csv',1.79551089678131651876e+09);
CREATE TABLE event_log (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	run_id VARCHAR(255), 
	event_type VARCHAR(63) NOT NULL, 
	asset_key TEXT, 
	partition_key TEXT, 
	check_name TEXT, 
	step_key TEXT, 
	timestamp FLOAT NOT NULL, 
	payload TEXT NOT NULL
);
INSERT INTO "event_log" VALUES(1,'run-1','ASSET_MATERIALIZATION_PLANNED','regions',NULL,NULL,NULL,1700000002.0,'{"v":1,"partition_range":["us","apac"]}');
INSERT INTO "event_log" VALUES(2,'run-1','ASSET_MATERIALIZATION','raworders',NULL,NULL,'orders',1700000002.0,'{"v":1}');
INSERT INTO "event_log" VALUES(3,'run-1','ASSET_CHECK_EVALUATION','raworders',NULL,'not_empty',NULL,1700000002.0,'{"v":1,"passed":true,"data":{"severity":"ERROR"}}');
INSERT INTO "event_log" VALUES(4,'run-1','ASSET_MATERIALIZATION','regions','us',NULL,NULL,1700000002.0,'{"v":1}');
INSERT INTO "event_log" VALUES(5,'run-1','ASSET_MATERIALIZATION_FAILED','regions','eu',NULL,NULL,1700000002.0,'{"v":1}');
CREATE TABLE kvs (
	"key" TEXT NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE run_tags (
	id INTEGER NOT NULL, 
	run_id VARCHAR(255) NOT NULL, 
	"key" TEXT NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "run_tags" VALUES(1,'run-1','team','core');
CREATE TABLE runs (
	id INTEGER NOT NULL, 
	run_id VARCHAR(255) NOT NULL, 
	status VARCHAR(63) NOT NULL, 
	job_name TEXT, 
	backfill_id VARCHAR(255), 
	create_time FLOAT NOT NULL, 
	start_time FLOAT, 
	end_time FLOAT, 
	update_time FLOAT NOT NULL, 
	body TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (run_id)
);
INSERT INTO "runs" VALUES(1,'run-1','SUCCESS',NULL,NULL,1700000000.0,1700000001.0,1700000009.0,1795510896.76562,'{"tags":{"team":"core"},"asset_selection":[["raw","orders"],["regions"]],"asset_check_selection":null,"partition_key":null,"partition_range":null,"partition_keys":[],"run_config":{},"parent_run_id":null,"root_run_id":null,"code_location":null}');
CREATE TABLE ticks (
	id INTEGER NOT NULL, 
	instigator_name TEXT NOT NULL, 
	tick_type VARCHAR(31) NOT NULL, 
	status VARCHAR(31) NOT NULL, 
	timestamp FLOAT NOT NULL, 
	body TEXT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX idx_runs_by_status ON runs (status, id);
CREATE INDEX idx_runs_by_backfill ON runs (backfill_id, id);
CREATE INDEX idx_run_tags_for_tag_filter ON run_tags ("key", value, run_id);
CREATE INDEX idx_run_tags_by_run ON run_tags (run_id);
CREATE INDEX idx_event_log_for_run_logs ON event_log (run_id, id);
CREATE INDEX idx_event_log_for_type ON event_log (event_type, id);
CREATE INDEX idx_event_log_for_asset_history ON event_log (asset_key, event_type, id);
CREATE INDEX idx_event_log_for_asset_partition ON event_log (asset_key, event_type, partition_key, id);
CREATE INDEX idx_check_executions_latest ON check_executions (asset_key, check_name, partition_key, evaluation_event_id);
CREATE INDEX idx_backfills_by_status ON backfills (status, id);
CREATE INDEX idx_ticks_for_instigator_history ON ticks (instigator_name, timestamp);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('event_log',5);
COMMIT;
