import CBuildInfo
import TrainyardKit

/// The version string shown by `trainyard --version`.
enum BuildInfo {
    /// Semantic version of this release of Trainyard.
    static let version = "0.1.0"

    /// The git revision the binary was built from, or `nil` outside a checkout.
    static var gitRevision: String? {
        let revision = String(cString: trainyard_git_revision())
        return revision.isEmpty ? nil : revision
    }

    /// `0.1.0 (git abc123def456)` in a checkout, `0.1.0` otherwise.
    static var versionString: String {
        guard let revision = gitRevision else { return version }
        return "\(version) (git \(revision))"
    }
}
