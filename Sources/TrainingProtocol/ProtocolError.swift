import HexText

/// Where a field sits in a message: kind, field name, frame index and byte offset in that frame.
package struct FieldPosition: Equatable, Sendable, CustomStringConvertible {
    /// The message kind being read or written.
    package var kind: MessageKind
    /// The field's name as in `docs/PROTOCOL.md`.
    package var field: String
    /// The frame index (0 = header, 1 = metadata when present).
    package var frame: Int
    /// The byte offset of the field in that frame.
    package var offset: Int

    /// Creates a position.
    package init(kind: MessageKind, field: String, frame: Int, offset: Int) {
        self.kind = kind
        self.field = field
        self.frame = frame
        self.offset = offset
    }

    /// "kind.field (frame F, offset O)".
    package var description: String { "\(kind).\(field) (frame \(frame), offset \(offset))" }
}

/// Why a received multipart message was rejected, or why a message could not be encoded.
///
/// Every case names what was wrong: the field, its frame and offset, and expected vs found.
/// An invalid message is dropped and logged with its sender by the runtime; see ``refusalReason``
/// for the two cases that deserve a refusal instead.
package enum ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The multipart message had no frames at all.
    case noFrames
    /// More frames than any message may have.
    case tooManyFrames(received: Int, limit: Int)
    /// A frame is larger than 16 MiB.
    case frameTooLarge(frame: Int, bytes: Int, limit: Int)
    /// Frame 0 is shorter than the 32-byte common header.
    case headerTruncated(bytes: Int, minimum: Int)
    /// Bytes 0..<4 are not `TYRD`.
    case badMagic(found: [UInt8])
    /// The header's protocol version is not the one this module speaks.
    case unsupportedVersion(found: UInt16, supported: UInt16)
    /// The kind byte (offset 22) is not a known kind.
    case unknownKind(code: UInt8)
    /// A known kind that this role never receives (e.g. a worker sending `accept`).
    case unexpectedKind(MessageKind, receiver: Role)
    /// The flags byte (offset 23) is not zero.
    case nonZeroFlags(MessageKind, found: UInt8)
    /// The header frame's size is not the kind's fixed size (declared at offset 24, actual frame length).
    case headerSizeMismatch(MessageKind, declared: Int, actual: Int, expected: Int)
    /// The frame count (declared at offset 28, or implied by the declared payload) disagrees with the frames received.
    case frameCountMismatch(MessageKind, expected: Int, received: Int)
    /// The job id is all zero in a kind other than `register`.
    case missingJobID(MessageKind)
    /// The job id is not the receiver's job.
    case jobMismatch(MessageKind, expected: JobID, found: JobID)
    /// A reserved field or byte is not zero.
    case reservedNotZero(FieldPosition, found: UInt64)
    /// A numeric or enumerated field is outside its allowed range.
    case outOfRange(FieldPosition, found: String, expected: String)
    /// A loss or error sum is NaN or infinite: the model diverged or the sender is broken.
    case nonFiniteLoss(FieldPosition, step: UInt64, value: Double)
    /// The declared parameter count differs from the model size the receiver expects.
    case parameterCountMismatch(FieldPosition, declared: UInt64, expected: Int)
    /// A payload frame's byte length is not what the declared element count requires.
    case payloadFrameSize(MessageKind, frame: Int, expected: Int, found: Int)
    /// A metadata field runs past the end of its frame.
    case truncated(FieldPosition, needed: Int, available: Int)
    /// The metadata frame has bytes after its last field.
    case trailingBytes(MessageKind, frame: Int, offset: Int, count: Int)
    /// A string or list is longer than its limit.
    case tooLong(FieldPosition, length: UInt64, limit: Int)
    /// A string field is not valid UTF-8.
    case invalidUTF8(FieldPosition)
    /// Encoding only: a value does not fit its wire field (e.g. a negative micro-shard index), so the
    /// bytes would not decode to the message given.
    case notEncodable(MessageKind, reason: String)

    /// The refusal the coordinator should send when a `register` fails this way, or nil to drop the message.
    ///
    /// A wrong protocol version (of any kind) gets ``RefusalReason/protocolVersion``; a registration for
    /// another job gets ``RefusalReason/wrongJob``. Everything else is dropped and logged.
    package var refusalReason: RefusalReason? {
        switch self {
        case .unsupportedVersion: .protocolVersion
        case .jobMismatch(.register, _, _): .wrongJob
        default: nil
        }
    }

    /// A one-line explanation naming the field, position, expected and found values.
    package var description: String {
        switch self {
        case .noFrames:
            return "empty message: expected at least the header frame, found 0 frames"
        case .tooManyFrames(let received, let limit):
            return "too many frames: found \(received), at most \(limit) allowed"
        case .frameTooLarge(let frame, let bytes, let limit):
            return "frame \(frame) is \(bytes) bytes, larger than the \(limit)-byte frame limit"
        case .headerTruncated(let bytes, let minimum):
            return "header frame is \(bytes) bytes, expected at least \(minimum)"
        case .badMagic(let found):
            return "bad magic at frame 0 offset 0: expected 54 59 52 44 (\"TYRD\"), found \(Self.hex(found))"
        case .unsupportedVersion(let found, let supported):
            return "protocol version at frame 0 offset 4: expected \(supported), found \(found)"
        case .unknownKind(let code):
            return
                "unknown message kind at frame 0 offset 22: found \(code), expected 1...\(MessageKind.allCases.count)"
        case .unexpectedKind(let kind, let receiver):
            return "message kind \(kind) (frame 0 offset 22) is never sent to a \(receiver)"
        case .nonZeroFlags(let kind, let found):
            return "\(kind): flags at frame 0 offset 23: expected 0, found \(found)"
        case .headerSizeMismatch(let kind, let declared, let actual, let expected):
            return
                "\(kind): header frame size: expected \(expected) bytes, declared \(declared) at offset 24, frame is \(actual) bytes"
        case .frameCountMismatch(let kind, let expected, let received):
            return "\(kind): frame count: expected \(expected) frames, received \(received)"
        case .missingJobID(let kind):
            return "\(kind): job id at frame 0 offset 6 is all zero; only register may leave it unspecified"
        case .jobMismatch(let kind, let expected, let found):
            return "\(kind): job id at frame 0 offset 6: expected \(expected), found \(found)"
        case .reservedNotZero(let position, let found):
            return "\(position): reserved, expected 0, found \(found)"
        case .outOfRange(let position, let found, let expected):
            return "\(position): expected \(expected), found \(found)"
        case .nonFiniteLoss(let position, let step, let value):
            return "\(position): non-finite value \(value) at step \(step); expected a finite sum"
        case .parameterCountMismatch(let position, let declared, let expected):
            return "\(position): parameter count: expected the model size \(expected), found \(declared)"
        case .payloadFrameSize(let kind, let frame, let expected, let found):
            return "\(kind): payload frame \(frame): expected \(expected) bytes, found \(found)"
        case .truncated(let position, let needed, let available):
            return "\(position): truncated, needed \(needed) bytes, \(available) available"
        case .trailingBytes(let kind, let frame, let offset, let count):
            return "\(kind): frame \(frame) has \(count) unexpected trailing bytes from offset \(offset)"
        case .tooLong(let position, let length, let limit):
            return "\(position): length \(length) exceeds the limit \(limit)"
        case .invalidUTF8(let position):
            return "\(position): expected valid UTF-8 text"
        case .notEncodable(let kind, let reason):
            return "\(kind): cannot encode: \(reason)"
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String { HexText.encode(bytes, separator: " ") }
}
