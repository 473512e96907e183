/// What every run and sweep started by this process shares, resolved by the CLI from its
/// environment and build: where state lives, the code revision, the host's shared memory.
package struct RunEnvironment: Sendable {
    package var home: TrainyardHome
    /// The code revision recorded on runs, checkpoints and model packages (nil: unknown).
    package var codeRevision: String?
    /// Where a coordinator and its local workers share parameters and gradients (nil: sockets only).
    package var sharedMemoryDirectory: String?

    package init(home: TrainyardHome, codeRevision: String?, sharedMemoryDirectory: String?) {
        self.home = home
        self.codeRevision = codeRevision
        self.sharedMemoryDirectory = sharedMemoryDirectory
    }
}
