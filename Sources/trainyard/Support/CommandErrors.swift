/// Bad usage or bad input: the user must change the command or the file. Exit status 2.
///
/// The message names what was wrong and where (file, line, key).
struct BadInput: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// The work itself failed (training diverged, a peer vanished, I/O failed). Exit status 1.
struct WorkFailed: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Exit statuses that users' scripts rely on (see DESIGN.md).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let badInput: Int32 = 2
}
