import JobConfiguration

/// Where a training session or a sweep shows what happens; the CLI draws on a terminal.
///
/// Called from the coordinator's thread (and a sweep's trial threads, one at a time).
package protocol ProgressDisplay: AnyObject {
    /// True when the status line is redrawn in place (a terminal): it is then updated often.
    var isInteractive: Bool { get }
    /// An event or a warning, on a line of its own.
    func line(_ text: String)
    /// The live status line (epoch, step, loss, rate, ETA), replacing the previous one.
    func status(_ text: String)
    /// The live status is over: end its line.
    func endStatus()
}

/// Shows nothing: a sweep's trials, whose sweep shows its leaderboard instead.
package final class SilentDisplay: ProgressDisplay {
    package init() {}
    package var isInteractive: Bool { false }
    package func line(_ text: String) {}
    package func status(_ text: String) {}
    package func endStatus() {}
}
