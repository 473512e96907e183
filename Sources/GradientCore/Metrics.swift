import Foundation

/// Evaluation metrics. All sums are in Double, in index order.
package enum Metrics {
    /// Fraction of rows where `predicted[i] == Int(labels[i])`. 0 for no rows.
    package static func accuracy(predicted: [Int], labels: [Float]) -> Double {
        guard !labels.isEmpty else { return 0 }
        var correct = 0
        for i in labels.indices where predicted[i] == Int(labels[i]) { correct += 1 }
        return Double(correct) / Double(labels.count)
    }

    /// Mean cross-entropy −log p(label). `probabilities` is rows × width; width 1 means binary
    /// (P(class 1)). Probabilities are clipped to [1e-7, 1 − 1e-7] as scikit-learn does.
    package static func logLoss(probabilities: [Float], width: Int, labels: [Float]) -> Double {
        guard !labels.isEmpty else { return 0 }
        let epsilon = 1e-7
        var sum = 0.0
        for (row, label) in labels.enumerated() {
            let p: Double
            if width == 1 {
                let p1 = Double(probabilities[row])
                p = label == 1 ? p1 : 1 - p1
            } else {
                p = Double(probabilities[row * width + Int(label)])
            }
            sum -= Foundation.log(min(max(p, epsilon), 1 - epsilon))
        }
        return sum / Double(labels.count)
    }

    /// Root mean squared error.
    package static func rmse(predictions: [Float], targets: [Float]) -> Double {
        guard !targets.isEmpty else { return 0 }
        var sum = 0.0
        for i in targets.indices {
            let d = Double(predictions[i]) - Double(targets[i])
            sum += d * d
        }
        return (sum / Double(targets.count)).squareRoot()
    }

    /// Mean absolute error.
    package static func mae(predictions: [Float], targets: [Float]) -> Double {
        guard !targets.isEmpty else { return 0 }
        var sum = 0.0
        for i in targets.indices { sum += Swift.abs(Double(predictions[i]) - Double(targets[i])) }
        return sum / Double(targets.count)
    }

    /// Coefficient of determination 1 − SS_res / SS_tot (0 when the targets are constant and
    /// the fit is not perfect, 1 when it is).
    package static func r2(predictions: [Float], targets: [Float]) -> Double {
        guard !targets.isEmpty else { return 0 }
        var mean = 0.0
        for t in targets { mean += Double(t) }
        mean /= Double(targets.count)
        var residual = 0.0, total = 0.0
        for i in targets.indices {
            let d = Double(targets[i]) - Double(predictions[i])
            let e = Double(targets[i]) - mean
            residual += d * d
            total += e * e
        }
        if total == 0 { return residual == 0 ? 1 : 0 }
        return 1 - residual / total
    }

    /// Area under the ROC curve for binary labels (0/1) and scores (higher = more likely 1),
    /// by the rank-sum (Mann–Whitney) formula with tied scores given their average rank.
    /// Returns nil if only one class is present. O(n): a radix sort of the scores.
    package static func rocAUC(scores: [Float], labels: [Float]) -> Double? {
        // Keys: the score's order-preserving bits above, the label in bit 0. A stable radix sort
        // on the upper half leaves equal scores in index order, as a stable comparison sort
        // would. −0 is keyed as +0, since the two tie (==); NaNs never tie (NaN ≠ NaN).
        precondition(scores.count == labels.count, "rocAUC: \(scores.count) scores, \(labels.count) labels")
        var keys = [UInt64](unsafeUninitializedCapacity: scores.count) { keys, initialized in
            for index in scores.indices {
                let score = scores[index] == 0 ? 0 : scores[index]
                keys[index] = UInt64(RadixSort.orderedBits(score)) << 32 | (labels[index] == 1 ? 1 : 0)
            }
            initialized = scores.count
        }
        RadixSort.sort(&keys, digitShifts: [32, 48])
        var positives = 0.0, rankSum = 0.0
        var i = 0
        while i < keys.count {
            let score = keys[i] >> 32
            var j = i
            if !RadixSort.float(orderedBits: UInt32(score)).isNaN {
                while j + 1 < keys.count && keys[j + 1] >> 32 == score { j += 1 }
            }
            let averageRank = Double(i + j) / 2 + 1
            for t in i...j where keys[t] & 1 == 1 {
                positives += 1
                rankSum += averageRank
            }
            i = j + 1
        }
        let negatives = Double(scores.count) - positives
        guard positives > 0, negatives > 0 else { return nil }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    /// counts[actual][predicted] for `classes` classes.
    package static func confusionMatrix(predicted: [Int], labels: [Float], classes: Int) -> [[Int]] {
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for i in labels.indices {
            let actual = Int(labels[i])
            if (0..<classes).contains(actual), (0..<classes).contains(predicted[i]) {
                matrix[actual][predicted[i]] += 1
            }
        }
        return matrix
    }
}

/// Metrics of a model on a labelled data set; fields that do not apply to the model are nil.
package struct Evaluation: Sendable, Codable, Equatable {
    /// Mean training loss (cross-entropy or squared error), as the gradient API defines it.
    package var loss: Double
    package var count: Int
    package var accuracy: Double?
    package var logLoss: Double?
    package var rocAUC: Double?
    package var confusionMatrix: [[Int]]?
    package var rmse: Double?
    package var mae: Double?
    package var r2: Double?
}

extension Model {
    /// Loss and metrics on `rows` labelled rows: accuracy, log loss and confusion matrix for
    /// classifiers (plus ROC AUC for binary ones), RMSE, MAE and R² for regressors.
    package func evaluate(
        parameters: [Float], features: [Float], labels: [Float], rows: Int, threads: Int = 1
    ) throws(GradientCoreError) -> Evaluation {
        let (lossSum, output) = try lossAndOutput(
            parameters: parameters, features: features, labels: labels, rows: rows,
            threads: threads)
        var evaluation = Evaluation(loss: lossSum / Double(max(rows, 1)), count: rows)
        if let classes = spec.classCount {
            let width = spec.predictionWidth
            let predicted: [Int] = (0..<rows).map { r in
                if width == 1 { return output[r] >= 0.5 ? 1 : 0 }
                var best = 0
                for c in 1..<width where output[r * width + c] > output[r * width + best] { best = c }
                return best
            }
            evaluation.accuracy = Metrics.accuracy(predicted: predicted, labels: labels)
            evaluation.logLoss = Metrics.logLoss(probabilities: output, width: width, labels: labels)
            evaluation.confusionMatrix = Metrics.confusionMatrix(predicted: predicted, labels: labels, classes: classes)
            if classes == 2 {
                let scores = width == 1 ? output : (0..<rows).map { output[$0 * width + 1] }
                evaluation.rocAUC = Metrics.rocAUC(scores: scores, labels: labels)
            }
        } else {
            evaluation.rmse = Metrics.rmse(predictions: output, targets: labels)
            evaluation.mae = Metrics.mae(predictions: output, targets: labels)
            evaluation.r2 = Metrics.r2(predictions: output, targets: labels)
        }
        return evaluation
    }
}
