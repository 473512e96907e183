import Testing

@testable import TrainingProtocol

/// Seeded, deterministic fuzzing: random and mutated multipart messages must only ever be rejected
/// with a `ProtocolError` (typed throws make any other error impossible; a trap would kill the run),
/// and whatever is accepted must be canonical: re-encoding it gives the same bytes.
@Suite("Fuzzing")
struct FuzzTests {
    static let contexts: [DecodingContext] = [
        Samples.context(.coordinator),
        Samples.context(.worker),
        DecodingContext(receiver: .coordinator, jobID: Samples.job),
        DecodingContext(receiver: .worker, jobID: nil),
    ]

    static func caseName(_ error: ProtocolError) -> String {
        Mirror(reflecting: error).children.first?.label ?? error.description
    }

    /// Decodes under `context`; on success checks that the accepted message re-encodes to the same frames.
    static func probe(_ frames: [[UInt8]], _ context: DecodingContext, accepted: inout Int, errors: inout [String: Int])
    {
        do {
            let envelope = try Envelope.decode(frames, context: context)
            accepted += 1
            var reencoded = try envelope.encode().frames
            if envelope.protocolVersion != WireConstants.protocolVersion {
                reencoded[0][4] = frames[0][4]
                reencoded[0][5] = frames[0][5]
            }
            #expect(reencoded == frames, "accepted a non-canonical \(envelope.message.kind)")
        } catch {
            errors[caseName(error), default: 0] += 1
        }
    }

