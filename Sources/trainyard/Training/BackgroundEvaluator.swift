import Foundation
import GradientCore

/// Runs validation evaluations on a thread of its own, one at a time, so the coordinator's loop
/// keeps aggregating and broadcasting while the evaluation of an earlier step runs.
///
/// The parameters are a snapshot of the step (copy-on-write), so the result is the same whenever
/// it runs. Results are taken back on the caller's thread with ``takeFinished()`` or
/// ``waitForAll()``, in the order they were started.
final class BackgroundEvaluator: @unchecked Sendable {
    struct Finished {
        let step: Int
        let evaluation: Evaluation?
        /// When the evaluation finished (the time its metric points carry).
        let at: Date
    }

    private let model: Model
    private let features: [Float]
    private let labels: [Float]
    private let queue = DispatchQueue(label: "trainyard.evaluation")
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var finished: [Finished] = []

    init(model: Model, features: [Float], labels: [Float]) {
        self.model = model
        self.features = features
        self.labels = labels
    }

    /// Starts evaluating `parameters` (the state after `step`), after any evaluation still running.
    func start(_ parameters: [Float], step: Int) {
        group.enter()
        queue.async { [self] in
            let evaluation = evaluate(parameters)
            lock.withLock {
                finished.append(Finished(step: step, evaluation: evaluation, at: Date()))
            }
            group.leave()
        }
    }

    /// Evaluates on the calling thread.
    func evaluate(_ parameters: [Float]) -> Evaluation? {
        guard !labels.isEmpty else { return nil }
        return try? model.evaluate(parameters: parameters, features: features, labels: labels, rows: labels.count)
    }

    /// The evaluations finished since the last call, in the order they were started.
    func takeFinished() -> [Finished] {
        lock.withLock {
            defer { finished.removeAll() }
            return finished
        }
    }

    /// Waits for every started evaluation, then returns those not yet taken.
    func waitForAll() -> [Finished] {
        group.wait()
        return takeFinished()
    }
}
