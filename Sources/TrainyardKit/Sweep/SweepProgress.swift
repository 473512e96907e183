import JobConfiguration

/// Where a running sweep shows what happens; the CLI's leaderboard draws it.
///
/// Called with the sweep's lock held, from its trial threads and its own, one call at a time.
package protocol SweepProgress: AnyObject {
    /// A trial started, paused, was promoted, finished or failed (`state` is the sweep after it).
    func event(_ text: String, state: SweepState)
    /// Fresh numbers: an epoch of some trial ended.
    func update(_ state: SweepState)
    /// Something went wrong that does not stop the sweep.
    func warning(_ text: String)
}
