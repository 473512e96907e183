import Foundation
import TrackingStore
import TrainyardKit

/// Shared plumbing of the `runs`, `models` and `gc` commands: the actor of alias moves and
/// formatting values for tables.
enum TrackingCLI {
    /// `USER@host`, recorded as the actor of alias moves.
    static var defaultActor: String {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    /// `2026-11-27 04:30:05` (UTC), for tables.
    /// Formatted with `gmtime_r`: a `DateFormatter` per row made long listings slow.
    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// A metric value with 6 significant digits (`nan`, `inf` spelled out).
    static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return String(format: "%.6g", value)
    }

    /// Bytes as `512 B`, `1.5 KiB`, `3.2 MiB`, `1.1 GiB`.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// True when standard output is a terminal (so ANSI styling is welcome).
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
