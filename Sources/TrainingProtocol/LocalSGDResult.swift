/// Worker → coordinator (local SGD): the worker's parameters after its K local steps of a round.
///
/// Header (80 bytes): step 32 (the round), baseVersion 40, localSteps 48, reserved 52, exampleCount 56,
/// lossSum 64 (f64), parameterCount 72. Payload: the worker's parameters.
package struct LocalSGDResult: WireBody, Equatable {
    static let kind = MessageKind.localSGDResult

    /// The round (the assignment's step).
    package var step: UInt64
    /// The version the round started from (≥ 1).
    package var baseVersion: UInt64
    /// Local steps taken (≥ 1).
    package var localSteps: UInt32
    /// Examples processed over all local steps.
    package var exampleCount: UInt64
    /// Sum of per-example losses over all local steps (finite).
    package var lossSum: Double
    /// The parameters after the local steps.
    package var parameters: FloatPayload

    /// Creates a result.
    package init(
        step: UInt64, baseVersion: UInt64, localSteps: UInt32, exampleCount: UInt64, lossSum: Double,
        parameters: FloatPayload
    ) {
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

    static func read(header: inout FieldReader, metadata: inout FieldReader, payload: inout PayloadSource)
        throws(ProtocolError) -> LocalSGDResult
    {
        let step = try header.u64("step")
        let base = try header.u64("baseVersion", in: 1...UInt64.max)
        let localSteps = try header.u32("localSteps", in: 1...UInt64(WireConstants.maxLocalSteps))
        try header.reserved(4)
        let examples = try header.u64("exampleCount")
        let loss = try header.finite("lossSum", step: step)
        return LocalSGDResult(
            step: step, baseVersion: base, localSteps: localSteps, exampleCount: examples, lossSum: loss,
            parameters: try payload.floats(&header))
    }
}
