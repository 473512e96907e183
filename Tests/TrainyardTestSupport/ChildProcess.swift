import Foundation

/// The outcome of a finished child process.
package struct ProcessResult: Sendable {
    package let status: Int32
    package let stdout: String
    package let stderr: String
    /// True when the process ended through a signal rather than `exit`.
    package let signalled: Bool
}

/// Errors from running child processes in tests.
package enum ChildProcessError: Error, CustomStringConvertible {
    case notFound(String)
    case timedOut(command: String, seconds: Double)

    package var description: String {
        switch self {
        case .notFound(let path): return "executable not found: \(path)"
        case .timedOut(let command, let seconds): return "\(command) did not finish within \(seconds)s"
        }
    }
}

/// Locates executables built by this package (next to the test bundle).
package enum BuiltProducts {
    /// The build products directory (`.build/debug` or `.build/release`).
    package static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["TRAINYARD_BUILD_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        var url = Bundle.main.bundleURL
        // The test runner lives at .build/<config>/XPackageTests.xctest on Linux.
        while url.pathExtension == "xctest" || url.lastPathComponent.hasSuffix(".xctest") {
            url.deleteLastPathComponent()
        }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidate = exe.deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("trainyard").path) {
            return candidate
        }
        return url
    }

    /// The path of the named executable product, e.g. `trainyard`.
    package static func executable(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw ChildProcessError.notFound(url.path)
        }
        return url
    }
}

/// A child process started by a test; `terminate()` or deinit-free cleanup via `stop()`.
package final class ChildProcess: @unchecked Sendable {
    package let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()

    /// Starts `executable` with `arguments`; `environment` entries are added to the current one.
    package init(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: URL? = nil
    ) throws {
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        stdoutPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.withLock { self.stdoutData.append(data) }
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.withLock { self.stderrData.append(data) }
        }
        try process.run()
    }

    package var pid: Int32 { process.processIdentifier }
    package var isRunning: Bool { process.isRunning }

    /// Output captured so far.
    package var stdout: String { lock.withLock { String(decoding: stdoutData, as: UTF8.self) } }
    package var stderr: String { lock.withLock { String(decoding: stderrData, as: UTF8.self) } }

    /// Sends `signal` (e.g. SIGINT, SIGKILL, SIGSTOP) to the process.
    package func send(_ signal: Int32) { if process.isRunning { kill(process.processIdentifier, signal) } }

    /// Waits until `condition` holds on the output captured so far, polling every 20 ms.
    /// Returns false if the process exits or `seconds` pass first.
    @discardableResult
    package func waitForOutput(timeout seconds: Double = 60, _ condition: (String, String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(stdout, stderr) { return true }
            if !process.isRunning { return condition(stdout, stderr) }
            usleep(20_000)
        }
        return false
    }

    /// Waits for exit (killing the process after `seconds`) and returns its result.
    package func wait(timeout seconds: Double = 120) throws -> ProcessResult {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            stop()
            throw ChildProcessError.timedOut(
                command: ([process.executableURL?.path ?? "?"] + (process.arguments ?? [])).joined(separator: " "),
                seconds: seconds)
        }
        process.waitUntilExit()
        // Drain what the readability handlers have not picked up yet.
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        let restOut = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        let restErr = stderrPipe.fileHandleForReading.readDataToEndOfFile()
        lock.withLock {
            stdoutData.append(restOut)
            stderrData.append(restErr)
        }
        return ProcessResult(
            status: process.terminationStatus, stdout: stdout, stderr: stderr,
            signalled: process.terminationReason == .uncaughtSignal)
    }

    /// Kills the process (SIGKILL) if it is still running and reaps it.
    package func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Runs an executable to completion and returns its status and output.
package func runProcess(
    _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
    currentDirectory: URL? = nil, timeout: Double = 120
) throws -> ProcessResult {
    let child = try ChildProcess(
        executable, arguments, environment: environment,
        currentDirectory: currentDirectory)
    return try child.wait(timeout: timeout)
}

/// Runs the `trainyard` executable with a private `TRAINYARD_HOME`.
package func runTrainyard(
    _ arguments: [String], home: TemporaryDirectory,
    environment: [String: String] = [:], timeout: Double = 120
) throws -> ProcessResult {
    var env = environment
    env["TRAINYARD_HOME"] = home.path
    return try runProcess(
        try BuiltProducts.executable("trainyard"), arguments, environment: env,
        currentDirectory: home.url, timeout: timeout)
}
