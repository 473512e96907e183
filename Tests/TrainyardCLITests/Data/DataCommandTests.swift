import Foundation
import Testing
import TrainyardTestSupport

/// `trainyard data …` run as a real process against a private TRAINYARD_HOME.
@Suite struct DataCommandTests {
    func write(_ home: TemporaryDirectory, _ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: home.file(name))
        return home.file(name).path
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// A CSV with a normal feature `a`, an independent feature `b`, a colour and a label.
    func sample(rows: Int, shift: Double, seed: UInt64) -> String {
        var state = seed
        func unit() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) * 0x1.0p-53
        }
        var text = "a,b,colour,label\n"
        for i in 0..<rows {
            let a = (unit() + unit() + unit() + unit() - 2) * 1.7 + shift
            let b = unit() * 10
            text += String(format: "%.5f,%.5f,", a, b) + (i % 3 == 0 ? "red" : "blue") + ",\(i % 2)\n"
        }
        return text
    }

    @Test func typoIsReportedWithPositionThenFixedFileIsStoredOnce() throws {
        let home = try TemporaryDirectory("cli-data-add")
        defer { home.remove() }
        let bad = try write(
            home, "people.csv", "age,city,income,label\n34,paris,50000,yes\n41,london,6100o,no\n29,paris,42000,yes\n")
        let failed = try runTrainyard(["data", "add", bad, "--name", "people"], home: home)
        #expect(failed.status == 2)
        #expect(failed.stderr.contains("people.csv:3: column 3 (\"income\"): expected a number, found \"6100o\""))
        #expect(failed.stderr.contains("unparsable-value"))
        let empty = try runTrainyard(["data", "list", "--json"], home: home)
        #expect(empty.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(empty.stdout.utf8)) as? [Any])?.isEmpty == true)
        let datasets = (try? FileManager.default.contentsOfDirectory(atPath: home.file("datasets").path)) ?? []
        #expect(datasets.isEmpty, "a failed import left \(datasets)")

        let good = try write(
            home, "people.csv", "age,city,income,label\n34,paris,50000,yes\n41,london,61000,no\n29,paris,42000,yes\n")
        let added = try runTrainyard(["data", "add", good, "--name", "people"], home: home)
        #expect(added.status == 0, "\(added.stderr)")
        let version = try #require(added.stdout.split(separator: "\n").last.map(String.init))
        #expect(version.hasPrefix("people@") && version.count == "people@".count + 12)
        let again = try runTrainyard(["data", "add", good, "--name", "people", "--json"], home: home)
        let document = try json(again.stdout)
        #expect(document["version"] as? String == version)
        #expect(document["created"] as? Bool == false)
        #expect(document["rows"] as? Int == 3 && document["features"] as? Int == 4)

        let show = try runTrainyard(["data", "show", version, "--json"], home: home)
        #expect(show.status == 0)
        let shown = try json(show.stdout)
        #expect(shown["rows"] as? Int == 3)
        #expect((shown["runs"] as? [Any])?.isEmpty == true)
        let table = try runTrainyard(["data", "show", "people"], home: home)
        #expect(table.stdout.contains("city") && table.stdout.contains("london=1, paris=2"))
        #expect(table.stdout.contains("used by no runs yet"))
    }

    @Test func generateIsReproducibleAndListed() throws {
        let home = try TemporaryDirectory("cli-data-generate")
        defer { home.remove() }
        let args = [
            "data", "generate", "--kind", "classification", "--rows", "500", "--features", "3", "--classes", "3",
            "--seed", "9", "--name", "blobs",
        ]
        let first = try runTrainyard(args, home: home)
        let second = try runTrainyard(args, home: home)
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)")
        #expect(first.stdout.split(separator: "\n").last == second.stdout.split(separator: "\n").last)
        let list = try runTrainyard(["data", "list", "--json"], home: home)
        let entries = try #require(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["rows"] as? Int == 500 && entries.first?["task"] as? String == "classification")
        let bad = try runTrainyard(
            ["data", "generate", "--kind", "clustering", "--rows", "5", "--features", "2", "--name", "x"],
            home: home)
        #expect(bad.status == 2 && bad.stderr.contains("--kind clustering"))
    }

    @Test func validateFlagsTheShiftedColumnOnly() throws {
        let home = try TemporaryDirectory("cli-data-validate")
        defer { home.remove() }
        let reference = try write(home, "ref.csv", sample(rows: 3000, shift: 0, seed: 1))
        #expect(try runTrainyard(["data", "add", reference, "--name", "ref"], home: home).status == 0)
        let same = try write(home, "same.csv", sample(rows: 1500, shift: 0, seed: 2))
        let passed = try runTrainyard(["data", "validate", same, "--against", "ref"], home: home)
        #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
        #expect(passed.stdout.contains("PASSED"))
        let shifted = try write(home, "shifted.csv", sample(rows: 1500, shift: 1.2, seed: 3))
        let failed = try runTrainyard(["data", "validate", shifted, "--against", "ref"], home: home)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("FAILED") && failed.stdout.contains("drifted: a"))
        let report = try json(
            try runTrainyard(["data", "validate", shifted, "--against", "ref", "--json"], home: home).stdout)
        #expect(report["passed"] as? Bool == false)
        let columns = try #require(report["columns"] as? [[String: Any]])
        #expect(columns.first { $0["column"] as? String == "a" }?["drifted"] as? Bool == true)
        #expect(columns.first { $0["column"] as? String == "b" }?["drifted"] as? Bool == false)
        let missing = try runTrainyard(
            ["data", "validate", home.file("nope.csv").path, "--against", "ref"], home: home)
        #expect(missing.status == 2)
        let unknown = try runTrainyard(["data", "validate", same, "--against", "reff"], home: home)
        #expect(unknown.status == 2 && unknown.stderr.contains("ref"))
        let broken = try write(home, "broken.csv", "a,b,colour,label\n1,2,red,0\nx,2,red,1\n")
        let unreadable = try runTrainyard(["data", "validate", broken, "--against", "ref"], home: home)
        #expect(unreadable.status == 2 && unreadable.stderr.contains("broken.csv:3"))
    }

    @Test func strictRejectsWarningsAndStoresNothing() throws {
        let home = try TemporaryDirectory("cli-data-strict")
        defer { home.remove() }
        let path = try write(home, "c.csv", "a,const,label\n1,5,0\n2,5,1\n3,5,0\n4,5,1\n")
        let strict = try runTrainyard(["data", "add", path, "--name", "c", "--strict"], home: home)
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("constant-column") && strict.stderr.contains("const"))
        let relaxed = try runTrainyard(["data", "add", path, "--name", "c"], home: home)
        #expect(relaxed.status == 0)
        #expect(relaxed.stdout.contains("constant-column"))
        let badName = try runTrainyard(["data", "add", path, "--name", "no spaces"], home: home)
        #expect(badName.status == 2)
        let missingLabel = try runTrainyard(["data", "add", path, "--name", "c", "--label", "target"], home: home)
        #expect(missingLabel.status == 2 && missingLabel.stderr.contains("label column \"target\" not found"))
    }
}