    static func randomBytes(_ count: Int, _ generator: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static let boundaries: [UInt64] = [
        0, 1, 2, 7, 8, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x1_0000_0000,
        0x7FF0_0000_0000_0000, 0xFFF8_0000_0000_0000, UInt64.max - 1, UInt64.max,
    ]

    static func mutate(_ original: [[UInt8]], _ generator: inout SplitMix64) -> [[UInt8]] {
        var frames = original
        let rounds = Int.random(in: 1...3, using: &generator)
        for _ in 0..<rounds {
            guard !frames.isEmpty else { return frames }
            let frame = Int.random(in: 0..<frames.count, using: &generator)
            switch Int.random(in: 0..<9, using: &generator) {
            case 0 where !frames[frame].isEmpty:
                let index = Int.random(in: 0..<frames[frame].count, using: &generator)
                frames[frame][index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &generator)
            case 1 where !frames[frame].isEmpty:
                let index = Int.random(in: 0..<frames[frame].count, using: &generator)
                frames[frame][index] = [0, 0xFF, 0x80, 0x7F, 1][Int.random(in: 0..<5, using: &generator)]
            case 2:
                let keep = Int.random(in: 0...frames[frame].count, using: &generator)
                frames[frame] = Array(frames[frame].prefix(keep))
            case 3:
                frames[frame] += randomBytes(Int.random(in: 1...40, using: &generator), &generator)
            case 4:
                frames.remove(at: frame)
            case 5:
                frames.insert(frames[frame], at: frame)
            case 6 where frames[frame].count >= 8:
                let size = [1, 2, 4, 8][Int.random(in: 0..<4, using: &generator)]
                let offset = Int.random(in: 0...(frames[frame].count - size), using: &generator) / size * size
                let value = boundaries[Int.random(in: 0..<boundaries.count, using: &generator)]
                patch(&frames, frame: frame, at: offset, size: size, value)
            case 7 where frames.count > 1:
                let other = Int.random(in: 0..<frames.count, using: &generator)
                frames.swapAt(frame, other)
            default:
                frames.append(randomBytes(Int.random(in: 0...64, using: &generator), &generator))
            }
        }
        if !frames.isEmpty && frames[0].count >= 32 && Bool.random(using: &generator) {
            fixFrameCount(&frames)
        }
        return frames
    }

    @Test("10,000 mutated valid messages: only ProtocolError, never a crash; accepted ones are canonical")
    func mutatedMessages() throws {
        var generator = SplitMix64(seed: 0x7EA1_D00D)
        let samples = try Samples.all.map { try Samples.frames($0.0) }
        var accepted = 0
        var errors: [String: Int] = [:]
        for iteration in 0..<10_000 {
            let frames = Self.mutate(samples[iteration % samples.count], &generator)
            Self.probe(frames, Self.contexts[iteration % Self.contexts.count], accepted: &accepted, errors: &errors)
        }
        #expect(accepted > 0)
        #expect(errors.count >= 15, "the fuzzer should reach most validation rules; reached \(errors)")
        #expect(errors.values.reduce(0, +) + accepted == 10_000)
    }

    /// A random 8-byte little-endian word: small numbers, boundaries, or noise.
    static func word(_ generator: inout SplitMix64) -> [UInt8] {
        let value: UInt64
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: value = UInt64.random(in: 0...12, using: &generator)
        case 1: value = boundaries[Int.random(in: 0..<boundaries.count, using: &generator)]
        case 2: value = Double.random(in: -1e6...1e6, using: &generator).bitPattern
        default: value = generator.next()
        }
        return (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    @Test("5,000 random messages with a plausible header: only ProtocolError, never a crash")
    func structuredRandom() {
        var generator = SplitMix64(seed: 42)
        var accepted = 0
        var errors: [String: Int] = [:]
        for iteration in 0..<5_000 {
            let kind = MessageKind.allCases[Int.random(in: 0..<MessageKind.allCases.count, using: &generator)]
            var body: [UInt8] = []
            while body.count < kind.headerSize - 32 { body += Self.word(&generator) }
            var frames = [
                WireConstants.magic + [UInt8(WireConstants.protocolVersion), 0] + Samples.job.bytes + [
                    kind.rawValue, 0, UInt8(kind.headerSize), 0, 0, 0, 0, 0, 0, 0,
                ] + body
            ]
            if kind.hasMetadata {
                var metadata: [UInt8] = []
                for _ in 0..<Int.random(in: 0...3, using: &generator) {
                    let length = Int.random(in: 0...12, using: &generator)
                    metadata +=
                        [UInt8(length), 0, 0, 0]
                        + Self.randomBytes(Int.random(in: 0...(length + 2), using: &generator), &generator)
                }
                frames.append(metadata)
            }
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                frames.append(Self.randomBytes(4 * Int.random(in: 0...12, using: &generator), &generator))
            }
            fixFrameCount(&frames)
            let receiver: Role = kind.isReceivable(by: .worker) ? .worker : .coordinator
            let context =
                iteration.isMultiple(of: 2)
                ? Samples.context(receiver) : DecodingContext(receiver: receiver, jobID: nil)
            Self.probe(frames, context, accepted: &accepted, errors: &errors)
        }
        #expect(errors.values.reduce(0, +) + accepted == 5_000)
        #expect(accepted > 0)
        #expect(errors.count >= 8, "reached \(errors)")
    }

    @Test("5,000 fully random and truncated multipart messages are rejected without crashing")
    func randomNoise() throws {
        var generator = SplitMix64(seed: 9)
        let samples = try Samples.all.map { try Samples.frames($0.0) }
        var accepted = 0
        var errors: [String: Int] = [:]
        for iteration in 0..<5_000 {
            var frames: [[UInt8]]
            if iteration.isMultiple(of: 2) {
                frames = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                    Self.randomBytes(Int.random(in: 0...120, using: &generator), &generator)
                }
            } else {
                let sample = samples[iteration % samples.count]
                let total = sample.reduce(0) { $0 + $1.count }
                var budget = Int.random(in: 0..<max(total, 1), using: &generator)
                frames = []
                for frame in sample where budget > 0 {
                    frames.append(Array(frame.prefix(budget)))
                    budget -= frame.count
                }
            }
            Self.probe(frames, Self.contexts[iteration % Self.contexts.count], accepted: &accepted, errors: &errors)
        }
        #expect(accepted == 0)
        #expect(errors.values.reduce(0, +) == 5_000)
    }
}
