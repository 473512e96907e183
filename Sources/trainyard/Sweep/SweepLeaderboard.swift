import Foundation
import Sweeps
import TrainyardKit

/// The sweep's table: trial, run, parameters, epochs, rung, objective, status; best first.
enum SweepTable {
    /// Trials with a result first, best first; then the others by index.
    static func order(_ state: SweepState) -> [Int] {
        let objective = state.scheduler.objective
        return state.trials.indices.sorted { a, b in
            let (x, y) = (state.trials[a].objective.last, state.trials[b].objective.last)
            switch (x, y) {
            case let (x?, y?):
                if objective.isBetter(x, than: y) { return true }
                if objective.isBetter(y, than: x) { return false }
                return a < b
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a < b
            }
        }
    }

    /// The table; with `limit`, only the first `limit` trials and a line counting the others.
    static func render(_ state: SweepState, keys: [String], limit: Int? = nil) -> String {
        let scheduler = state.scheduler
        var table = TextTable(["trial", "run"] + keys + ["epochs", "rung", scheduler.objective.metric, "status"])
        let rungs = max(scheduler.rungs.count, 1)
        let shown = order(state).prefix(limit ?? state.trials.count)
        for index in shown {
            let trial = state.trials[index]
            let progress = scheduler.trials[index]
            let values = keys.map { key in trial.parameters.first { $0.key == key }.map { "\($0.value)" } ?? "" }
            let rung = progress.state == .pending ? "-" : "\(progress.rung + 1)/\(rungs)"
            table.add(
                ["\(index)", trial.runID.map { String($0.prefix(8)) } ?? "-"] + values + [
                    "\(trial.objective.count)", rung, trial.objective.last.map { String(format: "%.4f", $0) } ?? "-",
                    state.statusText(ofTrial: index),
                ])
        }
        let hidden = state.trials.count - shown.count
        return table.render()
            + (hidden > 0 ? "\n… \(hidden) more trials (trainyard sweep status \(state.sweepID))" : "")
    }
}

/// Shows a sweep while it runs: on a terminal, the table redrawn in place (at most five times a
/// second) under a line naming the latest event; otherwise one plain line per event.
final class SweepLeaderboard: SweepProgress {
    let keys: [String]
    let interactive: Bool
    private var drawnLines = 0
    private var lastDraw = Date.distantPast
    private var lastEvent = ""

    init(keys: [String], interactive: Bool = isatty(STDERR_FILENO) != 0) {
        self.keys = keys
        self.interactive = interactive
    }

    /// Something happened: a trial started, paused, was promoted, finished or failed.
    func event(_ text: String, state: SweepState) {
        lastEvent = text
        if interactive {
            redraw(state, force: true)
        } else {
            printError(text)
        }
    }

    func warning(_ text: String) { printError("warning: \(text)") }

    /// Fresh numbers (an epoch ended); redrawn on a terminal only.
    func update(_ state: SweepState) {
        if interactive { redraw(state, force: false) }
    }

    private func redraw(_ state: SweepState, force: Bool) {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        // The table must fit the terminal, or moving the cursor back up cannot reach its top.
        var size = winsize()
        let height = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_row > 0 ? Int(size.ws_row) : 24
        let body =
            SweepTable.render(state, keys: keys, limit: max(height - 5, 1))
            + "\nepochs trained \(state.totalEpochs)  \(lastEvent)"
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A\r\u{1B}[J" : ""
        text += body + "\n"
        // Lines wider than the terminal wrap and take more than one row.
        let width = size.ws_col > 0 ? Int(size.ws_col) : 80
        drawnLines = body.split(separator: "\n", omittingEmptySubsequences: false).reduce(0) {
            $0 + max(1, ($1.count + width - 1) / width)
        }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
