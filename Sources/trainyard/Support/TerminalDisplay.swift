import Foundation
import TrainyardKit

/// Progress on standard error: on a terminal the status line is redrawn in place; elsewhere
/// (a log file, a pipe) every status is a line of its own.
final class TerminalDisplay: ProgressDisplay {
    let isInteractive = isatty(STDERR_FILENO) != 0
    private var statusShown = false

    func line(_ text: String) {
        if isInteractive && statusShown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        printError(text)
        statusShown = false
    }

    func status(_ text: String) {
        guard isInteractive else { return printError(text) }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
        statusShown = true
    }

    func endStatus() {
        if isInteractive && statusShown { FileHandle.standardError.write(Data("\n".utf8)) }
        statusShown = false
    }
}

extension RunEnvironment {
    /// This process's home (`TRAINYARD_HOME`), build revision and shared-memory setting.
    static func fromProcess() -> RunEnvironment {
        RunEnvironment(
            home: .fromEnvironment(), codeRevision: BuildInfo.gitRevision,
            sharedMemoryDirectory: SharedMemorySetting.directory())
    }
}
