// Messaging throughput, in the style of libzmq's local_thr / remote_thr.
//
//   MessagingBench local  BIND_ENDPOINT  SIZE COUNT            receives COUNT messages of SIZE bytes
//   MessagingBench remote CONNECT_ENDPOINT SIZE COUNT [FRAME]  sends them, zero-copy, in frames ≤ FRAME
//
// `local` prints `endpoint <resolved endpoint>` once bound (so a script can bind port 0), then one
// JSON line: {"size":…, "count":…, "seconds":…, "messages_per_second":…, "gigabytes_per_second":…}.
// Timing starts at the first received message, as local_thr does.
import Foundation
import ZeroMQ

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("MessagingBench: \(message)\n".utf8))
    exit(2)
}

let args = CommandLine.arguments
guard args.count >= 5, let size = Int(args[3]), let count = Int(args[4]), size > 0, count > 0 else {
    fail("usage: MessagingBench local|remote ENDPOINT SIZE COUNT [FRAME_BYTES]")
}
let frameLimit = args.count > 5 ? (Int(args[5]) ?? (1 << 20)) : (1 << 20)
var defaults = SocketDefaults.standard
defaults.highWaterMark = 1000
defaults.maxMessageSize = -1
defaults.linger = nil  // the sender must deliver everything before it exits

// Keep large receive buffers on the heap and reuse them instead of mapping fresh pages for
// every frame (see docs/BENCHMARKS.md). TRAINYARD_MALLOC_DEFAULTS=1 measures glibc's defaults.
if ProcessInfo.processInfo.environment["TRAINYARD_MALLOC_DEFAULTS"] == nil {
    MemoryTuning.keepLargeBuffersOnHeap()
}

do {
    let context = try Context(ioThreads: 1)
    switch args[1] {
    case "local":
        let pull = try context.socket(.pull, defaults: defaults)
        try pull.bind(args[2])
        print("endpoint \(try pull.lastEndpoint)")
        fflush(nil)
        var received = 0
        var bytes = 0
        var start = ContinuousClock.now
        while received < count {
            guard let frames = try pull.receiveMultipart() else { continue }
            if received == 0 { start = ContinuousClock.now }
            for f in frames { bytes += f.count }
            received += 1
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        guard bytes == size * count else { fail("received \(bytes) bytes, expected \(size * count)") }
        // The first message's transfer is outside the timed window, as in local_thr.
        let timed = Double(count - 1)
        let result: [String: Double] = [
            "size": Double(size), "count": Double(count), "seconds": seconds,
            "messages_per_second": timed / seconds,
            "gigabytes_per_second": timed * Double(size) / seconds / 1e9,
        ]
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    case "remote":
        let push = try context.socket(.push, defaults: defaults)
        try push.connect(args[2])
        let buffer = SharedBuffer(count: size)
        for i in stride(from: 0, to: size, by: 4096) { buffer.bytes[i] = UInt8(truncatingIfNeeded: i / 4096) }
        for _ in 0..<count {
            var offset = 0
            repeat {
                let end = min(offset + frameLimit, size)
                try buffer.send(on: push, range: offset..<end, flags: end < size ? .more : [])
                offset = end
            } while offset < size
        }
        push.close()
        context.terminate()
    default:
        fail("first argument must be local or remote, not \(args[1])")
    }
} catch {
    fail("\(error)")
}
