import Foundation
import ModelPackage
import ModelServer
import TrackingStore

/// Models from the registry (aliases re-resolved on every reload) or package directories.
package struct RegistrySource: ModelSource, @unchecked Sendable {
    package let home: TrainyardHome
    package let store: TrackingStore

    package init(home: TrainyardHome, store: TrackingStore) {
        self.home = home
        self.store = store
    }

    package func locate(_ reference: String) throws -> ModelLocation {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), isDirectory.boolValue {
            return ModelLocation(name: URL(fileURLWithPath: reference).lastPathComponent, version: 1)
        }
        let record = try TrackingAccess.mapErrors { try store.resolveModel(reference) }
        return ModelLocation(name: record.model, version: record.version)
    }

    package func load(_ reference: String, at location: ModelLocation) throws -> PackagedModel {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), isDirectory.boolValue {
            return try ModelPackages.open(reference, home: home).package
        }
        return try ModelPackages.open("\(location.name)/\(location.version)", home: home).package
    }
}
