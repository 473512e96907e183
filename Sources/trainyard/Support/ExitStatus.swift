import TrainyardKit

/// Exit statuses that users' scripts rely on (README "Concepts").
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let badInput: Int32 = 2
}
