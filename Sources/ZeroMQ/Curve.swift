import CZeroMQ

/// A 32-byte CURVE25519 key (public or secret).
package struct CurveKey: Sendable, Hashable, CustomStringConvertible {
    /// The raw key bytes; always 32.
    package let bytes: [UInt8]

    static let zero = CurveKey(unchecked: [UInt8](repeating: 0, count: 32))

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// A key from 32 raw bytes.
    /// - Throws: ``ZMQUsageError/invalidCurveKey(_:)`` for any other length.
    package init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw ZMQUsageError.invalidCurveKey("\(bytes.count) bytes") }
        self.bytes = bytes
    }

    /// A key from its 40-character Z85 text.
    /// - Throws: ``ZMQUsageError/invalidCurveKey(_:)`` when the text is not 40 valid Z85 characters.
    package init(z85 text: String) throws {
        guard text.utf8.count == 40, let bytes = try? Z85.decode(text) else {
            throw ZMQUsageError.invalidCurveKey("\(text.utf8.count) characters of Z85 text")
        }
        self.bytes = bytes
    }

    /// The 40-character Z85 form.
    package var z85: String { (try? Z85.encode(bytes)) ?? "" }

    /// Prints the Z85 form (safe for public keys; do not print secret keys to logs).
    package var description: String { z85 }
}

/// A CURVE key pair: the secret key and its public key.
package struct CurveKeyPair: Sendable, Hashable {
    package let publicKey: CurveKey
    package let secretKey: CurveKey

    /// Generates a fresh key pair with libzmq's `zmq_curve_keypair`.
    /// - Throws: ``ZMQError`` when libzmq was built without CURVE support (`ENOTSUP`).
    package static func generate() throws -> CurveKeyPair {
        var pub = [CChar](repeating: 0, count: 41)
        var sec = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&pub, &sec) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
        return try CurveKeyPair(
            publicKey: CurveKey(z85: decodeCString(pub)), secretKey: CurveKey(z85: decodeCString(sec)))
    }

    /// Derives the public key from a secret key (`zmq_curve_public`).
    package init(secretKey: CurveKey) throws {
        var pub = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&pub, secretKey.z85) == 0 else { throw ZMQError.last("zmq_curve_public") }
        self.publicKey = try CurveKey(z85: decodeCString(pub))
        self.secretKey = secretKey
    }

    private init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// True when libzmq on this machine supports CURVE.
    package static var isSupported: Bool { zmq_has("curve") != 0 }
}

/// Z85, ZeroMQ's printable encoding of binary data (RFC 32/Z85): 4 bytes become 5 characters.
package enum Z85 {
    /// Encodes `bytes`, whose count must be a multiple of 4.
    package static func encode(_ bytes: [UInt8]) throws -> String {
        guard bytes.count % 4 == 0 else { throw ZMQUsageError.invalidZ85Length(bytes.count) }
        var out = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        let ok = bytes.withUnsafeBufferPointer { zmq_z85_encode(&out, $0.baseAddress, $0.count) != nil }
        guard ok else { throw ZMQUsageError.invalidZ85Length(bytes.count) }
        return decodeCString(out)
    }

    /// Decodes Z85 `text`, whose length must be a multiple of 5 and whose characters are all Z85.
    package static func decode(_ text: String) throws -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count % 5 == 0, utf8.allSatisfy(isZ85) else { throw ZMQUsageError.invalidZ85(text) }
        var out = [UInt8](repeating: 0, count: utf8.count / 5 * 4)
        let ok = text.withCString { zmq_z85_decode(&out, $0) != nil }
        guard ok else { throw ZMQUsageError.invalidZ85(text) }
        return out
    }

    private static let alphabet = Set(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
    private static func isZ85(_ c: UInt8) -> Bool { alphabet.contains(c) }
}
