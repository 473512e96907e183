import GRDB

/// The tracking database schema: versioned migrations applied in order.
///
/// The schema version is the number of migrations applied, mirrored into `PRAGMA user_version`
/// so any SQLite tool can read it. A binary refuses a database whose version exceeds
/// ``TrackingSchema/currentVersion``.
enum TrackingSchema {
    /// Identifiers of every migration this binary knows, oldest first.
    static let migrationIdentifiers = ["v1-tracking", "v2-registry-datasets", "v3-drift-reports"]

    /// The newest schema version this binary can read and write.
    static var currentVersion: Int { migrationIdentifiers.count }

    /// The migrator holding every known migration.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(migrationIdentifiers[0]) { db in
            try createTrackingTables(db)
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        migrator.registerMigration(migrationIdentifiers[1]) { db in
            try createRegistryAndDatasetTables(db)
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        migrator.registerMigration(migrationIdentifiers[2]) { db in
            try db.execute(
                sql: """
                    CREATE TABLE drift_report (
                        id INTEGER PRIMARY KEY,
                        model_id INTEGER NOT NULL REFERENCES registered_model(id) ON DELETE CASCADE,
                        version INTEGER NOT NULL,
                        at REAL NOT NULL,
                        rows INTEGER NOT NULL,
                        drifted_share REAL NOT NULL,
                        alert INTEGER NOT NULL,
                        report_json TEXT NOT NULL
                    );
                    CREATE INDEX drift_report_model ON drift_report(model_id, version, id);
                    PRAGMA user_version = 3;
                    """)
        }
        return migrator
    }

    /// Experiments, runs, params, tags, metric series and artifacts.
    ///
    /// A metric point's key is (run, key id, step, ordinal), where ordinal numbers the points of a
    /// series in logging order: one B-tree holds the series in step order (no separate index to
    /// maintain), keys are interned in `metric_key` to keep rows small, and `latest_metric` keeps
    /// each series' last value and point count (with the key as text, for filters).
    private static func createTrackingTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE experiment (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    created_at REAL NOT NULL
                );
                CREATE TABLE run (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    experiment_id INTEGER NOT NULL REFERENCES experiment(id),
                    name TEXT,
                    status TEXT NOT NULL CHECK (status IN ('RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED')),
                    start_time REAL NOT NULL,
                    end_time REAL,
                    config_json TEXT NOT NULL,
                    code_revision TEXT,
                    host TEXT,
                    parent_seq INTEGER REFERENCES run(seq) ON DELETE SET NULL,
                    final_params_sha256 TEXT
                );
                CREATE INDEX run_experiment_start ON run(experiment_id, start_time);
                CREATE INDEX run_status ON run(status);
                CREATE INDEX run_start ON run(start_time);
                CREATE INDEX run_parent ON run(parent_seq);
                CREATE INDEX run_name ON run(name);
                CREATE TABLE param (
                    run_seq INTEGER NOT NULL REFERENCES run(seq) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    number REAL,
                    PRIMARY KEY (run_seq, key)
                ) WITHOUT ROWID;
                CREATE INDEX param_key_value ON param(key, value);
                CREATE INDEX param_key_number ON param(key, number);
                CREATE TABLE tag (
                    run_seq INTEGER NOT NULL REFERENCES run(seq) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (run_seq, key)
                ) WITHOUT ROWID;
                CREATE INDEX tag_key_value ON tag(key, value);
                CREATE TABLE metric_key (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE
                );
                CREATE TABLE metric (
                    run_seq INTEGER NOT NULL REFERENCES run(seq) ON DELETE CASCADE,
                    key_id INTEGER NOT NULL,
                    step INTEGER NOT NULL,
                    ordinal INTEGER NOT NULL,
                    value REAL,
                    timestamp REAL NOT NULL,
                    PRIMARY KEY (run_seq, key_id, step, ordinal)
                ) WITHOUT ROWID;
                CREATE TABLE latest_metric (
                    run_seq INTEGER NOT NULL REFERENCES run(seq) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    value REAL,
                    timestamp REAL NOT NULL,
                    points INTEGER NOT NULL,
                    PRIMARY KEY (run_seq, key)
                ) WITHOUT ROWID;
                CREATE INDEX latest_metric_key_value ON latest_metric(key, value);
                CREATE TABLE artifact (
                    id INTEGER PRIMARY KEY,
                    run_seq INTEGER NOT NULL REFERENCES run(seq) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    path TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE INDEX artifact_run ON artifact(run_seq);
                CREATE INDEX artifact_path ON artifact(path);
                """)
    }

    /// The model registry (models, versions, aliases, alias history) and the dataset catalog.
    private static func createRegistryAndDatasetTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE registered_model (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    created_at REAL NOT NULL
                );
                CREATE TABLE model_version (
                    model_id INTEGER NOT NULL REFERENCES registered_model(id) ON DELETE CASCADE,
                    version INTEGER NOT NULL,
                    source_run_seq INTEGER REFERENCES run(seq) ON DELETE RESTRICT,
                    source_run_id TEXT,
                    package_path TEXT NOT NULL,
                    package_digest TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (model_id, version)
                );
                CREATE INDEX model_version_run ON model_version(source_run_seq);
                CREATE INDEX model_version_path ON model_version(package_path);
                CREATE TABLE model_alias (
                    model_id INTEGER NOT NULL,
                    alias TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    updated_at REAL NOT NULL,
                    updated_by TEXT NOT NULL,
                    PRIMARY KEY (model_id, alias),
                    FOREIGN KEY (model_id, version) REFERENCES model_version(model_id, version) ON DELETE CASCADE
                );
                CREATE TABLE alias_event (
                    id INTEGER PRIMARY KEY,
                    model_id INTEGER NOT NULL REFERENCES registered_model(id) ON DELETE CASCADE,
                    alias TEXT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('set', 'rollback')),
                    version INTEGER NOT NULL,
                    previous_version INTEGER,
                    actor TEXT NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX alias_event_model ON alias_event(model_id, alias, id);
                CREATE TABLE dataset_version (
                    name TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    format TEXT NOT NULL,
                    rows INTEGER NOT NULL,
                    features INTEGER NOT NULL,
                    label TEXT,
                    task TEXT,
                    source_path TEXT,
                    store_path TEXT NOT NULL,
                    size_bytes INTEGER NOT NULL,
                    schema_json TEXT NOT NULL,
                    stats_json TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (name, digest)
                );
                CREATE INDEX dataset_version_digest ON dataset_version(digest);
                CREATE INDEX dataset_version_name_created ON dataset_version(name, created_at);
                CREATE TABLE run_dataset (
                    run_seq INTEGER NOT NULL REFERENCES run(seq) ON DELETE CASCADE,
                    digest TEXT NOT NULL,
                    role TEXT NOT NULL,
                    PRIMARY KEY (run_seq, digest, role)
                ) WITHOUT ROWID;
                CREATE INDEX run_dataset_digest ON run_dataset(digest);
                """)
    }
}
