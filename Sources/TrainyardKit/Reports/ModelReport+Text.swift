import Foundation

extension ModelReport {
    /// `ALIAS→VERSION` for each alias, sorted by alias.
    package static func aliasList(_ aliases: [String: Int]) -> [String] {
        aliases.sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }
    }

    /// What `models show` prints: the model, its aliases, and a table of versions with lineage.
    package var text: String {
        let aliases = Self.aliasList(self.aliases)
        var lines = [
            "model \(name)  (created \(TextFormat.time(created_at)))",
            "aliases: " + (aliases.isEmpty ? "(none)" : aliases.joined(separator: ", ")), "",
        ]
        var table = TextTable(["VERSION", "ALIASES", "RUN", "RUN STATUS", "DATASETS", "PACKAGE", "SHA256", "CREATED"])
        for version in versions {
            let datasets = version.lineage?.datasets.map {
                "\($0.role):\($0.versions.first ?? String($0.digest.prefix(12)))"
            }
            table.add([
                String(version.version), version.aliases.isEmpty ? "-" : version.aliases.joined(separator: ","),
                version.source_run_id ?? "-", version.lineage?.status ?? "-",
                (datasets?.isEmpty ?? true) ? "-" : datasets!.joined(separator: " "), version.package_path,
                String(version.package_digest.prefix(12)), TextFormat.time(version.created_at),
            ])
        }
        lines.append(table.render())
        return lines.joined(separator: "\n")
    }
}
