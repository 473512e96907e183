import Foundation
import TrackingStore

/// Opening the tracking store of a home and mapping its errors to what the user must do.
package enum TrackingAccess {
    /// Opens `HOME/trainyard.db`, creating the home and the database when missing.
    package static func open(_ home: TrainyardHome) throws -> TrackingStore {
        try mapErrors {
            try home.create()
            return try TrackingStore(path: home.database)
        }
    }

    /// Runs `body`, turning tracking errors into `BadInput` (the user must change the command:
    /// unknown names, malformed filters, conflicts) or `WorkFailed` (the database failed or is too new).
    package static func mapErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TrackingError {
            switch error {
            case .schemaTooNew: throw WorkFailed(error.description)
            default: throw BadInput(error.description)
            }
        } catch let error as BadInput {
            throw error
        } catch let error as WorkFailed {
            throw error
        } catch {
            throw WorkFailed("tracking database: \(error)")
        }
    }
}
