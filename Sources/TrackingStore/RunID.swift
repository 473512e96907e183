import Foundation

/// Run identifiers: 12 lowercase hex characters, safe in paths, URLs and shell commands.
///
/// The first 8 characters encode the start time in seconds (so ids sort roughly by creation), the
/// last 4 are random; a collision within one second is retried by the store.
package enum RunID {
    /// Length of every run id.
    package static let length = 12

    /// A fresh id for a run started at `date`.
    static func make(at date: Date = Date()) -> String {
        let seconds = UInt32(truncatingIfNeeded: Int64(date.timeIntervalSince1970))
        let random = UInt16.random(in: 0...UInt16.max)
        return String(format: "%08x%04x", seconds, random)
    }

    /// True when `value` looks like a run id or a prefix of one (1-12 lowercase hex characters).
    package static func isPrefix(_ value: String) -> Bool {
        !value.isEmpty && value.count <= length && value.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
