import Foundation

/// Hands batches of rows from the thread that parses a file to a consumer thread that updates
/// statistics and writes the spill file, so parsing and bookkeeping overlap on two cores.
///
/// Rows are consumed in the order they were filled (the result is identical to a single
/// thread). Three buffers of `batchRows` rows rotate between the two sides; memory is bounded
/// by them. A failure on the consumer side is rethrown to the producer at the next hand-over or
/// at ``finish()``.
final class RowPipeline: @unchecked Sendable {
    let width: Int
    let batchRows = 2048
    private let buffers: [UnsafeMutablePointer<Float>]
    private let consume: @Sendable (UnsafePointer<Float>, Int) throws -> Void
    private let lock = NSLock()
    private let full = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private let done = DispatchSemaphore(value: 0)
    private var queue: [(buffer: Int, rows: Int)] = []
    private var freeList: [Int]
    private var current = 0
    private var filled = 0
    private var failure: Error?
    private var cancelled = false
    private var stopped = false

    /// Starts the consumer thread; `consume(rows, count)` receives each filled batch.
    init(width: Int, consume: @escaping @Sendable (UnsafePointer<Float>, Int) throws -> Void) {
        self.width = max(1, width)
        self.consume = consume
        buffers = (0..<3).map { _ in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: 2048 * max(1, width))
            p.initialize(repeating: .nan, count: 2048 * max(1, width))
            return p
        }
        freeList = [1, 2]
        free = DispatchSemaphore(value: 2)
        let thread = Thread { [unowned(unsafe) self] in self.run() }
        thread.name = "trainyard-import-rows"
        thread.start()
    }

    deinit {
        for b in buffers { b.deallocate() }
    }

    /// The slot the producer fills next.
    var slot: UnsafeMutablePointer<Float> { buffers[current] + filled * width }

    /// Marks the current slot filled; returns the next slot.
    @inline(__always)
    func advance() throws -> UnsafeMutablePointer<Float> {
        filled += 1
        if filled == batchRows { try handOver() }
        return buffers[current] + filled * width
    }

    private func handOver() throws {
        lock.withLock { queue.append((current, filled)) }
        full.signal()
        free.wait()
        try lock.withLock {
            if let failure { throw failure }
            current = freeList.removeLast()
        }
        filled = 0
    }

    /// Hands over the last partial batch, waits until every row is consumed, stops the thread.
    func finish() throws {
        guard !stopped else { return }
        if filled > 0 { try handOver() }
        stop(cancel: false)
        if let failure = lock.withLock({ failure }) { throw failure }
    }

    /// Stops the consumer; with `cancel`, rows not yet consumed are dropped.
    func stop(cancel: Bool) {
        guard !stopped else { return }
        stopped = true
        lock.withLock {
            cancelled = cancel
            queue.append((-1, 0))
        }
        full.signal()
        done.wait()
    }

    private func run() {
        while true {
            full.wait()
            let (buffer, rows, skip) = lock.withLock {
                let item = queue.removeFirst()
                return (item.buffer, item.rows, cancelled || failure != nil)
            }
            if buffer < 0 { break }
            if !skip {
                do { try consume(buffers[buffer], rows) } catch { lock.withLock { failure = error } }
            }
            lock.withLock { freeList.append(buffer) }
            free.signal()
        }
        done.signal()
    }
}
