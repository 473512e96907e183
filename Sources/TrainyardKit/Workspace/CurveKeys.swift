import Foundation
import ZeroMQ

/// What `keys generate` reports (its `--json` shape): the public key, and either the secret
/// key itself or the files the pair was written to.
package struct CurveKeyReport: Encodable {
    package let public_key: String
    package let secret_key: String?
    package let secret_key_file: String?
    package let public_key_file: String?

    /// Where the pair went, or the pair itself (`public-key: …`, `secret-key: …`).
    package var text: String {
        if let secret_key_file, let public_key_file {
            return "wrote \(secret_key_file) (secret) and \(public_key_file) (public: \(public_key))"
        }
        return "public-key: \(public_key)\nsecret-key: \(secret_key ?? "")"
    }
}

/// CURVE key pairs for encrypted, authenticated cluster traffic, generated and written as files.
package enum CurveKeys {
    /// Generates a pair; with `prefix`, writes PREFIX.key (secret, mode 0600) and PREFIX.pub.
    /// - Throws: ``WorkFailed`` when libzmq lacks CURVE or a file cannot be written,
    ///   ``BadInput`` when a key file already exists.
    package static func generate(writingTo prefix: String?) throws -> CurveKeyReport {
        guard CurveKeyPair.isSupported else {
            throw WorkFailed("this libzmq was built without CURVE support")
        }
        let pair = try CurveKeyPair.generate()
        guard let prefix else {
            return CurveKeyReport(
                public_key: pair.publicKey.z85, secret_key: pair.secretKey.z85, secret_key_file: nil,
                public_key_file: nil)
        }
        try write(pair.secretKey.z85, to: prefix + ".key", mode: 0o600)
        try write(pair.publicKey.z85, to: prefix + ".pub", mode: 0o644)
        return CurveKeyReport(
            public_key: pair.publicKey.z85, secret_key: nil, secret_key_file: prefix + ".key",
            public_key_file: prefix + ".pub")
    }

    private static func write(_ text: String, to path: String, mode: Int) throws {
        if FileManager.default.fileExists(atPath: path) {
            throw BadInput("\(path) already exists; refusing to overwrite a key")
        }
        let ok = FileManager.default.createFile(
            atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: mode])
        if !ok { throw WorkFailed("could not write \(path)") }
    }
}
