import Dispatch
import Foundation
import TrainingRuntime
import TrainyardKit

/// Turns SIGINT and SIGTERM into a ``StopFlag`` request, so loops stop cleanly instead of dying.
final class SignalTrap: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    let stop = StopFlag()
    private(set) var received: Int32?

    init(signals: [Int32] = [SIGINT, SIGTERM]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                self?.received = number
                self?.stop.request()
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit { sources.forEach { $0.cancel() } }
}
