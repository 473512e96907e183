import Foundation
import GRDB

/// Which runs `listRuns` returns and in what order.
package struct RunQuery: Sendable, Equatable {
    /// Only runs of this experiment (exact name).
    package var experiment: String?
    package var status: RunStatus?
    /// Only trials of this parent run (full id or unique prefix).
    package var parentRunID: String?
    package var filter: RunFilter?
    package var sort: RunSort
    /// At most this many runs (nil: all).
    package var limit: Int?

    package init(
        experiment: String? = nil, status: RunStatus? = nil, parentRunID: String? = nil,
        filter: RunFilter? = nil, sort: RunSort = .newestFirst, limit: Int? = nil
    ) {
        self.experiment = experiment
        self.status = status
        self.parentRunID = parentRunID
        self.filter = filter
        self.sort = sort
        self.limit = limit
    }
}

/// Translates a ``RunQuery`` into one SQL statement over the indexed tables.
///
/// Metric, param and tag clauses become `run.seq IN (SELECT run_seq ... WHERE key = ? AND ...)`
/// subqueries served by the `(key, value)` indexes, so filtering never loads runs into memory.
struct RunQuerySQL {
    var conditions: [String] = []
    var arguments: StatementArguments = []
    var order = ""
    var orderArguments: StatementArguments = []

    init(_ query: RunQuery, experimentID: Int64?, parentSeq: Int64?) {
        if let experimentID {
            conditions.append("run.experiment_id = ?")
            arguments += [experimentID]
        }
        if let status = query.status {
            conditions.append("run.status = ?")
            arguments += [status.rawValue]
        }
        if let parentSeq {
            conditions.append("run.parent_seq = ?")
            arguments += [parentSeq]
        }
        for clause in query.filter?.clauses ?? [] { add(clause) }
        sortBy(query.sort)
    }

    /// The statement selecting run attributes in order.
    var selectSQL: String {
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return """
            SELECT run.seq, run.id, experiment.name, run.name, run.status, run.start_time, run.end_time,
                (SELECT parent.id FROM run AS parent WHERE parent.seq = run.parent_seq)
            FROM run JOIN experiment ON experiment.id = run.experiment_id
            \(whereClause)
            ORDER BY \(order)
            """
    }

    private mutating func add(_ clause: RunFilter.Clause) {
        switch clause.field {
        case .metric(let key):
            guard let (op, value) = clause.comparison, case .number(let number, _) = value else {
                conditions.append("run.seq IN (SELECT run_seq FROM latest_metric WHERE key = ?)")
                arguments += [key]
                return
            }
            conditions.append("run.seq IN (SELECT run_seq FROM latest_metric WHERE key = ? AND value \(op.sql) ?)")
            arguments += [key, number]
        case .param(let key):
            switch clause.comparison {
            case nil:
                conditions.append("run.seq IN (SELECT run_seq FROM param WHERE key = ?)")
                arguments += [key]
            case let (op, .number(number, _))?:
                conditions.append("run.seq IN (SELECT run_seq FROM param WHERE key = ? AND number \(op.sql) ?)")
                arguments += [key, number]
            case let (op, .string(text))?:
                conditions.append("run.seq IN (SELECT run_seq FROM param WHERE key = ? AND value \(op.sql) ?)")
                arguments += [key, text]
            }
        case .tag(let key):
            guard let (op, value) = clause.comparison else {
                conditions.append("run.seq IN (SELECT run_seq FROM tag WHERE key = ?)")
                arguments += [key]
                return
            }
            conditions.append("run.seq IN (SELECT run_seq FROM tag WHERE key = ? AND value \(op.sql) ?)")
            arguments += [key, Self.text(value)]
        case .attribute(let attribute):
            guard let (op, value) = clause.comparison else { return }
            switch (attribute, value) {
            case (.status, .string(let text)):
                conditions.append("run.status \(op.sql) ?")
                arguments += [text.uppercased()]
            case (.startTime, .number(let seconds, _)), (.endTime, .number(let seconds, _)):
                conditions.append("run.\(attribute.rawValue) \(op.sql) ?")
                arguments += [seconds]
            default:
                conditions.append("\(Self.column(attribute)) \(op.sql) ?")
                arguments += [Self.text(value)]
            }
        }
    }

    private mutating func sortBy(_ sort: RunSort) {
        let direction = sort.descending ? "DESC" : "ASC"
        let expression: String
        switch sort.field {
        case .metric(let key):
            expression = "(SELECT value FROM latest_metric WHERE run_seq = run.seq AND key = ?)"
            orderArguments += [key]
        case .param(let key):
            expression = "(SELECT COALESCE(number, value) FROM param WHERE run_seq = run.seq AND key = ?)"
            orderArguments += [key]
        case .tag(let key):
            expression = "(SELECT value FROM tag WHERE run_seq = run.seq AND key = ?)"
            orderArguments += [key]
        case .attribute(let attribute):
            expression = Self.column(attribute)
        }
        order = "\(expression) IS NULL, \(expression) \(direction), run.start_time DESC, run.seq DESC"
        // The expression appears twice, so its arguments do too.
        orderArguments += orderArguments
    }

    private static func column(_ attribute: RunAttribute) -> String {
        switch attribute {
        case .status: return "run.status"
        case .name: return "run.name"
        case .experiment: return "experiment.name"
        case .id: return "run.id"
        case .startTime: return "run.start_time"
        case .endTime: return "run.end_time"
        }
    }

    private static func text(_ value: RunFilter.Value) -> String {
        switch value {
        case .number(_, let text): return text
        case .string(let text): return text
        }
    }
}
