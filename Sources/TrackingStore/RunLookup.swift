import GRDB

/// Finds runs by id, unique id prefix (like git) or unique name.
enum RunLookup {
    /// The internal row number of the run with exactly `id`.
    /// - Throws: `notFound` with near matches.
    static func seq(_ db: Database, _ id: String) throws -> Int64 {
        if let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM run WHERE id = ?", arguments: [id]) {
            return seq
        }
        throw TrackingError.notFound(kind: "run", reference: id, nearMatches: try nearMatches(db, id))
    }

    /// Resolves a full id, a unique id prefix, or a unique run name to the full id.
    ///
    /// - Throws: `ambiguous` when a prefix or name matches several runs, `notFound` otherwise.
    /// Complexity: one index range scan.
    static func resolve(_ db: Database, _ reference: String) throws -> String {
        if RunID.isPrefix(reference) {
            let upper = reference + "~"  // '~' sorts after every hex digit
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM run WHERE id >= ? AND id < ? ORDER BY id LIMIT 11",
                arguments: [reference, upper])
            if ids.count == 1 { return ids[0] }
            if ids.count > 1 {
                throw TrackingError.ambiguous(kind: "run", reference: reference, candidates: ids)
            }
        }
        let named = try String.fetchAll(
            db, sql: "SELECT id FROM run WHERE name = ? ORDER BY start_time DESC LIMIT 11", arguments: [reference])
        if named.count == 1 { return named[0] }
        if named.count > 1 {
            throw TrackingError.ambiguous(kind: "run", reference: reference, candidates: named)
        }
        throw TrackingError.notFound(kind: "run", reference: reference, nearMatches: try nearMatches(db, reference))
    }

    /// Run ids sharing a prefix with `reference`, and run names similar to it.
    private static func nearMatches(_ db: Database, _ reference: String) throws -> [String] {
        var candidates: [String] = []
        if RunID.isPrefix(reference), reference.count > 1 {
            let shorter = String(reference.prefix(max(1, reference.count / 2)))
            candidates += try String.fetchAll(
                db, sql: "SELECT id FROM run WHERE id >= ? AND id < ? ORDER BY id LIMIT 5",
                arguments: [shorter, shorter + "~"])
        }
        let names = try String.fetchAll(
            db, sql: "SELECT DISTINCT name FROM run WHERE name IS NOT NULL ORDER BY start_time DESC LIMIT 2000")
        candidates += NearMatches.rank(reference, among: names, limit: 5)
        return Array(candidates.prefix(5))
    }
}
