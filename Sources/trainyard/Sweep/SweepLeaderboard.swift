import Foundation
import Sweeps
import TrainyardKit

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
