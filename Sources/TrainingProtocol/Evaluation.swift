/// Coordinator → worker: evaluate these rows of a (validation) dataset with this parameter version.
///
/// Header (96 bytes): step 32, parameterVersion 40, rowStart 48, rowCount 56, datasetDigest 64.
public struct EvaluationRequest: WireBody, Equatable {
    static let kind = MessageKind.evaluationRequest

    /// The training step the evaluation belongs to.
    public var step: UInt64
    /// The parameter version to evaluate (≥ 1).
    public var parameterVersion: UInt64
    /// The first row (in stored order: evaluation does not shuffle).
    public var rowStart: UInt64
    /// The number of rows (≥ 1).
    public var rowCount: UInt64
    /// The dataset version holding the rows.
    public var datasetDigest: ContentDigest

    /// Creates a request.
    public init(step: UInt64, parameterVersion: UInt64, rowStart: UInt64, rowCount: UInt64, datasetDigest: ContentDigest) {
        self.step = step
        self.parameterVersion = parameterVersion
        self.rowStart = rowStart
        self.rowCount = rowCount
        self.datasetDigest = datasetDigest
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u64(step)
        header.u64(parameterVersion)
        header.u64(rowStart)
        header.u64(rowCount)
        header.raw(datasetDigest.bytes)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource) throws(ProtocolError) -> EvaluationRequest {
        let step = try header.u64("step")
        let version = try header.u64("parameterVersion", in: 1...UInt64.max)
        let start = try header.u64("rowStart")
        let count = try header.u64("rowCount", from: 1, through: UInt64.max - start)
        return EvaluationRequest(step: step, parameterVersion: version, rowStart: start, rowCount: count,
                                 datasetDigest: try header.digest("datasetDigest"))
    }
}

/// Worker → coordinator: sums over the evaluated rows; the coordinator adds them in row order.
///
/// Header (96 bytes): step 32, parameterVersion 40, rowStart 48, rowCount 56, lossSum 64 (f64),
/// correctCount 72, squaredErrorSum 80 (f64), reserved 88. Classifiers fill `correctCount` and send
/// 0 squared error; regressors the reverse.
public struct EvaluationResult: WireBody, Equatable {
    static let kind = MessageKind.evaluationResult

    /// The request's step.
    public var step: UInt64
    /// The request's parameter version (≥ 1).
    public var parameterVersion: UInt64
    /// The request's first row.
    public var rowStart: UInt64
    /// The request's row count (≥ 1): every row is evaluated.
    public var rowCount: UInt64
    /// Sum of per-example losses (finite).
    public var lossSum: Double
    /// Correctly classified rows (≤ rowCount).
    public var correctCount: UInt64
    /// Sum of squared errors (finite, ≥ 0).
    public var squaredErrorSum: Double

    /// Creates a result.
    public init(step: UInt64, parameterVersion: UInt64, rowStart: UInt64, rowCount: UInt64, lossSum: Double,
                correctCount: UInt64, squaredErrorSum: Double) {
        self.step = step
        self.parameterVersion = parameterVersion
        self.rowStart = rowStart
        self.rowCount = rowCount
        self.lossSum = lossSum
        self.correctCount = correctCount
        self.squaredErrorSum = squaredErrorSum
    }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u64(step)
        header.u64(parameterVersion)
        header.u64(rowStart)
        header.u64(rowCount)
        header.f64(lossSum)
        header.u64(correctCount)
        header.f64(squaredErrorSum)
        header.zeros(8)
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource) throws(ProtocolError) -> EvaluationResult {
        let step = try header.u64("step")
        let version = try header.u64("parameterVersion", in: 1...UInt64.max)
        let start = try header.u64("rowStart")
        let count = try header.u64("rowCount", from: 1, through: UInt64.max - start)
        let loss = try header.finite("lossSum", step: step)
        let correct = try header.u64("correctCount", from: 0, through: count)
        let squaredPosition = header.position("squaredErrorSum")
        let squared = try header.finite("squaredErrorSum", step: step)
        guard squared >= 0 else {
            throw .outOfRange(squaredPosition, found: String(squared), expected: "a sum ≥ 0")
        }
        try header.reserved(8)
        return EvaluationResult(step: step, parameterVersion: version, rowStart: start, rowCount: count, lossSum: loss,
                                correctCount: correct, squaredErrorSum: squared)
    }
}

/// Worker → coordinator (local SGD): the worker's parameters after its K local steps of a round.
///
/// Header (80 bytes): step 32 (the round), baseVersion 40, localSteps 48, reserved 52, exampleCount 56,
/// lossSum 64 (f64), parameterCount 72. Payload: the worker's parameters.
public struct LocalSGDResult: WireBody, Equatable {
    static let kind = MessageKind.localSGDResult

    /// The round (the assignment's step).
    public var step: UInt64
    /// The version the round started from (≥ 1).
    public var baseVersion: UInt64
    /// Local steps taken (≥ 1).
    public var localSteps: UInt32
    /// Examples processed over all local steps.
    public var exampleCount: UInt64
    /// Sum of per-example losses over all local steps (finite).
    public var lossSum: Double
    /// The parameters after the local steps.
    public var parameters: FloatPayload

    /// Creates a result.
    public init(step: UInt64, baseVersion: UInt64, localSteps: UInt32, exampleCount: UInt64, lossSum: Double, parameters: FloatPayload) {
        self.step = step
        self.baseVersion = baseVersion
        self.localSteps = localSteps
        self.exampleCount = exampleCount
        self.lossSum = lossSum
        self.parameters = parameters
    }

    var floatPayload: FloatPayload? { parameters }

    func write(header: inout FieldWriter, metadata: inout FieldWriter) {
        header.u64(step)
        header.u64(baseVersion)
        header.u32(localSteps)
        header.zeros(4)
        header.u64(exampleCount)
        header.f64(lossSum)
        header.u64(UInt64(parameters.count))
    }

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource) throws(ProtocolError) -> LocalSGDResult {
        let step = try header.u64("step")
        let base = try header.u64("baseVersion", in: 1...UInt64.max)
        let localSteps = try header.u32("localSteps", in: 1...UInt64(WireConstants.maxLocalSteps))
        try header.reserved(4)
        let examples = try header.u64("exampleCount")
        let loss = try header.finite("lossSum", step: step)
        return LocalSGDResult(step: step, baseVersion: base, localSteps: localSteps, exampleCount: examples, lossSum: loss,
                              parameters: try payload.floats(&header))
    }
}
