/// Bad usage or bad input: the user must change the command or the file. Exit status 2.
///
/// The message names what was wrong and where (file, line, key).
package struct BadInput: Error, CustomStringConvertible {
    package let description: String
    package init(_ message: String) { description = message }
}

/// The work itself failed (training diverged, a peer vanished, I/O failed). Exit status 1.
package struct WorkFailed: Error, CustomStringConvertible {
    package let description: String
    package init(_ message: String) { description = message }
}
