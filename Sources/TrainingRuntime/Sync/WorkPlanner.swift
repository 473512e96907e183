import TrainingProtocol

/// Decides which worker computes which micro-shards of a step, and who recomputes the work of a
/// worker that was lost.
///
/// Workers get contiguous runs of leaves, so most of what each sends is a few pre-added
/// subtrees. A plain value: the coordinator feeds it membership changes and results.
package struct WorkPlanner: Sendable {
    package let tree: MicroShardTree
    /// Leaves each worker is computing and has not reported yet.
    package private(set) var outstanding: [WorkerIdentity: [Int]] = [:]

    package init(tree: MicroShardTree) { self.tree = tree }

    /// Splits all leaves among `workers` (in the given order) and returns each worker's leaves.
    /// Workers beyond the number of leaves get none.
    package mutating func planStep(workers: [WorkerIdentity]) -> [WorkerIdentity: [Int]] {
        outstanding = [:]
        guard !workers.isEmpty else { return [:] }
        let parts = tree.contiguousPartition(parts: workers.count)
        for (worker, part) in zip(workers, parts) where !part.isEmpty {
            outstanding[worker] = Array(part)
        }
        return outstanding
    }

    /// Records that `leaves` arrived (from whichever worker): nobody needs to compute them any more.
    package mutating func received(_ leaves: Range<Int>) {
        for (worker, mine) in outstanding {
            let rest = mine.filter { !leaves.contains($0) }
            outstanding[worker] = rest.isEmpty ? nil : rest
        }
    }

    /// Removes `lost` and hands its unreported leaves to the remaining workers in `survivors`
    /// (contiguous split, in order). Returns the new assignments (only workers that got work).
    package mutating func reassign(from lost: WorkerIdentity, to survivors: [WorkerIdentity]) -> [WorkerIdentity: [Int]]
    {
        guard let orphaned = outstanding.removeValue(forKey: lost), !orphaned.isEmpty else { return [:] }
        return distribute(orphaned, among: survivors)
    }

    /// Hands `leaves` (e.g. everything missing after all workers were lost and one came back)
    /// to `workers`.
    package mutating func distribute(_ leaves: [Int], among workers: [WorkerIdentity]) -> [WorkerIdentity: [Int]] {
        guard !workers.isEmpty, !leaves.isEmpty else { return [:] }
        var assignments: [WorkerIdentity: [Int]] = [:]
        for (i, worker) in workers.enumerated() {
            let part = Array(leaves[(i * leaves.count / workers.count)..<((i + 1) * leaves.count / workers.count)])
            guard !part.isEmpty else { continue }
            assignments[worker] = part
            outstanding[worker, default: []].append(contentsOf: part)
        }
        return assignments
    }
}

extension WorkPlanner {
    /// Drops whatever `worker` still had outstanding (it was removed).
    package mutating func forget(_ worker: WorkerIdentity) {
        outstanding[worker] = nil
    }
}
