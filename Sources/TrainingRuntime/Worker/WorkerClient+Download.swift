import Datasets
import Foundation
import TrainingProtocol
import ZeroMQ

extension WorkerClient {
    /// Fetches the job's dataset from the coordinator in 4 MiB chunks (a few in flight), checks
    /// its digest and installs it in `store`. Returns an exit when the session must end instead.
    func download(
        _ digest: ContentDigest, into store: DatasetStore, control: ProtocolSocket, jobID: JobID,
        stop: StopFlag, backlog: inout [Message]
    ) throws -> WorkerExit? {
        let chunk: UInt64 = 4 << 20
        let window = 4
        logger.info(
            "dataset \(digest.description.prefix(12)) is not in the local store; downloading it from the coordinator")
        func request(_ offset: UInt64) throws {
            try control.send(
                Envelope(
                    jobID: jobID,
                    message: .dataChunkRequest(
                        DataChunkRequest(datasetDigest: digest, offset: offset, length: UInt32(chunk)))))
        }
        try request(0)
        var receiver: DatasetArchiveReceiver?
        var nextOffset = chunk
        var lastHeard = now
        var lastHeartbeat = now
        while receiver?.isComplete != true {
            if stop.isRequested { return .stopped }
            if now - lastHeard > settings.giveUpAfter {
                return .coordinatorLost("no dataset chunk from the coordinator for \(Int(settings.giveUpAfter))s")
            }
            if now - lastHeartbeat > 0.5 {
                try control.send(
                    Envelope(jobID: jobID, message: .heartbeat(Heartbeat(sequence: 0, lastParameterVersion: 0))))
                lastHeartbeat = now
            }
            guard let received = try control.receive(timeoutMilliseconds: 100),
                case .message(let envelope, _) = received
            else { continue }
            lastHeard = now
            switch envelope.message {
            case .dataChunk(let piece) where piece.datasetDigest == digest:
                if receiver == nil {
                    receiver = try DatasetArchiveReceiver(
                        store: store, digest: digest.description, totalBytes: piece.totalBytes)
                    // Fill the window now that the size is known.
                    while nextOffset < piece.totalBytes && nextOffset < chunk * UInt64(window) {
                        try request(nextOffset)
                        nextOffset += chunk
                    }
                }
                try receiver?.write(offset: piece.offset, bytes: piece.bytes)
                if let total = receiver?.totalBytes, nextOffset < total {
                    try request(nextOffset)
                    nextOffset += chunk
                }
            case .error(let report):
                return .coordinatorLost("the coordinator cannot send the dataset: \(report.text)")
            case .shutdown(let s):
                return .shutdown(s.reason, s.text)
            default:
                backlog.append(envelope.message)  // parameters, assignments: handled once the data is here
            }
        }
        _ = try receiver?.install()
        logger.info("dataset \(digest.description.prefix(12)) downloaded and verified")
        return nil
    }
}

extension ProtocolSocket {
    /// Waits up to `timeoutMilliseconds` for one message.
    func receive(timeoutMilliseconds: Int) throws -> Received? {
        let poller = Poller()
        try poller.add(socket)
        guard !(try poller.poll(timeout: .milliseconds(Int64(timeoutMilliseconds)))).isEmpty else { return nil }
        return try receive(dontWait: true)
    }
}
