import Foundation
import Testing

@testable import ZeroMQ

/// Fills `buffer` with a position-dependent pattern and returns its FNV-style checksum.
private func fillPattern(_ buffer: UnsafeMutableRawBufferPointer, seed: UInt64) -> UInt64 {
    let words = buffer.bindMemory(to: UInt64.self)
    var x = seed
    for i in words.indices {
        x = x &* 6364136223846793005 &+ 1442695040888963407
        words[i] = x
    }
    return checksum(UnsafeRawBufferPointer(buffer))
}

private func checksum(_ buffer: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf29ce484222325
    let words = buffer.assumingMemoryBound(to: UInt64.self)
    for w in words { h = (h ^ w) &* 0x100000001b3 }
    return h
}

/// An owner that records when libzmq lets go of it.
private final class ReleaseProbe: @unchecked Sendable {
    let released: NSCondition
    let flag: UnsafeMutablePointer<Bool>
    init(_ released: NSCondition, _ flag: UnsafeMutablePointer<Bool>) {
        self.released = released
        self.flag = flag
    }
    deinit {
        released.lock()
        flag.pointee = true
        released.signal()
        released.unlock()
    }
}

@Suite struct ZeroCopyTests {
    @Test func sixtyFourMiBZeroCopyArrivesIntact() throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        let push = try context.socket(.push)
        try pull.bind("tcp://127.0.0.1:*")
        try push.connect(try pull.lastEndpoint)
        let size = 64 << 20
        let buffer = SharedBuffer(count: size)
        let sent = fillPattern(buffer.bytes, seed: 42)
        try buffer.send(on: push)
        try pull.set(.receiveTimeout, .seconds(60))
        let message = try #require(try pull.receiveFrame())
        #expect(message.count == size)
        #expect(message.withUnsafeBytes { checksum($0) } == sent)
    }

    @Test func largeTensorSplitIntoFramesArrivesInOrder() throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        let push = try context.socket(.push)
        try pull.bind("inproc://frames")
        try push.connect("inproc://frames")
        let frame = 4 << 20
        let buffer = SharedBuffer(count: 3 * frame + 12)
        let sent = fillPattern(buffer.bytes, seed: 7)
        var offset = 0
        while offset < buffer.bytes.count {
            let end = min(offset + frame, buffer.bytes.count)
            try buffer.send(on: push, range: offset..<end, flags: end < buffer.bytes.count ? .more : [])
            offset = end
        }
        try pull.set(.receiveTimeout, .seconds(30))
        let frames = try #require(try pull.receiveMultipart())
        #expect(frames.map(\.count) == [frame, frame, frame, 12])
        var joined = [UInt8]()
        for f in frames { joined += f.bytes }
        #expect(joined.withUnsafeBytes { checksum($0) } == sent)
    }

    @Test func ownerIsReleasedAfterDelivery() throws {
        let condition = NSCondition()
        let flag = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        flag.pointee = false
        defer { flag.deallocate() }
        let context = try Context()
        let pull = try context.socket(.pull)
        let push = try context.socket(.push)
        try pull.bind("tcp://127.0.0.1:*")
        try push.connect(try pull.lastEndpoint)
        let bytes: [UInt8] = Array(repeating: 1, count: 1 << 16)
        do {
            let probe = ReleaseProbe(condition, flag)
            try bytes.withUnsafeBytes { raw in
                // The array outlives the send: the test waits for the release below.
                _ = try push.sendNoCopy(raw, owner: probe)
            }
        }
        try pull.set(.receiveTimeout, .seconds(10))
        #expect(try pull.receiveFrame()?.count == 1 << 16)
        condition.lock()
        let deadline = Date().addingTimeInterval(10)
        while !flag.pointee && condition.wait(until: deadline) {}
        let released = flag.pointee
        condition.unlock()
        #expect(released)
        withExtendedLifetime(bytes) {}
    }
}
