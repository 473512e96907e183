import Foundation
import TrainyardKit

/// What the `runs`, `models` and `gc` commands read from the process: the actor of alias moves
/// and whether standard output is a terminal.
enum TrackingCLI {
    /// `USER@host`, recorded as the actor of alias moves.
    static var defaultActor: String {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    /// True when standard output is a terminal (so ANSI styling is welcome).
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
